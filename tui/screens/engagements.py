"""Pick which engagement is open, or start a new one."""

from __future__ import annotations

from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from store.queries import EngagementRow
from tui.failures import ShowsFailures
from tui.format import safe
from tui.screens.engagement_form import engagement_form
from tui.widgets.form import Values

if TYPE_CHECKING:
    from tui.app import RapportApp

NEW = "new"


class EngagementsScreen(ShowsFailures, ModalScreen[None]):
    BINDINGS = [Binding("escape", "dismiss", "Close", id="engagements.close")]

    def __init__(self) -> None:
        super().__init__()
        self.found: dict[str, EngagementRow] = {}

    @property
    def rapport(self) -> RapportApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        with Vertical(id="engagements-box"):
            yield Static("Engagements", id="engagements-title")
            yield OptionList(id="engagements")

    def on_mount(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        from store.queries import engagements

        rows = engagements(self.rapport.store)
        self.app.call_from_thread(self._show, rows)

    def _show(self, rows: list[EngagementRow]) -> None:
        self.found = {str(row.id): row for row in rows}
        options = self.query_one("#engagements", OptionList)
        options.clear_options()
        current = self.rapport.engagement.id if self.rapport.engagement else None
        for row in rows:
            mark = "● " if row.id == current else "  "
            label = Content.assemble(
                mark, (safe(row.name), "bold"), f"  {safe(row.client)}  [{row.key}]"
            )
            options.add_option(Option(label, id=str(row.id)))
        options.add_option(Option("  New engagement…", id=NEW))
        ids = [row.id for row in rows]
        options.highlighted = ids.index(current) if current in ids else 0
        options.focus()

    @on(OptionList.OptionSelected, "#engagements")
    def _chosen(self, event: OptionList.OptionSelected) -> None:
        if event.option.id == NEW:
            self.app.push_screen(engagement_form(save=self._save), self._open)
            return
        row = self.found.get(event.option.id or "")
        self.dismiss()
        if row is not None:
            self.rapport.open_engagement(row)

    def _save(self, values: Values) -> EngagementRow:
        """Create the engagement (the form runs it in its thread); the new one's row."""
        from store.edits import EngagementValues, save_engagement
        from store.queries import engagements

        new_id = save_engagement(self.rapport.store, EngagementValues(**values))
        return next(r for r in engagements(self.rapport.store) if r.id == new_id)

    def _open(self, row: EngagementRow | None) -> None:
        if row is None:
            return  # the form was cancelled
        self.dismiss()
        self.rapport.open_engagement(row)
