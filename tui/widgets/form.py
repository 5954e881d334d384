"""A modal form built from a list of fields, validated as you type, saved with ctrl+s.

Each text field carries a `parse` function from store.fields: it returns the clean value or
raises ValueError with the message shown under the field. A form given a `save` function runs
it in a thread and closes only when it succeeds, with what it returned: a save that fails
leaves the form open with everything typed (the app tells why, tui.failures). One that finds
the record changed elsewhere meanwhile shows what changed, field by field, from the form
`reread` makes; ctrl+s again saves over that newer version, escape cancels. Without `save`
the form dismisses with the parsed values (a dict by field name); None when cancelled.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, Literal

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical, VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.screen import ModalScreen
from textual.suggester import Suggester
from textual.validation import ValidationResult, Validator
from textual.widget import Widget
from textual.widgets import Checkbox, Input, Label, Select, SelectionList, Static, TextArea
from textual.widgets.selection_list import Selection
from textual.worker import Worker, WorkerState

from tui.failures import ShowsFailures
from tui.format import safe
from tui.widgets.confirm import ConfirmScreen
from tui.widgets.key_bar import KeyBar

Kind = Literal["text", "long", "choice", "flag", "person", "people"]
Values = dict[str, Any]
FINISHED = (WorkerState.SUCCESS, WorkerState.ERROR, WorkerState.CANCELLED)
# Writes the form's values (in a worker thread); what it returns is what the form closes with.
Save = Callable[[Values], Any]


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: Kind = "text"
    value: Any = ""
    parse: Callable[[str], Any] | None = None
    choices: Sequence[tuple[str, Any]] = ()
    placeholder: str = ""
    suggester: Suggester | None = None
    restrict: str | None = None


def text_parser(
    limit: int, *, required: bool = False, multiline: bool = False
) -> Callable[[str], str]:
    """A parse function for a text field with the store's checks and cap.

    Spaces and blank lines around a text are never meant: a name saved as " Ana" would sort
    first and never match "Ana"."""
    from store.fields import check_text

    return lambda value: check_text(
        value.strip(), limit=limit, required=required, multiline=multiline
    )


def date_text(value: object) -> str:
    """A date (or None) as the text a date field starts with."""
    return "" if value is None else str(value)


class _Parses(Validator):
    """Adapts a store.fields parser to Textual's validation, keeping its message."""

    def __init__(self, parse: Callable[[str], Any]) -> None:
        super().__init__()
        self.parse = parse

    def validate(self, value: str) -> ValidationResult:
        try:
            self.parse(value)
        except ValueError as error:
            return self.failure(str(error))
        return self.success()


