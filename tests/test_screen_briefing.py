"""The briefing (b) on a cadence and on a person, and copying it as Markdown."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers import settle, toasts
from sqlalchemy import text
from textual.widgets import Static

from store.db import Store
from tui.screens.briefing import BriefingScreen
from tui.screens.cadence import CadenceScreen


def briefing_text(app: object) -> str:
    return str(app.screen.query_one("#briefing", Static).render())  # type: ignore[attr-defined]


async def test_b_on_a_cadence_briefs_its_attendees_in_order(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        text = briefing_text(app)
        assert text.startswith("Briefing: Weekly status")
        assert "Cutover plan agreed." in text
        # Jonas then Dana, as on the cadence; Dana's clock is Denver's (03:30 on Fri).
        assert text.index("Jonas Brandt") < text.index("Dana Whitfield")
        assert "03:30 Fri in America/Denver (outside working hours)" in text
        await pilot.press("escape")
        assert isinstance(app.screen, CadenceScreen)


async def test_b_on_a_person_shows_what_to_tell_and_remember(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b")  # Dana: her pinned marathon note, follow-up due
        await settle(pilot)
        text = briefing_text(app)
        assert "Dana Whitfield" in text
        assert "Runs the Chicago marathon" in text
        assert "ask now" in text
        assert "Decisions they own" in text and "Use Avalara for sales tax" in text


async def test_y_copies_the_briefing_as_markdown(
    make_app: Callable[..., object], team: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    copied: list[str] = []
    app = make_app()
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("y")
        assert copied and copied[0].startswith("# Briefing: Dana Whitfield")
        assert "Briefing copied as Markdown" in toasts(app)


async def test_y_copies_markdown_that_keeps_database_text_literal(
    make_app: Callable[..., object], team: dict[str, int], store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from test_store_markdown import check_briefing, paragraphs, tokens

    with store.write() as session:
        session.execute(
            text("UPDATE note SET text = :t WHERE person_id = :p"),
            {"t": "# Runs\n<script>x</script>\n- marathons \x1b[2J", "p": team["dana"]},
        )
    copied: list[str] = []
    app = make_app()
    monkeypatch.setattr(app, "copy_to_clipboard", copied.append)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b")
        await settle(pilot)
        await pilot.press("y")
    [markdown] = copied
    found = check_briefing(markdown, "Dana Whitfield")
    assert any(item.startswith("# Runs\n<script>x</script>\n- marathons \ufffd[2J")
               for item in found["items"])  # fmt: skip
    assert "Notes:" in paragraphs(tokens(markdown))


async def test_x_in_the_briefing_marks_the_follow_up_done(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    from store import queries

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b")  # Dana: the marathon follow-up has come
        await settle(pilot)
        assert "ask now" in briefing_text(app)
        await pilot.press("x")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        text = briefing_text(app)
        assert "Runs the Chicago marathon" in text  # still pinned
        assert "ask now" not in text
        assert "Followed up" in toasts(app)
    (marathon,) = [n for n in queries.notes(store, team["eng"]) if n.id == team["marathon"]]
    assert str(marathon.follow_up_done) == "2026-11-20"


async def test_x_in_a_briefing_with_several_follow_ups_asks_which(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    import datetime as dt

    from store import edits, queries
    from tui.widgets.form import FormScreen

    edits.save_note(
        store,
        edits.NoteValues(person_id=team["dana"], on=dt.date(2026, 11, 1),
                         text="Ask about Boulder", follow_up=dt.date(2026, 11, 19)),
    )  # fmt: skip
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b", "x")  # the weekly: Jonas and Dana
        await settle(pilot)
        form = app.screen
        assert isinstance(form, FormScreen)
        assert [label for label, _id in form.fields[0].choices] == [
            "Dana Whitfield: Runs the Chicago marathon", "Dana Whitfield: Ask about Boulder",
        ]  # fmt: skip
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert briefing_text(app).count("ask now") == 1
    done = {n.text: n.follow_up_done for n in queries.notes(store, team["eng"])}
    assert done["Runs the Chicago marathon"] == dt.date(2026, 11, 20)
    assert done["Ask about Boulder"] is None
