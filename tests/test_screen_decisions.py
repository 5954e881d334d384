"""The Decisions screen: open items by due date, informed x/y, editing by keys."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from helpers import column, detail_text, names, settle, toasts
from textual.widgets import Input, Select, SelectionList, TextArea

from store import decisions
from store.db import Store
from store.decisions import items as decision_items
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


async def test_a_due_date_from_another_year_says_its_year(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    """ "10 Dec overdue" on 20 Nov reads as a date still to come; it was last December."""
    from store import edits

    edits.save_decision(
        store, team["eng"],
        edits.DecisionValues(title="Pick the 3PL", due=dt.date(2025, 12, 10)),
    )  # fmt: skip
    app = make_app(start_screen="decisions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert column(app, 1) == ["Pick the 3PL", "Use Avalara for sales tax"]
        assert column(app, 3) == ["10 Dec 2025 overdue", "10 Nov overdue"]


async def test_new_risk_with_score(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="decisions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("n", *"Returns via 3PL")
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-kind", Select).value = "risk"
        form.query_one("#field-probability", Input).value = "3"
        form.query_one("#field-impact", Input).value = "5"
        form.query_one("#field-due", Input).value = "2026-12-01"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DecisionsScreen)
        assert "Returns via 3PL" in column(app, 1)
        await pilot.press("s")  # sort by score: the risk first
        assert column(app, 1)[0] == "Returns via 3PL"
        assert column(app, 6)[0] == "15"
    saved = {row.title: row for row in decisions.items(store, team["eng"], app.today())}
    risk = saved["Returns via 3PL"]
    assert (risk.kind, risk.status, risk.score) == ("risk", "open", 15)
    assert str(risk.raised) == "2026-11-20"  # today by default


async def test_c_decides_then_p_shows_it_until_everyone_is_told(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="decisions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")  # Avalara: open -> decided
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-to", Select).value == "decided"
        form.query_one("#field-outcome", TextArea).text = "Avalara, one year"
        await pilot.press("ctrl+s")
        await settle(pilot)
        await pilot.press("p")  # not propagated: Avalara (0/2) and the freeze (no audience? no)
        assert column(app, 1) == ["Use Avalara for sales tax"]
        await pilot.press("i")
        form = app.screen
        assert isinstance(form, FormScreen)
        people = form.query_one("#field-people", SelectionList)
        people.focus()
        await pilot.press("down", "space")  # untick Inês: only Jonas was told
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert column(app, 5) == ["1/2"]
        assert "· Inês Carvalho" in detail_text(app)
        assert "told Jonas Brandt: video" in detail_text(app)
    (avalara,) = [
        i for i in decisions.items(store, team["eng"], app.today()) if i.id == team["avalara"]
    ]
    assert avalara.status == "decided" and avalara.not_propagated


async def test_a_dropped_decision_cannot_be_moved(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    decisions.move(store, team["avalara"], "dropped", at=dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    app = make_app(start_screen="decisions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        assert "Use Avalara for sales tax" in column(app, 1)
        while str(app.screen.selected().title) != "Use Avalara for sales tax":
            await pilot.press("j")
        await pilot.press("c")
        await pilot.pause()
        assert isinstance(app.screen, DecisionsScreen)
        assert "A dropped decision is final." in toasts(app)


async def test_filter_keys_combine_with_slash(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app(start_screen="decisions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("d")  # overdue: Avalara was due 10 Nov
        assert column(app, 1) == ["Use Avalara for sales tax"]
        await pilot.press("slash", *"freeze")
        assert column(app, 1) == []
        await pilot.press("escape", "d", "a", "t")  # all items, decisions only
        assert len(column(app, 1)) == 2
        await pilot.press("t")  # risks only: none
        assert column(app, 1) == []
        assert app.screen.sub_title.startswith("all items · risks")


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
    (row,) = [r for r in decision_items(store, team["eng"]) if r.id == team["avalara"]]
    assert str(row.due) == "2026-11-10"


async def test_the_detail_reads_the_timeline_of_each_item_shown_and_only_once(
    make_app: Callable[..., object], team: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    read: list[int] = []
    timeline = decisions.timeline

    def counted(store: Store, decision_id: int) -> list[decisions.Event]:
        read.append(decision_id)
        return timeline(store, decision_id)

    monkeypatch.setattr(decisions, "timeline", counted)
    app = make_app(start_screen="decisions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")  # every item: the freeze too
        await settle(pilot)
        assert column(app, 1) == ["Use Avalara for sales tax", "Code freeze over Black Friday"]
        assert "Timeline" not in detail_text(app)  # nothing has happened to it yet
        await pilot.press("j")
        await settle(pilot)
        assert "Timeline\n02 Nov  decided" in detail_text(app)
        await pilot.press("k")
        await settle(pilot)
        assert "Timeline" not in detail_text(app)
        assert read == [team["avalara"], team["freeze"]]  # shown again: read once


async def test_the_status_form_stays_open_on_the_missing_outcome(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    """ctrl+s without an outcome keeps the form, and what was typed, with the outcome focused."""
    app = make_app(start_screen="decisions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("c")  # Avalara: open -> decided, no outcome yet
        form = app.screen
        assert isinstance(form, FormScreen)
        assert form.query_one("#field-to", Select).value == "decided"
        form.query_one("#field-on", Input).value = "2026-11-18"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        outcome = form.query_one("#field-outcome", TextArea)
        assert app.focused is outcome
        assert "a decision needs its outcome" in str(form.query_one("#error-outcome").render())
        assert form.query_one("#field-on", Input).value == "2026-11-18"
        await pilot.press(*"Avalara")
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DecisionsScreen)
    (avalara,) = [i for i in decision_items(store, team["eng"]) if i.id == team["avalara"]]
    assert (avalara.status, avalara.outcome, avalara.decided) == (
        "decided", "Avalara", dt.date(2026, 11, 18)
    )  # fmt: skip


def _decided(store: Store, team: dict[str, int], title: str, raised: dt.date) -> int:
    from store import edits

    values = edits.DecisionValues(
        title=title, raised=raised, status="decided", decided=raised, outcome="yes"
    )
    return edits.save_decision(store, team["eng"], values)


def _open(store: Store, team: dict[str, int], title: str, raised: dt.date) -> int:
    from store import edits

    return edits.save_decision(store, team["eng"], edits.DecisionValues(title=title, raised=raised))


async def test_supersede_offers_later_decisions_newest_first_and_the_list_says_so(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    older = _decided(store, team, "Ship in October", dt.date(2026, 9, 1))
    old = _decided(store, team, "Ship in November", dt.date(2026, 10, 1))
    later = _decided(store, team, "Ship on 19 Jan", dt.date(2026, 11, 1))
    latest = _open(store, team, "Ship in February", dt.date(2026, 11, 15))
    dropped = _open(store, team, "Ship at Easter", dt.date(2026, 11, 16))
    decisions.move(store, dropped, "dropped", at=dt.datetime(2026, 11, 17, tzinfo=dt.UTC))
    app = make_app(start_screen="decisions")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("a")
        while app.screen.selected().id != old:
            await pilot.press("j")
        await pilot.press("u")
        form = app.screen
        assert isinstance(form, FormScreen)
        picker = form.query_one("#field-by", Select)
        offered = [value for _label, value in form.fields[0].choices]
        # Not older, not dropped, not itself; newest first. The fixture's freeze has no raised
        # date: it counts as raised when decided, 2 Nov.
        assert offered == [latest, team["freeze"], later]
        assert picker.value == latest
        picker.value = later
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, DecisionsScreen)
        rows = dict(zip(column(app, 1), column(app, 4), strict=True))
        assert rows["Ship in November"] == "superseded by Ship on 19 Jan"
        assert rows["Ship in October"] == "decided"
        assert "Superseded by" in detail_text(app)
    found = {i.id: i for i in decision_items(store, team["eng"])}
    assert found[old].superseded_by == (later, "Ship on 19 Jan")
    assert older in found
