"""`rapport log` and `rapport brief`: the log form and the briefing, from the shell.

Both parse what was typed with the same parsers as the screens (store.logparse), report every
problem at once, one line each naming the option, and exit 1 without writing anything.
Nothing here imports Textual, so these commands start fast.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, TypeVar
from zoneinfo import ZoneInfo

from store.text import escaped, visible

if TYPE_CHECKING:
    from store.db import Store
    from store.logparse import PeopleIndex
    from store.queries import CadenceRow, EngagementRow

EXIT_OK = 0
EXIT_BAD_INPUT = 1

T = TypeVar("T")


class Problems(Exception):
    """One or more things wrong with the command line; each is one line for stderr."""

    def __init__(self, messages: list[str]) -> None:
        super().__init__("\n".join(messages))
        self.messages = messages


def _report(messages: list[str]) -> int:
    for message in messages:
        print(f"rapport: {message}", file=sys.stderr)
    return EXIT_BAD_INPUT


def shown(value: str) -> str:
    """A typed value quoted for an error line; control characters are shown, never sent."""
    return escaped(value)


def choose_engagement(store: Store, key: str | None) -> EngagementRow:
    """The only engagement, or the one with `--engagement KEY`; Problems says what to do."""
    from store.queries import engagements

    found = engagements(store)
    keys = ", ".join(sorted(e.key for e in found))
    if not found:
        raise Problems(["there is no engagement in the database; add one with rapport import FILE"])
    if key is None:
        if len(found) > 1:
            raise Problems(
                [
                    f"the database holds {len(found)} engagements; choose one with "
                    f"--engagement KEY: {keys}"
                ]
            )
        return found[0]
    for engagement in found:
        if engagement.key == key:
            return engagement
    raise Problems([f"--engagement {shown(key)}: no engagement has that key; the keys: {keys}"])


def find_cadence(cadences: Sequence[CadenceRow], wanted: str) -> CadenceRow | None:
    """The cadence whose key or name is exactly `wanted`, ignoring case (None: no such one)."""
    folded = wanted.strip().casefold()
    matches = [row for row in cadences if folded in (row.key.casefold(), row.name.casefold())]
    return matches[0] if len(matches) == 1 else None


def local_zone() -> ZoneInfo:
    """The lead's zone, for wall-clock times typed with --when; an unusable one is said once."""
    from store.timezones import local_zone as lead_zone
    from store.timezones import local_zone_warning

    if warning := local_zone_warning():
        print(f"rapport: warning: {warning}", file=sys.stderr)
    return lead_zone()


# --- rapport log --------------------------------------------------------------------------------


def _collect(problems: list[str], option: str, value: str, parse: Callable[[str], T]) -> T | None:
    """Parse one value; a FieldError becomes a line naming the option and what was typed."""
    from store.fields import FieldError

    try:
        return parse(value)
    except FieldError as error:
        problems.append(f"{option} {shown(value)}: {error}")
        return None


def _attendees(index: PeopleIndex, value: str, problems: list[str]) -> tuple[int, ...]:
    names = [part.strip() for part in value.split(",") if part.strip()]
    if not names:
        problems.append(f"--with {shown(value)}: name who was there, separated by commas")
    ids = []
    for name in names:
        person = _collect(problems, "--with", name, index.find)
        if person is not None:
            ids.append(person.id)
    return tuple(dict.fromkeys(ids))


def run_log(store: Store, args: argparse.Namespace) -> int:
    """Log a check-in from the options; every problem is reported, nothing half-saved."""
    try:
        return _log(store, args)
    except Problems as problems:
        return _report(problems.messages)
    finally:
        store.close()


