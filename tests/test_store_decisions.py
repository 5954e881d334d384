"""The decision lifecycle: transitions, supersede, risk scores, who was told, stale, latency."""

from __future__ import annotations

import datetime as dt

import pytest

from store import decisions, edits
from store.checkins import CheckInDraft, log_checkin
from store.db import Store
from store.edits import EditError
from store.models import Decision

AT = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)
TODAY = AT.date()


def item(store: Store, team: dict[str, int], decision_id: int) -> decisions.Item:
    return next(i for i in decisions.items(store, team["eng"], TODAY) if i.id == decision_id)


def test_a_decision_is_decided_with_outcome_and_date(store: Store, team: dict[str, int]) -> None:
    decisions.move(store, team["avalara"], "decided", at=AT, outcome="Avalara, one year")
    found = item(store, team, team["avalara"])
    assert (found.status, found.outcome, found.decided) == ("decided", "Avalara, one year", TODAY)
    assert found.not_propagated  # Jonas and Inês still to tell
    kinds = [event.kind for event in decisions.timeline(store, team["avalara"])]
    assert kinds == ["decided"]  # the fixture item has no raised date


def test_refused_transitions_say_where_an_item_can_go(store: Store, team: dict[str, int]) -> None:
    decisions.move(store, team["avalara"], "dropped", at=AT)
    with pytest.raises(
        EditError, match="a dropped decision cannot become decided; it can go nowhere"
    ):
        decisions.move(store, team["avalara"], "decided", at=AT, outcome="x")
    with pytest.raises(EditError, match="needs its outcome"):
        other = edits.save_decision(store, team["eng"], edits.DecisionValues(title="Open one"))
        decisions.move(store, other, "decided", at=AT)
    assert item(store, team, team["avalara"]).status == "dropped"


def test_risk_score_and_transitions(store: Store, team: dict[str, int]) -> None:
    risk = edits.save_decision(
        store, team["eng"], edits.DecisionValues(title="Tax nexus", kind="risk")
    )
    with store.write() as session:
        row = session.get(Decision, risk)
        row.probability, row.impact = 3, 4
    assert item(store, team, risk).score == 12
    decisions.move(store, risk, "mitigated", at=AT)
    decisions.move(store, risk, "closed", at=AT)
    with pytest.raises(EditError):
        decisions.move(store, risk, "open", at=AT)


def test_supersede_links_both_ways_and_only_decided(store: Store, team: dict[str, int]) -> None:
    old, new = team["freeze"], team["avalara"]  # freeze is decided in the fixture
    with pytest.raises(EditError, match="only a decided decision"):
        decisions.supersede(store, new, old, at=AT)
    decisions.supersede(store, old, new, at=AT)
    assert item(store, team, old).superseded_by == (new, "Use Avalara for sales tax")
    assert item(store, team, new).supersedes == ((old, "Code freeze over Black Friday"),)


def test_a_dropped_decision_cannot_supersede(store: Store, team: dict[str, int]) -> None:
    decisions.move(store, team["avalara"], "dropped", at=AT)
    with pytest.raises(EditError, match="still stands"):
        decisions.supersede(store, team["freeze"], team["avalara"], at=AT)
    assert item(store, team, team["freeze"]).superseded_by is None


def test_mark_informed_by_hand_and_latency(store: Store, team: dict[str, int]) -> None:
    decisions.move(store, team["avalara"], "decided", at=AT, outcome="yes",
                   on=dt.date(2026, 11, 10))  # fmt: skip
    assert (
        decisions.mark_informed(
            store,
            team["avalara"],
            [team["jonas"]],
            on=dt.date(2026, 11, 12),
            at=AT,
            channel="phone",
        )
        == 1
    )
    found = item(store, team, team["avalara"])
    assert (found.informed, found.latency, found.not_propagated) == (1, None, True)
    decisions.mark_informed(store, team["avalara"], [team["ines"], team["jonas"]],
                            on=dt.date(2026, 11, 16), at=AT)  # fmt: skip
    found = item(store, team, team["avalara"])
    assert (found.informed, found.latency, found.not_propagated) == (2, 6, False)
    assert found.audience[0].channel == "phone"  # Jonas's first mark stays
    assert decisions.median_latency([found]) == {"": 6}
    told = [e for e in decisions.timeline(store, team["avalara"]) if e.kind == "told"]
    assert [(e.person, e.text) for e in told] == [("Jonas Brandt", "phone"), ("Inês Carvalho", "")]


def test_cadence_audience_is_expanded_to_people(store: Store, team: dict[str, int]) -> None:
    added = decisions.add_cadence_audience(store, team["freeze"], team["weekly"])
    assert added == 2
    assert [t.name for t in item(store, team, team["freeze"]).audience] == [
        "Jonas Brandt",
        "Dana Whitfield",
    ]
    assert decisions.add_cadence_audience(store, team["freeze"], team["weekly"]) == 0


def test_stale_after_two_intervals_without_its_home_cadence(
    store: Store, team: dict[str, int]
) -> None:
    with store.write() as session:
        row = session.get(Decision, team["avalara"])
        row.cadence_id, row.raised = team["weekly"], dt.date(2026, 10, 20)
    assert item(store, team, team["avalara"]).stale  # 31 days > 2 weekly intervals
    log_checkin(
        store,
        CheckInDraft(engagement_id=team["eng"], at=AT - dt.timedelta(days=3),
                     cadence_id=team["weekly"], attendee_ids=(team["dana"],),
                     communicated_ids=(team["avalara"],)),
    )  # fmt: skip
    found = item(store, team, team["avalara"])
    assert found.last_touched == dt.date(2026, 11, 17) and not found.stale
    assert "discussed" in [e.kind for e in decisions.timeline(store, team["avalara"])]


def test_raised_in_a_check_in_links_it(store: Store, team: dict[str, int]) -> None:
    from store.logparse import DecisionLine

    summary = log_checkin(
        store,
        CheckInDraft(engagement_id=team["eng"], at=AT, cadence_id=team["weekly"],
                     attendee_ids=(team["dana"],), decisions_raised=(DecisionLine("New", None),)),
    )  # fmt: skip
    new = next(i for i in decisions.items(store, team["eng"], TODAY) if i.title == "New")
    assert new.cadence == "Weekly status"
    assert decisions.timeline(store, new.id)[0].checkin_id == summary.checkin_id


def test_decision_log_markdown_against_a_fixture(store: Store, team: dict[str, int]) -> None:
    decisions.move(store, team["avalara"], "decided", at=AT, outcome="Avalara, one year",
                   on=dt.date(2026, 11, 12))  # fmt: skip
    decisions.mark_informed(
        store, team["avalara"], [team["jonas"]], on=dt.date(2026, 11, 13), at=AT
    )
    assert decisions.decisions_markdown(store, team["eng"], TODAY) == EXPECTED_LOG


EXPECTED_LOG = """\
# Decision log: Trailhead US

As of 20 November 2026.

## Decisions

### Use Avalara for sales tax

- **Status:** decided
- **Owner:** Dana Whitfield
- **Due:** 2026-11-10
- **Decided:** 2026-11-12
- **Informed:** 1 of 2

**Outcome.** Avalara, one year

**Told:** Jonas Brandt (2026-11-13)

**Still to tell:** Inês Carvalho

### Code freeze over Black Friday

- **Status:** decided
- **Decided:** 2026-11-02
"""
