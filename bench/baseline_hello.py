"""Baseline: a bare Textual "hello world" (cold start and RSS are measured against it).

python bench/baseline_hello.py
"""

from __future__ import annotations

from textual.app import App, ComposeResult
from textual.binding import Binding
from textual.widgets import Static


class Hello(App[None]):
    BINDINGS = [Binding("q", "quit", "Quit", id="hello.quit")]

    def compose(self) -> ComposeResult:
        yield Static("Hello, world")


if __name__ == "__main__":
    Hello().run()
