"""Decisions, risks and dependencies through their life, and who has been told.

An item moves only along its kind's transitions (a dropped decision is never decided); every
step is kept as an event, so the Decisions screen can show the history as a timeline and
measure how long a decision took to reach everyone who must know ("latency").
"""

from __future__ import annotations

import datetime as dt
import statistics
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

from sqlalchemy import Connection, select

from store.db import Store
from store.errors import ROW_LOCK, EditError
from store.queries import STREAM_ROWS
from store.rhythm import RhythmError, parse_rhythm
from store.sharing import Shared
from store.tables import OPEN_STATUSES, cadence_attendee
from store.tables import cadence as cadence_t
from store.tables import checkin as checkin_t
from store.tables import decision as decision_t
from store.tables import decision_audience as audience_t
from store.tables import decision_event as event_t
from store.tables import person as person_t

if TYPE_CHECKING:
    from sqlalchemy.orm import Session

    from store.models import Decision

# The reads are Core statements on these columns: the Decisions screen and the warm-up read
# without loading the ORM, which only a change to an item needs (it imports the models).
DECISION, AUDIENCE, EVENT = decision_t.c, audience_t.c, event_t.c
PERSON, CHECKIN, CADENCE = person_t.c, checkin_t.c, cadence_t.c

# Where each status may go next. Absent: final.
TRANSITIONS: dict[str, dict[str, frozenset[str]]] = {
    "decision": {"open": frozenset({"decided", "dropped"})},
    "risk": {
        "open": frozenset({"mitigated", "happened", "closed"}),
        "mitigated": frozenset({"happened", "closed", "open"}),
        "happened": frozenset({"closed"}),
    },
    "dependency": {
        "open": frozenset({"delivered", "late"}),
        "late": frozenset({"delivered"}),
    },
}
STALE_INTERVALS = 2
NEEDS_OUTCOME = "a decision needs its outcome"


@dataclass(frozen=True, slots=True)
class Told:
    person_id: int
    name: str
    informed_on: dt.date | None
    channel: str | None
    checkin_id: int | None
    informed_by: str = ""  # the lead who marked them told


@dataclass(frozen=True, slots=True)
class Item:
    id: int
    key: str | None
    kind: str
    title: str
    context: str
    owner_id: int | None
    owner: str
    raised: dt.date | None
    due: dt.date | None
    status: str
    outcome: str
    decided: dt.date | None
    cadence_id: int | None
    cadence: str
    probability: int | None
    impact: int | None
    mitigation: str
    depends_on: str
    superseded_by: tuple[int, str] | None
    supersedes: tuple[tuple[int, str], ...]
    audience: tuple[Told, ...]
    last_touched: dt.date | None  # the last logged meeting of its home cadence that touched it
    stale: bool
    version: int = 0
    changed_by: str = ""  # the lead who last changed it

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES

    @property
    def score(self) -> int | None:
        if self.probability is None or self.impact is None:
            return None
        return self.probability * self.impact

    @property
    def informed(self) -> int:
        return sum(1 for told in self.audience if told.informed_on is not None)

    @property
    def missing(self) -> tuple[Told, ...]:
        return tuple(told for told in self.audience if told.informed_on is None)

    @property
    def not_propagated(self) -> bool:
        """Decided, and someone who must know has not been told yet."""
        return self.status == "decided" and bool(self.missing)

    def overdue(self, today: dt.date) -> bool:
        return self.is_open and self.due is not None and self.due < today

    @property
    def latency(self) -> int | None:
        """Days from the decision until the last person who must know was told."""
        if self.decided is None or not self.audience or self.missing:
            return None
        return max(0, max(t.informed_on for t in self.audience if t.informed_on is not None).toordinal()
                   - self.decided.toordinal())  # fmt: skip


@dataclass(frozen=True, slots=True)
class Event:
    at: dt.datetime
    kind: str
    text: str
    person: str
    checkin_id: int | None
    by: str = ""  # the lead who took the step


