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

from tui.failures import ShowsFailures
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


class WelcomeScreen(ShowsFailures, Screen[None]):
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
            self._load_sample()
        elif event.option.id == "create":
            self.app.push_screen(engagement_form(save=self._create), self._open_first)
        elif event.option.id == "import":
            form = FormScreen(
                "Import an engagement",
                [Field("path", "TOML file", parse=_existing_file, placeholder="~/engagement.toml")],
                save=self._import,
            )
            self.app.push_screen(form, self._open_first)

    # A failure of these is told by ShowsFailures (an import's problems by InvalidFile).
    @work(thread=True, exit_on_error=False, group="write")
    def _load_sample(self) -> None:
        from store.io_toml import load_sample

        load_sample(self.rapport.store, now=self.rapport.now())
        self.app.call_from_thread(self._open_first, True)

    def _import(self, values: Values) -> bool:
        from store.io_toml import import_file

        import_file(self.rapport.store, values["path"])
        return True

    def _create(self, values: Values) -> bool:
        from store.edits import EngagementValues, save_engagement

        save_engagement(self.rapport.store, EngagementValues(**values))
        return True

    def _open_first(self, done: bool | None = True) -> None:
        if not done:
            return  # the form was cancelled
        from store.queries import engagements

        found = engagements(self.rapport.store)
        if found:
            self.dismiss()
            self.rapport.open_engagement(found[0], self.rapport.start_screen)
