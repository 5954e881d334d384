"""The one way a failed worker is told: a short notice in rapport's words, never SQL or values.

Every screen, form and the app mixes in ShowsFailures; Textual posts a worker's StateChanged
to the node that started it only (it does not bubble), so each such node hands a failed
worker to `RapportApp.report_failure`, which words it with `failure_notice` here.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual.worker import Worker, WorkerState

if TYPE_CHECKING:
    from textual.app import App

    from store.db import Store

# Lines of a long refusal (an import's list of problems) a notice shows.
SHOWN_LINES = 8

# Worker groups that write; every other worker reads.
WRITES = frozenset({"write"})


def failure_notice(
    error: BaseException, *, writing: bool, store: Store | None = None
) -> tuple[str, str]:
    """(title, message) for what stopped a worker.

    The store's refusals (RapportError) are said as they are; a database error by what it
    means (store.errors.database_reason), or by what is wrong with the file behind it (a
    damaged file, with its newest good backup; a full disk); anything else is a bug, said by its type, with its
    report written as for a crash (tui.crash), so the lead can send it without their notes.
    """
    from store.errors import RapportError, database_reason, is_database_error

    doing = "Could not save" if writing else "Could not read the data"
    if isinstance(error, RapportError):
        lines = str(error).splitlines() or [type(error).__name__]
        more = len(lines) - SHOWN_LINES
        shown = "\n".join(lines[:SHOWN_LINES]) + (f"\n… and {more} more" if more > 0 else "")
        return error.title, shown
    if store is not None and (problem := store.file_problem(error)) is not None:
        return "Database file", problem
    if is_database_error(error):
        return "Database error", f"{doing}: {database_reason(error)}"
    from tui.crash import home_short, write_report

    report = write_report(error)
    where = f" The details are in {home_short(report)}." if report is not None else ""
    return "Unexpected error", f"{doing}: an unexpected error ({type(error).__name__}).{where}"


class ShowsFailures:
    """Mixed into a screen or form that runs workers: a failed one is told by the app."""

    app: App[object]

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR:
            report = getattr(self.app, "report_failure", None)
            if callable(report):
                report(event.worker)