def _touches(session: Connection, engagement_id: int) -> dict[int, dt.datetime]:
    """The last time each item was touched in a meeting of its home cadence: raised there,
    discussed there (an event), or someone told there."""
    home = (CHECKIN.cadence_id == DECISION.cadence_id, DECISION.engagement_id == engagement_id)
    sources = (
        select(EVENT.decision_id, CHECKIN.at)
        .join(checkin_t, CHECKIN.id == EVENT.checkin_id)
        .join(decision_t, DECISION.id == EVENT.decision_id)
        .where(*home),
        select(AUDIENCE.decision_id, CHECKIN.at)
        .join(checkin_t, CHECKIN.id == AUDIENCE.checkin_id)
        .join(decision_t, DECISION.id == AUDIENCE.decision_id)
        .where(*home),
        select(DECISION.id, CHECKIN.at)
        .join(checkin_t, CHECKIN.id == DECISION.raised_in_id)
        .where(*home),
    )
    last: dict[int, dt.datetime] = {}
    for stmt in sources:
        for decision_id, at in session.execute(stmt):
            if decision_id not in last or at > last[decision_id]:
                last[decision_id] = at
    return last


def _interval(rhythm: str | None) -> int | None:
    """A rhythm's interval in days; None when there is none or it cannot be read."""
    if not rhythm:
        return None
    try:
        return parse_rhythm(rhythm).interval_days
    except RhythmError:
        return None


def _is_stale(item_open: bool, since: dt.date | None, interval: int | None, today: dt.date) -> bool:
    if not item_open or since is None or interval is None:
        return False
    return (today - since).days > STALE_INTERVALS * interval


def _audiences(
    session: Connection,
    engagement_id: int,
    same: Shared | None = None,
    ids: Sequence[int] | None = None,
) -> dict[int, list[Told]]:
    """Who must know of each item (or of the items `ids`), in the order they were named."""
    same = same or Shared()
    told: dict[int, list[Told]] = defaultdict(list)
    stmt = (
        select(
            AUDIENCE.decision_id, AUDIENCE.person_id, PERSON.name, AUDIENCE.informed_on,
            AUDIENCE.channel, AUDIENCE.checkin_id, AUDIENCE.informed_by,
        )
        .join(person_t, PERSON.id == AUDIENCE.person_id)
        .join(decision_t, DECISION.id == AUDIENCE.decision_id)
        .where(DECISION.engagement_id == engagement_id)
        .order_by(AUDIENCE.decision_id, AUDIENCE.position)
        .execution_options(yield_per=STREAM_ROWS)
    )  # fmt: skip
    if ids is not None:
        stmt = stmt.where(AUDIENCE.decision_id.in_(ids))
    for decision_id, person_id, name, informed_on, channel, checkin_id, by in session.execute(stmt):
        told[decision_id].append(
            Told(
                same(person_id),
                same(name),
                same(informed_on),
                same(channel),
                same(checkin_id),
                same(by),
            )
        )
    return told


def items(store: Store, engagement_id: int, today: dt.date | None = None) -> list[Item]:
    """Every decision, risk and dependency of the engagement, soonest due first."""
    today = today or dt.date.today()
    owner = person_t.alias("owner")
    with store.connect() as session:
        # Columns, not entities: thousands of ORM objects cost more than the queries.
        found = session.execute(
            select(
                DECISION.id, DECISION.key, DECISION.kind, DECISION.title, DECISION.context,
                DECISION.owner_id, owner.c.name, DECISION.raised, DECISION.due, DECISION.status,
                DECISION.outcome, DECISION.decided, DECISION.cadence_id, DECISION.probability,
                DECISION.impact, DECISION.mitigation, DECISION.depends_on,
                DECISION.superseded_by_id, DECISION.version, DECISION.changed_by,
            )
            .outerjoin(owner, owner.c.id == DECISION.owner_id)
            .where(DECISION.engagement_id == engagement_id)
            .order_by(DECISION.due.is_(None), DECISION.due, DECISION.id)
        ).all()  # fmt: skip
        cadences = {
            cadence_id: (name, rhythm)
            for cadence_id, name, rhythm in session.execute(
                select(CADENCE.id, CADENCE.name, CADENCE.rhythm).where(
                    CADENCE.engagement_id == engagement_id
                )
            )
        }
        touched = _touches(session, engagement_id)
        same = Shared()
        audiences = _audiences(session, engagement_id, same)
    titles = {d.id: d.title for d in found}
    supersedes: dict[int, list[tuple[int, str]]] = defaultdict(list)
    for d in found:
        if d.superseded_by_id is not None:
            supersedes[d.superseded_by_id].append((d.id, d.title))
    intervals = {cadence_id: _interval(rhythm) for cadence_id, (_n, rhythm) in cadences.items()}
    result = []
    for d in found:
        name = cadences[d.cadence_id][0] if d.cadence_id in cadences else ""
        last = touched.get(d.id)
        since = last.date() if last else d.raised
        result.append(
            Item(
                d.id, d.key, same(d.kind), d.title, d.context, d.owner_id, same(d.name or ""),
                same(d.raised), same(d.due), same(d.status), d.outcome, same(d.decided),
                d.cadence_id, name, same(d.probability), same(d.impact), d.mitigation,
                d.depends_on,
                (d.superseded_by_id, titles.get(d.superseded_by_id, ""))
                if d.superseded_by_id else None,
                tuple(supersedes.get(d.id, ())),
                tuple(audiences.get(d.id, ())),
                same(last.date()) if last else None,
                _is_stale(d.status in OPEN_STATUSES, since, intervals.get(d.cadence_id), today),
                d.version, same(d.changed_by),
            )
        )  # fmt: skip
    return result


