"""tui.data: each screen's rows are read once per data version and shared."""

from __future__ import annotations

import datetime as dt
import threading

import pytest

from store.db import Store
from store.queries import engagements
from tui import data
from tui.data import ScreenData

TODAY = dt.date(2026, 11, 20)


@pytest.fixture
def counted(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Names of the loaders that really ran (each still reads the real store)."""
    ran: list[str] = []
    for name, loader in list(data.LOADERS.items()):

        def counting(store: Store, engagement_id: int, today: dt.date, *, _n=name, _l=loader):
            ran.append(_n)
            return _l(store, engagement_id, today)

        monkeypatch.setitem(data.LOADERS, name, counting)
    return ran


def test_rows_are_read_once_per_version_and_again_after_a_change(
    sample_store: Store, counted: list[str]
) -> None:
    (engagement,) = engagements(sample_store)
    shared = ScreenData(sample_store)
    first = shared.get("roster", engagement.id, 1, TODAY)
    assert shared.get("roster", engagement.id, 1, TODAY) is first
    assert counted == ["roster"]
    assert [row.name for row in first][:2] == ["Amber Nguyen", "Andreas Köhler"]
    again = shared.get("roster", engagement.id, 2, TODAY)
    assert again is not first and again == first
    shared.get("roster", engagement.id, 2, TODAY + dt.timedelta(days=1))  # a new day
    assert counted == ["roster", "roster", "roster"]


def test_threads_asking_at_once_share_one_read(sample_store: Store, counted: list[str]) -> None:
    (engagement,) = engagements(sample_store)
    shared = ScreenData(sample_store)
    results: list[object] = []
    threads = [
        threading.Thread(
            target=lambda: results.append(shared.get("items", engagement.id, 1, TODAY))
        )
        for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counted == ["items"]
    assert len(results) == 4 and all(result is results[0] for result in results)


async def test_the_app_reads_every_screens_rows_once_after_start(
    make_app, sample_store: Store, counted: list[str]
) -> None:
    from helpers import settle

    app = make_app(start_screen="today")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        assert sorted(counted) == sorted(data.LOADERS)
        for key in ("1", "2", "3", "4"):
            await pilot.press(key)
            await settle(pilot)
        # Visiting every screen read nothing again.
        assert sorted(counted) == sorted(data.LOADERS)
