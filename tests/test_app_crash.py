"""The `rapport` process after the app crashed: a status a script or a shell can see."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from store.db import Store


class Boom(RuntimeError):
    pass


def test_the_app_exits_non_zero_after_a_crash(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui import __main__ as cli
    from tui.app import RapportApp

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))  # the crash report
    Store.open(str(db_path)).close()
    run = RapportApp.run

    def headless(self: RapportApp, **options: Any) -> Any:
        return run(self, headless=True, **options)

    def explode(self: RapportApp) -> None:
        raise Boom("something broke")

    monkeypatch.setattr(RapportApp, "run", headless)
    monkeypatch.setattr(RapportApp, "on_mount", explode)
    assert cli.main(["--db", str(db_path)]) == cli.EXIT_CRASHED != cli.EXIT_OK
    assert list((tmp_path / "state" / "rapport" / "log").iterdir())  # it did crash


def test_the_app_exits_zero_when_quit(
    db_path: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from tui import __main__ as cli
    from tui.app import RapportApp

    Store.open(str(db_path)).close()
    run = RapportApp.run

    def quit_at_once(self: RapportApp, **options: Any) -> Any:
        async def press_q(pilot: Any) -> None:
            await pilot.pause()
            await pilot.press("q")

        return run(self, headless=True, auto_pilot=press_q, **options)

    monkeypatch.setattr(RapportApp, "run", quit_at_once)
    assert cli.main(["--db", str(db_path)]) == cli.EXIT_OK
