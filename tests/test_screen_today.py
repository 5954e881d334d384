"""Today (0): the morning overview, and enter jumping to each item."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from helpers import settle
from textual.widgets import OptionList, Static

from store import queries
from store.db import Store
from store.decisions import items as decision_items
from store.queries import engagements
from store.today import today_items
from tui.screens.cadence import CadenceScreen
from tui.screens.decisions import DecisionsScreen
from tui.screens.today import TodayScreen

NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)


def lines(app: object) -> list[str]:
    options = app.screen.query_one("#today", OptionList)  # type: ignore[attr-defined]
    return [str(option.prompt) for option in options.options]


def test_today_on_the_sample_names_what_needs_the_lead(sample_store: Store) -> None:
    (engagement,) = engagements(sample_store)
    today = today_items(sample_store, engagement.id, NOW, NOW.date())
    titles = {section.key: [item.text for item in section.items] for section in today.sections}
    # The sponsor check-in was last held on 29 Oct (every 2 weeks): overdue or lapsed.
    assert "Sponsor check-in" in titles["cadences"]
    # Fri 20 Nov: the daily stand-up meets today.
    assert any(text.startswith("Daily stand-up at 09:30") for text in titles["meetings"])
    assert today.count("decisions") > 0
    assert today.total == sum(len(section.items) for section in today.sections)


def test_overdue_steps_are_grouped_by_owner_oldest_first(sample_store: Store) -> None:
    from dataclasses import replace

    from store.queries import StepRow
    from store.today import compose

    (engagement,) = engagements(sample_store)
    ana, ben = queries.roster(sample_store, engagement.id, NOW.date())[:2]
    raised = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)

    def step(number: int, owner: queries.PersonRow, due: dt.date) -> StepRow:
        return StepRow(number, f"step {number}", owner.id, owner.name, due, False, 1, raised)

    # Mon 9, Fri 13 and Thu 19 Nov: by the day's name Friday would come before Monday.
    steps = [
        step(1, ben, dt.date(2026, 11, 19)), step(2, ana, dt.date(2026, 11, 19)),
        step(3, ana, dt.date(2026, 11, 9)), step(4, ana, dt.date(2026, 11, 13)),
        step(5, ben, dt.date(2026, 11, 13)),
    ]  # fmt: skip
    roster = [replace(ana, open_steps=tuple(steps)), replace(ben, open_steps=())]
    today = compose(NOW, NOW.date(), roster=roster)
    (section,) = [section for section in today.sections if section.key == "steps"]
    first, second = sorted((ana.name, ben.name))
    owner = {ana.name: "ana", ben.name: "ben"}
    expected = {"ana": ["step 3", "step 4", "step 2"], "ben": ["step 5", "step 1"]}
    assert [item.text for item in section.items] == expected[owner[first]] + expected[owner[second]]


def test_today_writes_out_only_the_items_shown_and_counts_them_all(sample_store: Store) -> None:
    from store.today import compose

    (engagement,) = engagements(sample_store)
    whole = today_items(sample_store, engagement.id, NOW, NOW.date())
    rows = {
        "cadences": queries.cadences(sample_store, engagement.id, NOW.date()),
        "roster": queries.roster(sample_store, engagement.id, NOW.date()),
        "decisions": decision_items(sample_store, engagement.id, NOW.date()),
        "notes": queries.notes(sample_store, engagement.id),
    }
    short = compose(NOW, NOW.date(), **rows, shown=2)  # type: ignore[arg-type]
    assert [s.key for s in short.sections] == [s.key for s in whole.sections]
    assert any(len(section.items) > 2 for section in whole.sections)
    for brief, full in zip(short.sections, whole.sections, strict=True):
        assert brief.items == full.items[:2]
        assert brief.total == full.total == len(full.items)
    assert short.total == whole.total


async def test_zero_opens_today_and_enter_jumps_to_the_cadence(
    make_app: Callable[..., object], sample_store: Store
) -> None:
    app = make_app(start_screen="today")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        summary = str(app.screen.query_one("#summary", Static).render())
        parts = summary.split("  ·  ")
        # One of a kind reads in the singular, more in the plural.
        assert "1 overdue" in parts and "1 meeting" in parts and "7 steps late" in parts
        shown = lines(app)
        assert shown[0].startswith("Cadences overdue or lapsed")
        # The first selectable line is the first overdue cadence.
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, CadenceScreen)
        selected = app.screen.selected()
        assert selected is not None and selected.status in ("overdue", "lapsed")
        await pilot.press("0")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)


async def test_a_decided_item_jumps_to_decisions_showing_all(
    make_app: Callable[..., object], sample_store: Store
) -> None:
    app = make_app(start_screen="today")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        options = app.screen.query_one("#today", OptionList)
        index = next(
            i for i, option in enumerate(options.options)
            if (option.id or "").startswith("decisions:") and "still to tell" in str(option.prompt)
        )  # fmt: skip
        options.highlighted = index
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, DecisionsScreen)
        row = app.screen.selected()
        assert row is not None and row.status == "decided"
        table = app.screen.table
        assert str(table.get_row_at(table.cursor_row)[1]) == row.title


async def test_the_app_opens_on_today_by_default(store: Store, sample_store: Store) -> None:
    from tui.app import RapportApp

    app = RapportApp(store, clock=lambda: NOW)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)


def test_today_composed_from_some_rows_leaves_the_other_sections_pending(
    sample_store: Store,
) -> None:
    from store.queries import notes
    from store.today import compose

    (engagement,) = engagements(sample_store)
    whole = today_items(sample_store, engagement.id, NOW, NOW.date())
    partial = compose(NOW, NOW.date(), notes=notes(sample_store, engagement.id))
    assert [section.key for section in partial.sections] == ["followups", "dates"]
    assert set(partial.pending) == {
        "cadences", "meetings", "touch", "steps", "decisions", "onboarding"
    }  # fmt: skip
    # What is shown early is exactly what the whole Today shows for those sections.
    for section in partial.sections:
        assert section == next(s for s in whole.sections if s.key == section.key)
    assert whole.pending == ()


def test_today_reads_only_the_notes_its_sections_can_show(
    store: Store, team: dict[str, int]
) -> None:
    from store import edits
    from store.queries import notes
    from store.today import AHEAD_DAYS, compose, notes_due

    today = NOW.date()
    # Follow-ups long past (they stay until done), today, and on each side of the far edge,
    # personal and not.
    offsets = (-400, -31, 0, 1, AHEAD_DAYS, AHEAD_DAYS + 1)
    for offset in offsets:
        for kind in ("personal", "professional"):
            edits.save_note(
                store,
                edits.NoteValues(
                    person_id=team["dana"], on=today - dt.timedelta(days=60),
                    text=f"{kind} {offset:+d}", kind=kind,
                    follow_up=today + dt.timedelta(days=offset),
                ),
            )  # fmt: skip
    edits.save_note(store, edits.NoteValues(person_id=team["ines"], on=today, text="no date"))
    done = edits.save_note(
        store,
        edits.NoteValues(person_id=team["ines"], on=today, text="done", follow_up=today),
    )
    edits.mark_follow_up(store, done, today)

    due = notes_due(store, team["eng"], today)
    # The fixture's marathon note: its follow-up (13 Oct) is 38 days past and not done.
    assert sorted(n.text for n in due) == sorted(
        [f"{kind} {offset:+d}" for offset in offsets[:-1] for kind in ("personal", "professional")]
        + ["Runs the Chicago marathon"]
    )
    # Today from those few is Today from every note.
    every = notes(store, team["eng"])
    assert len(every) > len(due)
    assert compose(NOW, today, notes=due) == compose(NOW, today, notes=every)
    assert compose(NOW, today, notes=due).count("followups") > 0
    assert compose(NOW, today, notes=due).count("dates") > 0


async def test_a_long_section_shows_its_first_lines_and_counts_the_rest(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    from store import edits
    from tui.screens.today import SHOWN

    for number in range(SHOWN + 5):
        edits.save_person(
            store, team["eng"],
            edits.PersonValues(key=f"p{number}", name=f"Person {number:02d}", side="client",
                               timezone="UTC", at_kickoff=True),
        )  # fmt: skip
    app = make_app(start_screen="today")
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        shown = lines(app)
        start = shown.index(next(line for line in shown if line.startswith("Losing touch")))
        section = shown[start + 1 : start + 1 + SHOWN + 1]
        # Everyone added above was never contacted, nor was Inês; Jonas and Dana were.
        total = SHOWN + 5 + 1
        assert shown[start].startswith(f"Losing touch ({total})")
        assert "Inês Carvalho" in section[0] and "Person 00" in section[1]
        assert "Person" not in section[-1]
        assert section[-1].strip() == f"… and {total - SHOWN} more (1 Roster)"
        summary = str(app.screen.query_one("#summary", Static).render())
        assert f"{total} losing touch" in summary


async def test_the_screens_rows_are_read_after_the_first_lines_are_painted(
    make_app: Callable[..., object], team: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Today's first lines come from a quick read of its own; the screens' rows (tenths of a
    second each at a large engagement) wait until those lines are on screen, so they do not
    take the GIL from the first paint."""
    app = make_app(start_screen="today")
    shown: list[TodayScreen.Loaded] = []
    reads: list[tuple[str, bool]] = []
    rows = app.rows  # type: ignore[attr-defined]

    class Recorded(TodayScreen.Loaded):
        def __init__(self, *args: object) -> None:
            super().__init__(*args)  # type: ignore[arg-type]
            shown.append(self)

    def recording_rows(name: str) -> object:
        reads.append((name, bool(shown) and shown[0].painted.is_set()))
        return rows(name)

    monkeypatch.setattr(TodayScreen, "Loaded", Recorded)
    monkeypatch.setattr(app, "rows", recording_rows)
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        assert shown[0].today.pending  # the first lines, with the rest still to come
        assert reads[0] == ("items", True)
        assert not shown[-1].today.pending


