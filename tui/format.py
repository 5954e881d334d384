"""How values look on screen: dates, moments, local times."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from rich.text import Text
from textual.content import Content

from store import since

if TYPE_CHECKING:
    from store.queries import StepRow

# Control characters (escape sequences above all) and bidi overrides must never reach the
# terminal, even if another writer put them into the database: show a replacement mark.
_UNSAFE = {
    code: "\ufffd"
    for code in (
        *range(0x00, 0x20),
        *range(0x7F, 0xA0),
        *range(0x202A, 0x202F),
        *range(0x2066, 0x206A),
    )
    if chr(code) not in "\n\t"
}


def safe(value: str) -> str:
    """Text from the database made harmless for the terminal (markup is never parsed)."""
    return value.translate(_UNSAFE)


def cell(value: str, style: str = "") -> Text:
    """A table cell holding database text literally, on one line, cut with an ellipsis."""
    return Text(safe(value).replace("\n", " "), style=style, no_wrap=True, overflow="ellipsis")


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


def local_time(zone: str, now: dt.datetime) -> dt.datetime:
    return now.astimezone(ZoneInfo(zone))


def in_hours(local: dt.datetime, start: dt.time, end: dt.time) -> bool:
    return local.weekday() < 5 and start <= local.time().replace(tzinfo=None) < end


def clock_cell(zone: str, start: dt.time, end: dt.time, now: dt.datetime) -> Text:
    """Their local time now, dimmed when it is outside their working hours."""
    local = local_time(zone, now)
    if in_hours(local, start, end):
        return Text(f"{local:%H:%M} {local:%a}")
    return Text(f"{local:%H:%M} {local:%a}", style="dim")


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
