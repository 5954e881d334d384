"""A long list held as ids, its rows read from the store a page at a time when shown.

The Notes list of a large engagement runs to tens of thousands of rows, and their text is
most of the app's memory if all of it is held. The table asks for the cells of the rows in
view only (RecordTable), so only those pages are read: a primary-key lookup of a hundred
rows, a millisecond or two on SQLite, which is why it may run on the UI thread.
"""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from typing import Generic, TypeVar, overload

Row = TypeVar("Row")

# Rows read at a time: a screenful and then some, so that moving line by line reads
# rarely and paging down reads once per page or so.
PAGE_ROWS = 100
# Rows kept once read, shared by a list and the filtered views of it: a few pages either
# side of the cursor, so moving back and forth does not read the same rows again.
ROWS_KEPT = 1000


class RowReader(Generic[Row]):
    """Reads rows by id, keeping the last ROWS_KEPT read (for the UI thread only)."""

    def __init__(
        self, read: Callable[[Collection[int]], Mapping[int, Row]], missing: Callable[[int], Row]
    ) -> None:
        self._read = read
        self._missing = missing  # a stand-in for a row deleted since the ids were read
        self._kept: OrderedDict[int, Row] = OrderedDict()

    def rows(self, ids: Sequence[int]) -> list[Row]:
        unread = [record_id for record_id in ids if record_id not in self._kept]
        if unread:
            found = self._read(unread)
            for record_id in unread:
                self._kept[record_id] = found.get(record_id) or self._missing(record_id)
        rows = []
        for record_id in ids:
            self._kept.move_to_end(record_id)
            rows.append(self._kept[record_id])
        while len(self._kept) > max(ROWS_KEPT, len(ids)):
            self._kept.popitem(last=False)
        return rows


class PagedRows(Sequence[Row]):
    """Rows in the order of `ids`, each read (with the rest of its page) when first asked."""

    def __init__(self, ids: Sequence[int], reader: RowReader[Row]) -> None:
        self.ids = ids
        self.reader = reader

    def __len__(self) -> int:
        return len(self.ids)

    @overload
    def __getitem__(self, index: int) -> Row: ...

    @overload
    def __getitem__(self, index: slice) -> list[Row]: ...

    def __getitem__(self, index: int | slice) -> Row | list[Row]:
        if isinstance(index, slice):
            return self.reader.rows(self.ids[index])
        if index < 0:
            index += len(self.ids)
        if not 0 <= index < len(self.ids):
            raise IndexError(index)
        start = index - index % PAGE_ROWS
        return self.reader.rows(self.ids[start : start + PAGE_ROWS])[index - start]

    def __iter__(self) -> Iterator[Row]:
        for start in range(0, len(self.ids), PAGE_ROWS):
            yield from self.reader.rows(self.ids[start : start + PAGE_ROWS])

    def where(self, ids: Sequence[int]) -> PagedRows[Row]:
        """A view of some of these rows (a filter), sharing the rows read already."""
        return PagedRows(ids, self.reader)

    def find(self, record_id: int) -> Row | None:
        """The row of this record, if it is in the list."""
        try:
            index = self.ids.index(record_id)
        except ValueError:
            return None
        return self[index]
