"""The pre-call briefing: local times, contact, open items, notes and moods, per attendee."""

from __future__ import annotations

import datetime as dt
import subprocess
import sys

import pytest
from sqlalchemy import event

from store import edits
from store.briefing import (
    AttendeeBrief,
    OutcomeBrief,
    StepBrief,
    brief_cadence,
    brief_person,
    briefing_markdown,
    sparkline,
)
from store.checkins import CheckInDraft, log_checkin, toggle_next_step
from store.db import Store
from store.logparse import NextStepLine

# Friday 20 Nov 2026, 17:00 UTC: 10:00 in Denver (working), 18:00 in Berlin and 17:00 in
# Lisbon (both just after their 09:00-17:00 day).
NOW = dt.datetime(2026, 11, 20, 17, 0, tzinfo=dt.UTC)


def utc(day: int, hour: int, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=dt.UTC)


def log(store: Store, team: dict[str, int], at: dt.datetime, *keys: str, **fields: object) -> int:
    draft = CheckInDraft(
        engagement_id=team["eng"], at=at, attendee_ids=tuple(team[k] for k in keys), **fields
    )  # type: ignore[arg-type]
    return log_checkin(store, draft).checkin_id


@pytest.fixture
def history(store: Store, team: dict[str, int]) -> dict[str, int]:
    """Check-ins besides the fixture's weekly (17 Nov 15:00 UTC, Jonas and Dana, mood 4)."""
    log(store, team, utc(10, 14), "dana", "ines", outcome="Tax talk", mood=2)  # a pair
    log(
        store, team, utc(19, 16), "jonas", "dana", "ines", outcome="Three of us", mood=5,
        next_steps=(
            NextStepLine("Think about it", team["dana"], None),
            NextStepLine("Send contract", team["dana"], dt.date(2026, 11, 27)),
            NextStepLine("Sign SOW", team["dana"], dt.date(2026, 11, 12)),
            NextStepLine("Already done", team["dana"], dt.date(2026, 11, 1)),
            NextStepLine("Jonas's own", team["jonas"], dt.date(2026, 11, 1)),
        ),
    )  # fmt: skip
    # Skipped: did not happen, so neither contact nor an outcome.
    log(store, team, utc(20, 9), "dana", cadence_id=team["weekly"], status="skipped", mood=1)
    return team


def attendee(store: Store, team: dict[str, int], key: str) -> AttendeeBrief:
    (found,) = brief_person(store, team["eng"], team[key], NOW).attendees
    return found


def test_local_time_and_working_hours(store: Store, team: dict[str, int]) -> None:
    dana, jonas = attendee(store, team, "dana"), attendee(store, team, "jonas")
    assert dana.local_time == NOW and dana.local_time.utcoffset() == dt.timedelta(hours=-7)
    assert (dana.local_time.hour, dana.in_hours) == (10, True)
    assert (jonas.local_time.hour, jonas.in_hours) == (18, False)
    ines = attendee(store, team, "ines")
    assert (ines.local_time.hour, ines.in_hours) == (17, False)  # the end is not in the day
    saturday = NOW + dt.timedelta(days=1)
    (on_saturday,) = brief_person(store, team["eng"], team["dana"], saturday).attendees
    assert (on_saturday.local_time.hour, on_saturday.in_hours) == (10, False)


def test_days_since_contact_and_one_on_one(store: Store, history: dict[str, int]) -> None:
    dana = attendee(store, history, "dana")
    ines = attendee(store, history, "ines")
    jonas = attendee(store, history, "jonas")
    # The three-person call on the 19th is contact but no one-on-one; the skipped one neither.
    assert (dana.days_since_contact, dana.days_since_one_on_one) == (1, 3)  # weekly of the 17th
    assert (ines.days_since_contact, ines.days_since_one_on_one) == (1, 10)  # pair of the 10th
    assert (jonas.days_since_contact, jonas.days_since_one_on_one) == (1, 3)
    assert dana.last_outcome == OutcomeBrief(utc(19, 16), "ad-hoc call", "Three of us", 5)


def test_someone_never_met(store: Store, team: dict[str, int]) -> None:
    tyler = edits.save_person(
        store,
        team["eng"],
        edits.PersonValues(key="tyler", name="Tyler Brooks", side="client", timezone="US/Eastern"),
    )
    briefing = brief_person(store, team["eng"], tyler, NOW)
    (brief,) = briefing.attendees
    assert (brief.days_since_contact, brief.days_since_one_on_one) == (None, None)
    assert (brief.last_outcome, briefing.last_outcome, brief.moods) == (None, None, ())
    assert briefing.title == "Tyler Brooks"


