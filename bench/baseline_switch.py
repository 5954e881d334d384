"""Baseline: a bare Textual app with two screens (modes, as rapport's) that a key switches.

    python bench/baseline_switch.py

`1` and `2` show the first and second screen; each keeps its state, as rapport's modes do.
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import Static


class One(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("Screen one")


class Two(Screen[None]):
    def compose(self) -> ComposeResult:
        yield Static("Screen two")


class Switch(App[None]):
    MODES = {"one": One, "two": Two}
    BINDINGS = [
        Binding("1", "switch_mode('one')", "One", id="switch.one"),
        Binding("2", "switch_mode('two')", "Two", id="switch.two"),
        Binding("q", "quit", "Quit", id="switch.quit"),
    ]

    def on_mount(self) -> None:
        self.switch_mode("one")


if __name__ == "__main__":
    Switch().run()
