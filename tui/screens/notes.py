"""Notes: what to remember about each person, personal and professional."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.content import Content
from textual.reactive import reactive

from store import queries
from store.fields import parse_date, parse_optional_date
from store.queries import NoteRow
from store.tables import TEXT_LEN, NoteKind
from tui import format as fmt
from tui.screens.listing import Cell, ListingScreen, listing_bindings
from tui.widgets.form import Field, FormScreen, Values, date_text, text_parser


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


class NotesScreen(ListingScreen[NoteRow]):
    TITLE_NOUN = "note"
    BINDINGS = listing_bindings("notes")
    COLUMNS = (
        ("person", "Person", 18),
        ("on", "Date", None),
        ("kind", "Kind", None),
        ("pinned", "Pin", None),
        ("follow_up", "Follow up", None),
        ("text", "Note", 40),
    )
    EMPTY_TEXT = "No notes yet: press n to remember something about someone."

    person_filter: reactive[tuple[int, str] | None] = reactive(None, init=False)

    def fetch(self) -> list[NoteRow]:
        return self.rapport.rows("notes")  # type: ignore[no-any-return]

    def keep(self, row: NoteRow) -> bool:
        return self.person_filter is None or row.person_id == self.person_filter[0]

    def watch_person_filter(self) -> None:
        self.sub_title = f"about {self.person_filter[1]}" if self.person_filter else ""
        if self.is_mounted:
            self.fill()

    def reveal(self, record_id: int) -> None:
        self.person_filter = None

    def action_clear_filter(self) -> None:
        self.person_filter = None
        super().action_clear_filter()

    def cells(self, row: NoteRow) -> Sequence[Cell]:
        today = self.rapport.today()
        return (
            fmt.cell(row.person),
            Text(fmt.short_day(row.on, today)),
            fmt.cell(row.kind),
            Text("📌" if row.pinned else ""),
            fmt.due_cell(row.follow_up, today),
            fmt.cell(_first_line(row.text)),
        )

    def haystack(self, row: NoteRow) -> str:
        return " ".join((row.person, row.kind, row.text))

    def detail(self, row: NoteRow) -> Content:
        return fmt.detail(
            f"{row.person} · {row.kind}",
            [
                ("Noted", fmt.day(row.on)),
                ("Author", row.author),
                ("Private", "yes: only its author can read it" if row.private else ""),
                ("Pinned", "yes" if row.pinned else ""),
                ("Follow up", fmt.day(row.follow_up)),
            ],
            ("Note", row.text),
        )

    def form(self, row: NoteRow | None) -> FormScreen | None:
        people = queries.people_choices(self.rapport.store, self.rapport.engagement_id)
        if not people:
            self.notify("Add a person on the Roster first.", severity="warning")
            return None
        default_person = self.person_filter[0] if self.person_filter else people[0][1]
        return FormScreen(
            "Edit note" if row else "New note",
            [
                Field("person_id", "About", "choice",
                      value=row.person_id if row else default_person, choices=people),
                Field("text", "Note", "long", value=row.text if row else "",
                      parse=text_parser(TEXT_LEN, required=True, multiline=True)),
                Field("kind", "Kind", "choice", value=row.kind if row else "personal",
                      choices=[(kind.value, kind.value) for kind in NoteKind]),
                Field("on", "Noted on (YYYY-MM-DD)",
                      value=date_text(row.on if row else self.rapport.today()), parse=parse_date),
                Field("pinned", "Pinned (always in the briefing)", "flag",
                      value=row.pinned if row else False),
                Field("private", "Private (only you can read it)", "flag",
                      value=row.private if row else False),
                Field("follow_up", "Follow up from (YYYY-MM-DD)",
                      value=date_text(row.follow_up if row else None), parse=parse_optional_date),
            ],
        )  # fmt: skip

    def save(self, values: Values, row: NoteRow | None) -> str:
        from store import edits

        edits.save_note(
            self.rapport.store,
            edits.NoteValues(**values),
            row.id if row else None,
            row.version if row else None,
        )
        return "Saved the note"

    def remove(self, row: NoteRow) -> str:
        from store import edits

        edits.delete_note(self.rapport.store, row.id)
        return "Deleted the note"

    def describe(self, row: NoteRow) -> str:
        return f"this note about {row.person}"
