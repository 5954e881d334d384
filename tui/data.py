"""What the screens show, loaded once per change of the data and shared between them.

Today is built from the same rows the Roster, Cadence, Decisions and Notes screens list, and
at a large engagement each of those takes a few hundred milliseconds to read. Loading each
once per data version (in whichever worker thread asks first, the others waiting for it)
makes the first visit of a screen after Today cost nothing but painting.
"""

from __future__ import annotations

import datetime as dt
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from store.db import Store

# Seconds a screen's worker waits for its first rows to be painted before it reads the rest,
# at most (a screen pushed aside before its first refresh never paints them): a read that
# runs meanwhile takes the GIL from the first paint.
FIRST_PAINT_WAIT = 1.0

# Everything the main screens read, by name: (store, engagement id, today) -> rows.
Loader = Callable[["Store", int, dt.date], Any]


def _roster(store: Store, engagement_id: int, today: dt.date) -> Any:
    from store.queries import roster

    return roster(store, engagement_id, today)


def _cadences(store: Store, engagement_id: int, today: dt.date) -> Any:
    from store.queries import cadences

    return cadences(store, engagement_id, today)


def _cadence_warnings(store: Store, engagement_id: int, today: dt.date) -> Any:
    from store.timezones import cadence_warnings, summarize

    found = cadence_warnings(store, engagement_id, today)
    return {cadence_id: summarize(warnings) for cadence_id, warnings in found.items() if warnings}


def _items(store: Store, engagement_id: int, today: dt.date) -> Any:
    from store.decisions import items

    return items(store, engagement_id, today)


def _notes(store: Store, engagement_id: int, today: dt.date) -> Any:
    from store.queries import note_order

    return note_order(store, engagement_id)  # the rows are read as they are shown


def _log_context(store: Store, engagement_id: int, today: dt.date) -> Any:
    from store.checkins import log_context

    return log_context(store, engagement_id)


# In the order the warm-up reads them: what `l` offers first (cheap, and `l` is the key
# that matters most), then the screens.
LOADERS: dict[str, Loader] = {
    "log_context": _log_context,  # what `l` offers: people, cadences, decisions to tell
    "roster": _roster,
    "cadences": _cadences,
    "cadence_warnings": _cadence_warnings,
    "items": _items,
    "notes": _notes,
}


class ScreenData:
    """Rows by name, valid for one (engagement, data version, day); call from threads only."""

    def __init__(self, store: Store) -> None:
        self.store = store
        self._locks = {name: threading.Lock() for name in LOADERS}
        self._loaded: dict[str, tuple[tuple[int, int, dt.date], Any]] = {}

    def get(self, name: str, engagement_id: int, version: int, today: dt.date) -> Any:
        """The rows, read now unless they were read for this same version already.

        A version bumped while reading tags the result with the version asked for, so the
        next caller (who asks with the new version) reads again.
        """
        key = (engagement_id, version, today)
        with self._locks[name]:
            cached = self._loaded.get(name)
            if cached is not None and cached[0] == key:
                return cached[1]
            rows = LOADERS[name](self.store, engagement_id, today)
            self._loaded[name] = (key, rows)
            return rows

    def peek(self, name: str, engagement_id: int, version: int, today: dt.date) -> Any:
        """The rows if they were read for this version already, else None; never waits."""
        cached = self._loaded.get(name)
        if cached is not None and cached[0] == (engagement_id, version, today):
            return cached[1]
        return None
