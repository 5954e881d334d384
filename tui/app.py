"""The Textual app: modes, global keys, services. Screens do the work."""

from __future__ import annotations

import datetime as dt
import gc
import time
from collections.abc import Callable, Iterable, Sequence
from functools import partial
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

from textual import events, work
from textual.app import App, SystemCommand
from textual.binding import Binding
from textual.screen import Screen
from textual.widget import AwaitMount

from store.db import Store
from store.queries import EngagementRow
from store.text import visible, visible_line
from tui.data import ScreenData

if TYPE_CHECKING:
    from textual.notifications import SeverityLevel
    from textual.worker import Worker

    from store.checkins import CheckInDraft
    from tui.screens.log import LogScreen
    from tui.widgets.form import FormScreen

Clock = Callable[[], dt.datetime]

SCREEN_TITLES = {
    "today": "Today",
    "roster": "Roster",
    "cadence": "Cadence",
    "decisions": "Decisions",
    "notes": "Notes",
}


def system_clock() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def forget_rendering(screen: Screen[Any]) -> None:
    """Let a screen that is out of sight drop the lines it last painted.

    Textual keeps every widget's rendered lines until it repaints, each line with seven
    caches of its own: after a visit of every screen at L, those of the four hidden screens
    held 3.4 MiB of the 93 MiB. Marking them dirty drops them; the screen paints them again
    when it is shown (its tables keep the rows they formatted, so that is cheap).
    """
    for widget in screen.walk_children(with_self=True):
        widget.refresh()


def _screen(module: str, name: str) -> Screen[None]:
    """A new main screen, its module imported on first use."""
    from importlib import import_module

    screen: Screen[None] = getattr(import_module(f"tui.screens.{module}"), name)()
    # Textual 8 re-parses every stylesheet and restyles the whole app twice when a mode's
    # screen is first made (`_init_mode`, then `switch_mode`, each finding the new screen's
    # CSS counter behind the app's): about 40 ms of the first paint and of each first visit.
    # A new screen is styled as it mounts, with the CSS as it is now, so it starts current.
    # (A private counter: if Textual renames it, this only stops saving the time.)
    screen._css_update_count = screen.app._css_update_count
    return screen