@pytest.mark.both_backends
async def test_the_first_lines_are_in_the_first_frame_on_a_file_and_read_aside_on_a_server(
    make_app: Callable[..., object], team: dict[str, int], db_target: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    import threading

    import store.today

    on_main: list[bool] = []
    notes_due = store.today.notes_due

    def recording(*args: object) -> object:
        on_main.append(threading.current_thread() is threading.main_thread())
        return notes_due(*args)  # type: ignore[arg-type]

    monkeypatch.setattr(store.today, "notes_due", recording)
    app = make_app(start_screen="today")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert on_main == [not db_target.startswith("postgresql")]
        assert "losing touch" in str(app.screen.query_one("#summary", Static).render())


def _highlight(app: object, starts: str) -> None:
    options = app.screen.query_one("#today", OptionList)  # type: ignore[attr-defined]
    options.highlighted = next(
        i for i, option in enumerate(options.options) if str(option.prompt).startswith(starts)
    )


def _log_overdue_step(store: Store, team: dict[str, int], *more: str) -> int:
    """Dana's late step "Send the tax memo" (its id), and Jonas's late steps `more`."""
    from store.checkins import CheckInDraft, log_checkin
    from store.logparse import NextStepLine

    log_checkin(
        store,
        CheckInDraft(
            engagement_id=team["eng"], at=dt.datetime(2026, 11, 10, 15, tzinfo=dt.UTC),
            attendee_ids=(team["dana"],), outcome="Tax talk",
            next_steps=(
                NextStepLine("Send the tax memo", team["dana"], dt.date(2026, 11, 16)),
                *(NextStepLine(text, team["jonas"], dt.date(2026, 11, 16)) for text in more),
            ),
        ),
    )  # fmt: skip
    (step,) = queries.steps_of(store, team["eng"], person_id=team["dana"])
    return step.id


async def test_a_follow_up_long_past_stays_on_today_until_x_marks_it_done(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    """The marathon follow-up came on 13 Oct, 38 days before: still to ask, so still here."""
    app = make_app(start_screen="today")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert any(
            line.startswith("  Dana Whitfield: Runs the Chicago marathon") for line in lines(app)
        )
        _highlight(app, "  Dana Whitfield: Runs the Chicago marathon")
        await pilot.press("x")
        await settle(pilot)
        assert not any("Chicago marathon" in line for line in lines(app))
        assert not any(line.startswith("Follow-ups due") for line in lines(app))
    (marathon,) = [n for n in queries.notes(store, team["eng"]) if n.id == team["marathon"]]
    assert (marathon.follow_up, marathon.follow_up_done) == (
        dt.date(2026, 10, 13), dt.date(2026, 11, 20),
    )  # fmt: skip


async def test_x_on_today_ticks_a_late_step_and_stays_in_place(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    step_id = _log_overdue_step(store, team, "Book the Denver trip")
    app = make_app(start_screen="today")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        _highlight(app, "● Send the tax memo")  # Dana's, then Jonas's (by owner)
        await pilot.press("x")
        await settle(pilot)
        assert not any("Send the tax memo" in line for line in lines(app))
        options = app.screen.query_one("#today", OptionList)
        assert options.highlighted is not None  # on the next line, not back at the top
        assert str(options.options[options.highlighted].prompt).startswith("● Book the Denver")
    (step,) = [s for s in queries.steps_of(store, team["eng"]) if s.id == step_id]
    assert step.done


async def test_x_does_nothing_on_a_line_that_is_not_a_step_or_follow_up(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app(start_screen="today")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        _highlight(app, "● Use Avalara for sales tax")  # an overdue decision
        assert app.screen.check_action("tick", ()) is None
        before = lines(app)
        await pilot.press("x")
        await settle(pilot)
        assert lines(app) == before


async def test_b_and_h_on_today_open_the_briefing_and_history_of_its_person_or_cadence(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    from store import edits
    from tui.screens.briefing import BriefingScreen
    from tui.screens.history import HistoryScreen

    _log_overdue_step(store, team)
    edits.save_decision(
        store, team["eng"],
        edits.DecisionValues(title="Pick the 3PL", due=dt.date(2026, 11, 1),
                             cadence_id=team["weekly"]),
    )  # fmt: skip
    app = make_app(start_screen="today")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        _highlight(app, "● Send the tax memo")  # Dana's step
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.person_id == team["dana"]
        assert "Dana Whitfield" in str(app.screen.query_one("#briefing", Static).render())
        await pilot.press("escape")
        await pilot.press("h")
        await settle(pilot)
        assert isinstance(app.screen, HistoryScreen)
        assert app.screen.person_id == team["dana"]
        assert [step.text for step in app.screen.steps.values()] == ["Send the tax memo"]
        await pilot.press("escape")
        await settle(pilot)
        assert isinstance(app.screen, TodayScreen)
        _highlight(app, "● Pick the 3PL")  # a decision of the weekly: about its cadence
        await pilot.press("b")
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        assert app.screen.cadence_id == team["weekly"]
