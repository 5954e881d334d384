"""Roster: who is on the engagement, ours and theirs, and when we last spoke to them."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.content import Content

from store import edits, queries
from store.fields import (
    check_key,
    check_timezone,
    format_hours,
    parse_hours,
    parse_optional_date,
)
from store.models import NAME_LEN, SHORT_LEN, TEXT_LEN, Side
from store.queries import PersonRow
from tui import format as fmt
from tui.screens.listing import Cell, ListingScreen, listing_bindings
from tui.widgets.form import Field, FormScreen, Values, date_text, text_parser


def onboarding(row: PersonRow) -> str:
    done = sum((row.at_kickoff, row.first_one_on_one is not None, row.met_in_person))
    return f"{done}/3"


class RosterScreen(ListingScreen[PersonRow]):
    TITLE_NOUN = "person"
    BINDINGS = listing_bindings(
        "roster",
        extra=[
            Binding(
                "h", "history", "Check-ins", tooltip="Check-ins and next steps", id="roster.history"
            ),
            Binding("b", "brief", "Briefing", tooltip="Briefing before a call", id="roster.brief"),
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

    def fetch(self) -> list[PersonRow]:
        return queries.roster(self.rapport.store, self.rapport.engagement_id)

    def cells(self, row: PersonRow) -> Sequence[Cell]:
        now = self.rapport.now()
        return (
            fmt.cell(row.name),
            fmt.cell(row.side),
            fmt.cell(row.role),
            fmt.cell(row.team),
            fmt.clock_cell(row.timezone, row.work_start, row.work_end, now),
            Text(fmt.ago(row.last_contact, now)),
            Text(onboarding(row)),
            Text(str(len(row.open_steps)) if row.open_steps else ""),
        )

    def haystack(self, row: PersonRow) -> str:
        return " ".join(
            (row.name, row.key, row.side, row.organisation, row.role, row.team, row.timezone)
        )

    def detail(self, row: PersonRow) -> Content:
        now = self.rapport.now()
        local = fmt.local_time(row.timezone, now)
        inside = fmt.in_hours(local, row.work_start, row.work_end)
        return fmt.detail(
            row.name,
            [
                ("Side", row.side),
                ("Organisation", row.organisation),
                ("Role", row.role),
                ("Team", row.team),
                ("Email", row.email),
                ("Time zone", row.timezone),
                (
                    "Local time",
                    f"{local:%H:%M %a} ({'working hours' if inside else 'outside working hours'})",
                ),
                ("Hours", format_hours(row.work_start, row.work_end)),
                ("Last contact", fmt.ago(row.last_contact, now)),
                ("At kickoff", "yes" if row.at_kickoff else "no"),
                ("First 1:1", fmt.day(row.first_one_on_one) or "not yet"),
                ("Met in person", "yes" if row.met_in_person else "no"),
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

    def action_history(self) -> None:
        if (row := self.selected()) is not None:
            self.rapport.open_history(row.name, person_id=row.id)

    def action_brief(self) -> None:
        if (row := self.selected()) is not None:
            self.rapport.open_briefing(person_id=row.id)

    def form(self, row: PersonRow | None) -> FormScreen:
        return FormScreen(
            f"Edit {row.name}" if row else "New person",
            person_fields(row),
        )

    def save(self, values: Values, row: PersonRow | None) -> str:
        start, end = values.pop("hours")
        person = edits.PersonValues(**values, work_start=start, work_end=end)
        edits.save_person(
            self.rapport.store, self.rapport.engagement_id, person, row.id if row else None
        )
        return f"Saved {person.name}"

    def remove(self, row: PersonRow) -> str:
        edits.delete_person(self.rapport.store, row.id)
        return f"Deleted {row.name}"

    def describe(self, row: PersonRow) -> str:
        return f"{row.name} with their notes and attendance"


def person_fields(row: PersonRow | None) -> list[Field]:
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
        Field("email", "Email", value=row.email if row else "", parse=text_parser(SHORT_LEN)),
        Field("at_kickoff", "Was at the kickoff", "flag", value=row.at_kickoff if row else False),
        Field("first_one_on_one", "First one-on-one (YYYY-MM-DD)",
              value=date_text(row.first_one_on_one) if row else "", parse=parse_optional_date),
        Field("met_in_person", "Met in person", "flag", value=row.met_in_person if row else False),
    ]  # fmt: skip