class RapportApp(App[None]):
    CSS_PATH = "app.tcss"
    TITLE = "rapport"
    # Below 150 columns the detail pane sits under the list so the table keeps its columns.
    HORIZONTAL_BREAKPOINTS = [(0, "-narrow"), (150, "-wide")]
    # Each screen's module is imported when the screen is first shown, not before the first
    # paint (together they cost about a tenth of a second to import).
    MODES = {
        "today": lambda: _screen("today", "TodayScreen"),
        "roster": lambda: _screen("roster", "RosterScreen"),
        "cadence": lambda: _screen("cadence", "CadenceScreen"),
        "decisions": lambda: _screen("decisions", "DecisionsScreen"),
        "notes": lambda: _screen("notes", "NotesScreen"),
    }
    BINDINGS = [
        Binding("0", "show('today')", "Today", tooltip="What needs you today", id="app.today"),
        Binding("1", "show('roster')", "Roster", tooltip="People on the engagement", id="app.roster"),
        Binding("2", "show('cadence')", "Cadence", tooltip="Recurring meetings", id="app.cadence"),
        Binding("3", "show('decisions')", "Decisions", tooltip="Decisions, risks, dependencies", id="app.decisions"),
        Binding("4", "show('notes')", "Notes", tooltip="What to remember about people", id="app.notes"),
        Binding("l", "log", "Log", tooltip="Log a check-in that just happened", id="app.log"),
        Binding("E", "pick_engagement", "Engagement", tooltip="Switch to another engagement", id="app.engagement"),
        Binding("question_mark", "toggle_help", "Keys", tooltip="The keys of this screen", id="app.help"),
        Binding("q", "quit", "Quit", id="app.quit"),
    ]  # fmt: skip

    def __init__(
        self,
        store: Store,
        *,
        start_screen: str | None = None,
        demo: bool = False,
        clock: Clock = system_clock,
        engagement_id: int | None = None,
        freeze_gc: bool = False,
    ) -> None:
        super().__init__()
        # Whether the warm-up moves what it read out of the cyclic GC's reach (gc.freeze):
        # for the one app of a real process, never for the many apps of a test run.
        self.freeze_gc = freeze_gc
        self.store = store
        self.clock = clock
        self.demo = demo
        self.start_screen = start_screen or "today"
        self.start_engagement = engagement_id  # None: the first by name
        self.engagement: EngagementRow | None = None
        # Bumped on every write; a screen whose rows are older reloads when shown again.
        self.data_version = 0
        self.data = ScreenData(store)
        self._warmed: int | None = None  # the engagement warmed up for
        self._last_key = 0.0  # time.monotonic() of the last key pressed
        self._polling: Worker[None] | None = None  # the last look for changes elsewhere
        self._repeated: set[str] = set()  # failures of REPEATING workers told already
        self._zone_warned = False  # an unusable TZ is said once, at the first `l`

    # ---- services for screens ----------------------------------------------------------

    def now(self) -> dt.datetime:
        return self.clock()

    def today(self) -> dt.date:
        from store.since import lead_day

        return lead_day(self.clock())

    @property
    def engagement_id(self) -> int:
        assert self.engagement is not None, "no engagement is open"
        return self.engagement.id

    def rows(self, name: str) -> Any:
        """The open engagement's rows of one kind (tui.data.LOADERS), read at most once per
        data version. Blocks: call from a worker thread."""
        return self.data.get(name, self.engagement_id, self.data_version, self.today())

    def cached(self, name: str) -> Any:
        """The rows of `rows(name)` if they are read already, else None; never waits."""
        return self.data.peek(name, self.engagement_id, self.data_version, self.today())

    def warm(self) -> None:
        """Read every screen's rows in the background, so that first visits only paint.

        Once per engagement opened: after a change each screen reloads when it is shown,
        rather than all of them at once on every save (seconds of work at a large
        engagement, competing with the keys). A warm-up stops when the data changes.
        """
        if self.engagement is not None and self._warmed != self.engagement.id:
            self._warmed = self.engagement.id
            self._warm(self.data_version)

    @work(thread=True, exit_on_error=False, group="warm")
    def _warm(self, version: int) -> None:
        from importlib import import_module

        from store.timezones import local_zone
        from tui.data import LOADERS

        # The main screens' modules too, so that a first visit does not wait for an import.
        for module in ("today", "roster", "cadence", "decisions", "notes", "log"):
            import_module(f"tui.screens.{module}")
        local_zone()  # `l` asks for it; the first time loads tzlocal
        for name in LOADERS:
            self._wait_for_quiet()
            if self.data_version != version or self.engagement is None:
                return  # the data changed meanwhile: what is shown reloads itself
            self.rows(name)
        if self.freeze_gc:
            # A full collection walks every live container: at a large engagement's rows
            # that is a pause of a tenth of a second on some random key. Rows are acyclic,
            # so once frozen, refcounting still frees them when they are replaced.
            gc.freeze()

    # Seconds without a key before the warm-up reads the next kind of rows: a read holds the
    # GIL for tenths of a second at a large engagement, and a lead moving through the list
    # right after start-up should not wait for screens they have not asked for yet. It waits
    # at most PATIENCE_SECONDS, so steady typing delays the warm-up but never starves it.
    QUIET_SECONDS = 0.25
    PATIENCE_SECONDS = 1.0

    def _wait_for_quiet(self) -> None:
        give_up = time.monotonic() + self.PATIENCE_SECONDS
        while (
            wait := min(
                self._last_key + self.QUIET_SECONDS - time.monotonic(),
                give_up - time.monotonic(),
            )
        ) > 0:
            time.sleep(wait)

    async def on_event(self, event: events.Event) -> None:
        if isinstance(event, events.Key):
            self._last_key = time.monotonic()
        await super().on_event(event)

    def data_changed(self) -> None:
        self.data_version += 1

    def on_form_screen_opened(self, _event: FormScreen.Opened) -> None:
        self._prepare_writes()

    @work(thread=True, exit_on_error=False, group="prepare")
    def _prepare_writes(self) -> None:
        # Showing rows never loads the ORM; saving does. Loaded while the lead types, the
        # save that follows does not wait a tenth of a second for it.
        self.store.prepare_writes()

    # ---- start-up and engagements -------------------------------------------------------

    # Seconds between looks at whether another process (rapport log, a second window)
    # changed the database.
    POLL_SECONDS = 2.0

    def poll_changes(self) -> None:
        # A look still running (a slow server) is left to finish, not cancelled and replaced:
        # a thread cannot be stopped, so a cancelled one would only run on beside the next.
        if self._polling is None or self._polling.is_finished:
            self._polling = self._poll()

    @work(thread=True, exit_on_error=False, group="poll")
    def _poll(self) -> None:
        token = self.store.change_token()
        if token is None:
            return
        if self._change_token is not None and token != self._change_token:
            self.call_from_thread(self._changed_elsewhere)
        self._change_token = token

    def after_write_elsewhere(self) -> None:
        self._changed_elsewhere()

    def _changed_elsewhere(self) -> None:
        """Reload what is shown; a form being filled in is a separate screen and untouched."""
        if self.engagement is None:
            return
        self.data_changed()
        for screen in self.screen_stack:
            refresh = getattr(screen, "refresh_rows", None)
            if callable(refresh):
                refresh()

    def on_mount(self) -> None:
        from store.queries import engagements

        self._change_token: object = None
        self.poll_changes()
        self.set_interval(self.POLL_SECONDS, self.poll_changes)

        found = engagements(self.store)
        if found:
            chosen = [row for row in found if row.id == self.start_engagement] or found
            self.open_engagement(chosen[0], self.start_screen)
        else:
            from tui.screens.welcome import WelcomeScreen

            self.push_screen(WelcomeScreen())

    def open_engagement(self, engagement: EngagementRow, screen: str | None = None) -> None:
        self.engagement = engagement
        self.title = f"{engagement.name}{' (demo)' if self.demo else ''}"
        self.sub_title = f"{self.today():%a %d %b %Y}"
        self.data_changed()
        self.switch_mode(screen or self.current_mode_name())

    def switch_mode(self, mode: str) -> AwaitMount:
        leaving = self.screen
        mounted = super().switch_mode(mode)
        if leaving is not self.screen:
            forget_rendering(leaving)
        return mounted

    def current_mode_name(self) -> str:
        return self.current_mode if self.current_mode in self.MODES else self.start_screen

    def action_show(self, mode: str) -> None:
        if self.engagement is not None:
            self.switch_mode(mode)

    def action_pick_engagement(self) -> None:
        from tui.screens.engagements import EngagementsScreen

        self.push_screen(EngagementsScreen())

    def local_zone(self) -> ZoneInfo:
        """The lead's own time zone, for what they type as wall-clock times."""
        from store.timezones import local_zone, local_zone_warning

        if (warning := local_zone_warning()) and not self._zone_warned:
            self._zone_warned = True
            self.notify(warning, title="Time zone", severity="warning", markup=False)
        return local_zone()

    def open_briefing(self, *, cadence_id: int | None = None, person_id: int | None = None) -> None:
        from tui.screens.briefing import BriefingScreen

        self.push_screen(BriefingScreen(cadence_id=cadence_id, person_id=person_id))

    def open_overlap(
        self, title: str, *, cadence_id: int | None = None, person_ids: Sequence[int] = ()
    ) -> None:
        from tui.screens.overlap import OverlapScreen

        self.push_screen(OverlapScreen(title, cadence_id=cadence_id, person_ids=person_ids))

    def open_history(
        self, title: str, *, cadence_id: int | None = None, person_id: int | None = None
    ) -> None:
        from tui.screens.history import HistoryScreen

        self.push_screen(HistoryScreen(title, cadence_id=cadence_id, person_id=person_id))

    def edit_checkin(self, checkin_id: int) -> None:
        form = self._checkin_form(checkin_id)
        if form is None:
            self.notify("That check-in no longer exists.", severity="warning")
            return
        self.push_screen(form, self._logged)

    def _checkin_form(self, checkin_id: int) -> LogScreen | None:
        """The log form on a check-in as it is now, saving over this version of it; None if
        it is gone. Made again when a save finds it changed elsewhere meanwhile."""
        from store.checkins import log_context
        from store.queries import checkin_for_edit
        from tui.screens.log import LogScreen

        existing = checkin_for_edit(self.store, checkin_id)
        if existing is None:
            return None
        form = LogScreen(
            log_context(self.store, self.engagement_id),
            engagement_id=self.engagement_id,
            now=self.now(),
            zone=self.local_zone(),
            existing=existing,
            title="Edit the check-in",
        )
        version = existing.version
        form.save = lambda values: self._save_log(values["draft"], checkin_id, version)
        form.reread = partial(self._checkin_form, checkin_id)
        return form

    def action_log(self) -> None:
        if self.engagement is None:
            return
        from store.checkins import log_context, one_on_one_of
        from store.occurrences import just_held
        from tui.screens.cadence import CadenceScreen
        from tui.screens.log import LogScreen
        from tui.screens.roster import RosterScreen

        # Usually read already in the background; else a quick read now.
        context = self.cached("log_context") or log_context(self.store, self.engagement_id)
        cadence_id: int | None = None
        attendee_ids: tuple[int, ...] = ()
        title = "Log a check-in"
        screen = self.screen
        if isinstance(screen, CadenceScreen) and (cadence := screen.selected()):
            cadence_id = cadence.id
        elif isinstance(screen, RosterScreen) and (person := screen.selected()):
            # Their one-on-one cadence, with its people; else an ad-hoc call with them.
            cadence_id = one_on_one_of(context, person.id)
            attendee_ids = () if cadence_id is not None else (person.id,)
            title = f"Log a one-on-one with {person.name}"
        elif (meeting := just_held(context.schedules, self.now())) is not None:
            cadence_id = meeting.cadence_id
            title = f"Log {meeting.label(self.local_zone())}"
        form = LogScreen(
            context,
            engagement_id=self.engagement_id,
            now=self.now(),
            zone=self.local_zone(),
            cadence_id=cadence_id,
            attendee_ids=attendee_ids,
            title=title,
        )
        form.save = lambda values: self._save_log(values["draft"], None, None)
        self.push_screen(form, self._logged)

    def _logged(self, saved: tuple[str, frozenset[int] | None] | None) -> None:
        if saved is not None:
            self.after_write(*saved)

    def _save_log(
        self, draft: CheckInDraft, checkin_id: int | None, version: int | None
    ) -> tuple[str, frozenset[int] | None]:
        """Write the check-in (the log form runs this in its thread); what to tell and which
        Roster rows it touched."""
        from store.checkins import log_checkin

        summary = log_checkin(self.store, draft, checkin_id, version, now=self.now())
        if checkin_id is not None:
            return str(summary).replace("Logged", "Updated", 1), None
        # A new check-in changes, on the Roster, its attendees (last contact) and the
        # owners of its next steps, and no one else.
        owners = {step.owner_id for step in draft.next_steps if step.owner_id is not None}
        return str(summary), frozenset(draft.attendee_ids) | owners

    # Worker groups whose failure is told once, not at every try (the look for changes
    # elsewhere runs every POLL_SECONDS).
    REPEATING = frozenset({"poll"})

    def report_failure(self, worker: Worker[Any]) -> None:
        """The one place a failed worker is told: a sanitized notice (tui.failures)."""
        from store.errors import ConflictError
        from tui.failures import WRITES, failure_notice

        error = worker.error
        if error is None or worker.exit_on_error:
            return  # (one that stops the app is told by the crash screen, tui.crash)
        if worker.group in self.REPEATING:
            # By kind, before a bug's report is written: not one report every few seconds.
            if type(error).__qualname__ in self._repeated:
                return
            self._repeated.add(type(error).__qualname__)
        title, message = failure_notice(error, writing=worker.group in WRITES, store=self.store)
        conflict = isinstance(error, ConflictError)
        self.notify(message, title=title, severity="warning" if conflict else "error", markup=False)
        if conflict:
            # What is shown behind the form is older than the database: read it again.
            self.after_write_elsewhere()

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        from textual.worker import WorkerState

        if event.state == WorkerState.ERROR:
            self.report_failure(event.worker)
        elif event.state == WorkerState.SUCCESS and event.worker.group in self.REPEATING:
            self._repeated.clear()

    def after_write(self, said: str, people: frozenset[int] | None = None) -> None:
        """Tell the user what was saved; every screen reloads (this one now, others when shown).

        `people`: the only people whose Roster rows the change touched, if known; the Roster
        then reads just them instead of everyone (which reads every check-in).
        """
        self.notify(said, markup=False)
        self.data_changed()
        # The screen in front reloads now; the others when they are shown again.
        refresh_people = getattr(self.screen, "refresh_people", None)
        if people is not None and callable(refresh_people):
            refresh_people(people)
            return
        refresh = getattr(self.screen, "refresh_rows", None)
        if callable(refresh):
            refresh()

    async def jump_to(self, mode: str, record_id: int) -> None:
        """Show a record on its screen (from Today): switch, clear filters, select it."""
        from tui.screens.listing import ListingScreen

        await self.switch_mode(mode)
        screen = self.screen
        if isinstance(screen, ListingScreen):
            screen.focus_record(record_id)

    async def show_notes_for(self, person_id: int, name: str) -> None:
        from tui.screens.notes import NotesScreen

        await self.switch_mode("notes")
        notes = self.screen
        assert isinstance(notes, NotesScreen)
        notes.person_filter = (person_id, name)

    def _handle_exception(self, error: Exception) -> None:
        # Textual's crash screen prints every frame's local variables, which can hold personal
        # notes. Textual 8.2.8 has no public hook for unexpected errors, so this one private
        # method is overridden, and only to swap in an error that renders as a short line.
        from tui.crash import Crashed

        super()._handle_exception(error if hasattr(error, "__rich__") else Crashed(error))

    # ---- help and the command palette ----------------------------------------------------

    def action_toggle_help(self) -> None:
        if self.screen.query("HelpPanel"):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()

    def notify(
        self,
        message: str,
        *,
        title: str = "",
        severity: SeverityLevel = "information",
        timeout: float | None = None,
        markup: bool = True,
    ) -> None:
        # Notices often quote the database (a name, an error's text): every one, from any
        # screen or widget (theirs call this one), reaches the terminal through the one rule.
        super().notify(
            visible(message),
            title=visible_line(title),
            severity=severity,
            timeout=timeout,
            markup=markup,
        )

    def get_system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        # What the palette lists is drawn on the terminal too.
        for command in self._system_commands(screen):
            yield command._replace(
                title=visible_line(command.title), help=visible_line(command.help)
            )

    def _system_commands(self, screen: Screen) -> Iterable[SystemCommand]:
        yield from super().get_system_commands(screen)
        if self.engagement is None:
            return
        for mode, title in SCREEN_TITLES.items():
            yield SystemCommand(
                f"Go to {title}", f"Show the {title} screen", partial(self.switch_mode, mode)
            )
        yield SystemCommand(
            "Switch engagement", "Open another engagement", self.action_pick_engagement
        )
        # The verbs of the screen the palette was opened on, by name.
        for binding in getattr(screen, "BINDINGS", ()):
            if isinstance(binding, Binding) and binding.description and binding.show:
                title = f"{SCREEN_TITLES.get(self.current_mode, '')}: {binding.description}"
                yield SystemCommand(
                    title,
                    binding.tooltip or binding.description,
                    partial(screen.run_action, binding.action),
                )

    # fmt: skip
