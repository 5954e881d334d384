"""How values look on screen: dates, moments, local times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.content import Content

from store import since
from store.text import visible, visible_line
from store.timezones import UNKNOWN_ZONE, in_working_hours, local_clock

if TYPE_CHECKING:
    from store.queries import StepRow


def safe(value: str) -> str:
    """Text from the database made harmless for the terminal (markup is never parsed)."""
    return visible(value)


def safe_line(value: str) -> str:
    """Database text for one line (a title, a notice): harmless, line breaks as spaces."""
    return visible_line(value)


def cell(value: str, style: str = "") -> Text:
    """A table cell holding database text literally, on one line, cut with an ellipsis."""
    return Text(visible_line(value), style=style, no_wrap=True, overflow="ellipsis")


def ago(moment: dt.datetime | None, now: dt.datetime) -> str:
    """`today`, `yesterday`, `3 days ago` or `never`: calendar days in the lead's zone, the
    same words as Today, the briefing and `rapport brief` (store.since)."""
    return since.ago(moment, now)


def day(value: dt.date | None) -> str:
    return "" if value is None else f"{value:%a %d %b %Y}"


def short_day(value: dt.date | None, today: dt.date | None = None) -> str:
    """ "19 Nov"; with the year when it is not `today`'s (a list spanning years, or a due
    date from last year, would otherwise read as one still to come)."""
    if value is None:
        return ""
    return f"{value:%d %b}" if today is None or value.year == today.year else f"{value:%d %b %Y}"


def local_moment(moment: dt.datetime | None) -> str:
    """A stored UTC moment in the viewer's own time zone."""
    return "" if moment is None else f"{moment.astimezone():%a %d %b %Y %H:%M}"


def clock_cell(zone: str, start: dt.time, end: dt.time, now: dt.datetime) -> Text:
    """Their local time now, dimmed when it is outside their working hours."""
    local = local_clock(zone, now)
    if local is None:
        return Text(UNKNOWN_ZONE, style="dim italic")
    if in_working_hours(local, start, end):
        return Text(f"{local:%H:%M} {local:%a}")
    return Text(f"{local:%H:%M} {local:%a}", style="dim")


def clock_line(zone: str, start: dt.time, end: dt.time, now: dt.datetime) -> str:
    """ "16:05 Wed (working hours)", or that the zone is unknown: nothing is computed then."""
    local = local_clock(zone, now)
    if local is None:
        return f"{UNKNOWN_ZONE} ({zone})"
    inside = in_working_hours(local, start, end)
    return f"{local:%H:%M %a} ({'working hours' if inside else 'outside working hours'})"


def due_cell(due: dt.date | None, today: dt.date, *, open_: bool = True) -> Text:
    """A due date; overdue ones stand out."""
    if due is None:
        return Text("")
    if open_ and due < today:
        return Text(f"{short_day(due, today)} overdue", style="bold red")
    if open_ and due == today:
        return Text(f"{short_day(due, today)} today", style="bold yellow")
    return Text(short_day(due, today))


def tick(flag: bool) -> str:
    return "✓" if flag else "·"


Part = str | tuple[str, str]


def steps_block(steps: Sequence[StepRow], today: dt.date, *, owners: bool = True) -> Content:
    """Open next steps, one a line, with owner and due date; overdue ones stand out."""
    parts: list[Part | Content] = []
    for step in steps:
        owner = f"{safe(step.owner) or 'nobody'}: " if owners else ""
        parts.append(f"· {owner}{safe(step.text)}")
        if step.due is not None:
            overdue = step.due < today
            parts.append((f"  due {step.due:%d %b}", "bold red" if overdue else "dim"))
        parts.append("\n")
    return Content.assemble(*parts)


def detail(
    title: str, facts: list[tuple[str, str]], *sections: tuple[str, str | Content]
) -> Content:
    """A detail pane: a title, `label  value` lines, then titled blocks of longer text.

    Everything from the database goes in as plain text: markup in a name never acts.
    """
    parts: list[Part | Content] = [(safe(title), "bold"), "\n\n"]
    width = max((len(label) for label, _ in facts), default=0)
    for label, value in facts:
        if value:
            parts += [(f"{label:<{width}}  ", "dim"), safe(value), "\n"]
    for heading, body in sections:
        if body:
            text = body if isinstance(body, Content) else safe(body)
            parts += ["\n", (heading, "bold underline"), "\n", text, "\n"]
    return Content.assemble(*parts)
