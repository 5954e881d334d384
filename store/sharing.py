"""One object per distinct value across the rows of a list.

A list of thousands of rows repeats the same few names, kinds, sides, time zones and dates,
and the database driver makes a new object for every cell. Shared values cost one object
each, which at 25,000 notes is most of a list's memory.
"""

from __future__ import annotations

import sys
from typing import TypeVar

T = TypeVar("T")


class Shared:
    """`same(value)` returns the first value seen equal to `value` (values must hash)."""

    __slots__ = ("_seen",)

    def __init__(self) -> None:
        self._seen: dict[object, object] = {}

    def __call__(self, value: T) -> T:
        if type(value) is str:
            # Names and keys recur across lists too (the roster, the log form's people,
            # who was told of a decision): one interned object serves them all, and is
            # freed with the last list that holds it.
            return sys.intern(value)  # type: ignore[return-value]
        return self._seen.setdefault(value, value)  # type: ignore[return-value]