class FormScreen(ShowsFailures, ModalScreen[Any]):
    class Opened(Message):
        """A form is on screen: the app may get ready to save what it will give."""

    BINDINGS = [
        Binding("ctrl+s", "save", "Save", priority=True, id="form.save"),
        Binding("escape", "cancel", "Cancel", id="form.cancel"),
    ]

    def __init__(
        self,
        title: str,
        fields: Sequence[Field],
        check: Callable[[Values], dict[str, str]] | None = None,
        focus: str | None = None,
        save: Save | None = None,
        reread: Callable[[], FormScreen | None] | None = None,
    ) -> None:
        super().__init__()
        self.form_title = title
        self.fields = list(fields)
        self.check = check
        self.focus_name = focus or (self.fields[0].name if self.fields else None)
        self.save = save
        # The same form on the record as it is now (None: it is gone), for a save that found
        # it changed elsewhere; its fields say what changed and its `save` saves over it.
        self.reread = reread
        self._initial: Values | None = None
        self._saving = False

    def compose(self) -> ComposeResult:
        with Vertical(id="form-box"):
            yield Static(Content(safe(self.form_title)), id="form-title")
            yield Static("", id="form-conflict")
            with VerticalScroll(id="form-fields"):
                for field in self.fields:
                    yield from self._compose_field(field)
            yield KeyBar()

    def _compose_field(self, field: Field) -> ComposeResult:
        widget_id = f"field-{field.name}"
        if field.kind != "flag":
            yield Label(Content(safe(field.label)), classes="form-label")
        if field.kind == "text":
            validators = [_Parses(field.parse)] if field.parse else []
            # The value may come from the database: an Input draws it as it is.
            yield Input(
                safe(str(field.value)),
                placeholder=field.placeholder,
                validators=validators,
                validate_on=["changed", "submitted"],
                compact=True,
                suggester=field.suggester,
                restrict=field.restrict,
                id=widget_id,
            )
        elif field.kind == "long":
            yield TextArea(
                safe(str(field.value)),
                id=widget_id,
                classes="form-long",
                soft_wrap=True,
                compact=True,
            )
        elif field.kind == "choice":
            yield Select(
                [(Content(safe(label)), value) for label, value in field.choices],
                value=field.value,
                allow_blank=False,
                compact=True,
                id=widget_id,
            )
        elif field.kind == "person":
            yield Select(
                [(Content(safe(label)), value) for label, value in field.choices],
                value=field.value if field.value is not None else Select.NULL,
                allow_blank=True,
                prompt="(nobody)",
                compact=True,
                id=widget_id,
            )
        elif field.kind == "flag":
            yield Checkbox(
                Content(safe(field.label)), bool(field.value), compact=True, id=widget_id
            )
        elif field.kind == "people":
            chosen = set(field.value or ())
            yield SelectionList[Any](
                *[
                    Selection(Content(safe(label)), value, value in chosen)
                    for label, value in field.choices
                ],
                id=widget_id,
                classes="form-people",
            )
        yield Static("", id=f"error-{field.name}", classes="form-error")

    def on_mount(self) -> None:
        # Said once the form is painted: what the app then does (loading the ORM) is work
        # the form's own first frame should not wait for.
        self.call_after_refresh(self.post_message, self.Opened())
        self._initial = self._raw_values()
        # The scroll container is focusable by default; the first field is where typing goes.
        self.query_one("#form-fields").can_focus = False
        if self.focus_name:
            self.query_one(f"#field-{self.focus_name}").focus()

    def _widget(self, field: Field) -> Widget:
        return self.query_one(f"#field-{field.name}")

    def _raw(self, field: Field) -> Any:
        widget = self._widget(field)
        if isinstance(widget, Input):
            return widget.value
        if isinstance(widget, TextArea):
            return widget.text
        if isinstance(widget, Select):
            return None if widget.value is Select.NULL else widget.value
        if isinstance(widget, Checkbox):
            return widget.value
        if isinstance(widget, SelectionList):
            chosen = set(widget.selected)
            # Keep the order of the choices, not the order of ticking.
            return tuple(value for _label, value in field.choices if value in chosen)
        raise TypeError(widget)

    def _raw_values(self) -> Values:
        return {field.name: self._raw(field) for field in self.fields}

    def _show_error(self, name: str, message: str) -> None:
        error = self.query_one(f"#error-{name}", Static)
        error.update(Content(message))
        error.set_class(bool(message), "-shown")

    @on(Input.Changed)
    def _input_changed(self, event: Input.Changed) -> None:
        name = (event.input.id or "").removeprefix("field-")
        result = event.validation_result
        self._show_error(
            name, "" if result is None or result.is_valid else result.failure_descriptions[0]
        )

    @on(TextArea.Changed)
    def _long_changed(self, event: TextArea.Changed) -> None:
        name = (event.text_area.id or "").removeprefix("field-")
        field = next((f for f in self.fields if f.name == name), None)
        if field is None or field.parse is None:
            return
        try:
            field.parse(event.text_area.text)
        except ValueError as error:
            self._show_error(name, str(error))
        else:
            self._show_error(name, "")

    @on(Input.Submitted)
    def _next_field(self) -> None:
        self.focus_next()

    def collect(self) -> tuple[Values, dict[str, str]]:
        """Parsed values and, by field name, what is wrong with the others."""
        values: Values = {}
        errors: dict[str, str] = {}
        for field in self.fields:
            raw = self._raw(field)
            if field.parse is not None and field.kind in ("text", "long"):
                try:
                    values[field.name] = field.parse(raw)
                except ValueError as error:
                    errors[field.name] = str(error)
            else:
                values[field.name] = raw
        if not errors and self.check is not None:
            errors.update(self.check(values))
        return values, errors

    def action_save(self) -> None:
        values, errors = self.collect()
        for field in self.fields:
            self._show_error(field.name, errors.get(field.name, ""))
        if errors:
            first = next(f for f in self.fields if f.name in errors)
            self._widget(first).focus()
            self.notify(f"{first.label}: {errors[first.name]}", severity="error", markup=False)
            return
        if self.save is None:
            self.dismiss(values)
        elif not self._saving:  # a second ctrl+s while the first is writing is the same save
            self._saving = True
            self._write(self.save, values)

    @work(thread=True, exit_on_error=False, group="write")
    def _write(self, save: Save, values: Values) -> Any:
        return save(values)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        # (ShowsFailures tells the app of a failed save; here the form only stays open.)
        if event.worker.group != "write" or event.state not in FINISHED:
            return
        self._saving = False
        if event.state == WorkerState.SUCCESS:
            self.dismiss(event.worker.result)
            return
        from store.errors import ConflictError

        if isinstance(event.worker.error, ConflictError) and self.reread is not None:
            # After the app has marked the data changed, so that the reread reads it anew.
            self.call_later(self._changed_elsewhere)

    def _changed_elsewhere(self) -> None:
        """Keep what was typed; show what the record holds now; save over that knowingly."""
        assert self.reread is not None
        fresh = self.reread()
        box = self.query_one("#form-conflict", Static)
        box.add_class("-shown")
        if fresh is None:
            box.update(Content("Deleted elsewhere since you opened it: escape to cancel."))
            self.save = None if self.save is None else self._gone
            return
        opened = {field.name: field for field in self.fields}
        typed = self._raw_values()
        lines = [
            f"{_short(field.label)}: now {_shown(field, field.value)}"
            + ("" if typed.get(field.name) == _as_raw(field) else
               f" (you typed {_shown(field, typed.get(field.name))})")
            for field in fresh.fields
            if field.name in opened and _as_raw(field) != _as_raw(opened[field.name])
        ]  # fmt: skip
        said = (
            "\n".join(["Changed elsewhere since you opened it:", *lines])
            if lines
            else ("Saved elsewhere since you opened it, with nothing on this form changed.")
        )
        box.update(Content(f"{said}\nctrl+s saves yours over it · escape cancels"))
        # What was typed stays; the next diff and the next save are against the newer one.
        self.fields = [field if field.name not in opened else
                       _keep_choices(opened[field.name], field) for field in fresh.fields]  # fmt: skip
        self.save, self.reread = fresh.save, fresh.reread

    @staticmethod
    def _gone(_values: Values) -> None:
        from store.errors import EditError

        raise EditError("that record was deleted elsewhere")

    def action_cancel(self) -> None:
        if self._raw_values() == self._initial:
            self.dismiss(None)
            return

        def discard(answer: bool | None) -> None:
            if answer:
                self.dismiss(None)

        self.app.push_screen(ConfirmScreen("Discard your changes?", "Discard"), discard)


