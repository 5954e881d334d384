"""Shared fixtures: every store is a real SQLite file under tmp_path, never a mock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from store.db import Store

REPO = Path(__file__).resolve().parent.parent
SAMPLE = REPO / "sample.toml"
# The sample's own "today": tests run the app at this moment so snapshots never drift.
SAMPLE_TODAY = dt.date(2026, 11, 20)
FIXED_NOW = dt.datetime(2026, 11, 20, 10, 30, tzinfo=dt.UTC)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return tmp_path / "data" / "rapport.db"


@pytest.fixture
def store(db_path: Path) -> Iterator[Store]:
    opened = Store.open(str(db_path))
    yield opened
    opened.close()


@pytest.fixture
def sample_store(store: Store) -> Store:
    """A store holding the sample engagement with its dates as written (no shift)."""
    from store.io_toml import import_file

    import_file(store, SAMPLE)
    return store