def test_open_steps_due_first_overdue_marked(store: Store, history: dict[str, int]) -> None:
    done = next(
        s.id for s in attendee(store, history, "dana").open_steps if s.text == "Already done"
    )
    toggle_next_step(store, done)
    steps = attendee(store, history, "dana").open_steps
    day = dt.date(2026, 11, 19)
    assert steps == (
        StepBrief(steps[0].id, "Sign SOW", dt.date(2026, 11, 12), True, day),
        StepBrief(steps[1].id, "Send contract", dt.date(2026, 11, 27), False, day),
        StepBrief(steps[2].id, "Think about it", None, False, day),
    )


def test_decisions_owned_and_to_tell_only_decided(store: Store, team: dict[str, int]) -> None:
    eng = team["eng"]
    told = edits.save_decision(
        store, eng,
        edits.DecisionValues(title="Told already", status="decided",
                             decided=dt.date(2026, 11, 3), must_inform_ids=(team["ines"],)),
    )  # fmt: skip
    log(store, team, utc(18, 10), "ines", communicated_ids=(told,))
    edits.save_decision(
        store, eng,
        edits.DecisionValues(title="Stripe dropped", status="decided",
                             decided=dt.date(2026, 11, 5), must_inform_ids=(team["ines"],)),
    )  # fmt: skip
    edits.save_decision(
        store,
        eng,
        edits.DecisionValues(title="Closed one", status="dropped", owner_id=team["dana"]),
    )
    ines = attendee(store, team, "ines")
    # Avalara is open (told when decided), the first was told in the call of the 18th.
    assert ines.to_tell == ("Stripe dropped",)
    dana = attendee(store, team, "dana")
    assert dana.decisions_owned == (("Use Avalara for sales tax", dt.date(2026, 11, 10)),)
    assert dana.to_tell == ()


def test_notes_follow_ups_first_then_pinned(store: Store, team: dict[str, int]) -> None:
    def note(on: int, text: str, *, pinned: bool = False, follow_up: int | None = None) -> None:
        edits.save_note(
            store,
            edits.NoteValues(
                person_id=team["dana"], on=dt.date(2026, 10, on), text=text, pinned=pinned,
                follow_up=dt.date(2026, 11, follow_up) if follow_up else None,
            ),
        )  # fmt: skip

    note(1, "Pinned long ago", pinned=True)
    note(20, "Pinned lately", pinned=True, follow_up=30)  # follow-up not yet: just pinned
    note(2, "Ask about the move", follow_up=20)  # today counts
    note(3, "Not yet", follow_up=21)
    note(4, "Just a note")
    dana = attendee(store, team, "dana")
    assert [n.text for n in dana.notes] == [
        "Runs the Chicago marathon",  # pinned, follow-up 13 Oct has come
        "Ask about the move",
        "Pinned lately",
        "Pinned long ago",
    ]
    assert dana.notes[0].follow_up == dt.date(2026, 10, 13) and dana.notes[0].pinned
    assert attendee(store, team, "ines").notes == ()  # her note is neither pinned nor due


def test_moods_are_the_last_eight_oldest_first(store: Store, team: dict[str, int]) -> None:
    for day, mood in enumerate((1, 2, 3, None, 4, 5, 4, 3, 2, None, 1, 5), start=1):
        log(store, team, utc(day, 12, month=10), "ines", mood=mood)
    log(store, team, utc(30, 12, month=10), "ines", mood=5, status="skipped")
    ines = attendee(store, team, "ines")
    assert ines.moods == (3, 4, 5, 4, 3, 2, 1, 5)
    assert ines.last_outcome is not None and ines.last_outcome.at == utc(12, 12, month=10)
    assert sparkline(ines.moods) == "▄▆█▆▄▃▁█"
    assert attendee(store, team, "dana").moods == (4,)


def test_cadence_briefing_keeps_attendee_order(store: Store, history: dict[str, int]) -> None:
    briefing = brief_cadence(store, history["eng"], history["weekly"], NOW)
    assert briefing.title == "Weekly status"
    assert [a.key for a in briefing.attendees] == ["jonas", "dana"]
    # Its last check-in that happened: the fixture's, not the skipped one of the 20th.
    assert briefing.last_outcome == OutcomeBrief(
        utc(17, 15), "Weekly status", "Cutover plan agreed.", 4
    )
    trio = edits.save_cadence(
        store, history["eng"],
        edits.CadenceValues(key="trio", name="Trio", rhythm="weekly on mon",
                            attendee_ids=(history["ines"], history["dana"], history["jonas"])),
    )  # fmt: skip
    briefing = brief_cadence(store, history["eng"], trio, NOW)
    assert [a.key for a in briefing.attendees] == ["ines", "dana", "jonas"]
    assert briefing.last_outcome is None


