"""What the four main screens share: a filterable table of records beside a detail pane.

A screen says how to fetch its rows (a store call, run in a thread worker), how to show one
row as cells and as detail, and which form edits it. Loading, filtering, the cursor keys,
new/edit/delete and refreshing after a change live here, once.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Input, Static
from textual.worker import Worker, WorkerState

from tui.data import FIRST_PAINT_WAIT
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.key_bar import KeyBar
from tui.widgets.record_table import RecordTable
from tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from tui.app import RapportApp
    from tui.widgets.form import FormScreen, Values

Row = TypeVar("Row")
Cell = str | Text


def listing_bindings(screen: str, *, extra: Sequence[BindingType] = ()) -> list[BindingType]:
    """The verbs every list has, with stable ids (`roster.new`) so keys can be remapped."""
    return [
        Binding("n", "new", "New", tooltip="Create a new one", id=f"{screen}.new"),
        Binding("e", "edit", "Edit", tooltip="Edit the selected one", id=f"{screen}.edit"),
        Binding("delete", "delete", "Delete", tooltip="Delete (asks first)", id=f"{screen}.delete"),
        # A priority binding runs as the key arrives, before the keys queued behind it are
        # handed to the focused widget: "/hart" typed or pasted in one burst all reaches the
        # filter field (check_action lets "/" through as text once the field has focus).
        Binding(
            "slash",
            "filter",
            "Filter",
            tooltip="Filter the list",
            id=f"{screen}.filter",
            priority=True,
        ),  # fmt: skip
        Binding("escape", "clear_filter", "Clear", show=False, id=f"{screen}.clear_filter"),
        # Enter in the filter goes back to the list at once, for the same reason: "/kowa⏎l"
        # in one burst must log a call, not filter on "kowal" (elsewhere enter is the list's).
        Binding(
            "enter",
            "filter_done",
            "Done",
            show=False,
            id=f"{screen}.filter_done",
            priority=True,
        ),  # fmt: skip
        *extra,
    ]


class ListingScreen(Screen[None], Generic[Row]):
    """A screen listing records of one kind; subclasses fill in the blanks."""

    TITLE_NOUN: ClassVar[str] = "item"
    # (key, label, width): long text gets a fixed width so short columns stay on screen.
    COLUMNS: ClassVar[Sequence[tuple[str, str, int | None]]] = ()
    EMPTY_TEXT: ClassVar[str] = "Nothing here yet: press n to add one."
    AUTO_FOCUS = "#records"

    has_selection: reactive[bool] = reactive(False, bindings=True)
    filter_text: reactive[str] = reactive("", init=False)

    class Loaded(Message):
        def __init__(self, rows: Sequence[Any], version: int, *, first: bool = False) -> None:
            super().__init__()
            self.rows = rows
            self.version = version
            self.first = first  # only the first page; the whole list follows
            # Set once the first page is on screen: the whole read waits for it, so that it
            # does not take the GIL from the first paint.
            self.painted = threading.Event()

    def __init__(self) -> None:
        super().__init__()
        self.rows: Sequence[Row] = []
        # Casefolded, one per row, so `/` is one pass of `in`; made when a filter is first
        # typed (at 25,000 notes they are megabytes a lead who never filters does not need).
        self._haystacks: list[str] | None = None
        # The rows in the table, in its order: the cursor's index picks the selected one
        # (no map by id, which at 25,000 notes held more than a megabyte).
        self._visible: Sequence[Row] = []
        self._asked_version = -1  # the data version last asked for
        self._pending_id: int | None = None

    @property
    def rapport(self) -> RapportApp:
        return self.app  # type: ignore[return-value]

    # ---- what a subclass provides -------------------------------------------------------

    def fetch(self) -> Sequence[Row]:
        """Rows from the store (runs in a thread: no widget access)."""
        raise NotImplementedError

    def fetch_some(self, ids: Sequence[int]) -> list[Row] | None:
        """These records as they are now, if the screen can read a few much faster than all
        its rows (runs in a thread); after a change they are updated in place while the rest
        is read. None: no such shortcut."""
        return None

    def fetch_first(self) -> list[Row] | None:
        """The first screenful, if the screen can read it much faster than all its rows (runs
        in a thread); shown while the rest is read. None: no such shortcut, or not needed."""
        return None

    def row_id(self, row: Row) -> int:
        return row.id  # type: ignore[attr-defined,no-any-return]

    def ids_of(self, rows: Sequence[Row]) -> Sequence[int]:
        """The records of these rows, in order (a screen that holds ids knows them already)."""
        return [self.row_id(row) for row in rows]

    def cells(self, row: Row) -> Sequence[Cell]:
        raise NotImplementedError

    def haystack(self, row: Row) -> str:
        """The text `/` filters on."""
        return " ".join(str(cell) for cell in self.cells(row))

    def keep(self, row: Row) -> bool:
        """A screen's own filter on top of `/` (e.g. open decisions only)."""
        return True

    def detail(self, row: Row) -> Content:
        raise NotImplementedError

    def form(self, row: Row | None) -> FormScreen | None:
        return None

    def save(self, values: Values, row: Row | None) -> str:
        """Write the form's values (runs in a thread); returns what to tell the user."""
        raise NotImplementedError

    def remove(self, row: Row) -> str:
        raise NotImplementedError

    def describe(self, row: Row) -> str:
        return self.TITLE_NOUN

    # ---- layout ----------------------------------------------------------------------

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Horizontal(classes="listing"):
            with Vertical(classes="list-column"):
                yield Input(placeholder="Filter… (escape clears)", id="filter")
                yield RecordTable(id="records")
                yield Static("", id="empty", classes="empty")
            with VerticalScroll(id="detail-pane"):
                yield Static("", id="detail")
        yield KeyBar()

    @property
    def table(self) -> RecordTable:
        return self.query_one("#records", RecordTable)

    def on_mount(self) -> None:
        self.watch(self.table, "cursor_row", self._show_detail, init=False)
        for key, label, width in self.COLUMNS:
            self.table.add_column(label, key=key, width=width)
        # Read here, before the screen's first frame, the first page is painted once with its
        # rows instead of empty and then again (about 40 ms of a cold start).
        version = self.rapport.data_version
        if not self.rapport.store.local or (page := self.fetch_first()) is None:
            self.refresh_rows()
            return
        first = self.Loaded(page, version, first=True)
        self._loaded(first)
        self._asked_version = version
        self._fetch(version, False, (), after=first.painted)

    def on_screen_resume(self) -> None:
        # Shown again after a change, and not already reloading for it (mounting asks too).
        if self._asked_version != self.rapport.data_version:
            self.refresh_rows()
        self.table.focus()

    # ---- loading ---------------------------------------------------------------------

    def refresh_rows(self, only: Collection[int] | None = None) -> None:
        """Read the rows again: all of them (the ones on screen first, if fetch_some can), or
        with `only`, just those records, when a change touched no others."""
        self.table.loading = not self.rows
        self._asked_version = self.rapport.data_version
        if only is not None and self.rows:
            self._fetch(self.rapport.data_version, False, sorted(only), everything=False)
        else:
            self._fetch(self.rapport.data_version, not self.rows, self.table.ids_on_screen())

    @work(thread=True, exclusive=True, exit_on_error=False, group="fetch")
    def _fetch(
        self,
        version: int,
        first: bool,
        some: Sequence[int],
        *,
        everything: bool = True,
        after: threading.Event | None = None,
    ) -> None:
        if after is not None:  # the first page, shown already: its paint comes first
            after.wait(timeout=FIRST_PAINT_WAIT)
        if first and (page := self.fetch_first()) is not None:
            loaded = self.Loaded(page, version, first=True)
            self.post_message(loaded)
            loaded.painted.wait(timeout=FIRST_PAINT_WAIT)
        elif some and (fresh := self.fetch_some(some)) is not None:
            self.post_message(self.Patched(fresh))
            if not everything:
                return
        rows = self.fetch()
        self.post_message(self.Loaded(rows, version))

    def _haystacks_of(self, rows: Sequence[Row]) -> list[str]:
        return [self.haystack(row).casefold() for row in rows]

    class Patched(Message):
        def __init__(self, rows: list[Any]) -> None:
            super().__init__()
            self.rows = rows

    @on(Patched)
    def _patched(self, message: Patched) -> None:
        """Rows on screen updated in place; which rows are shown waits for the full read."""
        fresh = {self.row_id(row): row for row in message.rows}
        # Copies: the lists may be shared with other screens (tui.data).
        rows = list(self.rows)
        for index, row in enumerate(rows):
            if (new := fresh.get(self.row_id(row))) is not None:
                rows[index] = new
                if self._haystacks is not None:
                    self._haystacks[index] = self._haystacks_of([new])[0]
        self.rows = rows
        self.fill(changed=fresh.keys())

    @on(Loaded)
    def _loaded(self, message: Loaded) -> None:
        self.rows = message.rows
        self.rows_replaced()
        self.table.loading = False
        if message.first:
            self.fill()
            self.call_after_refresh(message.painted.set)
            return
        pending, self._pending_id = self._pending_id, None
        if pending is not None:
            self.reveal(pending)
        self.fill(select_id=pending)
        self.rapport.warm()

    def rows_replaced(self) -> None:
        """New rows were read: what was worked out from the old ones is stale."""
        self._haystacks = None

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            self.table.loading = False
            error = event.worker.error
            assert error is not None
            said = self.rapport.store.describe_failure(error)  # no values, names a damaged file
            self.notify(said, severity="error", markup=False)

    def visible_rows(self) -> Sequence[Row]:
        needle = self.filter_text.casefold().strip()
        if not needle:
            return [row for row in self.rows if self.keep(row)]
        if self._haystacks is None:
            self._haystacks = self._haystacks_of(self.rows)
        return [
            row
            for row, haystack in zip(self.rows, self._haystacks, strict=True)
            if needle in haystack and self.keep(row)
        ]

    def fill(
        self,
        select_id: int | None = None,
        changed: Collection[int] | None = None,
        *,
        measure: bool = True,
    ) -> None:
        """Put the visible rows into the table, keeping the cursor on the same record.

        `changed`: the records whose rows were replaced, if that is all that happened; when
        the same records are still shown, only their rows are measured again.
        `measure=False`: the columns keep their widths (RecordTable.show).
        """
        self._visible = visible = self.visible_rows()
        ids = self.ids_of(visible)
        # Cells are made only for the rows on screen, when they are painted.
        self.table.show(
            ids,
            lambda index: self.cells(visible[index]),
            cursor_id=select_id,
            changed=None if changed is None else [n for n, i in enumerate(ids) if i in changed],
            measure=measure,
        )
        self.has_selection = bool(visible)
        empty = self.query_one("#empty", Static)
        empty.update(self.EMPTY_TEXT if not self.rows else "No match.")
        empty.display = not visible
        self._show_detail()

    def focus_record(self, record_id: int) -> None:
        """Select a record, clearing what would hide it (used when jumping from Today)."""
        self.reveal(record_id)
        field = self.query_one("#filter", Input)
        field.value = ""
        field.display = False
        self.filter_text = ""
        self._pending_id = record_id
        if self.row_by_id(record_id) is not None:
            self.fill(select_id=record_id)
        self.table.focus()

    def reveal(self, record_id: int) -> None:
        """Undo a screen's own filter if it hides this record (a subclass knows which)."""

    def selected(self) -> Row | None:
        if not self._visible or self.table.row_count != len(self._visible):
            return None
        return self._visible[self.table.cursor_row]

    def row_by_id(self, record_id: int) -> Row | None:
        """One of the loaded rows (a pass over them: for a jump, not for every key)."""
        return next((row for row in self.rows if self.row_id(row) == record_id), None)

    def _show_detail(self) -> None:
        row = self.selected()
        pane = self.query_one("#detail", Static)
        content = self.detail(row) if row is not None else Content("")
        # A layout only when the box must grow or shrink: one reflows the whole screen, and
        # Textual then repaints the scrollbars in two more frames. The box is at least as
        # tall as the pane (app.tcss), so any text that fits the pane fits it as it is.
        width, height = pane.content_size
        room = pane.parent.scrollable_content_region.height if pane.parent else 0
        needed = max(content.get_height(pane.styles, width), room) if width else -1
        pane.update(content, layout=needed != height)

    @on(RecordTable.RowSelected, "#records")
    def _open(self) -> None:
        self.action_open()

    # ---- filtering -------------------------------------------------------------------

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        # At once, not after the next refresh as focus() does: the next key of "/hart" is
        # handed to whatever has focus right after this returns.
        self.set_focus(field)

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self.filter_text = event.value

    def action_filter_done(self) -> None:
        self.set_focus(self.table)

    def watch_filter_text(self) -> None:
        if not self.filter_text:
            # Held while one filters only: at 5,000 people they are 0.8 MiB, and making
            # them again costs the next filter's first keystroke about 10 ms.
            self._haystacks = None
        # The columns keep the widths the whole list gave them: they do not jump as one
        # types, and a keystroke at 5,000 rows does not measure 200 of them again.
        self.fill(measure=False)

    def action_clear_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.value = ""
        field.display = False
        self.filter_text = ""
        self.table.focus()

    # ---- verbs -----------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        in_filter = self.focused is not None and self.focused.id == "filter"
        if action == "filter" and in_filter:
            return False  # typed into the filter as text
        if action == "filter_done" and not in_filter:
            return False  # the key goes on to the list (enter opens the selected record)
        if (
            action in ("edit", "delete", "open", "history", "brief", "mark", "overlap")
            and not self.has_selection
        ):
            return None
        return True

    def action_open(self) -> None:
        self.action_edit()

    def action_new(self) -> None:
        self._edit(None)

    def action_edit(self) -> None:
        row = self.selected()
        if row is not None:
            self._edit(row)

    def _edit(self, row: Row | None) -> None:
        form = self.form(row)
        if form is None:
            return

        def saved(values: Values | None) -> None:
            if values is not None:
                self.run_write(lambda: self.save(values, row))

        self.app.push_screen(form, saved)

    def action_delete(self) -> None:
        row = self.selected()
        if row is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.run_write(lambda: self.remove(row))

        self.app.push_screen(ConfirmScreen(f"Delete {self.describe(row)}?"), answered)

    @work(thread=True, exit_on_error=False, group="write")
    def run_write(self, change: Callable[[], str]) -> None:
        """Run a store change off the UI thread, then tell the user and refresh every screen."""
        from store.edits import ConflictError, EditError

        try:
            said = change()
        except ConflictError as error:
            # Someone else's change wins the race; show it, and let the user edit again.
            self.app.call_from_thread(self.notify, str(error), severity="warning", markup=False)
            self.app.call_from_thread(self.rapport.after_write_elsewhere)
            return
        except EditError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        self.app.call_from_thread(self.rapport.after_write, said)