def median_latency(found: Sequence[Item]) -> dict[str, float]:
    """Median days from decided to everyone told, per home cadence (name; "" for none)."""
    by_cadence: dict[str, list[int]] = defaultdict(list)
    for item in found:
        if item.latency is not None:
            by_cadence[item.cadence].append(item.latency)
    return {name: statistics.median(days) for name, days in by_cadence.items()}


def _event(session: Session, decision_id: int, at: dt.datetime, kind: str, text: str = "",
           person_id: int | None = None, checkin_id: int | None = None, *,
           made_by: str) -> None:  # fmt: skip
    from store.models import DecisionEvent

    session.add(DecisionEvent(decision_id=decision_id, at=at, kind=kind, text=text,
                              person_id=person_id, checkin_id=checkin_id,
                              made_by=made_by))  # fmt: skip


def _get(session: Session, decision_id: int) -> Decision:
    """The decision, locked until the transaction ends: a lead changing it at the same
    moment waits, then works on what this one left (and is refused if that no longer fits)."""
    from store.models import Decision

    found = session.get(Decision, decision_id, with_for_update=ROW_LOCK)
    if found is None:
        raise EditError("that item no longer exists")
    return found


def can_move(kind: str, current: str, to: str) -> bool:
    return to in TRANSITIONS.get(kind, {}).get(current, frozenset())


def needs_outcome(to: str, outcome: str) -> bool:
    """Whether a move to `to` still lacks the outcome it must record."""
    return to == "decided" and not outcome.strip()


def _raised_order(item: Item) -> tuple[dt.date, int]:
    # Undated items (imported without a raised date) count as raised when they were decided,
    # and the id breaks ties: the one created later is the later one.
    return (item.raised or item.decided or dt.date.min, item.id)


def successors(found: Sequence[Item], old: Item) -> list[Item]:
    """The decisions that may supersede `old`: raised after it and not dropped, newest first."""
    later = [
        item for item in found
        if item.kind == "decision" and item.id != old.id and item.status != "dropped"
        and _raised_order(item) > _raised_order(old)
    ]  # fmt: skip
    return sorted(later, key=_raised_order, reverse=True)


def move(
    store: Store, decision_id: int, to: str, *, at: dt.datetime, outcome: str = "",
    on: dt.date | None = None,
) -> None:  # fmt: skip
    """Change an item's status along its kind's transitions; a refused move says why."""
    with store.write() as session:
        decision = _get(session, decision_id)
        if not can_move(decision.kind, decision.status, to):
            allowed = sorted(TRANSITIONS.get(decision.kind, {}).get(decision.status, ()))
            where = f"only to {', '.join(allowed)}" if allowed else "nowhere: it is final"
            raise EditError(
                f"a {decision.status} {decision.kind} cannot become {to}; it can go {where}"
            )
        if to == "decided":
            if needs_outcome(to, outcome):
                raise EditError(NEEDS_OUTCOME)
            decision.outcome = outcome
            decision.decided = on or at.date()
        decision.status = to
        decision.changed_by = store.user
        _event(session, decision.id, at, to, outcome, made_by=store.user)


