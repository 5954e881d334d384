"""Roster: who is on the engagement, ours and theirs, and when we last spoke to them."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual.binding import Binding
from textual.content import Content

from store import queries
from store.fields import (
    check_email,
    check_key,
    check_timezone,
    format_hours,
    parse_hours,
    parse_optional_date,
)
from store.queries import PersonRow
from store.tables import NAME_LEN, SHORT_LEN, TEXT_LEN, Side
from tui import format as fmt
from tui.screens.listing import Cell, ListingScreen, listing_bindings

if TYPE_CHECKING:
    from tui.widgets.form import Field, FormScreen, Values


def _contact_days(value: str) -> int | None:
    if not value.strip():
        return None
    try:
        days = int(value.strip())
    except ValueError:
        raise ValueError(f"{value!r} is not a number of days") from None
    if not 1 <= days <= 365:
        raise ValueError("a contact target is 1 to 365 days")
    return days


def onboarding_cell(row: PersonRow) -> Text:
    """x/4; someone who joined after the kickoff and was never onboarded stands out."""
    return Text(f"{row.onboarding}/4", style="bold red" if row.late_joiner else "")


def contact_cell(row: PersonRow, now: dt.datetime) -> Text:
    """Last contact; past their contact target it says so."""
    text = fmt.ago(row.last_contact, now)
    return Text(f"{text} !", style="bold yellow") if row.losing_touch else Text(text)


class RosterScreen(ListingScreen[PersonRow]):
    TITLE_NOUN = "person"
    BINDINGS = listing_bindings(
        "roster",
        extra=[
            Binding(
                "h", "history", "Check-ins", tooltip="Check-ins and next steps", id="roster.history"
            ),
            Binding("b", "brief", "Briefing", tooltip="Briefing before a call", id="roster.brief"),
            Binding(
                "space",
                "mark",
                "Mark",
                tooltip="Mark people for the overlap finder",
                id="roster.mark",
            ),
            Binding(
                "o",
                "overlap",
                "Overlap",
                tooltip="Best meeting slots for the marked people",
                id="roster.overlap",
            ),
        ],
    )
    COLUMNS = (
        ("name", "Name", 20),
        ("side", "Side", None),
        ("role", "Role", 22),
        ("team", "Team", 12),
        ("local", "Local time", None),
        ("contact", "Last contact", None),
        ("onboarding", "Onb.", None),
        ("steps", "Steps", None),
    )
    EMPTY_TEXT = "Nobody on this engagement yet: press n to add a person."

    def __init__(self) -> None:
        super().__init__()
        self.marked: set[int] = set()

    def on_mount(self) -> None:  # ListingScreen's runs as well: Textual calls each class's
        # Local times and "… ago" move with the clock, and the table keeps the rows it has
        # laid out: they are laid out again on each new minute.
        now = self.rapport.now()
        # A little after the turn: a timer may fire a hair early.
        self.set_timer(60.05 - now.second - now.microsecond / 1e6, self._each_minute)

    def _each_minute(self) -> None:
        self.table.refresh_cells()
        self.set_interval(60, self.table.refresh_cells)

    def fetch(self) -> list[PersonRow]:
        return self.rapport.rows("roster")  # type: ignore[no-any-return]

    def fetch_some(self, ids: Sequence[int]) -> list[PersonRow] | None:
        # After a check-in the people on screen show their new last contact at once.
        app = self.rapport
        return queries.roster(app.store, app.engagement_id, app.today(), people=ids)

    def refresh_people(self, people: frozenset[int]) -> None:
        """Reload only these people's rows (after a check-in that touched no one else)."""
        self.refresh_rows(only=people)

    def fetch_first(self) -> list[PersonRow] | None:
        # Everyone's last contact is one pass over all check-ins (most of a large roster's
        # read); a screenful of people costs a few index lookups, so it is shown first.
        app = self.rapport
        if app.cached("roster") is not None:
            return None
        # A screenful: the terminal's height is more rows than the table shows. (A page of
        # 100 cost 8 ms more than one of 40 at 5,000 people, all before the first frame.)
        page = max(app.size.height, 1)
        return queries.roster(app.store, app.engagement_id, app.today(), limit=page)

    def cells(self, row: PersonRow) -> Sequence[Cell]:
        now = self.rapport.now()
        return (
            fmt.cell(f"● {row.name}" if row.id in self.marked else row.name),
            fmt.cell(row.side),
            fmt.cell(row.role),
            fmt.cell(row.team),
            fmt.clock_cell(row.timezone, row.work_start, row.work_end, now),
            contact_cell(row, now),
            onboarding_cell(row),
            Text(str(len(row.open_steps)) if row.open_steps else ""),
        )

    def haystack(self, row: PersonRow) -> str:
        return " ".join(
            (row.name, row.key, row.side, row.organisation, row.role, row.team, row.timezone)
        )

    def detail(self, row: PersonRow) -> Content:
        now = self.rapport.now()
        return fmt.detail(
            row.name,
            [
                ("Side", row.side),
                ("Organisation", row.organisation),
                ("Role", row.role),
                ("Team", row.team),
                ("Email", row.email),
                ("Time zone", row.timezone),
                ("Local time", fmt.clock_line(row.timezone, row.work_start, row.work_end, now)),
                ("Hours", format_hours(row.work_start, row.work_end)),
                (
                    "Last contact",
                    fmt.ago(row.last_contact, now)
                    + (
                        f" (past their {row.contact_target}-day target)"
                        if row.losing_touch
                        else f" (target: every {row.contact_target} days)"
                    ),
                ),
                (
                    "Onboarding",
                    f"{row.onboarding}/4"
                    + (" — joined after the kickoff, not onboarded" if row.late_joiner else ""),
                ),
                (
                    "At kickoff",
                    "yes" if row.at_kickoff else ("onboarded later" if row.onboarded else "no"),
                ),
                ("Role agreed", "yes" if row.role_agreed else "no"),
                ("First 1:1", fmt.day(row.first_one_on_one_known) or "not yet"),
                ("Met in person", "yes" if row.met_in_person_known else "no"),
                ("Key", row.key),
            ],
            ("Responsibilities", row.responsibilities),
            (
                "Open next steps",
                fmt.steps_block(row.open_steps, self.rapport.today(), owners=False),
            ),
            ("", "enter: notes · h: check-ins · b: briefing"),
        )

    def action_open(self) -> None:
        row = self.selected()
        if row is not None:
            self.app.call_later(self.rapport.show_notes_for, row.id, row.name)

    def action_mark(self) -> None:
        """Mark people for the overlap finder (o)."""
        if (row := self.selected()) is not None:
            self.marked ^= {row.id}
            self.fill()
            self.notify(f"{len(self.marked)} marked: o finds a slot for them", timeout=2)

    def action_overlap(self) -> None:
        ids = [row.id for row in self.rows if row.id in self.marked]
        if not ids and (row := self.selected()) is not None:
            ids = [row.id]
        if ids:
            names = [row.name for row in self.rows if row.id in ids]
            title = ", ".join(names) if len(names) <= 4 else f"{len(names)} people"
            self.rapport.open_overlap(title, person_ids=ids)

    def action_history(self) -> None:
        if (row := self.selected()) is not None:
            self.rapport.open_history(row.name, person_id=row.id)

    def action_brief(self) -> None:
        if (row := self.selected()) is not None:
            self.rapport.open_briefing(person_id=row.id)

    def form(self, row: PersonRow | None) -> FormScreen:
        from tui.widgets.form import FormScreen

        return FormScreen(
            f"Edit {row.name}" if row else "New person",
            person_fields(row),
        )

    def save(self, values: Values, row: PersonRow | None) -> str:
        from store import edits

        start, end = values.pop("hours")
        person = edits.PersonValues(**values, work_start=start, work_end=end)
        edits.save_person(
            self.rapport.store,
            self.rapport.engagement_id,
            person,
            row.id if row else None,
            row.version if row else None,
        )
        return f"Saved {person.name}"

    def delete_record(self, row: PersonRow) -> str:
        from store import edits

        edits.delete_person(self.rapport.store, row.id)
        return f"Deleted {row.name}"

    def describe(self, row: PersonRow) -> str:
        return f"{row.name} with their notes and attendance"


