"""Shown when the database holds no engagement yet: open the sample, create one, or import."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui.screens.engagement_form import engagement_form
from tui.widgets.form import Field, FormScreen, Values
from tui.widgets.key_bar import KeyBar
from tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from tui.app import RapportApp

INTRO = (
    "rapport keeps the routine of a remote engagement visible: who is on it, which "
    "check-ins are due, which decisions have not reached everyone, and what to remember "
    "about each person.\n\nThis database is empty. How do you want to start?"
)


def _existing_file(value: str) -> Path:
    path = Path(value.strip()).expanduser()
    if not value.strip():
        raise ValueError("give the path of a TOML file")
    if not path.is_file():
        raise ValueError(f"no file at {path}")
    return path


class WelcomeScreen(Screen[None]):
    BINDINGS = [Binding("q", "app.quit", "Quit", id="welcome.quit")]

    @property
    def rapport(self) -> RapportApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with Vertical(id="welcome-box"):
            yield Static("Welcome to rapport", id="welcome-title")
            yield Static(INTRO, id="welcome-intro")
            yield OptionList(
                Option("Open the sample engagement (a shop rollout, 3 sides, 5 time zones)", id="sample"),
                Option("Create an engagement", id="create"),
                Option("Import an engagement from a TOML file", id="import"),
                id="welcome-options",
            )  # fmt: skip
        yield KeyBar()

    @on(OptionList.OptionSelected, "#welcome-options")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == "sample":
            self._load(None)
        elif event.option.id == "create":
            self.app.push_screen(engagement_form(), self._create)
        elif event.option.id == "import":
            form = FormScreen(
                "Import an engagement",
                [Field("path", "TOML file", parse=_existing_file, placeholder="~/engagement.toml")],
            )
            self.app.push_screen(form, lambda values: values and self._load(values["path"]))

    @work(thread=True, exit_on_error=False)
    def _load(self, path: Path | None) -> None:
        from store.io_toml import InvalidFile, import_file, load_sample

        try:
            if path is None:
                load_sample(self.rapport.store, now=self.rapport.now())
            else:
                import_file(self.rapport.store, path)
        except InvalidFile as error:
            shown = "\n".join(error.messages[:8])
            more = len(error.messages) - 8
            message = shown + (f"\n… and {more} more" if more > 0 else "")
            self.app.call_from_thread(
                self.notify, message, title="Not imported", severity="error", markup=False
            )
            return
        self.app.call_from_thread(self._open_first)

    @work(thread=True, exit_on_error=False)
    def _create(self, values: Values | None) -> None:
        if values is None:
            return
        from store.edits import EditError, EngagementValues, save_engagement

        try:
            save_engagement(self.rapport.store, EngagementValues(**values))
        except EditError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        self.app.call_from_thread(self._open_first)

    def _open_first(self) -> None:
        from store.queries import engagements

        found = engagements(self.rapport.store)
        if found:
            self.dismiss()
            self.rapport.open_engagement(found[0], self.rapport.start_screen)
