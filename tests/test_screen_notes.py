"""The Notes screen: what to remember about people, pinned first."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Callable, Collection

import pytest
from helpers import column, detail_text, names, settle
from textual.widgets import Input, TextArea

from store import queries
from store.db import Store
from tui.screens.notes import NotesScreen
from tui.widgets.record_table import MEASURED_ROWS, RecordTable


async def test_notes_show_person_pin_follow_up_and_text(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app(start_screen="notes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, NotesScreen)
        assert names(app) == ["Dana Whitfield", "Inês Carvalho"]
        assert column(app, 3) == ["📌", ""]
        assert column(app, 4) == ["13 Oct overdue", ""]
        assert column(app, 5) == ["Runs the Chicago marathon", "Prefers Slack over email"]


async def test_x_marks_a_follow_up_done_and_again_still_to_do(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="notes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert column(app, 4) == ["13 Oct overdue", ""]  # the marathon, first
        await pilot.press("x")
        await settle(pilot)
        assert column(app, 4) == ["13 Oct ✓", ""]
        assert "Followed up" in detail_text(app) and "Fri 20 Nov 2026" in detail_text(app)
        (marathon,) = [n for n in queries.notes(store, team["eng"]) if n.id == team["marathon"]]
        assert (marathon.follow_up, marathon.follow_up_done) == (
            dt.date(2026, 10, 13), dt.date(2026, 11, 20),
        )  # fmt: skip
        await pilot.press("x")
        await settle(pilot)
        assert column(app, 4) == ["13 Oct overdue", ""]
        await pilot.press("j", "x")  # Inês's note has no follow-up to mark
        await settle(pilot)
    (marathon,) = [n for n in queries.notes(store, team["eng"]) if n.id == team["marathon"]]
    assert marathon.follow_up_done is None
    assert all(n.follow_up_done is None for n in queries.notes(store, team["eng"]))


async def test_new_note_is_saved_for_the_chosen_person(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="notes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n")
        form = app.screen
        form.query_one("#field-text", TextArea).focus()
        await pilot.press(*"Daughter starts college in Boulder")
        form.query_one("#field-follow_up", Input).value = "2026-12-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, NotesScreen)
        assert "Daughter starts college in Boulder" in column(app, 5)
    saved = [n for n in queries.notes(store, team["eng"]) if "Boulder" in n.text]
    assert len(saved) == 1
    assert saved[0].person == "Dana Whitfield"  # first in the picker
    assert str(saved[0].follow_up) == "2026-12-01"
    assert str(saved[0].on) == "2026-11-20"


async def test_an_empty_note_is_refused(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="notes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", "ctrl+s")
        await pilot.pause()
        assert "must not be empty" in str(app.screen.query_one("#error-text").render())
    assert len(queries.notes(store, team["eng"])) == 2


async def test_filter_finds_words_inside_notes(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app(start_screen="notes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"slack")
        await settle(pilot)  # the database answers, in a worker
        assert names(app) == ["Inês Carvalho"]
        await pilot.press("enter", "delete", "y")
        await settle(pilot)
        assert names(app) == []


def add_notes(store: Store, person_id: int, texts: list[str]) -> None:
    """Many notes in one transaction (one save per note would take seconds)."""
    from sqlalchemy import insert

    from store.tables import note

    with store.write() as session:
        session.execute(
            insert(note),
            [
                {
                    "person_id": person_id,
                    "on": dt.date(2026, 1, 1),
                    "text": text,
                    "kind": "personal",
                }
                for text in texts
            ],
        )


async def test_a_long_list_reads_only_the_pages_it_shows(
    make_app: Callable[..., object],
    store: Store,
    team: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from tui.paged import PAGE_ROWS

    add_notes(store, team["ines"], [f"Filler note {n}" for n in range(1_200)])
    add_notes(store, team["jonas"], ["Allergic to hazelnuts"])
    read: list[int] = []
    read_by_id = queries.notes_by_id

    def counted(store: Store, ids: Collection[int]) -> dict[int, queries.NoteRow]:
        read.extend(ids)
        return read_by_id(store, ids)

    monkeypatch.setattr(queries, "notes_by_id", counted)
    app = make_app(start_screen="notes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        table = app.screen.query_one(RecordTable)
        assert table.row_count == 1_203
        # The rows the columns are measured on (the first page or two), no more.
        shown = -(-MEASURED_ROWS // PAGE_ROWS) * PAGE_ROWS
        assert len(read) == len(set(read)) <= shown
        # The first page: pinned, then newest (the two notes of `team`, then the bulk).
        first = [str(table.get_row_at(row)[5]) for row in range(2)]
        assert first == ["Runs the Chicago marathon", "Prefers Slack over email"]

        await pilot.press("G")
        await settle(pilot)
        assert "Filler note 0" in detail_text(app)  # the oldest of the bulk, by id
        assert len(read) <= shown + 2 * PAGE_ROWS  # and the last screenful (two pages at most)
        # What the app holds: the rows read, not a row per note.
        gc.collect()
        held = sum(isinstance(thing, queries.NoteRow) for thing in gc.get_objects())
        assert 0 < held <= len(read)

        # `/` is answered by the database: a note no page read so far is found.
        await pilot.press("slash", *"HAZEL")
        await settle(pilot)
        assert names(app) == ["Jonas Brandt"]
        assert "Allergic to hazelnuts" in detail_text(app)
        await pilot.press("escape")
        await settle(pilot)
        assert table.row_count == 1_203


async def test_filtering_notes_about_one_person_by_words(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    add_notes(store, team["ines"], ["Coffee: flat white", "Likes a walk before calls"])
    add_notes(store, team["dana"], ["Coffee: black"])
    app = make_app(start_screen="notes")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, NotesScreen)
        app.screen.person_filter = (team["ines"], "Inês Carvalho")
        await settle(pilot)
        assert set(column(app, 5)) == {
            "Prefers Slack over email", "Coffee: flat white", "Likes a walk before calls"
        }  # fmt: skip
        await pilot.press("slash", *"coffee")
        await settle(pilot)
        assert column(app, 5) == ["Coffee: flat white"]
        # Typing on narrows further; the person filter stays.
        await pilot.press(*" black")
        await settle(pilot)
        assert column(app, 5) == []
        assert "No match." in str(app.screen.query_one("#empty").render())
