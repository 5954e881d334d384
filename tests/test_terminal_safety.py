"""Text another writer put into the database never acts on the terminal: not in the title bar,
the sub-titles, notices, the key bar or the palette, and not in a real terminal (tmux)."""

from __future__ import annotations

import shutil
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from helpers import settle, toasts
from sqlalchemy import text

from store.db import Store
from store.text import MARK
from tui.widgets.key_bar import KeyBar
from tui.widgets.title_bar import TitleBar

REPO = Path(__file__).resolve().parent.parent
SET_TITLE = "\x1b]0;pwned\x07"
CLIPBOARD = "\x1b]52;c;cm0gLXJmIH4gIyBvb3Bz\x07"  # "rm -rf ~ # oops"
CLEAR = "\x1b[2J"
ENGAGEMENT = f"Trailhead{SET_TITLE} US"
DANA = f"Dana{CLIPBOARD}{CLEAR}\u200b Whitfield"


def hostile(store: Store) -> None:
    """What any lead on PostgreSQL (or a hand edit) can write, past every check of rapport."""
    with store.write() as session:
        session.execute(text("UPDATE engagement SET name = :name"), {"name": ENGAGEMENT})
        session.execute(text("UPDATE person SET name = :name WHERE key = 'dana'"), {"name": DANA})


def harmless(line: str) -> bool:
    return "\x1b" not in line and "\x07" not in line and "\u200b" not in line


def bar(app: object) -> str:
    return str(app.screen.query_one(TitleBar).render())  # type: ignore[attr-defined]