def test_unknown_or_foreign_ids_are_refused(store: Store, team: dict[str, int]) -> None:
    other = edits.save_engagement(store, edits.EngagementValues(key="other", name="Other"))
    with pytest.raises(LookupError):
        brief_person(store, other, team["dana"], NOW)
    with pytest.raises(LookupError):
        brief_cadence(store, other, team["weekly"], NOW)
    with pytest.raises(ValueError, match="aware"):
        brief_person(store, team["eng"], team["dana"], NOW.replace(tzinfo=None))


def test_queries_do_not_grow_with_attendees(store: Store, history: dict[str, int]) -> None:
    statements: list[str] = []

    def count(*args: object) -> None:
        statements.append(str(args[2]))

    def run(cadence_id: int) -> int:
        statements.clear()
        event.listen(store.engine, "before_cursor_execute", count)
        try:
            brief_cadence(store, history["eng"], cadence_id, NOW)
        finally:
            event.remove(store.engine, "before_cursor_execute", count)
        return len(statements)

    solo = edits.save_cadence(
        store, history["eng"],
        edits.CadenceValues(key="solo", name="Solo", rhythm="weekly on mon",
                            attendee_ids=(history["ines"],)),
    )  # fmt: skip
    trio = edits.save_cadence(
        store, history["eng"],
        edits.CadenceValues(key="trio", name="Trio", rhythm="weekly on mon",
                            attendee_ids=(history["ines"], history["dana"], history["jonas"])),
    )  # fmt: skip
    assert run(solo) == run(trio) <= 10  # BEGIN and nine SELECTs


def test_markdown_for_a_small_case(store: Store, team: dict[str, int]) -> None:
    eng = team["eng"]
    log(
        store, team, utc(18, 10), "ines", "jonas", outcome="Agreed the API.\nSpec follows.",
        mood=3, next_steps=(NextStepLine("Send the spec", team["ines"], dt.date(2026, 11, 19)),),
    )  # fmt: skip
    edits.save_decision(
        store, eng, edits.DecisionValues(title="Pick the tax engine", owner_id=team["ines"])
    )
    edits.save_decision(
        store, eng,
        edits.DecisionValues(title="Code freeze in December", status="decided",
                             decided=dt.date(2026, 11, 2), must_inform_ids=(team["ines"],)),
    )  # fmt: skip
    edits.save_note(
        store,
        edits.NoteValues(person_id=team["ines"], on=dt.date(2026, 10, 9), text="Two kids",
                         pinned=True),
    )  # fmt: skip
    text = briefing_markdown(brief_person(store, eng, team["ines"], NOW))
    assert text == (
        "# Briefing: Inês Carvalho\n"
        "\n"
        "As of 2026-11-20 17:00 UTC.\n"
        "\n"
        "Last time: ad-hoc call, 2026-11-18, mood 3: Agreed the API.  \n"
        "  Spec follows.\n"
        "\n"
        "## Inês Carvalho (Payments architect, partner)\n"
        "\n"
        "- Local time: Fri 17:00 Europe/Lisbon (outside working hours)\n"
        "- Last contact: 2 days ago\n"
        "- Last one-on-one: 2 days ago\n"
        "\n"
        "Open next steps:\n"
        "\n"
        "- Send the spec (due 2026-11-19, overdue)\n"
        "\n"
        "Decisions they own:\n"
        "\n"
        "- Pick the tax engine\n"
        "\n"
        "Tell them:\n"
        "\n"
        "- Code freeze in December\n"
        "\n"
        "Notes:\n"
        "\n"
        "- Two kids (pinned; personal, 2026-10-09)\n"
        "\n"
        "Mood: ▄ (3, oldest first)\n"
    )


