"""Decisions: what must be decided (and the risks and dependencies), and who has been told.

One key per filter (kind, owner, not propagated, stale, overdue), combinable with `/`;
`c` moves an item along its lifecycle, `i` marks people told, `m` adds a cadence's people
to those who must know, `u` records that a later decision supersedes this one.
"""

from __future__ import annotations

import datetime as dt
from collections import OrderedDict
from collections.abc import Sequence
from functools import partial

from rich.text import Text
from textual import work
from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive

from store import decisions, queries
from store.decisions import Event, Item
from store.fields import parse_date, parse_optional_date
from store.tables import NAME_LEN, SHORT_LEN, TEXT_LEN, Channel, DecisionKind
from tui import format as fmt
from tui.screens.listing import Cell, ListingScreen, listing_bindings
from tui.widgets.form import Field, FormScreen, Values, date_text, text_parser

KINDS = (None, "decision", "risk", "dependency")
SORTS = ("due", "score", "age")
FLAGS = {"propagation": "not propagated", "stale": "stale", "overdue": "overdue"}
# Timelines kept once read for the detail pane: moving back over items shown a moment ago
# reads nothing again.
TIMELINES_KEPT = 100


def _level(value: str) -> int | None:
    if not value.strip():
        return None
    if value.strip() not in ("1", "2", "3", "4", "5"):
        raise ValueError("1 (low) to 5 (high)")
    return int(value)


def _status(row: Item, stale: str = " (stale)") -> str:
    # A superseded decision is no longer what was decided: it says what replaced it.
    if row.superseded_by:
        return f"superseded by {row.superseded_by[1]}"
    return row.status + (stale if row.stale else "")


def _needs_outcome(values: Values) -> dict[str, str]:
    """The store's own rule, checked before the form closes: what was typed stays."""
    if decisions.needs_outcome(values["to"], values["outcome"]):
        return {"outcome": decisions.NEEDS_OUTCOME}
    return {}


def _bind(key: str, action: str, text: str, tip: str) -> Binding:
    return Binding(key, action, text, tooltip=tip, id=f"decisions.{action}")