def _short(label: str) -> str:
    """A field's label without its hint: "Time zone", not "Time zone (IANA, e.g. …)"."""
    return label.split(" (")[0]


def _as_raw(field: Field) -> Any:
    """A field's starting value as its widget gives it back (text fields: a string)."""
    if field.kind in ("text", "long"):
        return str(field.value)
    if field.kind == "people":
        chosen = set(field.value or ())
        return tuple(value for _label, value in field.choices if value in chosen)
    if field.kind == "flag":
        return bool(field.value)
    return field.value


def _shown(field: Field, raw: Any, limit: int = 60) -> str:
    """A value as the form shows it, quoted and short, terminal-safe."""
    labels = {value: label for label, value in field.choices}
    if field.kind == "flag":
        text = "yes" if raw else "no"
    elif field.kind in ("choice", "person"):
        text = "(nobody)" if raw is None else str(labels.get(raw, raw))
    elif field.kind == "people":
        text = ", ".join(str(labels.get(value, value)) for value in raw or ()) or "nobody"
    else:
        text = " ".join(str(raw or "").split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"'{safe(text)}'"


def _keep_choices(opened: Field, fresh: Field) -> Field:
    """The fresh field, with the choices the widget on screen was made with (collect() reads
    a list of ticks in their order)."""
    from dataclasses import replace

    return replace(fresh, choices=opened.choices)
