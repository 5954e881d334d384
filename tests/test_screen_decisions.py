"""The Decisions screen: open items by due date, informed x/y, editing by keys."""

from __future__ import annotations

from collections.abc import Callable

from helpers import column, detail_text, names, settle
from textual.widgets import Input, Select

from store import queries
from store.db import Store
from tui.screens.decisions import DecisionsScreen
from tui.widgets.form import FormScreen


async def test_open_items_by_due_date_and_a_key_shows_all(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app(start_screen="decisions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, DecisionsScreen)
        assert column(app, 1) == ["Use Avalara for sales tax"]
        assert column(app, 3) == ["10 Nov overdue"]
        assert column(app, 5) == ["0/2"]
        assert "Still to tell" in detail_text(app)
        assert "· Jonas Brandt\n· Inês Carvalho" in detail_text(app)
        await pilot.press("a")
        assert column(app, 1) == ["Use Avalara for sales tax", "Code freeze over Black Friday"]
        await pilot.press("a")
        assert len(names(app)) == 1


async def test_new_decision_and_a_status_that_does_not_fit_the_kind(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="decisions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", *"Returns via 3PL")
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-kind", Select).value = "risk"
        form.query_one("#field-status", Select).value = "decided"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
        assert "a risk is one of: open, mitigated" in str(form.query_one("#error-status").render())
        form.query_one("#field-status", Select).value = "open"
        form.query_one("#field-due", Input).value = "2026-12-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DecisionsScreen)
        assert "Returns via 3PL" in column(app, 1)
    saved = {row.title: row for row in queries.decisions(store, team["eng"])}
    assert saved["Returns via 3PL"].kind == "risk"
    assert str(saved["Returns via 3PL"].due) == "2026-12-01"
    assert str(saved["Returns via 3PL"].raised) == "2026-11-20"  # today by default


async def test_a_date_that_does_not_exist_is_refused(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="decisions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        form = app.screen
        form.query_one("#field-due", Input).value = "2026-02-30"
        await pilot.pause()
        assert "'2026-02-30' is not a date" in str(form.query_one("#error-due").render())
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, FormScreen)
    (row,) = [r for r in queries.decisions(store, team["eng"]) if r.id == team["avalara"]]
    assert str(row.due) == "2026-11-10"