def _log(store: Store, args: argparse.Namespace) -> int:
    from store.checkins import CheckInDraft, find_decision, log_checkin, log_context
    from store.edits import EditError
    from store.fields import check_text
    from store.logparse import parse_decision, parse_next_step, parse_note, parse_when
    from store.queries import cadences
    from store.tables import TEXT_LEN

    problems: list[str] = []
    zone = local_zone()
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(zone).date()
    at = _collect(problems, "--when", args.when, lambda v: parse_when(v, now, zone))
    outcome = _collect(
        problems, "--outcome", args.outcome, lambda v: check_text(v, limit=TEXT_LEN, multiline=True)
    )
    if args.mood is not None and not 1 <= args.mood <= 5:
        problems.append(f"--mood {args.mood}: mood is 1 (bad) to 5 (great)")
    if args.cadence is None and args.attendees is None:
        problems.append("who was there? give --cadence NAME or --with KEY,KEY")
    try:
        engagement = choose_engagement(store, args.engagement)
    except Problems as error:
        raise Problems(problems + error.messages) from None

    index = log_context(store, engagement.id).index
    cadence_id = None
    attendee_ids: tuple[int, ...] = ()
    if args.cadence is not None:
        rows = cadences(store, engagement.id, today)
        cadence = find_cadence(rows, args.cadence)
        if cadence is None:
            keys = ", ".join(row.key for row in rows) or "none yet"
            problems.append(
                f"--cadence {shown(args.cadence)}: no cadence has that key or name; "
                f"the cadences: {keys}"
            )
        else:
            cadence_id, attendee_ids = cadence.id, cadence.attendee_ids
            if not attendee_ids and args.attendees is None:
                problems.append(
                    f"--cadence {shown(args.cadence)} has no attendees; name them with --with"
                )
    if args.attendees is not None:
        attendee_ids = _attendees(index, args.attendees, problems)

    next_steps = [
        _collect(problems, "--next", line, lambda v: parse_next_step(v, index, today))
        for line in args.next_steps
    ]
    decisions = [
        _collect(problems, "--decision", line, lambda v: parse_decision(v, index))
        for line in args.decisions
    ]
    notes = [
        _collect(problems, "--note", line, lambda v: parse_note(v, index)) for line in args.notes
    ]
    told = [
        _collect(problems, "--told", name, lambda v: find_decision(store, engagement.id, v))
        for name in args.told
    ]
    if problems:
        raise Problems(problems)

    assert at is not None and outcome is not None
    draft = CheckInDraft(
        engagement_id=engagement.id,
        at=at,
        attendee_ids=attendee_ids,
        cadence_id=cadence_id,
        status=args.status,
        channel=args.channel,
        outcome=outcome,
        mood=args.mood,
        next_steps=tuple(s for s in next_steps if s is not None),
        decisions_raised=tuple(d for d in decisions if d is not None),
        notes=tuple(n for n in notes if n is not None),
        communicated_ids=tuple(dict.fromkeys(t for t in told if t is not None)),
    )
    try:
        summary = log_checkin(store, draft, now=now)
    except EditError as error:
        raise Problems([str(error)]) from None
    print(summary)
    return EXIT_OK


# --- rapport brief ------------------------------------------------------------------------------


def run_brief(store: Store, args: argparse.Namespace) -> int:
    """Print the briefing for a cadence (tried first) or a person, as Markdown."""
    try:
        text = _brief(store, args)
    except Problems as problems:
        return _report(problems.messages)
    finally:
        store.close()
    # What the briefing prints comes from the database: nothing in it may act on the terminal.
    sys.stdout.write(visible(text))
    return EXIT_OK


def _brief(store: Store, args: argparse.Namespace) -> str:
    from store.briefing import brief_cadence, brief_person, briefing_markdown
    from store.checkins import log_context
    from store.fields import FieldError
    from store.queries import cadences

    engagement = choose_engagement(store, args.engagement)
    now = dt.datetime.now(dt.UTC)
    cadence = find_cadence(cadences(store, engagement.id, now.date()), args.name)
    if cadence is not None:
        return briefing_markdown(brief_cadence(store, engagement.id, cadence.id, now))
    try:
        person = log_context(store, engagement.id).index.find(args.name)
    except FieldError as error:
        raise Problems([f"{shown(args.name)} is not a cadence, and {error}"]) from None
    return briefing_markdown(brief_person(store, engagement.id, person.id, now))
