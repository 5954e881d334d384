"""A table of records that stays instant at any length.

Textual's DataTable measures and renders every cell of every row, so 10k rows take seconds
before the first paint. This one is a line-API widget: it holds the record ids in display
order and a function that turns the n-th into cells, and renders only the lines on screen.
A cursor move repaints two lines; a new filter swaps a list of ids.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from rich.cells import cell_len
from rich.segment import Segment
from rich.style import Style
from rich.text import Text
from textual import events
from textual.binding import Binding
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import var
from textual.scroll_view import ScrollView
from textual.strip import Strip

Cell = str | Text
Cells = Callable[[int], Sequence[Cell]]

# Auto-sized columns are measured on this many rows: enough to be right on every screen a
# person reads, and bounded however long the list is.
MEASURED_ROWS = 200
MAX_AUTO_WIDTH = 40
PADDING = 1  # a space either side of every cell, as DataTable has


@dataclass
class Column:
    key: str
    label: str
    width: int | None  # None: fitted to the label and the first rows
    shown: int = 0  # the width in use


class RecordTable(ScrollView, can_focus=True):
    """One row per record, keyed by its database id, with a row cursor and vi keys."""

    COMPONENT_CLASSES = {
        "record-table--header",
        "record-table--cursor",
        "record-table--even-row",
    }
    DEFAULT_CSS = """
    RecordTable {
        background: $surface;
        color: $foreground;
        height: auto;
        max-height: 100%;
        &:focus {
            background-tint: $foreground 5%;
            & > .record-table--cursor {
                background: $block-cursor-background;
                color: $block-cursor-foreground;
                text-style: $block-cursor-text-style;
            }
        }
        & > .record-table--header {
            text-style: bold;
            background: $panel;
            color: $foreground;
        }
        & > .record-table--even-row {
            background: $surface-lighten-1 50%;
        }
        &:dark > .record-table--even-row {
            background: $surface-darken-1 40%;
        }
        & > .record-table--cursor {
            background: $block-cursor-blurred-background;
            color: $block-cursor-blurred-foreground;
            text-style: $block-cursor-blurred-text-style;
        }
    }
    """
    BINDINGS = [
        Binding("up,k", "cursor_up", "Up", show=False, id="table.up"),
        Binding("down,j", "cursor_down", "Down", show=False, id="table.down"),
        Binding("pageup", "page_up", "Page up", show=False, id="table.page_up"),
        Binding("pagedown", "page_down", "Page down", show=False, id="table.page_down"),
        Binding("home,g", "scroll_top", "Top", show=False, id="table.top"),
        Binding("end,G", "scroll_bottom", "Bottom", show=False, id="table.bottom"),
        Binding("enter", "select", "Open", show=False, id="table.select"),
    ]

    # The row under the cursor. A screen that shows the record beside the table `watch`es it:
    # a watcher runs as the cursor moves (not when `show` puts new rows under it), so the
    # record is drawn in the cursor's own frame, where a handler of RowHighlighted (which
    # bubbles up through the containers) drew it one frame (17 ms and up) after the cursor.
    cursor_row: var[int] = var(0, init=False)

    class RowHighlighted(Message):
        """The cursor is on another row (or the rows under it changed)."""

        def __init__(self, table: RecordTable, cursor_row: int, record_id: int | None) -> None:
            super().__init__()
            self.table = table
            self.cursor_row = cursor_row
            self.record_id = record_id

        @property
        def control(self) -> RecordTable:
            return self.table

    class RowSelected(RowHighlighted):
        """`enter`, or a click on the row under the cursor."""

    def __init__(self, *, id: str | None = None, zebra_stripes: bool = True) -> None:
        super().__init__(id=id)
        self.zebra_stripes = zebra_stripes
        self.columns: list[Column] = []
        self._ids: Sequence[int] = ()
        self._cells: Cells = lambda index: ()
        self._added: list[tuple[Cell, ...]] = []  # rows given one by one (short tables)
        self._added_ids: list[int] = []
        self._strips: dict[tuple[int, bool, bool], _RowStrip] = {}
        # Each row's cells laid out in the columns, before the row's colours: a focus change
        # or a cursor move only recolours rows, which costs a fraction of making their cells.
        self._segments: dict[int, list[Segment]] = {}
        self._measured = False  # the columns have been fitted to rows at least once
        self._bars_fit: Size | None = None  # the virtual size the scrollbars were sized for

    # ---- columns and rows --------------------------------------------------------------

    def add_column(self, label: str, *, key: str | None = None, width: int | None = None) -> None:
        self.columns.append(Column(key or label, label, width))
        self._relayout()

    def add_columns(self, *labels: str) -> None:
        for label in labels:
            self.add_column(label)

    def show(
        self,
        ids: Sequence[int],
        cells: Cells,
        *,
        cursor_id: int | None = None,
        changed: Sequence[int] | None = None,
        measure: bool = True,
    ) -> None:
        """Show these records in this order; `cells(n)` gives the n-th row's cells when it is
        on screen. The cursor stays on `cursor_id` (else on the record it was on) if shown.

        `changed`: when the same records are shown again with only these rows' cells new
        (a record saved), only they are measured, not the first MEASURED_ROWS rows: a
        column then grows to fit them and shrinks at the next new list.
        `measure=False`: the columns keep their widths (a filter narrowing the same list:
        they stay put while one types, and nothing is measured per keystroke).
        """
        keep = cursor_id if cursor_id is not None else self.selected_id
        same = changed is not None and list(ids) == list(self._ids)
        self._ids, self._cells = ids, cells
        self._added, self._added_ids = [], []
        # Set without running watchers: whoever shows new rows redraws what hangs on the
        # cursor once they are in (ListingScreen.fill), not once here and once there.
        self.set_reactive(RecordTable.cursor_row, _index_of(ids, keep))
        if not measure and self._measured:
            self._relayout(())
        elif same:
            self._relayout(changed, same_rows=True)
        else:
            self._relayout()
        self._highlighted()

    def refresh_cells(self) -> None:
        """Make the rows' cells again (they show something that changed, like the time)."""
        self._repaint()

    def clear(self) -> None:
        self.show((), lambda index: ())
        self._added, self._added_ids = [], []

    def add_row(self, *cells: Cell, key: str | None = None) -> None:
        """Append one row (for short tables built row by row)."""
        self._added.append(cells)
        self._added_ids.append(int(key) if key is not None else len(self._added_ids))
        self._ids, self._cells = self._added_ids, self._added.__getitem__
        self._relayout()
        if len(self._added) == 1:
            self._highlighted()

    @property
    def row_count(self) -> int:
        return len(self._ids)

    def get_row_at(self, index: int) -> Sequence[Cell]:
        return self._cells(index)

    def ids_on_screen(self) -> list[int]:
        """The records whose rows are in view now."""
        top = int(self.scroll_y)
        return list(self._ids[top : top + max(self.scrollable_content_region.height - 1, 0)])

    @property
    def selected_id(self) -> int | None:
        """The database id of the row under the cursor, if any."""
        return self._ids[self.cursor_row] if self._ids else None

    def move_cursor(self, *, row: int) -> None:
        if not self._ids:
            return
        row = max(0, min(row, len(self._ids) - 1))
        if row == self.cursor_row:
            return
        old, self.cursor_row = self.cursor_row, row
        self._refresh_row(old, restyle_only=True)
        self._refresh_row(row, restyle_only=True)
        self._scroll_to_cursor()
        self._highlighted()

    # ---- keys and mouse ----------------------------------------------------------------

    def action_cursor_up(self) -> None:
        self.move_cursor(row=self.cursor_row - 1)

    def action_cursor_down(self) -> None:
        self.move_cursor(row=self.cursor_row + 1)

    def action_page_up(self) -> None:
        self.move_cursor(row=self.cursor_row - self._page())

    def action_page_down(self) -> None:
        self.move_cursor(row=self.cursor_row + self._page())

    def action_scroll_top(self) -> None:
        self.move_cursor(row=0)

    def action_scroll_bottom(self) -> None:
        self.move_cursor(row=len(self._ids) - 1)

    def action_select(self) -> None:
        if self._ids:
            self.post_message(self.RowSelected(self, self.cursor_row, self.selected_id))

    def on_click(self, event: events.Click) -> None:
        if event.y < 1:  # the header
            return
        row = int(self.scroll_y) + event.y - 1
        if not 0 <= row < len(self._ids):
            return
        if row == self.cursor_row:
            self.action_select()
        else:
            self.move_cursor(row=row)

    def on_focus(self) -> None:
        self._restyle()

    def on_blur(self) -> None:
        self._restyle()

    def _page(self) -> int:
        return max(self.scrollable_content_region.height - 2, 1)

    # ---- painting ----------------------------------------------------------------------

    def _size_updated(
        self, size: Size, virtual_size: Size, container_size: Size, layout: bool = True
    ) -> bool:
        # At a layout of the screen Textual hands a line-API widget its own size as its
        # "virtual size", never the rows it scrolls over, and ScrollView takes the difference
        # for a change: every layout (a toast shown or gone, a detail pane grown) repainted
        # the scrollbar in two more frames. Only a change in the rows is one.
        if self.virtual_size == self._bars_fit:
            virtual_size = self.virtual_size
        self._bars_fit = self.virtual_size
        return super()._size_updated(size, virtual_size, container_size, layout)

    def _highlighted(self) -> None:
        self.post_message(self.RowHighlighted(self, self.cursor_row, self.selected_id))

    def _relayout(self, changed: Sequence[int] | None = None, *, same_rows: bool = False) -> None:
        """Fit the columns and the scroll area to the rows now shown (or, with `changed`,
        to those rows as well as they fit already). `same_rows`: the same records as before,
        only the `changed` ones new; if the columns keep their widths, only they repaint."""
        widths = [column.shown for column in self.columns]
        measured = range(min(len(self._ids), MEASURED_ROWS)) if changed is None else changed
        self._measured = self._measured or bool(measured)
        sample = [self._cells(n) for n in measured if n < MEASURED_ROWS]
        for number, column in enumerate(self.columns):
            if column.width is not None:
                column.shown = column.width
                continue
            widest = max((_width(row[number]) for row in sample if number < len(row)), default=0)
            least = cell_len(column.label) if changed is None else column.shown
            column.shown = min(max(least, widest), MAX_AUTO_WIDTH)
        width = sum(column.shown + 2 * PADDING for column in self.columns)
        self.virtual_size = Size(width, len(self._ids) + 1)
        if same_rows and changed is not None and widths == [c.shown for c in self.columns]:
            for row in changed:
                self._refresh_row(row)
        else:
            self._repaint()
        self._scroll_to_cursor()

    def _repaint(self) -> None:
        """Every row anew: other rows, other cells, or other column widths."""
        self._segments.clear()
        self._restyle()

    def _restyle(self) -> None:
        """Every row in other colours (the focus moved): the same text, laid out as it was."""
        self._strips.clear()
        self.refresh()

    def _refresh_row(self, row: int, *, restyle_only: bool = False) -> None:
        if not restyle_only:
            self._segments.pop(row, None)
        self._strips = {key: strip for key, strip in self._strips.items() if key[0] != row}
        y = row - int(self.scroll_y) + 1
        if 1 <= y < self.size.height:
            self.refresh(Region(0, y, self.size.width, 1))

    def _scroll_to_cursor(self) -> None:
        visible = max(self.scrollable_content_region.height - 1, 1)  # less the header
        top = int(self.scroll_y)
        if self.cursor_row < top:
            self.scroll_to(y=self.cursor_row, animate=False, immediate=True)
        elif self.cursor_row >= top + visible:
            self.scroll_to(y=self.cursor_row - visible + 1, animate=False, immediate=True)

    def render_line(self, y: int) -> Strip:
        width = self.scrollable_content_region.width
        scroll_x = int(self.scroll_x)
        if y == 0:
            style = self.rich_style + self.get_component_rich_style("record-table--header")
            strip = self._styled(self._layout([column.label for column in self.columns]), style)
        else:
            row = int(self.scroll_y) + y - 1
            if not 0 <= row < len(self._ids):
                return Strip.blank(width, self.rich_style)
            cursor = row == self.cursor_row
            key = (row, cursor, self.has_focus)
            strip = self._strips.get(key)
            if strip is None:
                if len(self._strips) >= 2 * self.size.height:
                    self._forget_rows_out_of_view()
                style = self.rich_style
                if cursor:
                    style += self.get_component_rich_style("record-table--cursor")
                elif self.zebra_stripes and row % 2:
                    style += self.get_component_rich_style("record-table--even-row")
                segments = self._segments.get(row)
                if segments is None:
                    segments = self._segments[row] = self._layout(self._cells(row))
                strip = self._strips[key] = self._styled(segments, style)
        # The row's colour runs to the right edge, as a table's rows do.
        return strip.crop_extend(scroll_x, scroll_x + width, strip.style_at_end)

    def _forget_rows_out_of_view(self) -> None:
        # A line costs about a kilobyte (Textual's Strip and its caches): scrolling through
        # 25,000 notes must not keep 25,000 of them.
        top = int(self.scroll_y)
        shown = range(top, top + self.size.height)
        self._strips = {key: strip for key, strip in self._strips.items() if key[0] in shown}
        self._segments = {row: line for row, line in self._segments.items() if row in shown}

    def _layout(self, cells: Sequence[Cell]) -> list[Segment]:
        line = Text(no_wrap=True, end="")
        pad = " " * PADDING
        for number, column in enumerate(self.columns):
            cell = cells[number] if number < len(cells) else ""
            text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
            text.truncate(column.shown, overflow="ellipsis", pad=True)
            line.append(pad)
            line.append_text(text)
            line.append(pad)
        return list(line.render(self.app.console))

    def _styled(self, segments: list[Segment], style: Style) -> _RowStrip:
        return _RowStrip(list(Segment.apply_style(segments, style)), style)


class _RowStrip(Strip):
    """A rendered row that remembers its background, to paint the rest of the line with."""

    def __init__(self, segments: list[Segment], style: Style) -> None:
        super().__init__(segments)
        self.style_at_end = style


def _width(cell: Cell) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))


def _index_of(ids: Sequence[int], record_id: int | None) -> int:
    if record_id is None:
        return 0
    try:
        return ids.index(record_id)  # type: ignore[attr-defined,no-any-return]
    except ValueError:
        return 0
