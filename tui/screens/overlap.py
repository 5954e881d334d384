"""The overlap finder (`o`): the best slots in the next five working days, and who pays."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from rich.text import Text
from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static

from tui import format as fmt
from tui.failures import ShowsFailures
from tui.widgets.key_bar import KeyBar
from tui.widgets.record_table import RecordTable
from tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from store.timezones import Slot
    from tui.app import RapportApp


class OverlapScreen(ShowsFailures, Screen[None]):
    BINDINGS = [Binding("escape", "back", "Back", id="overlap.back")]
    AUTO_FOCUS = "#slots"

    class Loaded(Message):
        def __init__(self, slots: list[Slot]) -> None:
            super().__init__()
            self.slots = slots

    def __init__(
        self, title: str, *, cadence_id: int | None = None, person_ids: Sequence[int] = ()
    ) -> None:
        super().__init__()
        self.heading = title
        self.cadence_id = cadence_id
        self.person_ids = tuple(person_ids)
        self.slots: list[Slot] = []

    @property
    def rapport(self) -> RapportApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static(Content.assemble(("Best slots · ", "bold"), (fmt.safe(self.heading), "bold")),
                     id="overlap-title")  # fmt: skip
        yield RecordTable(id="slots")
        yield Static("", id="slot-detail")
        yield KeyBar()

    def on_mount(self) -> None:
        self.query_one("#slots", RecordTable).add_columns(
            "Your time", "UTC", "Outside hours", "Who pays"
        )
        self.query_one("#slots", RecordTable).loading = True
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        from store.timezones import overlap_for_cadence, overlap_for_people

        app = self.rapport
        if self.cadence_id is not None:
            slots = overlap_for_cadence(app.store, app.engagement_id, self.cadence_id, app.now())
        else:
            slots = overlap_for_people(app.store, app.engagement_id, self.person_ids, app.now())
        self.post_message(self.Loaded(slots))

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        self.slots = message.slots
        table = self.query_one("#slots", RecordTable)
        table.loading = False
        table.clear()
        for index, slot in enumerate(message.slots):
            mine = slot.start.astimezone()
            payers = ", ".join(cost.name.split(" ")[0] for cost in slot.paying) or "nobody"
            table.add_row(
                Text(f"{mine:%a %d %b %H:%M}"), Text(f"{slot.start:%H:%M}"),
                Text(f"{slot.minutes_outside} min" if slot.minutes_outside else "none",
                     style="" if slot.minutes_outside else "green"),
                fmt.cell(payers), key=str(index),
            )  # fmt: skip
        if not message.slots:
            self.query_one("#slot-detail", Static).update("No slots found for these people.")
        self._detail()

    @on(RecordTable.RowHighlighted, "#slots")
    def _detail(self) -> None:
        index = self.query_one("#slots", RecordTable).selected_id
        if index is None or index >= len(self.slots):
            return
        slot = self.slots[index]
        lines = [
            f"{cost.name}: {cost.local_start:%a %H:%M} {cost.local_start.tzname()}"
            f" ({cost.minutes_outside} min outside their hours)"
            for cost in slot.paying
        ]
        self.query_one("#slot-detail", Static).update(
            Content("\n".join(fmt.safe(line) for line in lines) or "Inside everyone's hours.")
        )

    def action_back(self) -> None:
        self.dismiss()
