"""The detail panes say which lead made each change: who logged a check-in, wrote a note
(and whether it is private), changed a decision and marked people told."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from helpers import detail_text, settle

from store import edits
from store.checkins import CheckInDraft, log_checkin
from store.db import Store
from store.decisions import mark_informed
from tui.screens.history import HistoryScreen

NOW = dt.datetime(2026, 11, 20, 9, 0, tzinfo=dt.UTC)


def as_lead(store: Store, name: str) -> None:
    store.user = name  # what RAPPORT_USER would have said when the store was opened


async def test_the_notes_pane_names_the_author_of_a_private_note(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    as_lead(store, "ana")
    edits.save_note(
        store,
        edits.NoteValues(person_id=team["dana"], on=NOW.date(), text="Aaa: father is ill",
                         private=True, pinned=True),
    )  # fmt: skip
    app = make_app(start_screen="notes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = detail_text(app)  # pinned and newest: the first row
        assert "Aaa: father is ill" in text
        assert "Author     ana" in text
        assert "Private    yes: only its author can read it" in text


async def test_the_decisions_pane_names_who_changed_and_who_told(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    as_lead(store, "ben")
    mark_informed(store, team["avalara"], [team["jonas"]], on=NOW.date(), at=NOW, channel="chat")
    app = make_app(start_screen="decisions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        text = detail_text(app)  # Avalara: due first
        assert "Use Avalara for sales tax" in text
        assert "✓ Jonas Brandt (20 Nov, chat, marked by ben)" in text
        assert "told Jonas Brandt: chat (by ben)" in text
        assert "Changed by" in text  # the team fixture's store made it


async def test_the_history_pane_names_who_logged_the_check_in(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    as_lead(store, "ana")
    log_checkin(
        store,
        CheckInDraft(engagement_id=team["eng"], at=NOW, cadence_id=team["weekly"],
                     attendee_ids=(team["jonas"], team["dana"]), outcome="Scope frozen"),
    )  # fmt: skip
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        text = str(app.screen.query_one("#checkin-detail").render())
        assert "Scope frozen" in text
        assert "Logged by  ana" in text
