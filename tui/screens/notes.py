"""Notes: what to remember about each person, personal and professional.

A large engagement has tens of thousands of notes, so the list holds their ids only and
reads the rows it shows a page at a time (tui.paged); `/` asks the database which notes
contain the words instead of searching every note's text in memory.
"""

from __future__ import annotations

import datetime as dt
from array import array
from collections.abc import Collection, Sequence

from rich.text import Text
from textual import on, work
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive

from store import queries
from store.db import Store
from store.fields import parse_date, parse_optional_date
from store.queries import NoteOrder, NoteRow
from store.tables import TEXT_LEN, NoteKind
from tui import format as fmt
from tui.paged import PagedRows, RowReader
from tui.screens.listing import Cell, ListingScreen, listing_bindings
from tui.widgets.form import Field, FormScreen, Values, date_text, text_parser


def _first_line(text: str) -> str:
    return text.splitlines()[0] if text else ""


def _follow_up_cell(row: NoteRow, today: dt.date) -> Text:
    if row.follow_up is not None and row.follow_up_done is not None:
        return Text(f"{fmt.short_day(row.follow_up, today)} ✓", style="dim")
    return fmt.due_cell(row.follow_up, today)


def _mark_follow_up(store: Store, row: NoteRow, done_on: dt.date | None) -> str:
    from store import edits

    edits.mark_follow_up(store, row.id, done_on)
    return f"Followed up: {_first_line(row.text)}" if done_on else "Follow-up to do again"


class NoteList(PagedRows[NoteRow]):
    """Every note of the engagement, in list order, with whom each is about (for the
    person filter, which then needs no reads)."""

    def __init__(self, order: NoteOrder, reader: RowReader[NoteRow]) -> None:
        super().__init__(order.ids, reader)
        self.person_ids = order.person_ids


def _deleted(note_id: int) -> NoteRow:
    # Deleted by another window after the list was read; the next look for changes (or
    # the next save) reads the list again and drops it.
    return NoteRow(note_id, 0, "", dt.date.min, "", "(deleted meanwhile)", False, None)


class NotesScreen(ListingScreen[NoteRow]):
    TITLE_NOUN = "note"
    BINDINGS = listing_bindings(
        "notes",
        extra=[
            Binding("x", "follow_up_done", "Followed up", id="notes.follow_up_done",
                    tooltip="Mark the follow-up done (or still to do again)"),
        ],
    )  # fmt: skip
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

    class Found(Message):
        """The notes containing `needle`, by id (the database's answer to `/`)."""

        def __init__(self, needle: str, ids: Collection[int], rows: Sequence[NoteRow]) -> None:
            super().__init__()
            self.needle = needle
            self.ids = ids
            self.rows = rows  # the list searched: an answer for an older one is stale

    def __init__(self) -> None:
        super().__init__()
        self._found: NotesScreen.Found | None = None  # the answer for the last words searched

    def fetch(self) -> NoteList:
        store = self.rapport.store
        order: NoteOrder = self.rapport.rows("notes")
        # A reader per read of the list: rows it kept are as old as the list.
        return NoteList(order, RowReader(lambda ids: queries.notes_by_id(store, ids), _deleted))

    def fetch_one(self, record_id: int) -> NoteRow | None:
        return queries.notes_by_id(self.rapport.store, [record_id]).get(record_id)

    def ids_of(self, rows: Sequence[NoteRow]) -> Sequence[int]:
        return rows.ids if isinstance(rows, PagedRows) else super().ids_of(rows)

    def row_by_id(self, record_id: int) -> NoteRow | None:
        return self.rows.find(record_id) if isinstance(self.rows, PagedRows) else None

    def _needle(self) -> str:
        return self.filter_text.lower().strip()

    def visible_rows(self) -> Sequence[NoteRow]:
        notes = self.rows
        if not isinstance(notes, NoteList):
            return []  # not read yet
        needle = self._needle()
        found: Collection[int] | None = None
        if needle:
            answer = self._found
            if answer is None or answer.needle != needle or answer.rows is not notes:
                return self._visible  # until the database answers (Found)
            found = answer.ids
        person = self.person_filter[0] if self.person_filter else None
        if found is None and person is None:
            return notes
        return notes.where(
            array(
                "q",
                (
                    note_id
                    for note_id, person_id in zip(notes.ids, notes.person_ids, strict=True)
                    if (person is None or person_id == person)
                    and (found is None or note_id in found)
                ),
            )
        )

    def watch_filter_text(self) -> None:
        self._search()
        super().watch_filter_text()

    def rows_replaced(self) -> None:
        super().rows_replaced()
        self._search()

    def _search(self) -> None:
        if (needle := self._needle()) and isinstance(self.rows, NoteList):
            self._find(needle, self.rows)

    # Not exclusive: an answer for words typed since is dropped when it arrives (_answered).
    @work(thread=True, exit_on_error=False, group="search")
    def _find(self, needle: str, rows: NoteList) -> None:
        ids = queries.notes_matching(self.rapport.store, self.rapport.engagement_id, needle)
        self.post_message(self.Found(needle, ids, rows))

    @on(Found)
    def _answered(self, message: Found) -> None:
        if message.needle == self._needle() and message.rows is self.rows:
            self._found = message
            self.fill(measure=False)

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
            _follow_up_cell(row, today),
            fmt.cell(_first_line(row.text)),
        )

    def detail(self, row: NoteRow) -> Content:
        return fmt.detail(
            f"{row.person} · {row.kind}",
            [
                ("Noted", fmt.day(row.on)),
                ("Author", row.author),
                ("Private", "yes: only its author can read it" if row.private else ""),
                ("Pinned", "yes" if row.pinned else ""),
                ("Follow up", fmt.day(row.follow_up)),
                # Only once done: an empty label would still widen the others.
                *([("Followed up", fmt.day(row.follow_up_done))] if row.follow_up_done else []),
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

    def delete_record(self, row: NoteRow) -> str:
        from store import edits

        edits.delete_note(self.rapport.store, row.id)
        return "Deleted the note"

    def describe(self, row: NoteRow) -> str:
        return f"this note about {row.person}"

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "follow_up_done" and not self.has_selection:
            return None
        return super().check_action(action, parameters)

    def action_follow_up_done(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row.follow_up is None:
            self.notify("This note has no follow-up.", severity="warning")
            return
        done_on = self.rapport.today() if row.follow_up_open else None
        self.run_write(lambda: _mark_follow_up(self.rapport.store, row, done_on))
