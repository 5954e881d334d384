"""RecordTable: a list of any length costs only the rows on screen."""

from __future__ import annotations

from collections.abc import Sequence

from helpers import refreshes
from textual.app import App, ComposeResult

from tui.widgets.record_table import MEASURED_ROWS, RecordTable

ROWS = 10_000


class TableApp(App[None]):
    def __init__(self) -> None:
        super().__init__()
        self.asked: list[int] = []
        self.highlighted: list[int | None] = []
        self.selected: list[int | None] = []

    def compose(self) -> ComposeResult:
        yield RecordTable(id="records")

    def on_mount(self) -> None:
        table = self.query_one(RecordTable)
        table.add_column("Name", key="name")
        table.add_column("Number", key="number", width=8)
        table.show(list(range(100, 100 + ROWS)), self.cells)
        table.focus()

    def cells(self, index: int) -> Sequence[str]:
        self.asked.append(index)
        return (f"person {index:05d}", str(index))

    def on_record_table_row_highlighted(self, message: RecordTable.RowHighlighted) -> None:
        self.highlighted.append(message.record_id)

    def on_record_table_row_selected(self, message: RecordTable.RowSelected) -> None:
        self.selected.append(message.record_id)


def screen_text(app: TableApp) -> str:
    table = app.query_one(RecordTable)
    return "\n".join(table.render_line(y).text for y in range(table.size.height))


async def test_ten_thousand_rows_make_cells_only_for_what_is_measured_and_shown() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        asked = set(app.asked)
        assert asked <= set(range(MEASURED_ROWS)), "only the first rows are measured and painted"
        assert "person 00000" in screen_text(app)
        assert app.query_one(RecordTable).selected_id == 100


async def test_keys_move_the_cursor_and_the_view_follows() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RecordTable)
        await pilot.press("j", "j", "down")
        assert table.cursor_row == 3
        assert table.selected_id == 103
        await pilot.press("k")
        assert table.cursor_row == 2
        app.asked.clear()
        await pilot.press("G")
        await pilot.pause()
        assert table.cursor_row == ROWS - 1
        assert f"person {ROWS - 1:05d}" in screen_text(app)
        assert "person 00000" not in screen_text(app)
        # Going to the end painted the last screenful, not the ten thousand rows before it.
        assert min(app.asked) >= ROWS - table.size.height
        await pilot.press("g")
        assert table.cursor_row == 0
        await pilot.press("pagedown")
        assert 0 < table.cursor_row < table.size.height
        await pilot.pause()
        assert app.highlighted[-1] == table.selected_id


async def test_enter_selects_and_a_new_list_keeps_the_cursor_on_its_record() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RecordTable)
        await pilot.press("j", "j", "enter")
        await pilot.pause()
        assert app.selected == [102]
        # A filter that keeps record 102 keeps the cursor on it, wherever it now is.
        table.show([100, 102, 104], lambda index: (f"kept {index}", ""))
        assert table.selected_id == 102 and table.cursor_row == 1
        # One that drops it puts the cursor on the first row.
        table.show([105, 106], lambda index: (f"other {index}", ""))
        assert table.selected_id == 105 and table.cursor_row == 0
        table.clear()
        assert table.selected_id is None and table.row_count == 0


async def test_columns_fit_their_text_and_long_text_is_cut_with_an_ellipsis() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RecordTable)
        table.show([1], lambda index: ("x" * 100, "123456789012"))
        await pilot.pause()
        line = table.render_line(1).text
        assert "x" * 39 + "…" in line and "x" * 41 not in line
        assert "1234567…" in line
        assert table.render_line(0).text.startswith(" Name ")


async def test_a_row_saved_again_is_measured_alone_and_its_column_grows_to_fit() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(RecordTable)
        name = table.columns[0]
        before = name.shown
        ids = list(range(100, 100 + ROWS))
        longer = "a much longer name than any other"

        def cells(index: int) -> Sequence[str]:
            app.asked.append(index)
            return (longer, "5") if index == 5 else (f"person {index:05d}", str(index))

        app.asked.clear()
        table.show(ids, cells, changed=[5])
        assert app.asked == [5]  # not the first MEASURED_ROWS rows again
        assert name.shown == len(longer) > before
        await pilot.pause()
        assert longer in screen_text(app)
        # A different list is measured afresh, and the column fits it again.
        app.asked.clear()
        table.show(ids[10:], app.cells, changed=[5])
        assert set(app.asked) >= set(range(MEASURED_ROWS))
        assert name.shown == before