def supersede(store: Store, old_id: int, new_id: int, *, at: dt.datetime) -> None:
    """Mark a decided decision as replaced by a later one (shown on both)."""
    if old_id == new_id:
        raise EditError("a decision cannot supersede itself")
    with store.write() as session:
        # Locked in id order, so two leads superseding crosswise cannot deadlock.
        first, second = sorted((old_id, new_id))
        locked = {first: _get(session, first), second: _get(session, second)}
        old, new = locked[old_id], locked[new_id]
        if old.engagement_id != new.engagement_id:
            raise EditError("both must be on the same engagement")
        if old.kind != "decision" or old.status != "decided":
            raise EditError("only a decided decision can be superseded")
        if new.kind != "decision" or new.status == "dropped":
            raise EditError("only a decision that still stands can supersede another")
        old.superseded_by_id = new.id
        # The file format links decisions by key: give the newer one a key if it has none.
        new.key = new.key or f"decision-{new.id}"
        old.changed_by = store.user
        _event(session, old.id, at, "superseded", new.title, made_by=store.user)
        _event(session, new.id, at, "supersedes", old.title, made_by=store.user)


def mark_informed(
    store: Store, decision_id: int, person_ids: Sequence[int], *, on: dt.date,
    at: dt.datetime, channel: str | None = None, checkin_id: int | None = None,
) -> int:  # fmt: skip
    """Mark people told (those not yet marked); returns how many were marked.

    Only the audience rows are locked (the decision need not be): a lead marking the same
    people at the same moment waits, then finds them told, so each mark is made once, whole.
    """
    from store.models import Audience, Decision

    with store.write() as session:
        if session.get(Decision, decision_id) is None:
            raise EditError("that item no longer exists")
        rows = session.scalars(
            select(Audience)
            .where(
                Audience.decision_id == decision_id,
                Audience.person_id.in_(person_ids),
                Audience.informed_on.is_(None),
            )
            .order_by(Audience.person_id)  # one lock order: no deadlock
            .with_for_update(key_share=True)
        ).all()
        for row in rows:
            row.informed_on, row.channel, row.checkin_id = on, channel, checkin_id
            row.informed_by = store.user
        return len(rows)


def add_cadence_audience(store: Store, decision_id: int, cadence_id: int) -> int:
    """Everyone now on a cadence must know (copied as people: later cadence changes don't
    rewrite who had to be told). Returns how many were added."""
    from store.models import Audience, Cadence

    with store.write() as session:
        decision = _get(session, decision_id)
        have = {a.person_id for a in decision.audience}
        people = session.scalars(
            select(cadence_attendee.c.person_id)
            .join(Cadence, Cadence.id == cadence_attendee.c.cadence_id)
            .where(Cadence.id == cadence_id, Cadence.engagement_id == decision.engagement_id)
            .order_by(cadence_attendee.c.position)
        ).all()
        added = [pid for pid in people if pid not in have]
        start = len(decision.audience)
        for offset, person_id in enumerate(added):
            decision.audience.append(
                Audience(person_id=person_id, position=start + offset, informed_on=None)
            )
        if added:
            decision.changed_by = store.user
        return len(added)


def _midday(day: dt.date) -> dt.datetime:
    # A date-only fact (raised on, decided on, told on) sorts within its day at noon UTC.
    return dt.datetime.combine(day, dt.time(12), dt.UTC)


def timeline(store: Store, decision_id: int) -> list[Event]:
    """One item's history, oldest first (see `timelines`)."""
    with store.connect() as session:
        engagement_id = session.scalar(
            select(DECISION.engagement_id).where(DECISION.id == decision_id)
        )
    if engagement_id is None:
        return []
    return timelines(store, engagement_id, [decision_id]).get(decision_id, [])