def person_fields(row: PersonRow | None) -> list[Field]:
    # The form's module loads when a form is first opened, not before the first paint.
    from tui.widgets.form import Field, date_text, text_parser

    sides = [(side.value, side.value) for side in Side]
    return [
        Field("name", "Name", value=row.name if row else "", parse=text_parser(NAME_LEN, required=True)),
        Field("key", "Key (short, unique: a-z 0-9 - _)", value=row.key if row else "",
              parse=check_key),
        Field("side", "Side", "choice", value=row.side if row else "ours", choices=sides),
        Field("organisation", "Organisation", value=row.organisation if row else "",
              parse=text_parser(SHORT_LEN)),
        Field("role", "Role", value=row.role if row else "", parse=text_parser(SHORT_LEN)),
        Field("responsibilities", "Responsibilities", "long",
              value=row.responsibilities if row else "", parse=text_parser(TEXT_LEN, multiline=True)),
        Field("team", "Team or sub-project", value=row.team if row else "",
              parse=text_parser(SHORT_LEN)),
        Field("timezone", "Time zone (IANA, e.g. America/Denver)",
              value=row.timezone if row else "Europe/Berlin",
              parse=check_timezone),
        Field("hours", "Working hours (local)",
              value=format_hours(row.work_start, row.work_end) if row else "09:00-17:00",
              parse=parse_hours),
        Field("email", "Email", value=row.email if row else "", parse=check_email),
        Field("at_kickoff", "Was at the kickoff", "flag", value=row.at_kickoff if row else False),
        Field("first_one_on_one", "First one-on-one (YYYY-MM-DD)",
              value=date_text(row.first_one_on_one) if row else "", parse=parse_optional_date),
        Field("met_in_person", "Met in person", "flag", value=row.met_in_person if row else False),
        Field("onboarded", "Onboarded after the kickoff", "flag", value=row.onboarded if row else False),
        Field("role_agreed", "Role and responsibilities agreed", "flag",
              value=row.role_agreed if row else False),
        Field("contact_every", "Be in touch every N days (empty: the default for their side)",
              value=str(row.contact_every) if row and row.contact_every else "",
              parse=_contact_days),
    ]  # fmt: skip