async def test_titles_and_sub_titles_show_escape_sequences_visibly(
    make_app: Callable[..., object], team: dict[str, int], store: Store
) -> None:
    hostile(store)
    app = make_app()
    async with app.run_test(size=(160, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        line = bar(app)
        assert harmless(line)
        assert f"Trailhead{MARK}]0;pwned{MARK} US" in line
        await pilot.press("enter")  # the notes about Dana: "about NAME"
        await settle(pilot)
        line = bar(app)
        assert harmless(line)
        assert f"about Dana{MARK}]52;c;" in line
        assert f"{MARK}[2J{MARK} Whitfield" in line
        await pilot.press("escape", "1", "b")  # the briefing: "Briefing · NAME"
        await settle(pilot)
        line = bar(app)
        assert "Briefing" in line and harmless(line)


async def test_an_edit_form_shows_what_it_loads_visibly(
    make_app: Callable[..., object], team: dict[str, int], store: Store
) -> None:
    from textual.widgets import Input

    hostile(store)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("e")  # Dana, the first on the Roster
        await pilot.pause()
        name = app.screen.query_one("#field-name", Input).value
        assert harmless(name) and name.startswith(f"Dana{MARK}]52;c;")


async def test_every_notice_goes_through_the_rule(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        # A widget's notify goes through the app's, as a failed save's message would.
        app.screen.query_one(TitleBar).notify(f"Saved {DANA}", title=ENGAGEMENT, markup=False)
        await pilot.pause()
        shown = app._notifications  # type: ignore[attr-defined]
        assert [harmless(str(n.message)) and harmless(n.title) for n in shown] == [True]
        assert toasts(app) == [
            f"Saved Dana{MARK}]52;c;cm0gLXJmIH4gIyBvb3Bz{MARK}{MARK}[2J{MARK} Whitfield"
        ]


async def test_the_key_bar_and_the_palette_go_through_the_rule(
    make_app: Callable[..., object], team: dict[str, int]
) -> None:
    from textual.app import App, ComposeResult
    from textual.binding import Binding

    from tui.screens.roster import RosterScreen

    # A binding described from outside the code (a keymap, a plugin) is drawn like data.
    described = Binding("z", "app.bell", f"Ring{SET_TITLE}", tooltip=CLEAR, id="test.ring")

    class Keys(App[None]):
        BINDINGS = [described]

        def compose(self) -> ComposeResult:
            yield KeyBar()

    keys_app = Keys()
    async with keys_app.run_test(size=(120, 5)) as pilot:
        await pilot.pause()
        keys = str(keys_app.screen.query_one(KeyBar).render())
        assert f"Ring{MARK}]0;pwned{MARK}" in keys and harmless(keys)

    class Verbs(RosterScreen):
        BINDINGS = [described]

    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        commands = list(app.get_system_commands(Verbs()))  # type: ignore[attr-defined]
        ring = [c for c in commands if "Ring" in c.title]
        assert [(c.title, c.help) for c in ring] == [
            (f"Roster: Ring{MARK}]0;pwned{MARK}", f"{MARK}[2J")
        ]
        assert all(harmless(c.title) and harmless(c.help) for c in commands)


# --- in a real terminal -------------------------------------------------------------------------


class Tmux:
    """A tmux server of the test's own (its own socket), that would catch what a terminal does."""

    def __init__(self, folder: Path) -> None:
        self.socket = folder / "tmux.sock"
        config = folder / "tmux.conf"
        # set-clipboard on: an OSC 52 from the program becomes a paste buffer, so a leak shows.
        config.write_text("set -g set-clipboard on\nset -g default-command /bin/sh\n")
        self.config = config

    def __call__(self, *args: str) -> str:
        command = ["tmux", "-S", str(self.socket), "-f", str(self.config), *args]
        done = subprocess.run(command, capture_output=True, text=True, check=True, timeout=20)
        return done.stdout

    def screen(self) -> str:
        return self("capture-pane", "-p", "-t", "t")

    def wait_for(self, wanted: Callable[[str], bool], what: str) -> str:
        # A real terminal has no worker to wait for: look again until it shows, or give up.
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            shown = self.screen()
            if wanted(shown):
                return shown
            time.sleep(0.1)
        raise AssertionError(f"the pane never showed {what}:\n{self.screen()}")


@pytest.fixture
def tmux(tmp_path: Path) -> Iterator[Tmux]:
    if shutil.which("tmux") is None:
        pytest.skip("tmux is not installed")
    server = Tmux(tmp_path)
    server("new-session", "-d", "-s", "t", "-x", "120", "-y", "40")
    try:
        yield server
    finally:
        server("kill-server")


def test_in_a_real_terminal_hostile_names_change_no_title_clipboard_or_screen(
    tmux: Tmux, team: dict[str, int], store: Store, db_path: Path
) -> None:
    hostile(store)
    tmux("select-pane", "-t", "t", "-T", "rapport-under-test")
    assert tmux("display", "-p", "-t", "t", "#{pane_title}").strip() == "rapport-under-test"
    env = f"PYTHONPATH={REPO} HOME={db_path.parent} TERM=xterm-256color"
    tmux("send-keys", "-t", "t", f"exec env {env} {sys.executable} -m tui --db {db_path}", "Enter")
    tmux.wait_for(lambda s: "Roster" in s and "Trailhead" in s, "the app")
    tmux("send-keys", "-t", "t", "1")
    tmux.wait_for(lambda s: "Whitfield" in s and "Carvalho" in s, "the Roster")
    tmux("send-keys", "-t", "t", "Enter")  # the notes about Dana: the title line is redrawn
    shown = tmux.wait_for(lambda s: "about Dana" in s, "the notes about Dana")
    assert tmux("display", "-p", "-t", "t", "#{pane_title}").strip() == "rapport-under-test"
    assert tmux("list-buffers") == ""  # no OSC 52 reached the clipboard
    # Nothing was cleared: the list and the key bar drawn before the title still show, and
    # the sequences show as text.
    assert "Runs the Chicago" in shown
    assert shown.rstrip().splitlines()[-1].strip() != ""
    assert "]52;c;" in shown and "[2J" in shown and "]0;pwned" in shown
    tmux("send-keys", "-t", "t", "Escape")
    tmux.wait_for(lambda s: "about Dana" not in s, "all the notes")
    tmux("send-keys", "-t", "t", "1")
    tmux.wait_for(lambda s: "Side" in s and "Carvalho" in s, "the Roster again")
    tmux("send-keys", "-t", "t", "b")
    shown = tmux.wait_for(lambda s: "Briefing ·" in s, "the briefing")
    assert "Runs the Chicago" in shown or "Whitfield" in shown
    assert tmux("display", "-p", "-t", "t", "#{pane_title}").strip() == "rapport-under-test"
    assert tmux("list-buffers") == ""
    tmux("send-keys", "-t", "t", "q")


def test_the_tmux_test_would_catch_a_leak(tmux: Tmux, tmp_path: Path) -> None:
    """The check above is not blind: the same sequences written raw do what they do."""
    script = tmp_path / "leak.py"
    script.write_text(
        f"import sys, time\nsys.stdout.write({SET_TITLE + CLIPBOARD!r})\n"
        "sys.stdout.write('leaked\\n'); sys.stdout.flush(); time.sleep(30)\n"
    )
    tmux("send-keys", "-t", "t", f"exec {sys.executable} {script}", "Enter")
    tmux.wait_for(lambda s: "leaked" in s, "the leak")
    assert tmux("display", "-p", "-t", "t", "#{pane_title}").strip() == "pwned"
    assert tmux("list-buffers") != ""
