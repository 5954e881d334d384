"""The briefing before a call (`b` on a person or a cadence): the people, as they are now."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import Static
from textual.worker import Worker, WorkerState

from store.since import ago_text
from store.timezones import UNKNOWN_ZONE
from tui import format as fmt
from tui.failures import ShowsFailures
from tui.widgets.key_bar import KeyBar
from tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from store.briefing import AttendeeBrief, Briefing
    from tui.app import RapportApp


def attendee_block(person: AttendeeBrief, now: dt.datetime) -> Content:
    """One attendee: who, their clock, how long since we spoke, what is open, what to ask."""
    # Their own day, for follow-ups; the lead's when their zone is unknown here.
    today = (person.local_time or now).date()
    if person.local_time is None:
        clock = f"  in {person.timezone} ({UNKNOWN_ZONE})\n"
    else:
        hours = "working hours" if person.in_hours else "outside working hours"
        clock = f"  {person.local_time:%H:%M %a} in {person.timezone} ({hours})\n"
    role = ", ".join(x for x in (person.role, person.organisation, person.side) if x)
    parts: list[str | tuple[str, str] | Content] = [
        (fmt.safe(person.name), "bold $accent"), "  ", (fmt.safe(role), "dim"), "\n",
        fmt.safe(clock),
        f"  last contact {ago_text(person.days_since_contact)}, "
        f"last one-on-one {ago_text(person.days_since_one_on_one)}",
    ]  # fmt: skip
    if person.moods:
        from store.briefing import sparkline

        parts += ["  mood ", (sparkline(person.moods), "bold")]
    parts.append("\n")
    if person.last_outcome is not None:
        last = person.last_outcome
        parts += [("  Last: ", "bold"), f"{fmt.local_moment(last.at)} · {fmt.safe(last.title)}\n"]
        if last.outcome:
            parts += ["    ", fmt.safe(last.outcome).replace("\n", "\n    "), "\n"]
    if person.open_steps:
        parts.append(("  Open next steps\n", "bold"))
        for step in person.open_steps:
            parts.append(f"    · {fmt.safe(step.text)}")
            if step.due:
                parts.append((f"  due {step.due:%d %b}", "bold red" if step.overdue else "dim"))
            parts.append("\n")
    if person.decisions_owned:
        parts.append(("  Decisions they own\n", "bold"))
        for title, due in person.decisions_owned:
            when = f"  due {due:%d %b}" if due else ""
            parts.append(f"    · {fmt.safe(title)}{when}\n")
    if person.to_tell:
        parts.append(("  Tell them\n", "bold $warning"))
        parts += [f"    · {fmt.safe(title)}\n" for title in person.to_tell]
    if person.notes:
        parts.append(("  Remember\n", "bold"))
        for note in person.notes:
            mark = "📌 " if note.pinned else ""
            parts.append(f"    {mark}{fmt.safe(note.text)}")
            if note.asks(today):
                parts.append(("  ask now", "bold $warning"))
            parts.append("\n")
    return Content.assemble(*parts)


class BriefingScreen(ShowsFailures, Screen[None]):
    BINDINGS = [
        Binding("escape", "back", "Back", id="briefing.back"),
        Binding("y", "copy", "Copy Markdown", tooltip="Copy the briefing as Markdown", id="briefing.copy"),
        Binding("x", "follow_up_done", "Followed up", tooltip="Mark a follow-up asked about done", id="briefing.follow_up_done"),
        Binding("j", "scroll('down')", "Down", show=False, id="briefing.down"),
        Binding("k", "scroll('up')", "Up", show=False, id="briefing.up"),
    ]  # fmt: skip

    class Loaded(Message):
        def __init__(self, briefing: Briefing) -> None:
            super().__init__()
            self.briefing = briefing

    def __init__(self, *, cadence_id: int | None = None, person_id: int | None = None) -> None:
        super().__init__()
        self.cadence_id = cadence_id
        self.person_id = person_id
        self.briefing: Briefing | None = None

    @property
    def rapport(self) -> RapportApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        with VerticalScroll(id="briefing-body"):
            yield Static("Preparing the briefing…", id="briefing")
        yield KeyBar()

    def on_mount(self) -> None:
        self.refresh_rows()

    def refresh_rows(self) -> None:
        self._load()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(self) -> None:
        from store.briefing import brief_cadence, brief_person

        store, engagement_id, now = (
            self.rapport.store,
            self.rapport.engagement_id,
            self.rapport.now(),
        )
        if self.cadence_id is not None:
            briefing = brief_cadence(store, engagement_id, self.cadence_id, now)
        else:
            assert self.person_id is not None
            briefing = brief_person(store, engagement_id, self.person_id, now)
        self.post_message(self.Loaded(briefing))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # (ShowsFailures has the app tell it too; here the page stops saying "Preparing".)
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            from tui.failures import failure_notice

            _title, said = failure_notice(event.worker.error, writing=False)
            self.query_one("#briefing", Static).update(
                Content.assemble(("The briefing could not be prepared.", "bold $error"), "\n",
                                 fmt.safe(said))
            )  # fmt: skip

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        self.briefing = briefing = message.briefing
        self.sub_title = f"Briefing · {briefing.title}"
        parts: list[str | tuple[str, str] | Content] = [
            (f"Briefing: {fmt.safe(briefing.title)}", "bold underline"),
            "\n",
        ]
        if briefing.last_outcome is not None:
            last = briefing.last_outcome
            parts += ["Last time ", (fmt.local_moment(last.at), "bold"), "\n",
                      fmt.safe(last.outcome), "\n"]  # fmt: skip
        for person in briefing.attendees:
            parts += ["\n", attendee_block(person, briefing.now)]
        if not briefing.attendees:
            parts.append("\nNobody is on this cadence yet.")
        self.query_one("#briefing", Static).update(Content.assemble(*parts))

    def action_scroll(self, direction: str) -> None:
        body = self.query_one("#briefing-body", VerticalScroll)
        body.scroll_down() if direction == "down" else body.scroll_up()

    def action_back(self) -> None:
        self.dismiss()

    def action_follow_up_done(self) -> None:
        if self.briefing is None:
            return
        today = self.rapport.today()
        due = [
            (f"{person.name}: {note.text.splitlines()[0] if note.text else ''}", note.id)
            for person in self.briefing.attendees
            for note in person.notes
            if note.asks(today)
        ]
        if not due:
            self.notify("No follow-up to ask about in this briefing.", severity="information")
            return
        if len(due) == 1:
            self._mark_follow_up(due[0][1])
            return
        from tui.widgets.form import Field, FormScreen, Values

        form = FormScreen(
            "Which follow-up was done?",
            [Field("note", "Followed up", "choice", value=due[0][1], choices=due)],
        )

        def chosen(values: Values | None) -> None:
            if values is not None:
                self._mark_follow_up(values["note"])

        self.app.push_screen(form, chosen)

    @work(thread=True, exit_on_error=False, group="write")
    def _mark_follow_up(self, note_id: int) -> None:
        from store.edits import EditError, mark_follow_up

        try:
            mark_follow_up(self.rapport.store, note_id, self.rapport.today())
        except EditError as error:
            self.app.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        self.app.call_from_thread(self.rapport.after_write, "Followed up")

    def action_copy(self) -> None:
        if self.briefing is None:
            return
        from store.briefing import briefing_markdown

        self.app.copy_to_clipboard(briefing_markdown(self.briefing))
        self.notify("Briefing copied as Markdown")
