"""`rapport export --ics`: the cadences as iCalendar, parsed back with icalendar itself."""

from __future__ import annotations

import datetime as dt
import os
import stat
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import recurring_ical_events
from conftest import REPO, SAMPLE
from dateutil.rrule import rrulestr
from icalendar import Calendar, vRecur

from store import edits, queries
from store.checkins import CheckInDraft, log_checkin
from store.db import Store
from store.export_toml import ExportError, engagement_id_for
from store.ics import cadences_ics, rrule_of
from store.models import Person
from store.rhythm import parse_rhythm
from tui.__main__ import EXIT_BAD_INPUT, EXIT_OK, main

TODAY = dt.date(2026, 11, 20)


def parse(data: bytes) -> Calendar:
    return Calendar.from_ical(data)


def events(calendar: Calendar) -> dict[str, object]:
    return {str(event["uid"]): event for event in calendar.walk("VEVENT")}


def with_emails(store: Store, team: dict[str, int]) -> None:
    with store.write() as session:
        session.get(Person, team["jonas"]).email = "jonas.brandt@nordlicht.example"
        session.get(Person, team["dana"]).email = "dana.whitfield@trailhead.example"


@pytest.mark.parametrize(
    ("phrase", "rule"),
    [
        ("weekdays", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("weekly on tue,thu", "FREQ=WEEKLY;BYDAY=TU,TH"),
        ("every 2 weeks on thu", "FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;WKST=MO"),
        ("monthly on first wed", "FREQ=MONTHLY;BYDAY=1WE"),
        ("monthly on last fri", "FREQ=MONTHLY;BYDAY=-1FR"),
        ("monthly on day 15", "FREQ=MONTHLY;BYMONTHDAY=15"),
        ("every 3 days", "FREQ=DAILY;INTERVAL=3"),
    ],
)
def test_rhythm_becomes_an_rrule_with_the_same_dates(phrase: str, rule: str) -> None:
    rhythm = parse_rhythm(phrase)
    assert vRecur(rrule_of(rhythm)).to_ical().decode() == rule
    # The RRULE, read by another implementation, gives the dates our rhythm gives.
    start = dt.date(2026, 9, 28)
    until = dt.date(2027, 9, 28)
    expanded = rrulestr(rule, dtstart=dt.datetime.combine(start, dt.time()))
    dates = [moment.date() for moment in expanded.between(
        dt.datetime.combine(start, dt.time()), dt.datetime.combine(until, dt.time()), inc=True
    )]  # fmt: skip
    assert dates == rhythm.occurrences(start, until)


def test_the_team_weekly_becomes_one_event(store: Store, team: dict[str, int]) -> None:
    with_emails(store, team)
    calendar = parse(cadences_ics(store, team["eng"], TODAY))
    assert str(calendar["prodid"]) == "-//rapport//EN"
    assert str(calendar["version"]) == "2.0"
    (event,) = calendar.walk("VEVENT")
    assert str(event["uid"]) == "weekly.trail@rapport"
    assert str(event["summary"]) == "Weekly status"
    assert str(event["description"]) == "Core"
    # Kickoff Monday 28 Sep 2026; the first Tuesday on or after it, at 16:00 in Berlin.
    assert event["dtstart"].params["TZID"] == "Europe/Berlin"
    assert event.start.replace(tzinfo=None) == dt.datetime(2026, 9, 29, 16, 0)
    assert event.duration == dt.timedelta(minutes=30)
    assert event["rrule"].to_ical() == b"FREQ=WEEKLY;BYDAY=TU"
    assert event["dtstamp"].dt == dt.datetime(2026, 11, 20, tzinfo=dt.UTC)
    attendees = [(str(a), a.params["CN"]) for a in event["attendee"]]
    assert attendees == [
        ("mailto:jonas.brandt@nordlicht.example", "Jonas Brandt"),
        ("mailto:dana.whitfield@trailhead.example", "Dana Whitfield"),
    ]
    organizer = event["organizer"]
    assert (str(organizer), organizer.params["CN"]) == (
        "mailto:jonas.brandt@nordlicht.example",
        "Jonas Brandt",
    )
    assert calendar.get_missing_tzids() == set()
    assert [tz.tz_name for tz in calendar.timezones] == ["Europe/Berlin"]


def test_people_without_email_are_left_out(store: Store, team: dict[str, int]) -> None:
    calendar = parse(cadences_ics(store, team["eng"], TODAY))
    (event,) = calendar.walk("VEVENT")
    assert "attendee" not in event
    assert "organizer" not in event


def _expand_in_file_zone(calendar: Calendar, event: object, count: int) -> list[dt.datetime]:
    """Occurrences from DTSTART and RRULE, placed with the VTIMEZONE written in the file."""
    (vtimezone,) = [
        tz for tz in calendar.timezones if tz.tz_name == event["dtstart"].params["TZID"]
    ]
    zone = vtimezone.to_tz(lookup_tzid=False)  # the file's own rules, not the system's
    local = event.start.replace(tzinfo=None)
    rule = rrulestr(event["rrule"].to_ical().decode(), dtstart=local)
    return [moment.replace(tzinfo=zone) for moment in rule[:count]]


def test_a_weekly_berlin_event_keeps_its_local_time_across_the_switch(
    store: Store, team: dict[str, int]
) -> None:
    calendar = parse(cadences_ics(store, team["eng"], TODAY))
    (event,) = calendar.walk("VEVENT")
    meetings = {m.date(): m for m in _expand_in_file_zone(calendar, event, 6)}
    before, after = meetings[dt.date(2026, 10, 20)], meetings[dt.date(2026, 10, 27)]
    assert (f"{before:%H:%M}", f"{after:%H:%M}") == ("16:00", "16:00")
    assert before.astimezone(dt.UTC) == dt.datetime(2026, 10, 20, 14, 0, tzinfo=dt.UTC)
    assert after.astimezone(dt.UTC) == dt.datetime(2026, 10, 27, 15, 0, tzinfo=dt.UTC)


def test_a_seattle_event_moves_in_utc_a_week_later(store: Store, team: dict[str, int]) -> None:
    edits.save_cadence(
        store, team["eng"],
        edits.CadenceValues(
            key="ops", name="Ops sync", rhythm="weekly on mon", slot=dt.time(8, 30),
            zone="America/Los_Angeles", since=dt.date(2026, 10, 19),
        ),
    )  # fmt: skip
    calendar = parse(cadences_ics(store, team["eng"], TODAY))
    event = events(calendar)["ops.trail@rapport"]
    assert event.start.replace(tzinfo=None) == dt.datetime(2026, 10, 19, 8, 30)
    in_utc = [m.astimezone(dt.UTC) for m in _expand_in_file_zone(calendar, event, 3)]
    assert [f"{m:%d %b %H:%M}" for m in in_utc] == ["19 Oct 15:30", "26 Oct 15:30", "02 Nov 16:30"]
    assert {tz.tz_name for tz in calendar.timezones} == {"Europe/Berlin", "America/Los_Angeles"}


def test_paused_and_slotless_cadences_are_left_out(store: Store, team: dict[str, int]) -> None:
    for key, values in (
        ("paused", {"slot": dt.time(9), "zone": "Europe/Berlin", "paused": True}),
        ("noslot", {}),
        ("monthly", {"slot": dt.time(17), "zone": "Europe/Berlin", "since": dt.date(2026, 10, 1)}),
    ):
        rhythm = "monthly on last fri" if key == "monthly" else "weekdays"
        edits.save_cadence(
            store, team["eng"], edits.CadenceValues(key=key, name=key.title(), rhythm=rhythm, **values)
        )  # fmt: skip
    found = events(parse(cadences_ics(store, team["eng"], TODAY)))
    assert sorted(found) == ["monthly.trail@rapport", "weekly.trail@rapport"]
    monthly = found["monthly.trail@rapport"]
    assert monthly.start.replace(tzinfo=None) == dt.datetime(2026, 10, 30, 17, 0)
    assert monthly["rrule"].to_ical() == b"FREQ=MONTHLY;BYDAY=-1FR"


def test_the_sample_round_trips(sample_store: Store) -> None:
    data = cadences_ics(sample_store, engagement_id_for(sample_store, None), TODAY)
    assert data.startswith(b"BEGIN:VCALENDAR\r\n")
    calendar = parse(data)
    found = events(calendar)
    assert len(found) == 9
    assert found["steering.bergwerk-us@rapport"]["rrule"].to_ical() == b"FREQ=MONTHLY;BYDAY=1WE"
    sponsor = found["sponsor.bergwerk-us@rapport"]
    assert sponsor["dtstart"].params["TZID"] == "America/New_York"
    assert sponsor["rrule"].to_ical() == b"FREQ=WEEKLY;INTERVAL=2;BYDAY=TH;WKST=MO"
    weekly = found["weekly.bergwerk-us@rapport"]
    assert [a.params["CN"] for a in weekly["attendee"]][-3:] == [
        "Dana Whitfield", "Tyler Brooks", "Priya Raman",
    ]  # fmt: skip
    assert calendar.get_missing_tzids() == set()
    # Same data, same bytes: a stable file for a calendar to re-import.
    assert cadences_ics(sample_store, engagement_id_for(sample_store, None), TODAY) == data


def test_choosing_the_engagement(store: Store, team: dict[str, int]) -> None:
    assert engagement_id_for(store, None) == team["eng"]
    assert engagement_id_for(store, "trail") == team["eng"]
    with pytest.raises(ExportError, match="no engagement has the key 'nope'"):
        engagement_id_for(store, "nope")
    edits.save_engagement(store, edits.EngagementValues(key="other", name="Other"))
    with pytest.raises(ExportError, match="choose one with --engagement KEY: other, trail"):
        engagement_id_for(store, None)


# --- the command line -------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Path:
    path = tmp_path / "cli.db"
    assert main(["--db", str(path), "import", str(SAMPLE)]) == EXIT_OK
    return path


def test_cli_writes_a_private_ics_file(
    db: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    capsys.readouterr()
    target = tmp_path / "out" / "rhythm.ics"
    target.parent.mkdir()
    code = main(["--db", str(db), "export", "--ics", str(target), "--engagement", "bergwerk-us"])
    assert code == EXIT_OK
    assert capsys.readouterr() == ("", "")
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    assert len(events(parse(target.read_bytes()))) == 9


def test_cli_writes_ics_to_stdout(db: Path, capsysbinary: pytest.CaptureFixture[bytes]) -> None:
    capsysbinary.readouterr()
    assert main(["--db", str(db), "export", "--ics"]) == EXIT_OK
    out, err = capsysbinary.readouterr()
    assert err == b""
    assert out.startswith(b"BEGIN:VCALENDAR\r\n") and out.endswith(b"END:VCALENDAR\r\n")
    assert len(events(parse(out))) == 9


def test_cli_unknown_engagement_fails(db: Path, capsys: pytest.CaptureFixture[str]) -> None:
    capsys.readouterr()
    code = main(["--db", str(db), "export", "--ics", "--engagement", "nope"])
    out, err = capsys.readouterr()
    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert err == "rapport: no engagement has the key 'nope'; the database holds: bergwerk-us\n"


def test_cli_empty_database_fails(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code = main(["--db", str(tmp_path / "empty.db"), "export", "--ics"])
    assert code == EXIT_BAD_INPUT
    assert "there is no engagement in the database to export" in capsys.readouterr().err


# --- a file a calendar can trust ----------------------------------------------------------------


def test_separate_processes_write_the_same_bytes(db: Path) -> None:
    """Five zones in the sample: their VTIMEZONEs once came out in set order, which changes
    with the string hash seed of each process."""
    script = (
        "import datetime as dt, sys\n"
        "from store.db import Store\n"
        "from store.export_toml import engagement_id_for\n"
        "from store.ics import cadences_ics\n"
        "store = Store.open(sys.argv[1])\n"
        "sys.stdout.buffer.write(cadences_ics(store, engagement_id_for(store, None),"
        " dt.date(2026, 11, 20)))\n"
    )
    outputs = set()
    for seed in ("0", "1", "2", "3", "4", "5"):
        env = {**os.environ, "PYTHONHASHSEED": seed, "PYTHONPATH": str(REPO)}
        done = subprocess.run(
            [sys.executable, "-c", script, str(db)], env=env, capture_output=True, check=True
        )
        outputs.add(done.stdout)
    (data,) = outputs
    assert len(parse(data).timezones) == 5


def test_the_file_is_published_with_a_sequence_that_follows_edits(
    store: Store, team: dict[str, int]
) -> None:
    calendar = parse(cadences_ics(store, team["eng"], TODAY))
    assert str(calendar["method"]) == "PUBLISH"
    (event,) = calendar.walk("VEVENT")
    assert event["sequence"] == 0
    # The same data again: the same SEQUENCE, on another day too.
    (again,) = parse(cadences_ics(store, team["eng"], TODAY + dt.timedelta(days=9))).walk("VEVENT")
    assert again["sequence"] == 0
    edits.save_cadence(
        store, team["eng"],
        edits.CadenceValues(
            key="weekly", name="Weekly status", rhythm="weekly on tue", circle="Core",
            slot=dt.time(17), zone="Europe/Berlin", owner_id=team["jonas"],
            attendee_ids=(team["jonas"], team["dana"]),
        ),
        cadence_id=team["weekly"], version=1,
    )  # fmt: skip
    (moved,) = parse(cadences_ics(store, team["eng"], TODAY)).walk("VEVENT")
    assert moved["sequence"] == 1
    assert moved.start.replace(tzinfo=None) == dt.datetime(2026, 9, 29, 17, 0)


def test_the_zone_rules_reach_past_2038(store: Store, team: dict[str, int]) -> None:
    calendar = parse(cadences_ics(store, team["eng"], TODAY))
    (vtimezone,) = calendar.timezones
    zone = vtimezone.to_tz(lookup_tzid=False)  # the file's own rules, not the system's
    for year in (2040, 2075, 2120):
        summer = dt.datetime(year, 7, 1, 12, tzinfo=zone)
        winter = dt.datetime(year, 1, 15, 12, tzinfo=zone)
        assert (summer.utcoffset(), winter.utcoffset()) == (
            dt.timedelta(hours=2),
            dt.timedelta(hours=1),
        ), year


def _solo(store: Store) -> tuple[int, int, int]:
    """An engagement without a kickoff: a lead, and a fortnightly cadence with no start of
    its own. Returns the engagement, the person and the cadence."""
    eng = edits.save_engagement(store, edits.EngagementValues(key="solo", name="Solo"))
    lead = edits.save_person(
        store, eng, edits.PersonValues(key="ana", name="Ana Lima", side="ours", timezone="UTC")
    )
    sponsor = edits.save_cadence(
        store, eng,
        edits.CadenceValues(
            key="sponsor", name="Sponsor check-in", rhythm="every 2 weeks on thu",
            slot=dt.time(10), zone="America/New_York", attendee_ids=(lead,),
        ),
    )  # fmt: skip
    return eng, lead, sponsor


def test_without_a_kickoff_the_calendar_counts_from_the_first_checkin_as_health_does(
    store: Store,
) -> None:
    eng, lead, sponsor = _solo(store)
    log_checkin(
        store,
        CheckInDraft(
            engagement_id=eng, at=dt.datetime(2026, 11, 5, 15, tzinfo=dt.UTC),
            attendee_ids=(lead,), cadence_id=sponsor, outcome="First one",
        ),
    )  # fmt: skip
    # Friday 20 Nov: the Cadence screen expects Thu 05 and Thu 19 Nov (counted from the
    # first check-in), not Thu 26 Nov, which counting from the export day would give.
    (row,) = queries.cadences(store, eng, TODAY)
    expected = [meeting.day for meeting in row.history]
    assert expected == [dt.date(2026, 11, 5), dt.date(2026, 11, 19)]
    starts = set()
    for today in (TODAY, dt.date(2026, 12, 3), dt.date(2027, 2, 10)):
        (event,) = parse(cadences_ics(store, eng, today)).walk("VEVENT")
        starts.add(event.start)
        assert event.start == dt.datetime(2026, 11, 5, 10, tzinfo=ZoneInfo("America/New_York"))
    assert len(starts) == 1  # DTSTART never moves under its UID
    expanded = recurring_ical_events.of(parse(cadences_ics(store, eng, TODAY))).between(
        dt.date(2026, 11, 1), dt.date(2026, 11, 21)
    )
    assert [e.start.date() for e in expanded] == expected


# Both gaps of a year in both zones: Berlin moves on 28 Mar and 31 Oct 2027, New York on 14 Mar
# and 07 Nov 2027. Slots inside a gap or the repeated hour are included on purpose.
_YEAR_CADENCES = (
    ("ber-weekly", "weekly on tue", dt.time(17), "Europe/Berlin", None),
    (
        "ber-fortnight",
        "every 2 weeks on thu",
        dt.time(9, 30),
        "Europe/Berlin",
        dt.date(2026, 10, 8),
    ),
    ("ber-night", "weekly on sun", dt.time(2, 30), "Europe/Berlin", None),
    ("ber-monthly", "monthly on last fri", dt.time(16), "Europe/Berlin", None),
    ("ny-daily", "weekdays", dt.time(9), "America/New_York", None),
    ("ny-night", "weekly on sun", dt.time(1, 30), "America/New_York", None),
    ("ny-monthly", "monthly on day 31", dt.time(11), "America/New_York", None),
    ("ny-3days", "every 3 days", dt.time(8), "America/New_York", dt.date(2026, 11, 2)),
)


def test_a_calendar_expands_every_meeting_of_a_year_as_rapport_counts_it(
    store: Store, team: dict[str, int]
) -> None:
    from store.occurrences import schedules

    ids = {}
    for key, rhythm, slot, zone, since in _YEAR_CADENCES:
        ids[key] = edits.save_cadence(
            store, team["eng"],
            edits.CadenceValues(key=key, name=key, rhythm=rhythm, slot=slot, zone=zone, since=since),
        )  # fmt: skip
    calendar = parse(cadences_ics(store, team["eng"], TODAY))
    first, last = dt.date(2026, 12, 1), dt.date(2027, 11, 30)
    by_uid: dict[str, list[dt.datetime]] = {}
    for occurrence in recurring_ical_events.of(calendar).between(first, last + dt.timedelta(1)):
        by_uid.setdefault(str(occurrence["uid"]), []).append(occurrence.start)
    with store.read() as session:
        ours = {s.cadence_id: s for s in schedules(session, team["eng"])}
    for key, *_ in _YEAR_CADENCES:
        meetings = ours[ids[key]].meetings(first, last, TODAY)
        theirs = sorted(by_uid[f"{key}.trail@rapport"])
        assert len(meetings) >= 7  # day 31: seven months a year
        # Local wall-clock time as the cadence says it, and the same instant.
        assert [m.replace(tzinfo=None) for m in theirs] == [
            m.start.replace(tzinfo=None) for m in meetings
        ], key
        assert [m.astimezone(dt.UTC) for m in theirs] == [
            m.start.astimezone(dt.UTC) for m in meetings
        ], key


def test_text_from_the_database_is_made_visible(store: Store, team: dict[str, int]) -> None:
    from store.models import Cadence, Engagement

    hostile = "\x1b]0;pwned\x07 \x9b2J \u202eevil\u2066 zero\u200bwidth\ufeff \x01end"
    with store.write() as session:
        session.get(Engagement, team["eng"]).name = "Trail" + hostile
        cadence = session.get(Cadence, team["weekly"])
        cadence.name = "Weekly" + hostile
        cadence.circle = "Core" + hostile
        session.get(Person, team["jonas"]).name = "Jonas" + hostile
        session.get(Person, team["jonas"]).email = "jonas@nordlicht.example"
    text = cadences_ics(store, team["eng"], TODAY).decode("utf-8")
    unsafe = [
        ch for ch in text
        if (ord(ch) < 0x20 and ch not in "\r\n") or 0x7F <= ord(ch) < 0xA0
        or 0x202A <= ord(ch) <= 0x202E or 0x2066 <= ord(ch) <= 0x2069
        or ch in "\u200b\u200c\u200d\u2060\ufeff"
    ]  # fmt: skip
    assert unsafe == []
    calendar = parse(text.encode())
    (event,) = calendar.walk("VEVENT")
    shown = "\ufffd]0;pwned\ufffd \ufffd2J \ufffdevil\ufffd zero\ufffdwidth\ufffd \ufffdend"
    assert str(calendar["x-wr-calname"]) == "Trail" + shown
    assert str(event["summary"]) == "Weekly" + shown
    assert str(event["description"]) == "Core" + shown
    assert event["organizer"].params["CN"] == "Jonas" + shown
