"""A read that fails in the app says what is wrong without values, and names a damaged file."""

from __future__ import annotations

import contextlib
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import settle, toasts
from sqlalchemy.exc import OperationalError
from test_store_damage import damage_checkin_text
from textual.worker import WorkerFailed

from store import queries
from store.backup import manual_backup
from store.db import Store
from tui.screens.roster import RosterScreen


def undecodable(*_args: object, **_kwargs: object) -> Any:
    raise OperationalError(
        "SELECT checkin.outcome FROM checkin",
        {},
        sqlite3.OperationalError(
            "Could not decode to UTF-8 column 'outcome' with text 'Tyler unhappy, escalated'"
        ),
    )


async def reload_roster(app: Any, pilot: Any) -> None:
    await settle(pilot)
    screen = app.screen
    assert isinstance(screen, RosterScreen)
    screen.refresh_rows()  # as after another process's change
    with contextlib.suppress(WorkerFailed):  # the read fails: that is the point
        await app.workers.wait_for_complete()
    await pilot.pause()


async def test_a_failed_read_shows_no_text_from_the_database(
    make_app: Callable[..., Any], team: dict[str, int], monkeypatch: pytest.MonkeyPatch
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(queries, "roster", undecodable)
        await reload_roster(app, pilot)
        said = toasts(app)
        assert said == [
            "Could not read the data: the database file looks damaged; restore the newest "
            "backup (rapport restore)"
        ]
        assert "Tyler" not in said[0] and "outcome" not in said[0]


async def test_a_failed_read_on_a_damaged_file_says_it_is_damaged(
    sample_store: Store,
    db_path: Path,
    make_app: Callable[..., Any],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    backup = manual_backup(db_path)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        sample_store.engine.dispose()  # the file's pages are read afresh, as after a restart
        checkpoint = sqlite3.connect(db_path)  # every page in the file itself, none in the WAL
        checkpoint.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        checkpoint.close()
        damage_checkin_text(db_path)
        # What an index that no longer matches its table raises deep in a read.
        monkeypatch.setattr(queries, "roster", lambda *a, **k: {}[-7])
        await reload_roster(app, pilot)
        assert toasts(app) == [
            f"cannot open the database {db_path}: the file is damaged (integrity_check: a text "
            f"in table checkin, column outcome, is not UTF-8); the newest backup is {backup}"
        ]
