"""The bottom line of keys: what Textual's Footer shows, drawn as one line of text.

The Footer rebuilds a widget per key whenever the bindings change, i.e. on every screen
switch; profiled, that was the largest part of switching to a screen already visited. This
bar renders the same keys as one piece of text and maps a click back to its key.
"""

from __future__ import annotations

from rich.text import Text
from textual import events
from textual.screen import Screen
from textual.widget import Widget

from store.text import visible_line


class KeyBar(Widget):
    COMPONENT_CLASSES = {"key-bar--key", "key-bar--description", "key-bar--disabled"}
    DEFAULT_CSS = """
    KeyBar {
        dock: bottom;
        height: 1;
        width: 1fr;
        color: $footer-foreground;
        background: $footer-background;
        & > .key-bar--key {
            color: $footer-key-foreground;
            background: $footer-key-background;
            text-style: bold;
        }
        & > .key-bar--description {
            color: $footer-description-foreground;
            background: $footer-description-background;
        }
        & > .key-bar--disabled {
            text-style: dim;
        }
    }
    """

    def __init__(self) -> None:
        super().__init__()
        self._spans: list[tuple[int, int, str]] = []  # (start, end, key) for clicks

    def on_mount(self) -> None:
        self.screen.bindings_updated_signal.subscribe(self, self._bindings_changed)

    def on_unmount(self) -> None:
        self.screen.bindings_updated_signal.unsubscribe(self)

    def _bindings_changed(self, screen: Screen[object]) -> None:
        if screen is self.screen:
            self.refresh()

    def render(self) -> Text:
        key_style = self.get_component_rich_style("key-bar--key")
        description_style = self.get_component_rich_style("key-bar--description")
        disabled_style = self.get_component_rich_style("key-bar--disabled")
        line = Text(no_wrap=True, overflow="crop", end="")
        spans: list[tuple[int, int, str]] = []
        shown: set[str] = set()
        palette = None
        for _node, binding, enabled, _tooltip in self.screen.active_bindings.values():
            if binding.key == self.app.COMMAND_PALETTE_BINDING:
                palette = (binding, enabled)
                continue
            if not binding.show or binding.action in shown:
                continue
            shown.add(binding.action)  # one key per action, as the Footer shows
            start = line.cell_len
            dim = disabled_style if not enabled else None
            line.append(
                f" {self.app.get_key_display(binding)} ", key_style + dim if dim else key_style
            )
            line.append(
                f"{visible_line(binding.description)} ",
                description_style + dim if dim else description_style,
            )
            spans.append((start, line.cell_len, binding.key))
        if palette is not None and self.app.ENABLE_COMMAND_PALETTE:
            binding, _enabled = palette
            label = Text.assemble(
                (f" {self.app.get_key_display(binding)}", key_style),
                (f" {visible_line(binding.description)} ", description_style),
            )
            # The palette keeps its place at the right edge, as in the Footer, cutting off
            # the keys that do not fit before it.
            room = max(self.size.width - label.cell_len, 0)
            line.truncate(room, pad=True)
            spans = [(start, min(end, room), key) for start, end, key in spans if start < room]
            spans.append((room, room + label.cell_len, binding.key))
            line.append_text(label)
        self._spans = spans
        return line

    def on_click(self, event: events.Click) -> None:
        for start, end, key in self._spans:
            if start <= event.x < end:
                self.app.simulate_key(key)
                return
