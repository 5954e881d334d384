"""Cadence: the recurring meetings of each circle, and whether their rhythm holds."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.content import Content

from store import queries
from store.fields import check_key, check_text, check_timezone, parse_clock, parse_optional_date
from store.queries import CadenceRow
from store.rhythm import parse_rhythm
from store.tables import NAME_LEN, SHORT_LEN, ZONE_LEN
from tui import format as fmt
from tui.screens.listing import Cell, ListingScreen, listing_bindings
from tui.widgets.form import Field, FormScreen, Values, date_text, text_parser

STATUS_STYLE = {
    "on track": "green",
    "due": "bold yellow",
    "overdue": "bold red",
    "lapsed": "bold white on red",
    "paused": "dim",
}
MARKS = {"held": ("●", "green"), "skipped": ("○", "yellow"), "missed": ("✗", "bold red"),
         "upcoming": ("·", "dim")}  # fmt: skip


def history_cell(row: CadenceRow) -> Text:
    """The last 12 expected meetings: ● held, ○ skipped, ✗ missed, · today's, still to come."""
    text = Text(no_wrap=True)
    for expected in row.history:
        symbol, style = MARKS.get(expected.mark, ("?", ""))
        text.append(symbol, style=style)
    return text


def _duration(value: str) -> int:
    try:
        minutes = int(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a number of minutes") from None
    if not 1 <= minutes <= 1440:
        raise ValueError("a meeting lasts from 1 to 1440 minutes")
    return minutes


def _optional_clock(value: str) -> object:
    return parse_clock(value) if value.strip() else None


def _optional_zone(value: str) -> str:
    value = check_text(value, limit=ZONE_LEN).strip()
    return check_timezone(value) if value else ""


def _rhythm(value: str) -> str:
    return parse_rhythm(check_text(value, limit=SHORT_LEN, required=True)).text


def _slot_needs_zone(values: Values) -> dict[str, str]:
    if values["slot"] is not None and not values["zone"]:
        return {"zone": "a usual slot needs the time zone it is in"}
    return {}


class CadenceScreen(ListingScreen[CadenceRow]):
    TITLE_NOUN = "cadence"
    BINDINGS = listing_bindings(
        "cadence",
        extra=[
            Binding(
                "h",
                "history",
                "Check-ins",
                tooltip="Check-ins and next steps",
                id="cadence.history",
            ),
            Binding("b", "brief", "Briefing", tooltip="Briefing before a call", id="cadence.brief"),
            Binding(
                "o",
                "overlap",
                "Overlap",
                tooltip="Best slots for its attendees",
                id="cadence.overlap",
            ),
        ],
    )
    COLUMNS = (
        ("name", "Name", 22),
        ("circle", "Circle", 16),
        ("rhythm", "Rhythm", 20),
        ("people", "People", None),
        ("history", "Last 12", None),
        ("last", "Last held", None),
        ("next", "Next due", None),
        ("status", "Status", None),
    )
    EMPTY_TEXT = "No cadences yet: press n to add a recurring meeting."

    def __init__(self) -> None:
        super().__init__()
        self.warnings: dict[int, str] = {}

    def fetch(self) -> list[CadenceRow]:
        rows: list[CadenceRow] = self.rapport.rows("cadences")
        # Set before the rows are posted, so the handler that shows them sees these too.
        self.warnings = self.rapport.rows("cadence_warnings")
        return rows

    def cells(self, row: CadenceRow) -> Sequence[Cell]:
        now = self.rapport.now()
        return (
            fmt.cell(f"{row.name} ⚠" if row.id in self.warnings else row.name),
            fmt.cell(row.circle),
            fmt.cell(row.rhythm),
            Text(str(len(row.attendees))),
            history_cell(row),
            Text(fmt.ago(row.last_held, now)),
            Text(fmt.short_day(row.next_due)),
            fmt.cell(row.status, style=STATUS_STYLE.get(row.status, "")),
        )

    def haystack(self, row: CadenceRow) -> str:
        return " ".join((row.name, row.key, row.circle, row.rhythm, row.owner, *row.attendees))

    def detail(self, row: CadenceRow) -> Content:
        slot = f"{row.slot:%H:%M} {row.zone}, {row.duration} min" if row.slot else ""
        return fmt.detail(
            row.name,
            [
                ("Circle", row.circle),
                ("Rhythm", row.rhythm),
                ("Usual slot", slot),
                ("Owner", row.owner),
                ("Last held", fmt.local_moment(row.last_held) or "never"),
                ("Next due", fmt.day(row.next_due)),
                ("Status", row.status),
                ("Key", row.key),
            ],
            ("Daylight saving", self.warnings.get(row.id, "")),
            ("Last 12 meetings", self._history_text(row)),
            ("Attendees", "\n".join(row.attendees)),
            ("Open next steps", fmt.steps_block(row.open_steps, self.rapport.today())),
            ("", "h: check-ins · b: briefing · l: log one"),
        )

    def action_history(self) -> None:
        if (row := self.selected()) is not None:
            self.rapport.open_history(row.name, cadence_id=row.id)

    def action_brief(self) -> None:
        if (row := self.selected()) is not None:
            self.rapport.open_briefing(cadence_id=row.id)

    def _history_text(self, row: CadenceRow) -> str:
        lines = []
        for expected in row.history:
            reason = f" ({expected.reason})" if expected.reason else ""
            lines.append(f"{expected.day:%a %d %b}  {expected.mark}{reason}")
        return "\n".join(lines[-6:])

    def action_overlap(self) -> None:
        if (row := self.selected()) is not None:
            self.rapport.open_overlap(row.name, cadence_id=row.id)

    def form(self, row: CadenceRow | None) -> FormScreen:
        choices = queries.people_choices(self.rapport.store, self.rapport.engagement_id)
        return FormScreen(
            f"Edit {row.name}" if row else "New cadence",
            [
                Field("name", "Name", value=row.name if row else "",
                      parse=text_parser(NAME_LEN, required=True)),
                Field("key", "Key (short, unique: a-z 0-9 - _)", value=row.key if row else "",
                      parse=check_key),
                Field("circle", "Circle", value=row.circle if row else "",
                      parse=text_parser(SHORT_LEN)),
                Field("rhythm", "Rhythm (weekdays, weekly on tue, every 2 weeks on thu, "
                      "monthly on first wed, monthly on day 15, every 3 days)",
                      value=row.rhythm if row else "weekly on mon", parse=_rhythm),
                Field("slot", "Usual time (HH:MM)",
                      value=f"{row.slot:%H:%M}" if row and row.slot else "",
                      parse=_optional_clock),
                Field("zone", "Time zone of that slot", value=row.zone if row else "",
                      parse=_optional_zone),
                Field("duration", "Duration (minutes)", value=str(row.duration) if row else "30",
                      parse=_duration),
                Field("owner_id", "Owner", "person", value=row.owner_id if row else None,
                      choices=choices),
                Field("attendee_ids", "Attendees (space ticks)", "people",
                      value=row.attendee_ids if row else (), choices=choices),
                Field("since", "Rhythm counts from (YYYY-MM-DD; empty: the kickoff)",
                      value=date_text(row.since if row else None), parse=parse_optional_date),
                Field("paused", "Paused (expects no meetings; never lapses)", "flag",
                      value=row.paused if row else False),
            ],
            check=_slot_needs_zone,
        )  # fmt: skip

    def save(self, values: Values, row: CadenceRow | None) -> str:
        from store import edits

        cadence = edits.CadenceValues(**values)
        edits.save_cadence(
            self.rapport.store,
            self.rapport.engagement_id,
            cadence,
            row.id if row else None,
            row.version if row else None,
        )
        return f"Saved {cadence.name}"

    def delete_record(self, row: CadenceRow) -> str:
        from store import edits

        edits.delete_cadence(self.rapport.store, row.id)
        return f"Deleted {row.name}"

    def describe(self, row: CadenceRow) -> str:
        return f"the cadence {row.name} (its logged check-ins stay)"
