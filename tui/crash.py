"""What an unexpected error shows: one short line, and a report without local variables.

Textual's own crash screen prints a traceback with the local variables of every frame, and
those can hold personal notes. rapport shows the error's type and where the report is; the
report (a plain traceback: code lines and the error message, never locals) is written owner-only
into the user's log folder.
"""

from __future__ import annotations

import datetime as dt
import traceback
from pathlib import Path

from rich.text import Text


def crash_folder() -> Path:
    from platformdirs import user_log_path

    return user_log_path("rapport", appauthor=False)


def write_report(error: BaseException) -> Path | None:
    """The traceback of `error` (and its causes) in a new 0600 file; None if it cannot be."""
    from store.files import make_private_folder, write_private

    report = "".join(traceback.format_exception(error))
    # A message can hold lone surrogates (a file name's undecodable bytes): kept, escaped.
    report = report.encode("utf-8", "backslashreplace").decode("utf-8")
    try:
        folder = crash_folder()
        make_private_folder(folder)
        path = folder / f"crash-{dt.datetime.now():%Y%m%d-%H%M%S-%f}.log"
        if path.exists():  # one report per moment; never someone else's file replaced
            return None
        write_private(path, report)
    except OSError:
        return None
    return path


class Crashed(Exception):
    """Stands in for an unexpected error: renders as a short message, never as a traceback."""

    def __init__(self, error: BaseException) -> None:
        super().__init__(type(error).__name__)
        # A failed worker wraps the error that matters (and its traceback).
        self.original = getattr(error, "error", None) or error
        self.report = write_report(self.original)

    def __rich__(self) -> Text:
        return Text(
            f"rapport stopped after an unexpected error ({type(self.original).__name__}). "
            "What was saved before is kept.\n"
            + (
                f"The details (without local variables) are in\n{home_short(self.report)}"
                if self.report is not None
                else "No report could be written."
            )
        )


def home_short(path: Path) -> str:
    """`~/.local/state/…` rather than the whole home folder: short enough for one line."""
    try:
        return f"~/{path.relative_to(Path.home())}"
    except ValueError:
        return str(path)