def test_markdown_of_a_cadence_leaves_out_empty_sections(
    store: Store, team: dict[str, int]
) -> None:
    text = briefing_markdown(brief_cadence(store, team["eng"], team["weekly"], NOW))
    assert text.startswith(
        "# Briefing: Weekly status\n\nAs of 2026-11-20 17:00 UTC.\n\n"
        "Last time: Weekly status, 2026-11-17, mood 4: Cutover plan agreed.\n\n"
        "## Jonas Brandt (Engagement lead, ours)\n\n"
        "- Local time: Fri 18:00 Europe/Berlin (outside working hours)\n"
        "- Last contact: 3 days ago\n"
    )
    # The same last check-in is not repeated per attendee; Jonas has nothing open.
    assert text.count("Cutover plan agreed.") == 1
    jonas = text.split("## Dana")[0]
    for heading in ("Open next steps:", "Decisions they own:", "Tell them:", "Notes:"):
        assert heading not in jonas
    assert "- Local time: Fri 10:00 America/Denver (in working hours)\n" in text
    assert "- Use Avalara for sales tax (due 2026-11-10, overdue)\n" in text


def test_sparkline() -> None:
    assert sparkline([1, 2, 3, 4, 5]) == "▁▃▄▆█"
    assert sparkline([]) == ""


def test_briefing_never_imports_the_ui() -> None:
    probe = (
        "import sys, store.briefing\n"
        "bad = sorted(m for m in sys.modules if m.split('.')[0] in ('textual', 'tui', 'rich'))\n"
        "print(','.join(bad))"
    )
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == ""


def _onboarding(store: Store, eng: int, person_id: int) -> tuple[object, ...]:
    """What the Roster, Today and the briefing say of someone's onboarding."""
    from store import queries
    from store.today import today_items

    (row,) = queries.roster(store, eng, NOW.date(), people=[person_id])
    (everyone,) = [r for r in queries.roster(store, eng, NOW.date()) if r.id == person_id]
    assert everyone == row  # a page of the roster and the whole one agree
    onboarding = next(s for s in today_items(store, eng, NOW, NOW.date()).sections
                      if s.key == "onboarding")  # fmt: skip
    listed = [i.detail for i in onboarding.items if i.record_id == person_id]
    (brief,) = brief_person(store, eng, person_id, NOW).attendees
    return (row.onboarding, row.first_one_on_one_known, row.met_in_person_known, listed,
            brief.days_since_one_on_one)  # fmt: skip


def test_a_logged_one_on_one_and_an_on_site_meeting_count_for_onboarding(
    store: Store, team: dict[str, int]
) -> None:
    from sqlalchemy import update

    from store.tables import person

    eng, ines = team["eng"], team["ines"]
    with store.write() as session:  # at the kickoff: Today lists her for the one-on-one only
        session.execute(update(person).where(person.c.id == ines).values(at_kickoff=True))
    score, first, met, listed, days = _onboarding(store, eng, ines)
    assert (first, met, listed, days) == (None, False, ["no one-on-one yet"], None)
    # A workshop on-site with three people: met in person, but no one-on-one.
    log_checkin(
        store,
        CheckInDraft(engagement_id=eng, at=dt.datetime(2026, 11, 10, 9, tzinfo=dt.UTC),
                     attendee_ids=(team["jonas"], team["dana"], ines), channel="on-site"),
        now=NOW,
    )  # fmt: skip
    assert _onboarding(store, eng, ines) == (score + 1, None, True, ["no one-on-one yet"], None)
    log_checkin(
        store,
        CheckInDraft(engagement_id=eng, at=dt.datetime(2026, 11, 18, 9, tzinfo=dt.UTC),
                     attendee_ids=(team["jonas"], ines)),
        now=NOW,
    )  # fmt: skip
    assert _onboarding(store, eng, ines) == (score + 2, dt.date(2026, 11, 18), True, [], 2)
    # The record in the person's own fields is kept as it was typed.
    with store.read() as session:
        from store.models import Person

        person = session.get(Person, ines)
        assert person is not None
        assert (person.first_one_on_one, person.met_in_person) == (None, False)


def test_a_first_one_on_one_noted_by_hand_is_one_in_the_briefing_too(
    sample_store: Store,
) -> None:
    """Franziska's first one-on-one (24 Sep) is from before rapport: her Roster row counts
    it, so her briefing must not say "last one-on-one never"."""
    from store import queries

    (eng,) = queries.engagements(sample_store)
    (franziska,) = [p for p in queries.roster(sample_store, eng.id, NOW.date())
                    if p.key == "franziska"]  # fmt: skip
    score, first, _met, listed, days = _onboarding(sample_store, eng.id, franziska.id)
    assert (score, first, listed) == (4, dt.date(2026, 9, 24), [])
    assert days is not None and days <= (NOW.date() - dt.date(2026, 9, 24)).days
    text = briefing_markdown(brief_person(sample_store, eng.id, franziska.id, NOW))
    assert "- Last one-on-one: never" not in text
