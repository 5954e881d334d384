"""Logging a check-in: everything in one transaction, nothing half-saved."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select, text

from store import queries
from store.checkins import (
    CheckInDraft,
    delete_checkin,
    log_checkin,
    log_context,
    toggle_next_step,
)
from store.db import Store
from store.decisions import items as decision_items
from store.edits import EditError
from store.logparse import DecisionLine, NextStepLine, NoteLine
from store.tables import next_step

AT = dt.datetime(2026, 11, 20, 15, 0, tzinfo=dt.UTC)


def dump(store: Store) -> dict[str, list[tuple[object, ...]]]:
    tables = ("checkin", "checkin_attendee", "next_step", "decision", "decision_audience", "note")
    with store.read() as session:
        return {t: [tuple(r) for r in session.execute(text(f"SELECT * FROM {t}"))] for t in tables}


def test_a_full_check_in_is_saved_with_all_it_produced(store: Store, team: dict[str, int]) -> None:
    draft = CheckInDraft(
        engagement_id=team["eng"],
        at=AT,
        cadence_id=team["weekly"],
        attendee_ids=(team["jonas"], team["dana"], team["ines"]),
        outcome="Tax engine chosen.",
        mood=4,
        next_steps=(
            NextStepLine("Send contract", team["dana"], dt.date(2026, 11, 27)),
            NextStepLine("Book Denver trip", None, None),
        ),
        decisions_raised=(DecisionLine("Returns via 3PL?", None),),
        communicated_ids=(team["avalara"],),
        notes=(NoteLine(team["dana"], "Back from Chicago, tired but happy"),),
        lead_id=team["jonas"],
    )
    summary = log_checkin(store, draft)
    assert str(summary) == (
        "Logged Weekly status with 3 people, 2 next steps, 1 new decision, "
        "2 people informed, 1 note"
    )
    rows = {row.title: row for row in decision_items(store, team["eng"])}
    raised = rows["Returns via 3PL?"]
    assert (raised.status, raised.owner, raised.raised) == ("open", "Jonas Brandt", AT.date())
    avalara = rows["Use Avalara for sales tax"]
    assert [(a.name, a.informed_on) for a in avalara.audience] == [
        ("Jonas Brandt", AT.date()),
        ("Inês Carvalho", AT.date()),
    ]
    notes = [n.text for n in queries.notes(store, team["eng"]) if n.person == "Dana Whitfield"]
    assert "Back from Chicago, tired but happy" in notes
    roster = {p.key: p for p in queries.roster(store, team["eng"])}
    assert roster["ines"].last_contact == AT
    (cadence,) = queries.cadences(store, team["eng"], AT.date())
    assert cadence.last_held == AT


def test_informing_only_ticks_people_who_attended(store: Store, team: dict[str, int]) -> None:
    log_checkin(
        store,
        CheckInDraft(
            engagement_id=team["eng"], at=AT, attendee_ids=(team["ines"],),
            communicated_ids=(team["avalara"],),
        ),
    )  # fmt: skip
    (avalara,) = [d for d in decision_items(store, team["eng"]) if d.id == team["avalara"]]
    assert [(a.name, a.informed_on) for a in avalara.audience] == [
        ("Jonas Brandt", None),
        ("Inês Carvalho", AT.date()),
    ]


def test_a_bad_draft_changes_nothing(store: Store, team: dict[str, int]) -> None:
    before = dump(store)
    with pytest.raises(EditError, match="not on the engagement"):
        log_checkin(
            store,
            CheckInDraft(
                engagement_id=team["eng"], at=AT, attendee_ids=(team["dana"],),
                next_steps=(NextStepLine("x", 9999, None),),
                notes=(NoteLine(team["dana"], "would be saved first"),),
            ),
        )  # fmt: skip
    with pytest.raises(EditError, match="at least one attendee"):
        log_checkin(store, CheckInDraft(engagement_id=team["eng"], at=AT, attendee_ids=()))
    assert dump(store) == before


def test_editing_replaces_attendees_and_steps_and_delete_removes(
    store: Store, team: dict[str, int]
) -> None:
    first = log_checkin(
        store,
        CheckInDraft(
            engagement_id=team["eng"], at=AT, attendee_ids=(team["dana"],),
            next_steps=(NextStepLine("old step", None, None),),
        ),
    )  # fmt: skip
    log_checkin(
        store,
        CheckInDraft(
            engagement_id=team["eng"], at=AT, attendee_ids=(team["ines"],), outcome="fixed",
            next_steps=(NextStepLine("new step", None, None),),
        ),
        first.checkin_id,
    )  # fmt: skip
    rows = dump(store)
    assert len(rows["checkin"]) == 2  # the fixture's and this one
    assert [r[2] for r in rows["next_step"]] == [None] and [r[3] for r in rows["next_step"]] == [
        "new step"
    ]
    delete_checkin(store, first.checkin_id)
    assert len(dump(store)["checkin"]) == 1
    assert dump(store)["next_step"] == []


def _steps(store: Store) -> list[tuple[object, ...]]:
    """(id, owner_id, text, due, done) of every next step, by id."""
    step = next_step.c
    with store.read() as session:
        found = session.execute(
            select(step.id, step.owner_id, step.text, step.due, step.done).order_by(step.id)
        )
        return [tuple(r) for r in found]


def _edit(store: Store, team: dict[str, int], checkin_id: int, *steps: NextStepLine,
          attendees: tuple[str, ...] = ("dana", "ines"), mood: int = 2) -> None:  # fmt: skip
    log_checkin(
        store,
        CheckInDraft(
            engagement_id=team["eng"], at=AT, attendee_ids=tuple(team[k] for k in attendees),
            mood=mood, next_steps=steps,
        ),
        checkin_id,
    )  # fmt: skip


def test_an_edit_keeps_each_steps_row_done_state_owner_and_due(
    store: Store, team: dict[str, int]
) -> None:
    due = dt.date(2026, 11, 27)
    lines = (
        NextStepLine("Send contract", team["dana"], due),
        NextStepLine("Book Denver trip", None, None),
        NextStepLine("Draft cutover runbook", team["ines"], None),
    )
    logged = log_checkin(
        store,
        CheckInDraft(
            engagement_id=team["eng"], at=AT, attendee_ids=(team["dana"], team["ines"]),
            mood=4, next_steps=lines,
        ),
    )  # fmt: skip
    ids = [row[0] for row in _steps(store)]
    toggle_next_step(store, ids[0])
    toggle_next_step(store, ids[2])

    _edit(store, team, logged.checkin_id, *lines)  # only the mood changes
    assert _steps(store) == [
        (ids[0], team["dana"], "Send contract", due, True),
        (ids[1], None, "Book Denver trip", None, False),
        (ids[2], team["ines"], "Draft cutover runbook", None, True),
    ]

    # Rewording a step and re-dating another edits those steps; a removed line removes
    # its step only; a line added at the end is a new step.
    _edit(
        store, team, logged.checkin_id,
        NextStepLine("Send the signed contract", team["dana"], due),
        NextStepLine("Draft cutover runbook", team["ines"], dt.date(2026, 12, 4)),
        NextStepLine("Order badges", None, None),
    )  # fmt: skip
    assert _steps(store) == [
        (ids[0], team["dana"], "Send the signed contract", due, True),
        (ids[2], team["ines"], "Draft cutover runbook", dt.date(2026, 12, 4), True),
        (ids[2] + 1, None, "Order badges", None, False),
    ]


def test_an_edit_keeps_the_attendees_it_does_not_touch(store: Store, team: dict[str, int]) -> None:
    logged = log_checkin(
        store,
        CheckInDraft(
            engagement_id=team["eng"],
            at=AT,
            attendee_ids=(team["dana"], team["ines"]),
        ),
    )
    link = (
        "SELECT person_id, position FROM checkin_attendee WHERE checkin_id = :c ORDER BY position"
    )

    def attendees() -> list[tuple[object, ...]]:
        with store.read() as session:
            return [tuple(r) for r in session.execute(text(link), {"c": logged.checkin_id})]

    _edit(store, team, logged.checkin_id, attendees=("ines", "jonas"))
    assert attendees() == [(team["ines"], 0), (team["jonas"], 1)]
    assert queries.recent_checkins(store, limit=1)[0].attendees == ("Inês Carvalho", "Jonas Brandt")


def test_a_check_in_in_the_future_is_refused(store: Store, team: dict[str, int]) -> None:
    before = dump(store)
    draft = CheckInDraft(engagement_id=team["eng"], at=AT, attendee_ids=(team["dana"],))
    with pytest.raises(EditError, match="is in the future"):
        log_checkin(store, draft, now=AT - dt.timedelta(minutes=11))
    assert dump(store) == before
    log_checkin(store, draft, now=AT - dt.timedelta(minutes=10))  # a call logged as it ends
    assert len(dump(store)["checkin"]) == len(before["checkin"]) + 1


def test_toggle_next_step(store: Store, team: dict[str, int]) -> None:
    log_checkin(
        store,
        CheckInDraft(
            engagement_id=team["eng"], at=AT, attendee_ids=(team["dana"],),
            next_steps=(NextStepLine("step", team["dana"], None),),
        ),
    )  # fmt: skip
    (step_id,) = [r[0] for r in dump(store)["next_step"]]
    assert toggle_next_step(store, step_id) is True
    assert toggle_next_step(store, step_id) is False


def test_log_context_lists_people_cadences_and_items_to_tell(
    store: Store, team: dict[str, int]
) -> None:
    context = log_context(store, team["eng"])
    assert [p.name for p in context.people] == ["Dana Whitfield", "Inês Carvalho", "Jonas Brandt"]
    assert context.cadences == ((team["weekly"], "Weekly status", (team["jonas"], team["dana"])),)
    assert context.to_tell == (
        (team["avalara"], "Use Avalara for sales tax", (team["jonas"], team["ines"])),
    )
    assert context.index.find("ines").id == team["ines"]


def test_the_log_forms_people_share_the_rosters_names_and_keys(
    store: Store, team: dict[str, int]
) -> None:
    """Both lists are held at once: at 5,000 people one copy of each name is 0.6 MiB."""
    people = {p.id: p for p in log_context(store, team["eng"]).people}
    roster = queries.roster(store, team["eng"], dt.date(2026, 11, 20))
    assert len(roster) == len(people) == 3
    for row in roster:
        assert people[row.id].name is row.name
        assert people[row.id].key is row.key


def test_raised_decisions_without_owner_go_to_the_engagement_lead(
    store: Store, team: dict[str, int]
) -> None:
    from store.models import Engagement

    with store.write() as session:
        session.get(Engagement, team["eng"]).lead_id = team["jonas"]
    log_checkin(
        store,
        CheckInDraft(
            engagement_id=team["eng"], at=AT, attendee_ids=(team["dana"],),
            decisions_raised=(DecisionLine("Who signs the DPA?", None),
                              DecisionLine("Freeze the catalogue", team["ines"])),
        ),
    )  # fmt: skip
    owners = {d.title: d.owner for d in decision_items(store, team["eng"])}
    assert owners["Who signs the DPA?"] == "Jonas Brandt"
    assert owners["Freeze the catalogue"] == "Inês Carvalho"


def test_a_skipped_meeting_is_no_contact_and_not_held(store: Store, team: dict[str, int]) -> None:
    before = {p.key: p.last_contact for p in queries.roster(store, team["eng"])}
    log_checkin(
        store,
        CheckInDraft(
            engagement_id=team["eng"], at=AT, cadence_id=team["weekly"], status="skipped",
            attendee_ids=(team["jonas"], team["dana"]), outcome="Client holiday",
        ),
    )  # fmt: skip
    after = {p.key: p.last_contact for p in queries.roster(store, team["eng"])}
    assert after == before
    (cadence,) = queries.cadences(store, team["eng"], AT.date())
    assert cadence.last_held == dt.datetime(2026, 11, 17, 15, 0, tzinfo=dt.UTC)
