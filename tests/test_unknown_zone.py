"""A time zone this machine does not know (an older version wrote it, a hand edit, a tz database
that dropped the name) is shown with "unknown zone" and nothing is computed from it: every
screen, the briefing, Today, the log form and every export still work."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import detail_text, names, settle, toasts
from sqlalchemy import text
from textual.widgets import OptionList, Static

from store.db import Store
from store.timezones import (
    UNKNOWN_ZONE,
    Hours,
    find_slots,
    in_working_hours,
    local_clock,
    slot_warnings,
    zone_for,
)
from tui.__main__ import EXIT_OK, main

UNKNOWN = ["Nowhere/Land", "../../../etc/passwd", "localtime", "Europe", "Europe/Koeln/Nord"]


@pytest.mark.parametrize("name", UNKNOWN)
def test_a_name_that_is_no_zone_here_gives_no_zone_and_no_clock(name: str) -> None:
    assert zone_for(name) is None
    assert local_clock(name, dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)) is None


def test_known_names_and_the_empty_one() -> None:
    now = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)
    assert local_clock("America/Denver", now) == now
    assert f"{local_clock('America/Denver', now):%H:%M}" == "03:30"
    assert str(zone_for("")) == "UTC"


def test_working_hours_are_weekdays_within_the_hours() -> None:
    start, end = dt.time(9), dt.time(17)
    friday = dt.datetime(2026, 11, 20, 10, 0)
    assert in_working_hours(friday, start, end)
    assert not in_working_hours(friday.replace(hour=17), start, end)
    assert not in_working_hours(friday + dt.timedelta(days=1), start, end)  # Saturday


def test_someone_in_an_unknown_zone_is_never_counted_outside_their_hours() -> None:
    after = dt.datetime(2026, 11, 16, 0, 0, tzinfo=dt.UTC)
    lost = Hours(1, "Dana", "Nowhere/Land", dt.time(9), dt.time(17))
    berlin = Hours(2, "Jonas", "Europe/Berlin", dt.time(9), dt.time(17))
    slots = find_slots([lost, berlin], after)
    assert slots and all(cost.person_id != 1 for slot in slots for cost in slot.paying)
    assert find_slots([lost], after) == []
    today = dt.date(2026, 11, 16)
    assert slot_warnings("weekly on tue", dt.time(16), "Nowhere/Land", 30, [berlin], today) == []
    assert slot_warnings("weekly on tue", dt.time(3), "Europe/Berlin", 30, [lost], today) == []


def lose_zones(store: Store) -> None:
    """What an older version or a hand edit leaves: names no tz database here knows."""
    with store.write() as session:
        session.execute(text("UPDATE person SET timezone = 'Nowhere/Land' WHERE key = 'dana'"))
        session.execute(text("UPDATE cadence SET zone = 'Atlantis/Capital' WHERE key = 'weekly'"))


def today_text(app: object) -> str:
    options = app.screen.query_one(OptionList)  # type: ignore[attr-defined]
    return "\n".join(
        str(options.get_option_at_index(i).prompt) for i in range(options.option_count)
    )


async def test_every_screen_shows_an_unknown_zone_and_none_fails(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    lose_zones(store)
    app = make_app(start_screen="today")
    async with app.run_test(size=(160, 50)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        assert "Looking" not in today_text(app) and today_text(app)
        await pilot.press("1")  # Roster: Dana first
        await settle(pilot)
        assert names(app)[0] == "Dana Whitfield"
        assert str(app.screen.query_one("RecordTable").get_row_at(0)[4]) == UNKNOWN_ZONE
        assert f"{UNKNOWN_ZONE} (Nowhere/Land)" in detail_text(app)
        await pilot.press("b")  # her briefing
        await settle(pilot)
        shown = "\n".join(str(w.render()) for w in app.screen.query(Static))
        assert f"in Nowhere/Land ({UNKNOWN_ZONE})" in shown
        await pilot.press("escape", "h")  # her check-ins
        await settle(pilot)
        await pilot.press("escape", "l")  # the log form guesses the cadence from the slots
        await settle(pilot)
        assert "Log" in str(app.screen.query_one("#form-title", Static).render())
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("2")  # Cadence: the weekly in Atlantis/Capital
        await settle(pilot)
        assert names(app)[0] == "Weekly status"
        await pilot.press("b")
        await settle(pilot)
        shown = "\n".join(str(w.render()) for w in app.screen.query(Static))
        assert f"in Nowhere/Land ({UNKNOWN_ZONE})" in shown and "Jonas Brandt" in shown
        await pilot.press("escape", "o")  # the overlap finder for its attendees
        await settle(pilot)
        await pilot.press("escape", "3")
        await settle(pilot)
        await pilot.press("4")
        await settle(pilot)
        assert names(app)
        await pilot.press("0", "r")
        await settle(pilot)
        assert not [t for t in toasts(app) if "error" in t.lower() or "zone" in t.lower()]


def test_today_names_a_meeting_in_an_unknown_zone_without_a_time_for_anyone(
    store: Store, team: dict[str, int]
) -> None:
    from store.today import today_items

    lose_zones(store)
    tuesday = dt.datetime(2026, 11, 24, 10, 0, tzinfo=dt.UTC)  # the weekly's day
    found = today_items(store, team["eng"], tuesday, tuesday.date())
    meetings = [i for s in found.sections for i in s.items if i.screen == "cadence"]
    texts = [item.text for item in meetings]
    assert f"Weekly status at 16:00 Atlantis/Capital ({UNKNOWN_ZONE})" in texts
    with store.write() as session:  # the cadence known again, one attendee still lost
        session.execute(text("UPDATE cadence SET zone = 'Europe/Berlin' WHERE key = 'weekly'"))
    found = today_items(store, team["eng"], tuesday, tuesday.date())
    details = [i.detail for s in found.sections for i in s.items if i.screen == "cadence"]
    assert any(f"Dana {UNKNOWN_ZONE}" in d and "Jonas 16:00" in d for d in details)


def test_the_shell_commands_and_exports_work_with_an_unknown_zone(
    store: Store, team: dict[str, int], db_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    lose_zones(store)
    assert main(["--db", str(db_path), "brief", "dana"]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"Nowhere/Land ({UNKNOWN_ZONE})" in out
    assert main(["--db", str(db_path), "brief", "weekly"]) == EXIT_OK
    assert f"Nowhere/Land ({UNKNOWN_ZONE})" in capsys.readouterr().out
    assert main(["--db", str(db_path), "export"]) == EXIT_OK
    assert 'timezone = "Nowhere/Land"' in capsys.readouterr().out
    assert main(["--db", str(db_path), "export", "--ics"]) == EXIT_OK
    calendar = capsys.readouterr().out
    assert "BEGIN:VCALENDAR" in calendar and "Atlantis" not in calendar
