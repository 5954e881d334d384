"""The check-ins of a cadence or with a person, and their next steps: open, edit, delete, tick."""

from __future__ import annotations

from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Horizontal, Vertical
from textual.content import Content
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.widgets import Label, Static

from store import queries
from store.queries import CheckInRow, StepRow
from tui import format as fmt
from tui.failures import ShowsFailures
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.key_bar import KeyBar
from tui.widgets.record_table import RecordTable
from tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from tui.app import RapportApp


class HistoryScreen(ShowsFailures, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="history.back"),
        Binding("e", "edit", "Edit check-in", tooltip="Edit the selected check-in", id="history.edit"),
        Binding("delete", "delete", "Delete check-in", tooltip="Delete it (asks first)", id="history.delete"),
        Binding("x", "toggle_step", "Done/undone", tooltip="Tick the selected next step", id="history.toggle"),
        Binding("b", "brief", "Briefing", tooltip="Briefing for these people", id="history.brief"),
    ]  # fmt: skip
    AUTO_FOCUS = "#checkins"

    steps_focused: reactive[bool] = reactive(False, bindings=True)

    class Loaded(Message):
        def __init__(self, checkins: list[CheckInRow], steps: list[StepRow]) -> None:
            super().__init__()
            self.checkins = checkins
            self.steps = steps

    def __init__(
        self, title: str, *, cadence_id: int | None = None, person_id: int | None = None
    ) -> None:
        super().__init__()
        self.heading = title
        self.cadence_id = cadence_id
        self.person_id = person_id
        self.checkins: dict[int, CheckInRow] = {}
        self.steps: dict[int, StepRow] = {}

    @property
    def rapport(self) -> RapportApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(Content.assemble(("Check-ins · ", "bold"), (fmt.safe(self.heading), "bold")),
                     id="history-title")  # fmt: skip
        with Horizontal(id="history-tables"):
            with Vertical():
                yield Label("Check-ins (e edit, delete)")
                yield RecordTable(id="checkins")
            with Vertical():
                yield Label("Next steps (x done/undone)")
                yield RecordTable(id="steps")
        yield Static("", id="checkin-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        checkins = self.query_one("#checkins", RecordTable)
        checkins.add_columns("When", "Cadence", "Status", "People", "Mood")
        steps = self.query_one("#steps", RecordTable)
        steps.add_columns("", "Owner", "Due", "Next step")
        self.refresh_rows()

    def refresh_rows(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        store, engagement_id = self.rapport.store, self.rapport.engagement_id
        checkins = queries.recent_checkins(
            store, cadence_id=self.cadence_id, person_id=self.person_id, limit=500
        )
        steps = queries.steps_of(
            store, engagement_id, cadence_id=self.cadence_id, person_id=self.person_id
        )
        self.post_message(self.Loaded(checkins, steps))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        today = self.rapport.today()
        self.checkins = {row.id: row for row in message.checkins}
        self.steps = {row.id: row for row in message.steps}
        table = self.query_one("#checkins", RecordTable)
        keep = table.selected_id
        table.clear()
        for row in message.checkins:
            table.add_row(
                Text(fmt.local_moment(row.at)), fmt.cell(row.cadence), fmt.cell(row.status),
                Text(str(len(row.attendees))), Text(str(row.mood or "")), key=str(row.id),
            )  # fmt: skip
        if keep in self.checkins:
            table.move_cursor(row=list(self.checkins).index(keep))
        steps = self.query_one("#steps", RecordTable)
        keep_step = steps.selected_id
        steps.clear()
        for step in message.steps:
            steps.add_row(
                Text("✓" if step.done else "·"), fmt.cell(step.owner),
                fmt.due_cell(step.due, today, open_=not step.done),
                fmt.cell(step.text, "dim" if step.done else ""), key=str(step.id),
            )  # fmt: skip
        if keep_step in self.steps:
            steps.move_cursor(row=list(self.steps).index(keep_step))
        self._show_checkin()

    @on(RecordTable.RowHighlighted, "#checkins")
    def _show_checkin(self) -> None:
        record_id = self.query_one("#checkins", RecordTable).selected_id
        row = self.checkins.get(record_id) if record_id is not None else None
        detail = self.query_one("#checkin-detail", Static)
        if row is None:
            detail.update("No check-ins logged yet: press l to log one.")
            return
        detail.update(
            fmt.detail(
                f"{fmt.local_moment(row.at)} · {row.cadence}",
                [("Channel", row.channel), ("Mood", str(row.mood or "")),
                 ("Attendees", ", ".join(row.attendees)), ("Logged by", row.logged_by)],
                ("Outcome", row.outcome),
            )
        )  # fmt: skip

    def on_descendant_focus(self) -> None:
        self.steps_focused = self.focused is self.query_one("#steps", RecordTable)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action == "toggle_step":
            return True if self.steps_focused and self.steps else None
        if action in ("edit", "delete"):
            return True if self.checkins else None
        return True

    @on(RecordTable.RowSelected, "#checkins")
    def _open(self) -> None:
        self.action_edit()

    def action_back(self) -> None:
        self.dismiss()

    def action_brief(self) -> None:
        self.rapport.open_briefing(cadence_id=self.cadence_id, person_id=self.person_id)

    def action_edit(self) -> None:
        record_id = self.query_one("#checkins", RecordTable).selected_id
        if record_id is not None:
            self.rapport.edit_checkin(record_id)

    def action_delete(self) -> None:
        record_id = self.query_one("#checkins", RecordTable).selected_id
        if record_id is None:
            return
        row = self.checkins[record_id]

        def answered(yes: bool | None) -> None:
            if yes:
                self._delete(record_id)

        question = (
            f"Delete the check-in of {fmt.local_moment(row.at)} ({row.cadence}) and its next steps?"
        )
        self.app.push_screen(ConfirmScreen(question), answered)

    @work(thread=True, exit_on_error=False, group="write")
    def _delete(self, checkin_id: int) -> None:
        from store.checkins import delete_checkin

        delete_checkin(self.rapport.store, checkin_id)  # a failure is told by ShowsFailures
        self.app.call_from_thread(self.rapport.after_write, "Deleted the check-in")

    def action_toggle_step(self) -> None:
        step_id = self.query_one("#steps", RecordTable).selected_id
        if step_id is not None:
            self._toggle(step_id)

    @work(thread=True, exit_on_error=False, group="write")
    def _toggle(self, step_id: int) -> None:
        from store.checkins import toggle_next_step

        done = toggle_next_step(self.rapport.store, step_id)  # a failure: ShowsFailures
        said = "Next step done" if done else "Next step open again"
        self.app.call_from_thread(self.rapport.after_write, said)
