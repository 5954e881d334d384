"""The top line: what Textual's Header shows, drawn as one line of text.

The Header is four widgets (icon, title, clock space, and itself), composed, styled and laid
out on every screen's first visit and at start-up: about 10 ms each time. This bar draws the
same line, the icon where the Header has it and the title centred between the same margins,
and a click on the icon still opens the command palette.
"""

from __future__ import annotations

from textual import events
from textual.content import Content
from textual.widget import Widget

from store.text import visible_line

ICON = "⭘"
ICON_WIDTH = 8  # the Header's icon column, its padding included
CLOCK_WIDTH = 10  # the space the Header keeps for a clock, so the title centres the same


class TitleBar(Widget):
    DEFAULT_CSS = """
    TitleBar {
        dock: top;
        width: 100%;
        height: 1;
        background: $panel;
        color: $foreground;
    }
    """

    def on_mount(self) -> None:
        # The screen's own title and subtitle, else the app's (as the Header has them).
        for owner in (self.app, self.screen):
            self.watch(owner, "title", self.refresh, init=False)
            self.watch(owner, "sub_title", self.refresh, init=False)

    def render(self) -> Content:
        screen, app = self.screen, self.app
        title = screen.title if screen.title is not None else app.title
        sub_title = screen.sub_title if screen.sub_title is not None else app.sub_title
        middle = max(0, self.size.width - ICON_WIDTH - CLOCK_WIDTH)
        # Both come from the database ("about NAME", the engagement's name): every title
        # goes to the terminal through this one line, so it is made harmless here.
        text = app.format_title(visible_line(title or ""), visible_line(sub_title or ""))
        text = text.truncate(middle, ellipsis=True)
        left = (middle - text.cell_length) // 2
        return Content.assemble(
            f" {ICON}".ljust(ICON_WIDTH),
            text.pad(left, middle - text.cell_length - left),
            " " * CLOCK_WIDTH,
        )

    async def on_click(self, event: events.Click) -> None:
        if event.x < ICON_WIDTH and self.app.ENABLE_COMMAND_PALETTE:
            event.stop()
            await self.run_action("app.command_palette")
