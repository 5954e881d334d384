"""Log a check-in (`l` from anywhere): the form a lead fills in right after a call.

The shortest path is `l`, type the outcome, `ctrl+s`: everything else is prefilled from where
the lead was (the selected cadence, the selected person for a one-on-one, or the cadence whose
slot was just before now). Every line-based field is parsed as it is typed, so a wrong name
or date is seen before saving, never after.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from zoneinfo import ZoneInfo

from textual import on
from textual.suggester import Suggester
from textual.widgets import Input, Select, SelectionList
from textual.widgets.selection_list import Selection

from store.checkins import CheckInDraft, LogContext
from store.fields import FieldError
from store.logparse import (
    PeopleIndex,
    lines_of,
    parse_decision,
    parse_next_step,
    parse_note,
    parse_when,
)
from store.queries import CheckInEdit
from store.tables import TEXT_LEN, Channel, CheckInStatus
from tui.format import safe
from tui.widgets.form import Field, FormScreen, Values, text_parser


class NameSuggester(Suggester):
    """Completes the name being typed after the last comma."""

    def __init__(self, names: Sequence[str]) -> None:
        super().__init__(use_cache=False, case_sensitive=True)
        self.names = list(names)

    async def get_suggestion(self, value: str) -> str | None:
        head, _, last = value.rpartition(",")
        typed = last.lstrip()
        if not typed:
            return None
        for name in self.names:
            if name.casefold().startswith(typed.casefold()):
                prefix = f"{head}, " if head else ""
                return prefix + name
        return None


def attendees_parser(index: PeopleIndex) -> Callable[[str], tuple[int, ...]]:
    def parse(value: str) -> tuple[int, ...]:
        names = [part for part in (p.strip() for p in value.split(",")) if part]
        if not names:
            raise FieldError("who was there? type names, separated by commas")
        return tuple(dict.fromkeys(index.find(name).id for name in names))

    return parse


def lines_parser(parse_line: Callable[[str], object]) -> Callable[[str], tuple[object, ...]]:
    """Parse each non-empty line; an error names its line."""

    def parse(value: str) -> tuple[object, ...]:
        parsed = []
        for number, line in lines_of(value):
            try:
                parsed.append(parse_line(line))
            except FieldError as error:
                raise FieldError(f"line {number}: {error}") from None
        return tuple(parsed)

    return parse


def _mood(value: str) -> int | None:
    if not value.strip():
        return None
    if value.strip() not in "12345":
        raise FieldError("mood is one key, 1 (bad) to 5 (great)")
    return int(value)


class LogScreen(FormScreen):
    """The log form; dismisses with a ready CheckInDraft in `values["draft"]`."""

    def __init__(
        self,
        context: LogContext,
        *,
        engagement_id: int,
        now: dt.datetime,
        zone: ZoneInfo,
        cadence_id: int | None = None,
        attendee_ids: Sequence[int] = (),
        lead_id: int | None = None,
        existing: CheckInEdit | None = None,
        title: str = "Log a check-in",
    ) -> None:
        self.context = context
        self.engagement_id = engagement_id
        self.lead_id = lead_id
        index = context.index
        self.index = index
        self.by_id = index.labels()  # names, unless two people share one
        today = now.astimezone(zone).date()
        if cadence_id is not None and not attendee_ids:
            attendee_ids = self._cadence_people(cadence_id)
        when, status, channel, outcome, mood, steps = "now", "held", "video", "", "", ""
        if existing is not None:
            cadence_id, attendee_ids = existing.cadence_id, existing.attendee_ids
            when = f"{existing.at.astimezone(zone):%Y-%m-%d %H:%M}"
            status, channel, outcome = existing.status, existing.channel, existing.outcome
            mood, steps = str(existing.mood or ""), existing.next_steps
        cadences = [("(none: an ad-hoc call)", None), *[(n, i) for i, n, _ in context.cadences]]
        super().__init__(
            title,
            [
                Field("when", "When (now, 14:30, yesterday 16:00, 2026-11-19 16:00)",
                      value=when, parse=lambda v: parse_when(v, now, zone)),
                Field("cadence_id", "Cadence", "person", value=cadence_id,
                      choices=cadences[1:]),
                Field("attendee_ids", "Attendees (names, comma-separated; tab completes)",
                      value=", ".join(self.by_id[i] for i in attendee_ids if i in self.by_id),
                      parse=attendees_parser(index), suggester=NameSuggester(index.names())),
                Field("status", "Held, skipped or moved", "choice", value=status,
                      choices=[(s.value, s.value) for s in CheckInStatus]),
                Field("channel", "Channel", "choice", value=channel,
                      choices=[(c.value, c.value) for c in Channel]),
                Field("outcome", "Outcome", "long", value=outcome,
                      parse=text_parser(TEXT_LEN, multiline=True)),
                Field("mood", "Mood, one key: 1 (bad) to 5 (great)", value=mood, parse=_mood,
                      restrict=r"[1-5]?"),
                Field("next_steps", "Next steps, one per line: owner: text by DATE", "long",
                      value=steps,
                      parse=lines_parser(lambda line: parse_next_step(line, index, today))),
                Field("decisions", "Decisions raised, one per line: [owner:] title", "long",
                      parse=lines_parser(lambda line: parse_decision(line, index))),
                Field("communicated", "Decisions communicated (space ticks; attendees marked informed)",
                      "people", choices=self._to_tell_choices(attendee_ids)),
                Field("notes", "Personal notes, one per line: Name: note", "long",
                      parse=lines_parser(lambda line: parse_note(line, index))),
            ],
            focus="outcome",
        )  # fmt: skip

    def _cadence_people(self, cadence_id: int) -> tuple[int, ...]:
        return next((ids for cid, _name, ids in self.context.cadences if cid == cadence_id), ())

    def _to_tell_choices(self, attendee_ids: Sequence[int]) -> list[tuple[str, int]]:
        present = set(attendee_ids)
        choices = []
        for decision_id, title, missing in self.context.to_tell:
            told_here = [self.by_id[p] for p in missing if p in present]
            if told_here:
                choices.append((f"{title} — tells {', '.join(told_here)}", decision_id))
        return choices

    @on(Select.Changed, "#field-cadence_id")
    def _cadence_changed(self, event: Select.Changed) -> None:
        if event.value is Select.NULL:
            return
        people = self._cadence_people(int(event.value))  # type: ignore[arg-type]
        if people:
            attendees = self.query_one("#field-attendee_ids", Input)
            attendees.value = ", ".join(self.by_id[i] for i in people if i in self.by_id)

    @on(Input.Changed, "#field-attendee_ids")
    def _attendees_changed(self, event: Input.Changed) -> None:
        try:
            ids = attendees_parser(self.index)(event.value)
        except FieldError:
            return
        checklist = self.query_one("#field-communicated", SelectionList)
        ticked = set(checklist.selected)
        checklist.clear_options()
        checklist.add_options(
            [
                Selection(safe(label), value, value in ticked)
                for label, value in self._to_tell_choices(ids)
            ]
        )
        if checklist.option_count:
            checklist.highlighted = 0
        field = next(f for f in self.fields if f.name == "communicated")
        # collect() keeps the order of the field's choices; refresh them with the list.
        self.fields[self.fields.index(field)] = Field(
            field.name, field.label, field.kind, choices=self._to_tell_choices(ids)
        )

    def collect(self) -> tuple[Values, dict[str, str]]:
        values, errors = super().collect()
        if errors:
            return values, errors
        draft = CheckInDraft(
            engagement_id=self.engagement_id,
            at=values["when"],
            attendee_ids=values["attendee_ids"],
            cadence_id=values["cadence_id"],
            status=values["status"],
            channel=values["channel"],
            outcome=values["outcome"],
            mood=values["mood"],
            next_steps=values["next_steps"],
            decisions_raised=values["decisions"],
            communicated_ids=values["communicated"],
            notes=values["notes"],
            lead_id=self.lead_id,
        )
        return {"draft": draft}, {}