class DecisionsScreen(ListingScreen[Item]):
    TITLE_NOUN = "decision"
    BINDINGS = listing_bindings(
        "decisions",
        extra=[
            _bind("a", "toggle_all", "All/open", "Show every item, or only the open ones"),
            _bind("t", "cycle_kind", "Kind", "Only decisions, risks or dependencies"),
            _bind("w", "cycle_owner", "Owner", "Only the items of one owner"),
            _bind("p", "flag('propagation')", "Not told", "Decided, someone not told yet"),
            _bind("x", "flag('stale')", "Stale", "Untouched by their cadence for 2 intervals"),
            _bind("d", "flag('overdue')", "Overdue", "Open and past due"),
            _bind("s", "cycle_sort", "Sort", "Sort by due date, risk score or age"),
            _bind("c", "move", "Status", "Decide, drop, mitigate, deliver…"),
            _bind("i", "inform", "Told", "Mark people told"),
            _bind("m", "add_cadence", "+Cadence", "Everyone on a cadence must know"),
            _bind("u", "supersede", "Superseded", "A later decision replaces this one"),
        ],
    )
    COLUMNS = (
        ("kind", "Kind", None),
        ("title", "Title", 34),
        ("owner", "Owner", 16),
        ("due", "Due", None),
        ("status", "Status", None),
        ("informed", "Told", None),
        ("score", "Score", None),
    )
    EMPTY_TEXT = "No decisions, risks or dependencies yet: press n to add one."

    show_all: reactive[bool] = reactive(False, init=False)
    kind: reactive[str | None] = reactive(None, init=False)
    owner: reactive[str | None] = reactive(None, init=False)
    flag: reactive[str | None] = reactive(None, init=False)
    sort: reactive[str] = reactive("due", init=False)

    def __init__(self) -> None:
        super().__init__()
        # The timelines of items shown in the detail pane, read as each is first shown: all
        # of them at once were a megabyte at 2,500 items, for a pane that shows one.
        self.timelines: OrderedDict[int, list[Event]] = OrderedDict()
        self._reading: set[int] = set()  # timelines asked for and not read yet
        self._rows_read = 0  # bumped with every new read of the rows: older timelines are stale
        self.latency: dict[str, float] = {}
        self._today = dt.date.min  # set by visible_rows, for keep

    def fetch(self) -> list[Item]:
        app = self.rapport
        found: list[Item] = app.rows("items")
        self.latency = decisions.median_latency(found)
        return found

    # ---- filters and sorting ---------------------------------------------------------

    def keep(self, row: Item) -> bool:
        if self.kind and row.kind != self.kind:
            return False
        if self.owner is not None and row.owner != self.owner:
            return False
        if self.flag == "propagation":
            return row.not_propagated
        if self.flag == "stale":
            return row.stale
        if self.flag == "overdue":
            return row.overdue(self._today)
        return self.show_all or row.is_open

    def visible_rows(self) -> list[Item]:
        self._today = self.rapport.today()  # once per pass, not once per item (keep)
        rows = super().visible_rows()
        if self.flag == "propagation":  # oldest decision first: the longest waiting
            return sorted(rows, key=lambda r: (r.decided or dt.date.max, r.id))
        if self.sort == "score":
            return sorted(rows, key=lambda r: (-(r.score or 0), r.id))
        if self.sort == "age":
            return sorted(rows, key=lambda r: (r.raised or dt.date.max, r.id))
        return rows  # due date, as the store orders them

    def _describe_filters(self) -> None:
        parts = [
            FLAGS[self.flag] if self.flag else ("all items" if self.show_all else "open items")
        ]
        if self.kind:
            parts.append(f"{self.kind}s")
        if self.owner is not None:
            parts.append(f"owned by {self.owner or 'nobody'}")
        parts.append(f"by {self.sort}")
        self.sub_title = " · ".join(parts)
        if self.is_mounted:
            self.fill()

    watch_show_all = watch_kind = watch_owner = watch_flag = watch_sort = _describe_filters

    def reveal(self, record_id: int) -> None:
        self.kind = self.owner = self.flag = None
        row = self.row_by_id(record_id)
        if row is not None and not row.is_open:
            self.show_all = True

    def action_toggle_all(self) -> None:
        self.flag = None
        self.show_all = not self.show_all

    def action_cycle_kind(self) -> None:
        self.kind = KINDS[(KINDS.index(self.kind) + 1) % len(KINDS)]

    def action_cycle_owner(self) -> None:
        owners: list[str | None] = [None, *sorted({row.owner for row in self.rows})]
        self.owner = owners[(owners.index(self.owner) + 1) % len(owners)]

    def action_flag(self, which: str) -> None:
        self.flag = None if self.flag == which else which

    def action_cycle_sort(self) -> None:
        self.sort = SORTS[(SORTS.index(self.sort) + 1) % len(SORTS)]

    # ---- showing ---------------------------------------------------------------------

    def cells(self, row: Item) -> Sequence[Cell]:
        today = self.rapport.today()
        informed = f"{row.informed}/{len(row.audience)}" if row.audience else ""
        status = _status(row)
        return (
            Text(row.kind),
            fmt.cell(row.title, "dim" if row.superseded_by else ""),
            fmt.cell(row.owner),
            fmt.due_cell(row.due, today, open_=row.is_open),
            fmt.cell(status, "yellow" if row.stale else ""),
            Text(informed, style="bold yellow" if row.not_propagated else ""),
            Text(
                "" if row.score is None else str(row.score),
                style="bold red" if (row.score or 0) >= 15 else "",
            ),
        )

    def haystack(self, row: Item) -> str:
        return " ".join((row.kind, row.title, row.owner, row.status, row.context, row.cadence))

    def detail(self, row: Item) -> Content:
        told = [f"✓ {t.name} ({fmt.short_day(t.informed_on)}{', ' + t.channel if t.channel else ''}"
                f"{', marked by ' + t.informed_by if t.informed_by else ''})"
                for t in row.audience if t.informed_on]  # fmt: skip
        missing = [f"· {t.name}" for t in row.missing]
        facts = [
            ("Kind", row.kind),
            ("Status", _status(row, " — stale")),
            ("Owner", row.owner),
            ("Home cadence", row.cadence),
            ("Raised", fmt.day(row.raised)),
            ("Due", fmt.day(row.due)),
            ("Decided", fmt.day(row.decided)),
            ("Told", f"{row.informed} of {len(row.audience)}" if row.audience else ""),
            ("Latency", f"{row.latency} days to tell everyone" if row.latency is not None else ""),
            ("Changed by", row.changed_by),
        ]
        if row.cadence in self.latency:
            facts.append(("Cadence median", f"{self.latency[row.cadence]:g} days"))
        if row.kind == "risk":
            score = f"{row.probability or '?'} × {row.impact or '?'} = {row.score or '?'}"
            facts.append(("Score", score))
        if row.kind == "dependency":
            facts.append(("Depends on", row.depends_on))
        if row.superseded_by:
            facts.append(("Superseded by", row.superseded_by[1]))
        for _id, title in row.supersedes:
            facts.append(("Supersedes", title))
        events = self.timelines.get(row.id)
        if events is None and row.id not in self._reading:
            self._reading.add(row.id)
            self._read_timeline(row.id, self._rows_read)
        history = (
            "…"
            if events is None
            else "\n".join(
                f"{event.at:%d %b}  {event.kind}"
                + (f" {event.person}" if event.person else "")
                + (f": {event.text.splitlines()[0]}" if event.text else "")
                + (f" (by {event.by})" if event.by else "")
                for event in events
            )
        )
        return fmt.detail(
            row.title, facts,
            ("Context", row.context), ("Mitigation", row.mitigation), ("Outcome", row.outcome),
            ("Still to tell", "\n".join(missing)), ("Told", "\n".join(told)),
            ("Timeline", history),
        )  # fmt: skip

    # Not exclusive: each read is a millisecond, and one still running when the cursor has
    # moved on fills the pane when the cursor comes back.
    @work(thread=True, exit_on_error=False, group="timeline")
    def _read_timeline(self, decision_id: int, rows_read: int) -> None:
        events: list[Event] | None = None
        try:
            events = decisions.timeline(self.rapport.store, decision_id)  # about a millisecond
        finally:
            self.app.call_from_thread(self._timeline_read, decision_id, rows_read, events)

    def _timeline_read(self, decision_id: int, rows_read: int, events: list[Event] | None) -> None:
        if rows_read != self._rows_read:
            return  # read before the rows changed: the pane has asked again
        self._reading.discard(decision_id)
        if events is None:
            return  # the read failed (the worker reports it)
        self.timelines[decision_id] = events
        while len(self.timelines) > TIMELINES_KEPT:
            self.timelines.popitem(last=False)
        if (row := self.selected()) is not None and row.id == decision_id:
            self._show_detail()

    def rows_replaced(self) -> None:
        super().rows_replaced()
        self.timelines.clear()  # as old as the rows
        self._reading.clear()
        self._rows_read += 1

    # ---- lifecycle -------------------------------------------------------------------

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        if action in ("move", "inform", "add_cadence", "supersede") and not self.has_selection:
            return None
        return super().check_action(action, parameters)

    def action_move(self) -> None:
        row = self.selected()
        if row is None:
            return
        allowed = sorted(decisions.TRANSITIONS.get(row.kind, {}).get(row.status, ()))
        if not allowed:
            self.notify(f"A {row.status} {row.kind} is final.", severity="warning")
            return
        form = FormScreen(
            f"Status of “{row.title}” (now {row.status})",
            [
                Field("to", "New status", "choice", value=allowed[0],
                      choices=[(s, s) for s in allowed]),
                Field("outcome", "Outcome (needed to decide)", "long", value=row.outcome,
                      parse=text_parser(TEXT_LEN, multiline=True)),
                Field("on", "On (YYYY-MM-DD)", value=str(self.rapport.today()), parse=parse_date),
            ],
            check=_needs_outcome,
        )  # fmt: skip

        form.save = partial(self._move, row)
        self.app.push_screen(form, self.saved)

    def _move(self, row: Item, values: Values) -> str:
        decisions.move(self.rapport.store, row.id, values["to"], at=self.rapport.now(),
                       outcome=values["outcome"], on=values["on"])  # fmt: skip
        return f"“{row.title}” is {values['to']}"

    def action_inform(self) -> None:
        row = self.selected()
        if row is None or not row.missing:
            self.notify("Everyone who must know has been told.", severity="information")
            return
        form = FormScreen(
            f"Who was told of “{row.title}”",
            [
                Field("people", "Told (space unticks)", "people",
                      value=tuple(t.person_id for t in row.missing),
                      choices=[(t.name, t.person_id) for t in row.missing]),
                Field("channel", "How", "choice", value="video",
                      choices=[(c.value, c.value) for c in Channel]),
                Field("on", "On (YYYY-MM-DD)", value=str(self.rapport.today()), parse=parse_date),
            ],
        )  # fmt: skip

        form.save = partial(self._inform, row)
        self.app.push_screen(form, self.saved)

    def _inform(self, row: Item, values: Values) -> str | None:
        if not values["people"]:
            return None  # nobody ticked: nothing to save or to tell
        count = decisions.mark_informed(
            self.rapport.store, row.id, values["people"], on=values["on"],
            at=self.rapport.now(), channel=values["channel"],
        )  # fmt: skip
        return f"Marked {count} told of “{row.title}”"

    def action_add_cadence(self) -> None:
        row = self.selected()
        if row is None:
            return
        choices = [(c.name, c.id) for c in queries.cadences(
            self.rapport.store, self.rapport.engagement_id, self.rapport.today())]  # fmt: skip
        if not choices:
            return
        form = FormScreen(
            f"Everyone on a cadence must know “{row.title}”",
            [Field("cadence", "Cadence", "choice", value=choices[0][1], choices=choices)],
        )

        form.save = lambda values: self._add_cadence(row, values["cadence"])
        self.app.push_screen(form, self.saved)

    def _add_cadence(self, row: Item, cadence_id: int) -> str:
        added = decisions.add_cadence_audience(self.rapport.store, row.id, cadence_id)
        return f"{added} more must know “{row.title}”"

    def action_supersede(self) -> None:
        row = self.selected()
        if row is None:
            return
        if row.kind != "decision" or row.status != "decided":
            self.notify("Only a decided decision can be superseded.", severity="warning")
            return
        others = [(r.title, r.id) for r in decisions.successors(self.rows, row)]
        if not others:
            self.notify("No decision was raised after this one.", severity="warning")
            return
        form = FormScreen(
            f"Which later decision supersedes “{row.title}”?",
            [Field("by", "Superseded by", "choice", value=others[0][1], choices=others)],
        )

        form.save = lambda values: self._supersede(row, values["by"])
        self.app.push_screen(form, self.saved)

    def _supersede(self, row: Item, new_id: int) -> str:
        decisions.supersede(self.rapport.store, row.id, new_id, at=self.rapport.now())
        return f"“{row.title}” is superseded"

    # ---- create, edit, delete --------------------------------------------------------

    def form(self, row: Item | None) -> FormScreen:
        app = self.rapport
        people = queries.people_choices(app.store, app.engagement_id)
        cadences = [
            (c.name, c.id) for c in queries.cadences(app.store, app.engagement_id, app.today())
        ]
        fields = [
            Field("title", "Title", value=row.title if row else "",
                  parse=text_parser(NAME_LEN, required=True)),
            Field("kind", "Kind", "choice", value=row.kind if row else "decision",
                  choices=[(kind.value, kind.value) for kind in DecisionKind]),
            Field("context", "Context", "long", value=row.context if row else "",
                  parse=text_parser(TEXT_LEN, multiline=True)),
            Field("owner_id", "Owner", "person", value=row.owner_id if row else None,
                  choices=people),
            Field("cadence_id", "Home cadence (the circle that discusses it)", "person",
                  value=row.cadence_id if row else None, choices=cadences),
            Field("raised", "Raised on (YYYY-MM-DD)",
                  value=date_text(row.raised if row else app.today()), parse=parse_optional_date),
            Field("due", "Due / needed by (YYYY-MM-DD)", value=date_text(row.due if row else None),
                  parse=parse_optional_date),
            Field("probability", "Risk: probability 1–5", value=str(row.probability or "") if row else "",
                  parse=_level, restrict=r"[1-5]?"),
            Field("impact", "Risk: impact 1–5", value=str(row.impact or "") if row else "",
                  parse=_level, restrict=r"[1-5]?"),
            Field("mitigation", "Risk: mitigation", "long", value=row.mitigation if row else "",
                  parse=text_parser(TEXT_LEN, multiline=True)),
            Field("depends_on", "Dependency: on whom or what", value=row.depends_on if row else "",
                  parse=text_parser(SHORT_LEN)),
            Field("must_inform_ids", "Must be told (space ticks)", "people",
                  value=tuple(t.person_id for t in row.audience) if row else (), choices=people),
        ]  # fmt: skip
        title = f"Edit {row.title}" if row else "New decision, risk or dependency"
        return FormScreen(title, fields)

    def save(self, values: Values, row: Item | None) -> str:
        from store import edits

        # The status and outcome move only through the lifecycle (c), never by editing.
        kept = {"status": row.status, "outcome": row.outcome, "decided": row.decided} if row else {}
        decision = edits.DecisionValues(**values, **kept)
        edits.save_decision(
            self.rapport.store,
            self.rapport.engagement_id,
            decision,
            row.id if row else None,
            row.version if row else None,
        )
        return f"Saved {decision.title}"

    def delete_record(self, row: Item) -> str:
        from store import edits

        edits.delete_decision(self.rapport.store, row.id)
        return f"Deleted {row.title}"

    def describe(self, row: Item) -> str:
        return f"the {row.kind} “{row.title}”"
