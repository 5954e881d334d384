"""How dates read in the lists: the year only when it is not this one, due or not."""

from __future__ import annotations

import datetime as dt
import time
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import update

from store.db import Store
from tui import format as fmt

TODAY = dt.date(2026, 12, 20)


def test_a_due_date_shows_its_year_only_when_it_is_not_this_one() -> None:
    assert fmt.due_cell(dt.date(2026, 12, 28), TODAY).plain == "28 Dec"
    assert fmt.due_cell(dt.date(2027, 1, 4), TODAY).plain == "04 Jan 2027"
    assert fmt.due_cell(dt.date(2026, 12, 1), TODAY).plain == "01 Dec overdue"
    assert fmt.due_cell(dt.date(2025, 12, 28), TODAY).plain == "28 Dec 2025 overdue"
    assert fmt.due_cell(TODAY, TODAY).plain == "20 Dec today"


def test_a_closed_item_is_never_overdue_and_reads_like_any_date() -> None:
    done = fmt.due_cell(dt.date(2026, 12, 1), TODAY, open_=False)
    assert done.plain == "01 Dec"
    assert not done.style
    assert fmt.due_cell(dt.date(2026, 12, 1), TODAY).style == "bold red"


def test_every_ago_counts_calendar_days_in_the_leads_zone(
    store: Store, team: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Dana's last call was at 23:45 in Berlin, the lead's zone; it is now 00:30 there, 14
    days and 45 minutes later but 15 calendar days: the Roster, Today and the briefing (the
    screen's and `rapport brief`'s) all say 15 days."""
    from store import queries
    from store.briefing import brief_person, briefing_markdown
    from store.checkins import CheckInDraft, log_checkin
    from store.tables import person
    from store.today import today_items
    from tui.screens.briefing import attendee_block

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        berlin = ZoneInfo("Europe/Berlin")
        called = dt.datetime(2026, 11, 17, 23, 45, tzinfo=berlin)
        now = dt.datetime(2026, 12, 2, 0, 30, tzinfo=berlin).astimezone(dt.UTC)
        log_checkin(
            store,
            CheckInDraft(engagement_id=team["eng"], at=called, attendee_ids=(team["dana"],)),
            now=now,
        )
        with store.write() as session:  # so that she shows on Today as losing touch
            session.execute(
                update(person).where(person.c.id == team["dana"]).values(contact_every=14)
            )
        today = now.astimezone().date()
        (dana,) = queries.roster(store, team["eng"], today, people=[team["dana"]])
        assert fmt.ago(dana.last_contact, now) == "15 days ago"
        touch = next(s for s in today_items(store, team["eng"], now, today).sections
                     if s.key == "touch")  # fmt: skip
        assert [i.detail for i in touch.items if i.text == "Dana Whitfield"] == [
            "last contact 15 days ago, target every 14 days"
        ]
        briefing = brief_person(store, team["eng"], team["dana"], now)
        assert "- Last contact: 15 days ago\n" in briefing_markdown(briefing)
        assert "last contact 15 days ago," in attendee_block(briefing.attendees[0], now).plain
        assert fmt.ago(now - dt.timedelta(minutes=31), now) == "yesterday"
        assert fmt.ago(now - dt.timedelta(minutes=29), now) == "today"
    finally:
        monkeypatch.undo()
        time.tzset()


def test_losing_touch_is_judged_on_the_days_ago_says(
    store: Store, team: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The last call was at 00:30 in Berlin (23:30 the day before in UTC); 14 calendar days
    later in Berlin it is "14 days ago", the target day itself: not yet losing touch, on the
    Roster and on Today alike (a UTC date would say 15 days and list her)."""
    from store import queries
    from store.checkins import CheckInDraft, log_checkin
    from store.tables import person
    from store.today import today_items

    monkeypatch.setenv("TZ", "Europe/Berlin")
    time.tzset()
    try:
        berlin = ZoneInfo("Europe/Berlin")
        called = dt.datetime(2026, 11, 18, 0, 30, tzinfo=berlin)
        now = dt.datetime(2026, 12, 2, 12, 0, tzinfo=berlin).astimezone(dt.UTC)
        log_checkin(
            store,
            CheckInDraft(engagement_id=team["eng"], at=called, attendee_ids=(team["dana"],)),
            now=now,
        )
        with store.write() as session:
            session.execute(
                update(person).where(person.c.id == team["dana"]).values(contact_every=14)
            )
        today = now.astimezone(berlin).date()
        (dana,) = queries.roster(store, team["eng"], today, people=[team["dana"]])
        assert fmt.ago(dana.last_contact, now) == "14 days ago"
        assert not dana.losing_touch
        touch = [s for s in today_items(store, team["eng"], now, today).sections
                 if s.key == "touch"]  # fmt: skip
        assert all(i.text != "Dana Whitfield" for s in touch for i in s.items)
        # A day later she is past the target, and both say so.
        later = now + dt.timedelta(days=1)
        (dana,) = queries.roster(store, team["eng"], today + dt.timedelta(days=1),
                                 people=[team["dana"]])  # fmt: skip
        assert fmt.ago(dana.last_contact, later) == "15 days ago"
        assert dana.losing_touch
    finally:
        monkeypatch.undo()
        time.tzset()
