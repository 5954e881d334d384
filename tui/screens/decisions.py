"""Decisions: what must be decided (and the risks and dependencies), and who has been told."""

from __future__ import annotations

from collections.abc import Sequence

from rich.text import Text
from textual.binding import Binding
from textual.content import Content
from textual.reactive import reactive

from store import edits, queries
from store.fields import parse_optional_date
from store.models import NAME_LEN, STATUSES, TEXT_LEN, DecisionKind
from store.queries import DecisionRow
from tui import format as fmt
from tui.screens.listing import Cell, ListingScreen, listing_bindings
from tui.widgets.form import Field, FormScreen, Values, date_text, text_parser

ALL_STATUSES = tuple(dict.fromkeys(s for statuses in STATUSES.values() for s in statuses))


def _status_fits_kind(values: Values) -> dict[str, str]:
    allowed = STATUSES[DecisionKind(values["kind"])]
    if values["status"] not in allowed:
        return {"status": f"a {values['kind']} is one of: {', '.join(allowed)}"}
    return {}


class DecisionsScreen(ListingScreen[DecisionRow]):
    TITLE_NOUN = "decision"
    BINDINGS = listing_bindings(
        "decisions",
        extra=[
            Binding(
                "a",
                "toggle_all",
                "All/open",
                tooltip="Show every item, or only the open ones",
                id="decisions.toggle_all",
            )
        ],
    )
    COLUMNS = (
        ("kind", "Kind", None),
        ("title", "Title", 34),
        ("owner", "Owner", 16),
        ("due", "Due", None),
        ("status", "Status", None),
        ("informed", "Told", None),
    )
    EMPTY_TEXT = "No decisions, risks or dependencies yet: press n to add one."

    show_all: reactive[bool] = reactive(False, init=False)

    def fetch(self) -> list[DecisionRow]:
        return queries.decisions(self.rapport.store, self.rapport.engagement_id)

    def keep(self, row: DecisionRow) -> bool:
        return self.show_all or row.is_open

    def watch_show_all(self) -> None:
        self.sub_title = "all items" if self.show_all else "open items"
        self.fill()

    def action_toggle_all(self) -> None:
        self.show_all = not self.show_all

    def cells(self, row: DecisionRow) -> Sequence[Cell]:
        today = self.rapport.today()
        informed = f"{row.informed}/{len(row.audience)}" if row.audience else ""
        missing = row.status == "decided" and row.informed < len(row.audience)
        return (
            fmt.cell(row.kind),
            fmt.cell(row.title),
            fmt.cell(row.owner),
            fmt.due_cell(row.due, today, open_=row.is_open),
            fmt.cell(row.status),
            Text(informed, style="bold yellow" if missing else ""),
        )

    def haystack(self, row: DecisionRow) -> str:
        return " ".join((row.kind, row.title, row.owner, row.status, row.context))

    def detail(self, row: DecisionRow) -> Content:
        told = [
            f"✓ {a.name} ({fmt.short_day(a.informed_on)})" for a in row.audience if a.informed_on
        ]
        missing = [f"· {a.name}" for a in row.audience if a.informed_on is None]
        return fmt.detail(
            row.title,
            [
                ("Kind", row.kind),
                ("Status", row.status),
                ("Owner", row.owner),
                ("Raised", fmt.day(row.raised)),
                ("Due", fmt.day(row.due)),
                ("Decided", fmt.day(row.decided)),
                ("Informed", f"{row.informed} of {len(row.audience)}" if row.audience else ""),
            ],
            ("Context", row.context),
            ("Outcome", row.outcome),
            ("Still to tell", "\n".join(missing)),
            ("Told", "\n".join(told)),
        )

    def form(self, row: DecisionRow | None) -> FormScreen:
        people = queries.people_choices(self.rapport.store, self.rapport.engagement_id)
        return FormScreen(
            f"Edit {row.title}" if row else "New decision, risk or dependency",
            [
                Field("title", "Title", value=row.title if row else "",
                      parse=text_parser(NAME_LEN, required=True)),
                Field("kind", "Kind", "choice", value=row.kind if row else "decision",
                      choices=[(kind.value, kind.value) for kind in DecisionKind]),
                Field("status", "Status", "choice", value=row.status if row else "open",
                      choices=[(status, status) for status in ALL_STATUSES]),
                Field("context", "Context", "long", value=row.context if row else "",
                      parse=text_parser(TEXT_LEN, multiline=True)),
                Field("owner_id", "Owner", "person", value=row.owner_id if row else None,
                      choices=people),
                Field("raised", "Raised on (YYYY-MM-DD)",
                      value=date_text(row.raised if row else self.rapport.today()),
                      parse=parse_optional_date),
                Field("due", "Due (YYYY-MM-DD)", value=date_text(row.due if row else None),
                      parse=parse_optional_date),
                Field("outcome", "Outcome", "long", value=row.outcome if row else "",
                      parse=text_parser(TEXT_LEN, multiline=True)),
                Field("decided", "Decided on (YYYY-MM-DD)",
                      value=date_text(row.decided if row else None), parse=parse_optional_date),
                Field("must_inform_ids", "Must be informed (space ticks)", "people",
                      value=tuple(a.person_id for a in row.audience) if row else (),
                      choices=people),
            ],
            check=_status_fits_kind,
        )  # fmt: skip

    def save(self, values: Values, row: DecisionRow | None) -> str:
        decision = edits.DecisionValues(**values)
        edits.save_decision(
            self.rapport.store, self.rapport.engagement_id, decision, row.id if row else None
        )
        return f"Saved {decision.title}"

    def remove(self, row: DecisionRow) -> str:
        edits.delete_decision(self.rapport.store, row.id)
        return f"Deleted {row.title}"

    def describe(self, row: DecisionRow) -> str:
        return f"the {row.kind} “{row.title}”"