def timelines(
    store: Store, engagement_id: int, ids: Sequence[int] | None = None
) -> dict[int, list[Event]]:
    """Each item's history, oldest first: raised, discussed, decided, each person told…

    Raised, decided and told come from the item itself (so an imported item has a history
    too); status changes, discussions and supersedes are stored events. Loaded for many
    items at once so the Decisions screen's detail pane never queries on a keypress.
    """
    with store.connect() as session:
        stmt = select(
            DECISION.id, DECISION.raised, DECISION.raised_in_id, DECISION.decided, DECISION.outcome
        ).where(DECISION.engagement_id == engagement_id)
        events = (
            select(
                EVENT.decision_id,
                EVENT.at,
                EVENT.kind,
                EVENT.text,
                PERSON.name,
                EVENT.checkin_id,
                EVENT.made_by,
            )
            .join(decision_t, DECISION.id == EVENT.decision_id)
            .outerjoin(person_t, PERSON.id == EVENT.person_id)
            .where(DECISION.engagement_id == engagement_id)
            .order_by(EVENT.at, EVENT.id)
            .execution_options(yield_per=STREAM_ROWS)
        )
        if ids is not None:
            stmt = stmt.where(DECISION.id.in_(ids))
            events = events.where(EVENT.decision_id.in_(ids))
        found: dict[int, list[Event]] = defaultdict(list)
        decided_by: dict[int, str] = {}
        same = Shared()
        for decision_id, at, kind, text, name, checkin_id, made_by in session.execute(events):
            if kind == "decided":  # shown from the item itself, below: only who did it
                decided_by[decision_id] = made_by
                continue
            found[decision_id].append(
                Event(at, same(kind), text, same(name or ""), same(checkin_id), same(made_by))
            )
        decisions = session.execute(stmt).all()
        audiences = _audiences(session, engagement_id, same, ids)
    for decision_id, raised, raised_in_id, decided, outcome in decisions:
        history = found[decision_id]
        if raised:
            history.append(Event(same(_midday(raised)), "raised", "", "", raised_in_id))
        if decided:
            history.append(Event(same(_midday(decided)), "decided", outcome, "", None,
                                 decided_by.get(decision_id, "")))  # fmt: skip
        for told in audiences.get(decision_id, ()):
            if told.informed_on:
                history.append(Event(same(_midday(told.informed_on)), "told", told.channel or "",
                                     told.name, told.checkin_id, told.informed_by))  # fmt: skip
        history.sort(key=lambda event: event.at)
    return dict(found)


def decisions_markdown(store: Store, engagement_id: int, today: dt.date) -> str:
    """The decision log as Markdown, one section per item: the form a sponsor can read.

    Every text from the database is escaped (store.markdown); every block has its blank lines.
    """
    from store.markdown import escaped, one_line

    with store.read() as session:
        from store.models import Engagement

        engagement = session.get(Engagement, engagement_id)
        title = one_line(engagement.name) if engagement else "Decision log"
    found = items(store, engagement_id, today)
    history = timelines(store, engagement_id)
    out = [f"# Decision log: {title}", "", f"As of {today:%d %B %Y}.", ""]
    for kind, heading in (
        ("decision", "Decisions"),
        ("risk", "Risks"),
        ("dependency", "Dependencies"),
    ):
        of_kind = [item for item in found if item.kind == kind]
        if not of_kind:
            continue
        out += [f"## {heading}", ""]
        for item in of_kind:
            out += [f"### {one_line(item.title) or '(untitled)'}", ""]
            facts = [
                ("Status", item.status + (" (stale)" if item.stale else "")),
                ("Owner", item.owner),
                ("Home cadence", item.cadence),
                ("Raised", _date(item.raised)),
                ("Due", _date(item.due)),
                ("Decided", _date(item.decided)),
                (
                    "Score",
                    f"{item.probability} × {item.impact} = {item.score}" if item.score else "",
                ),
                ("Depends on", item.depends_on),
                ("Superseded by", item.superseded_by[1] if item.superseded_by else ""),
                ("Informed", f"{item.informed} of {len(item.audience)}" if item.audience else ""),
            ]
            out += [f"- **{label}:** {one_line(value)}" for label, value in facts if value]
            for label, text in (("Context", item.context), ("Mitigation", item.mitigation),
                                ("Outcome", item.outcome)):  # fmt: skip
                if text.strip():
                    out += ["", f"**{label}.** {escaped(text)}"]
            told = ", ".join(
                f"{one_line(t.name)} ({_date(t.informed_on)})"
                for t in item.audience
                if t.informed_on
            )
            missing = ", ".join(one_line(t.name) for t in item.missing)
            # Each its own paragraph: on adjacent lines they would render as one.
            out += ["", f"**Told:** {told}"] if told else []
            out += ["", f"**Still to tell:** {missing}"] if missing else []
            discussed = [e.at for e in history.get(item.id, []) if e.kind == "discussed"]
            if discussed:
                out += ["", "**Discussed:** " + ", ".join(f"{at:%Y-%m-%d}" for at in discussed)]
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _date(day: dt.date | None) -> str:
    return "" if day is None else day.isoformat()