async def test_a_narrower_list_shown_without_measuring_keeps_the_columns() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(RecordTable)
        widths = [column.shown for column in table.columns]
        app.asked.clear()
        table.show([100, 105], lambda index: ("ab", "1"), measure=False)
        await pilot.pause()
        assert [column.shown for column in table.columns] == widths
        assert table.row_count == 2
        # Measured, the same list fits its columns to itself.
        table.show([100, 105], lambda index: ("ab", "1"))
        assert table.columns[0].shown < widths[0]


async def test_the_first_list_is_measured_even_when_asked_not_to() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RecordTable)
        fresh = RecordTable()
        await app.mount(fresh)
        fresh.add_column("Name")
        fresh.show([1], lambda index: ("a rather long name",), measure=False)
        assert fresh.columns[0].shown == len("a rather long name")
        assert table.row_count == ROWS
        await pilot.pause()


async def test_paging_through_the_list_keeps_only_a_few_screenfuls_of_formatted_rows() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        table = app.query_one(RecordTable)
        for _ in range(60):  # about a thousand rows down
            await pilot.press("pagedown")
            await pilot.pause()
        assert table.cursor_row > 50 * table.size.height
        assert f"person {table.cursor_row:05d}" in screen_text(app)
        kept = {row for row, _cursor, _focus in table._strips}
        assert len(table._strips) <= 2 * table.size.height + 2
        assert table.cursor_row in kept, "the rows in view are the ones kept"


async def test_focus_and_the_cursor_recolour_rows_without_making_their_cells_again() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(RecordTable)
        focused = screen_text(app)
        app.asked.clear()
        table.blur()
        await pilot.pause()
        table.focus()
        await pilot.press("j", "j", "k")
        assert app.asked == []
        assert table.cursor_row == 1
        assert screen_text(app) == focused  # the same text, wherever the colours went


async def test_a_row_saved_again_with_the_same_widths_is_the_only_one_made_again() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(RecordTable)
        ids = list(range(100, 100 + ROWS))

        def cells(index: int) -> Sequence[str]:
            app.asked.append(index)
            return ("person 0000x", "3") if index == 3 else (f"person {index:05d}", str(index))

        app.asked.clear()
        table.show(ids, cells, changed=[3])
        await pilot.pause()
        assert app.asked == [3, 3]  # measured, then painted; no other row
        assert "person 0000x" in screen_text(app)
        # Cells that change with the clock are made again on asking.
        app.asked.clear()
        table.refresh_cells()
        await pilot.pause()
        assert set(app.asked) == set(range(table.size.height - 1))


async def test_the_scrollbar_follows_the_rows() -> None:
    app = TableApp()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(RecordTable)
        bar = table.vertical_scrollbar
        assert table.show_vertical_scrollbar and bar.window_virtual_size == ROWS + 1
        table.show([1, 2, 3], app.cells)
        await pilot.pause()
        assert not table.show_vertical_scrollbar
        table.show(list(range(100, 400)), app.cells)
        await pilot.pause()
        assert table.show_vertical_scrollbar and bar.window_virtual_size == 301


class TableAndNoteApp(TableApp):
    CSS = "RecordTable { height: 12; }"

    def compose(self) -> ComposeResult:
        from textual.widgets import Static

        yield RecordTable(id="records")
        yield Static("one line", id="note")


async def test_a_layout_elsewhere_does_not_repaint_the_scrollbar() -> None:
    # Each repaint was a frame more after a toast, a form closing, a detail pane growing.
    from textual.widgets import Static

    app = TableAndNoteApp()
    async with app.run_test(size=(60, 20)) as pilot:
        await pilot.pause()
        table = app.query_one(RecordTable)
        refreshed = refreshes(table.vertical_scrollbar)
        note = app.query_one("#note", Static)
        note.update("three\nlines\nnow")
        await pilot.pause()
        assert note.region.height == 3, "the screen was laid out again"
        assert table.size.height == 12
        assert refreshed == []
