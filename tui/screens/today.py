"""Today (`0`): what needs the lead today, each line one `enter` away from its item."""

from __future__ import annotations

import threading
import time
from typing import TYPE_CHECKING

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.content import Content
from textual.message import Message
from textual.screen import Screen
from textual.widgets import OptionList, Static
from textual.widgets.option_list import Option

from tui import format as fmt
from tui.data import FIRST_PAINT_WAIT
from tui.failures import ShowsFailures
from tui.widgets.key_bar import KeyBar
from tui.widgets.title_bar import TitleBar

if TYPE_CHECKING:
    from store.queries import NoteRow
    from store.today import Today, TodayItem
    from tui.app import RapportApp

# The summary line's words for each section's count: one, and more than one.
SHORT = {
    "cadences": ("overdue", "overdue"),
    "meetings": ("meeting", "meetings"),
    "touch": ("losing touch", "losing touch"),
    "steps": ("step late", "steps late"),
    "decisions": ("decision", "decisions"),
    "followups": ("follow-up", "follow-ups"),
    "onboarding": ("onboarding", "onboarding"),
    "dates": ("coming up", "coming up"),
}


# A section lists this many; the rest are counted (at a large engagement "losing touch" alone
# can be thousands, which is a list for the Roster, not for a morning glance).
SHOWN = 25
MORE_ON = {
    "cadences": "2 Cadence",
    "meetings": "2 Cadence",
    "touch": "1 Roster",
    "steps": "1 Roster, h",
    "decisions": "3 Decisions",
    "followups": "4 Notes",
    "onboarding": "1 Roster",
    "dates": "4 Notes",
}


# After the notes due, the screens' rows Today is made of, cheapest first, each section shown
# as soon as its rows are read: on a large engagement the first lines are up long before the
# last (tui.data shares the rows with the screens, so visiting one afterwards reads nothing
# again). (section, loader)
STAGES = (("decisions", "items"), ("roster", "roster"), ("cadences", "cadences"))
# Seconds since the last lines were shown before a partial Today is shown again. Quick reads
# (a small engagement) are then shown once, whole; and no burst of frames follows the first:
# Textual's writer flushes only between writes, so a burst held the first frame back (Today's
# cold start at S was 100 ms later once its reads stopped waiting for the ORM's import).
PARTIAL_EVERY = 0.1
# Seconds the reads then wait after the first lines are painted. A refresh is not yet the
# terminal: Textual's writer thread writes the frame when it gets the GIL and flushes only
# between writes, so reads started at once held the first lines back (cold start on Today
# at S, 7 paired rounds twice: 476 ms without this, 412 ms with it). The Roster measured
# the other way (its first page 490 -> 550 ms), so only Today waits.
FLUSH_WINDOW = 0.1


class TodayList(OptionList):
    BINDINGS = [
        Binding("j", "cursor_down", "Down", show=False, id="today.down"),
        Binding("k", "cursor_up", "Up", show=False, id="today.up"),
        Binding("g", "first", "Top", show=False, id="today.top"),
        Binding("G", "last", "Bottom", show=False, id="today.bottom"),
    ]


