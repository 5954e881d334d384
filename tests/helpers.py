"""Small helpers for Pilot tests."""

from __future__ import annotations

import contextlib
from typing import Any

from textual.pilot import Pilot
from textual.widgets import Static
from textual.worker import WorkerFailed

from tui.widgets.record_table import RecordTable


async def settle(pilot: Pilot[Any]) -> None:
    """Wait until every worker (and the refresh a finished write starts) is done."""
    for _ in range(3):
        await pilot.app.workers.wait_for_complete()
        await pilot.pause()


async def settle_failing(pilot: Pilot[Any]) -> None:
    """`settle`, for a worker meant to fail (a refused save): waiting on a failed worker
    re-raises its error, which the app has told already."""
    for _ in range(3):
        with contextlib.suppress(WorkerFailed):
            await pilot.app.workers.wait_for_complete()
        await pilot.pause()


def refreshes(widget: Any) -> list[bool]:
    """Every refresh of `widget` from now on, as whether it asked for a layout (a layout, or
    a repaint of a scrollbar, is a frame more on screen)."""
    asked: list[bool] = []
    refresh = widget.refresh

    def spy(*regions: Any, layout: bool = False, **kwargs: Any) -> Any:
        asked.append(layout)
        return refresh(*regions, layout=layout, **kwargs)

    widget.refresh = spy
    return asked


def names(app: Any) -> list[str]:
    """The first column of the current screen's table, as shown."""
    table = app.screen.query_one(RecordTable)
    return [str(table.get_row_at(i)[0]) for i in range(table.row_count)]


def column(app: Any, index: int) -> list[str]:
    table = app.screen.query_one(RecordTable)
    return [str(table.get_row_at(i)[index]) for i in range(table.row_count)]


def detail_text(app: Any) -> str:
    return str(app.screen.query_one("#detail", Static).render())


def toasts(app: Any) -> list[str]:
    """Every notification the app has shown and not yet expired, as text.

    Textual has no public list of notifications; this one helper reads the app's own.
    """
    return [str(notification.message) for notification in app._notifications]
