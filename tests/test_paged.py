"""PagedRows: a long list held as ids, read a page at a time as rows are asked for."""

from __future__ import annotations

from collections.abc import Collection

from tui.paged import PAGE_ROWS, ROWS_KEPT, PagedRows, RowReader


class Table:
    """A stand-in for the database: rows are their ids' words; counts what it is asked."""

    def __init__(self, count: int) -> None:
        self.rows = {record_id: f"row {record_id}" for record_id in range(count)}
        self.asked: list[int] = []

    def read(self, ids: Collection[int]) -> dict[int, str]:
        self.asked.extend(ids)
        return {record_id: self.rows[record_id] for record_id in ids if record_id in self.rows}


def paged(table: Table, ids: list[int]) -> PagedRows[str]:
    return PagedRows(ids, RowReader(table.read, lambda record_id: f"gone {record_id}"))


def test_a_row_is_read_with_its_page_and_once() -> None:
    table = Table(5 * PAGE_ROWS)
    rows = paged(table, list(range(5 * PAGE_ROWS)))
    assert len(rows) == 5 * PAGE_ROWS
    assert rows[PAGE_ROWS + 3] == f"row {PAGE_ROWS + 3}"
    assert table.asked == list(range(PAGE_ROWS, 2 * PAGE_ROWS))
    assert rows[PAGE_ROWS] == f"row {PAGE_ROWS}"
    assert rows[-1] == f"row {5 * PAGE_ROWS - 1}"
    assert len(table.asked) == 2 * PAGE_ROWS  # that page again cost nothing; the last one did


def test_rows_kept_are_bounded_and_the_oldest_read_again() -> None:
    count = ROWS_KEPT + 3 * PAGE_ROWS
    table = Table(count)
    rows = paged(table, list(range(count)))
    assert list(rows) == [f"row {n}" for n in range(count)]
    assert len(table.asked) == count
    rows[0]  # dropped long ago: read again
    assert len(table.asked) == count + PAGE_ROWS


def test_a_filtered_view_shares_what_was_read_and_finds_by_id() -> None:
    table = Table(3 * PAGE_ROWS)
    rows = paged(table, list(range(3 * PAGE_ROWS)))
    rows[0]
    some = rows.where([5, 7, 2 * PAGE_ROWS + 1])
    assert list(some) == ["row 5", "row 7", f"row {2 * PAGE_ROWS + 1}"]
    assert table.asked == [*range(PAGE_ROWS), 2 * PAGE_ROWS + 1]
    assert some.find(7) == "row 7"
    assert some.find(8) is None  # in the list, not in the view


def test_a_row_deleted_meanwhile_reads_as_its_stand_in() -> None:
    table = Table(10)
    rows = paged(table, list(range(10)))
    del table.rows[4]
    assert rows[4] == "gone 4"
    assert rows[5] == "row 5"