class TodayScreen(ShowsFailures, Screen[None]):
    BINDINGS = [
        Binding("r", "reload", "Refresh", tooltip="Look again (the clock moves)", id="today.reload"),
        Binding("x", "tick", "Done", tooltip="Mark the next step or follow-up done", id="today.tick"),
        Binding("b", "brief", "Briefing", tooltip="Briefing on whom or what this is about", id="today.brief"),
        Binding("h", "history", "History", tooltip="Check-ins with whom or what this is about", id="today.history"),
    ]  # fmt: skip
    AUTO_FOCUS = "#today"

    class Loaded(Message):
        def __init__(self, today: Today, version: int) -> None:
            super().__init__()
            self.today = today
            self.version = version
            self.painted = threading.Event()  # set once these lines are on screen

    def __init__(self) -> None:
        super().__init__()
        self._asked_version = -1  # the data version last asked for
        self._partial = False  # what is shown still lacks sections
        self._items: dict[str, TodayItem] = {}  # the lines shown, by option id
        # Where the lead's cursor is (option id, index), and the line a partial list put
        # it on instead (None: the list shown is whole, or the lead moved since).
        self._place: tuple[str | None, int | None] = (None, None)
        self._placed: str | None = None

    @property
    def rapport(self) -> RapportApp:
        return self.app  # type: ignore[return-value]

    def compose(self) -> ComposeResult:
        yield TitleBar()
        yield Static("Looking at the engagement…", id="summary")
        yield TodayList(id="today")
        yield KeyBar()

    def on_mount(self) -> None:
        # Read here, before the screen's first frame, the first lines are in it (instead of
        # "Looking at…", painted again a moment later).
        app = self.rapport
        cached = all(app.cached(loader) is not None for _n, loader in STAGES)
        if not app.store.local or cached:
            self.refresh_rows()  # (all read already: shown whole, at once)
            return
        from store.today import compose, notes_due

        version = self._asked_version = app.data_version
        notes = notes_due(app.store, app.engagement_id, app.today())
        first = self.Loaded(compose(app.now(), app.today(), notes=notes, shown=SHOWN), version)
        self._show(first)
        self._load(version, notes, after=first.painted)

    def on_screen_resume(self) -> None:
        # Shown again after a change, and not already reloading for it (mounting asks too).
        if self._asked_version != self.rapport.data_version:
            self.refresh_rows()

    def refresh_rows(self) -> None:
        self._asked_version = self.rapport.data_version
        self._load(self.rapport.data_version)

    def action_reload(self) -> None:
        self.refresh_rows()

    @work(thread=True, exclusive=True, exit_on_error=False)
    def _load(
        self, version: int, notes: list[NoteRow] | None = None, after: threading.Event | None = None
    ) -> None:
        """`notes`, `after`: the notes due, read and shown already; their paint comes first."""
        from store.today import compose, notes_due

        app = self.rapport
        now, today = app.now(), app.today()
        # The notes that matter today are few, and read by themselves in a fraction of the
        # time all notes take: the first lines are up before any screen's rows are read.
        rows: dict[str, object] = {
            "notes": notes if notes is not None else notes_due(app.store, app.engagement_id, today)
        }
        if after is None and any(app.cached(loader) is None for _name, loader in STAGES):
            first = self.Loaded(compose(now, today, **rows, shown=SHOWN), version)  # type: ignore[arg-type]
            self.post_message(first)
            after = first.painted
        if after is not None and after.wait(timeout=FIRST_PAINT_WAIT):
            time.sleep(FLUSH_WINDOW)
        shown = time.monotonic()
        for number, (name, loader) in enumerate(STAGES):
            rows[name] = app.rows(loader)
            later = STAGES[number + 1 :]
            # Shown now if the rest is still to read and this took a while; else once, whole.
            slow = time.monotonic() - shown >= PARTIAL_EVERY
            if not later or (slow and any(app.cached(other) is None for _n, other in later)):
                self.post_message(self.Loaded(compose(now, today, **rows, shown=SHOWN), version))  # type: ignore[arg-type]
                shown = time.monotonic()
        app.warm()

    @on(Loaded)
    def _show(self, message: Loaded) -> None:
        self.call_after_refresh(message.painted.set)
        today = message.today
        summary = "  ·  ".join(
            f"{section.total:,} {SHORT[section.key][section.total > 1]}"
            for section in today.sections
            if section.total
        )
        if today.pending:
            summary = f"{summary}  ·  still looking…" if summary else "Looking at the engagement…"
        self.query_one("#summary", Static).update(Content(summary or "Nothing needs you today."))
        listing = self.query_one("#today", TodayList)
        current = listing.highlighted_option.id if listing.highlighted_option else None
        # While sections arrive (after a start, or a change such as `x`) the cursor is where
        # the lead left it, not where a partial list put it: a line not read yet is put
        # back once it is there.
        if not (self._partial and current == self._placed):
            self._place = (current, listing.highlighted)
        keep, was_at = self._place
        self._partial = bool(today.pending)
        # One add_options call: added one by one, each option re-measured the whole list.
        options: list[Option] = []
        self._items = {}
        for section in today.sections:
            if not section.total:
                continue
            key = section.key
            heading = Content.assemble((f"{section.title} ({section.total:,})", "bold underline"))
            options.append(Option(heading, id=f"heading:{key}", disabled=True))
            for number, item in enumerate(section.items):
                mark = ("● ", "bold red") if item.urgent else "  "
                label = Content.assemble(
                    mark, fmt.safe(item.text), "  ", (fmt.safe(item.detail), "dim")
                )
                option_id = f"{item.screen}:{item.record_id}:{key}{number}"
                self._items[option_id] = item
                options.append(Option(label, id=option_id))
            if (rest := section.total - len(section.items)) > 0:
                more = Content.assemble(
                    ("  … and ", "dim"), (f"{rest:,} more", "dim"),
                    (f" ({MORE_ON[key]})", "dim"),
                )  # fmt: skip
                options.append(Option(more, id=f"more:{key}", disabled=True))
        listing.clear_options()
        listing.add_options(options)
        ids = [option.id for option in listing.options]
        if keep in ids:
            listing.highlighted = ids.index(keep)
        elif (
            keep is not None
            and was_at is not None
            and (at := next((i for i in range(was_at, len(ids)) if ids[i] in self._items), None))
            is not None
        ):
            listing.highlighted = at  # the line is done and gone: stay where it was
        else:
            listing.highlighted = next(
                (i for i, option in enumerate(listing.options) if not option.disabled), None
            )
        placed = listing.highlighted_option
        self._placed = placed.id if self._partial and placed is not None else None

    def selected_item(self) -> TodayItem | None:
        option = self.query_one("#today", TodayList).highlighted_option
        return self._items.get(option.id or "") if option is not None else None

    @on(OptionList.OptionHighlighted, "#today")
    def _moved(self) -> None:
        self.refresh_bindings()  # x, b and h depend on the line

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("tick", "brief", "history"):
            item = self.selected_item()
            if item is None:
                return None
            return True if (item.tick if action == "tick" else item.about) is not None else None
        return True

    def action_brief(self) -> None:
        item = self.selected_item()
        if item is not None and item.about is not None:
            about = item.about
            self.rapport.open_briefing(cadence_id=about.cadence_id, person_id=about.person_id)

    def action_history(self) -> None:
        item = self.selected_item()
        if item is not None and item.about is not None:
            about = item.about
            self.rapport.open_history(
                about.name, cadence_id=about.cadence_id, person_id=about.person_id
            )

    def action_tick(self) -> None:
        item = self.selected_item()
        if item is not None and item.tick is not None:
            self._tick(item)

    @work(thread=True, exit_on_error=False, group="write")
    def _tick(self, item: TodayItem) -> None:
        from store.checkins import toggle_next_step
        from store.edits import EditError, mark_follow_up

        assert item.tick is not None
        app = self.rapport
        try:
            if item.tick.kind == "step":
                # Done, not toggled: the line may be older than a tick made elsewhere.
                toggle_next_step(app.store, item.tick.id, done=True)
                said = f"Next step done: {item.text}"
            else:
                mark_follow_up(app.store, item.tick.id, app.today())
                said = f"Followed up: {item.text}"
        except EditError as error:
            app.call_from_thread(self.notify, str(error), severity="error", markup=False)
            return
        app.call_from_thread(app.after_write, said)

    @on(OptionList.OptionSelected, "#today")
    def _jump(self, event: OptionList.OptionSelected) -> None:
        screen, record_id, _ = (event.option.id or "").split(":", 2)
        self.app.call_later(self.rapport.jump_to, screen, int(record_id))
