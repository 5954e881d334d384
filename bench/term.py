"""A real terminal for timing: a private tmux server, one 120x40 pane, a control-mode client.

Everything goes through one `tmux -C` client (keys in, `%output` notifications and
`capture-pane` out), so a poll costs a line on a pipe instead of forking a tmux process — the
app under test shares two cores with the harness, and a fork per poll would slow it down.

Timing model: `%output` lines are timestamped by a reader thread as they arrive. An action is
"painted" when the pane shows what it should (a predicate on `capture-pane`) and the app has
then been quiet for `quiet` seconds; its latency is the time of the last `%output` before that
quiet spell, minus the time the key (or the spawn) was sent.
"""

from __future__ import annotations

import contextlib
import os
import queue
import shlex
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 120, 40

Predicate = Callable[[str], bool]


class PaintTimeout(RuntimeError):
    """The expected screen did not appear in time (the text of the pane is attached)."""

    def __init__(self, what: str, screen: str) -> None:
        super().__init__(f"timed out waiting for {what}; the pane showed:\n{screen}")
        self.screen = screen


class TerminalGone(RuntimeError):
    """The control client lost its tmux server or was disconnected; start a new Terminal."""


@dataclass
class _Event:
    at: float
    kind: str  # "output" or "reply"
    lines: list[str]


class Terminal:
    """One tmux server (its own socket), one session, one control client."""

    def __init__(self, name: str, env: dict[str, str] | None = None) -> None:
        self.socket = f"rapport-bench-{os.getpid()}-{name}"
        self.session = "bench"
        self.env = env or {}
        self._tmux(
            "-f", "/dev/null", "new-session", "-d", "-s", self.session,
            "-x", str(WIDTH), "-y", str(HEIGHT), "sleep 100000",
        )  # fmt: skip
        # Fixed size whatever clients attach; a real terminal type so Textual draws as usual.
        self._tmux("set-option", "-g", "window-size", "manual")
        self._tmux("set-option", "-g", "default-terminal", "tmux-256color")
        self._tmux("set-option", "-g", "remain-on-exit", "on")
        self._tmux("resize-window", "-t", self.session, "-x", str(WIDTH), "-y", str(HEIGHT))
        self._events: queue.Queue[_Event] = queue.Queue()
        self._client = subprocess.Popen(
            ["tmux", "-L", self.socket, "-C", "attach-session", "-t", self.session],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        self.last_output = 0.0

    def _tmux(self, *args: str) -> str:
        return subprocess.run(
            ["tmux", "-L", self.socket, *args], check=True, capture_output=True, text=True
        ).stdout

    # ---- the control client ----------------------------------------------------------------

    def _read(self) -> None:
        assert self._client.stdout is not None
        block: list[str] | None = None
        for raw in self._client.stdout:
            at = time.perf_counter()
            line = raw.decode("utf-8", "replace").rstrip("\n")
            if block is not None:
                if line.startswith(("%end ", "%error ")):
                    self._events.put(_Event(at, "reply", block))
                    block = None
                else:
                    block.append(line)
            elif line.startswith("%begin "):
                block = []
            elif line.startswith("%output "):
                self._events.put(_Event(at, "output", []))
            elif line.startswith("%exit"):
                self._events.put(_Event(at, "exit", [line]))
        self._events.put(_Event(time.perf_counter(), "exit", ["(control client closed)"]))

    def _next(self, timeout: float) -> _Event | None:
        try:
            event = self._events.get(timeout=max(timeout, 0.0))
        except queue.Empty:
            return None
        if event.kind == "output":
            self.last_output = event.at
        return event

    def command(self, line: str, timeout: float = 30.0) -> list[str]:
        """Run a tmux command through the control client; its reply lines."""
        assert self._client.stdin is not None
        self._client.stdin.write(line.encode() + b"\n")
        self._client.stdin.flush()
        deadline = time.perf_counter() + timeout
        while (event := self._next(deadline - time.perf_counter())) is not None:
            if event.kind == "reply":
                return event.lines
            if event.kind == "exit":
                raise TerminalGone(f"tmux control client left: {event.lines}")
        raise TerminalGone(f"tmux did not answer {line!r}")

    def screen(self, *, escapes: bool = False) -> str:
        """The pane's text (with `escapes`, its colours too: a moved cursor is only colour)."""
        flag = " -e" if escapes else ""
        return "\n".join(self.command(f"capture-pane -p{flag} -t {self.session}"))

    def drain(self, quiet: float = 0.0) -> None:
        """Forget pending output (and wait until the app has been quiet for `quiet` s)."""
        while self._next(quiet) is not None:
            pass

    # ---- timing ------------------------------------------------------------------------------

    def wait_painted(
        self,
        sent: float,
        done: Predicate,
        *,
        what: str,
        quiet: float = 0.08,
        timeout: float = 60.0,
        need_output: bool = True,
        escapes: bool = False,
    ) -> float:
        """Seconds from `sent` to the last output of the frame that satisfied `done`."""
        deadline = sent + timeout
        seen_output = not need_output
        satisfied = False
        while True:
            now = time.perf_counter()
            if now > deadline:
                raise PaintTimeout(what, self.screen())
            wait = quiet if satisfied else 0.25
            event = self._next(min(wait, deadline - now))
            if event is None:
                if satisfied:
                    return self.last_output - sent
                if seen_output:
                    satisfied = done(self.screen(escapes=escapes))
                continue
            if event.kind == "exit":
                raise TerminalGone(
                    f"tmux control client left while waiting for {what}: {event.lines}"
                )
            if event.kind != "output":
                continue
            seen_output = True
            # Let the rest of this burst arrive before looking: a capture per line would cost
            # more than the frame itself.
            while (more := self._next(0.003)) is not None and more.kind == "output":
                pass
            if not satisfied:
                satisfied = done(self.screen(escapes=escapes))

    def spawn(self, argv: Sequence[str]) -> float:
        """Start a program in the pane; the perf_counter time it was asked for."""
        self.drain()
        env = " ".join(f"{k}={shlex.quote(v)}" for k, v in self.env.items())
        command = f"exec env {env} {shlex.join(argv)}"
        sent = time.perf_counter()
        self.command(f"respawn-pane -k -t {self.session} {shlex.quote(command)}")
        return sent

    def press(self, *keys: str) -> float:
        """Send keys (tmux key names); the perf_counter time they were sent."""
        self.drain()
        quoted = " ".join(shlex.quote(key) for key in keys)
        sent = time.perf_counter()
        self.command(f"send-keys -t {self.session} {quoted}")
        return sent

    def type_text(self, text: str) -> float:
        self.drain()
        sent = time.perf_counter()
        self.command(f"send-keys -l -t {self.session} {shlex.quote(text)}")
        return sent

    def pane_pid(self) -> int:
        return int(self.command(f"display-message -p -t {self.session} '#{{pane_pid}}'")[0])

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._tmux("kill-server")
        with contextlib.suppress(Exception):
            self._client.wait(timeout=5)
