"""tui.data: each screen's rows are read once per data version and shared."""

from __future__ import annotations

import datetime as dt
import gc
import subprocess
import sys
import threading
from collections.abc import Callable

import pytest
from helpers import settle

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


class FakeClock:
    """time.monotonic and time.sleep for the warm-up's wait, without waiting."""

    def __init__(self) -> None:
        self.now = 1000.0
        self.slept: list[float] = []

    def monotonic(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.now += seconds


def _app_with_clock(
    sample_store: Store, monkeypatch: pytest.MonkeyPatch
) -> tuple[object, FakeClock]:
    from tui import app as app_module

    clock = FakeClock()
    monkeypatch.setattr(app_module.time, "monotonic", clock.monotonic)
    monkeypatch.setattr(app_module.time, "sleep", clock.sleep)
    return app_module.RapportApp(sample_store), clock


def test_the_warm_up_waits_for_a_quiet_moment_after_a_key(
    sample_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, clock = _app_with_clock(sample_store, monkeypatch)
    quiet = app.QUIET_SECONDS  # type: ignore[attr-defined]
    app._wait_for_quiet()  # type: ignore[attr-defined]
    assert clock.slept == []  # no key yet: reads at once
    app._last_key = clock.now - 0.1  # type: ignore[attr-defined]
    app._wait_for_quiet()  # type: ignore[attr-defined]
    assert sum(clock.slept) == pytest.approx(quiet - 0.1)


def test_steady_typing_delays_the_warm_up_but_never_starves_it(
    sample_store: Store, monkeypatch: pytest.MonkeyPatch
) -> None:
    app, clock = _app_with_clock(sample_store, monkeypatch)
    real_sleep = clock.sleep

    def typing_meanwhile(seconds: float) -> None:
        real_sleep(seconds)
        app._last_key = clock.now  # type: ignore[attr-defined]  # a key during every wait

    clock.sleep = typing_meanwhile  # type: ignore[method-assign]
    monkeypatch.setattr("tui.app.time.sleep", typing_meanwhile)
    app._last_key = clock.now  # type: ignore[attr-defined]
    started = clock.now
    app._wait_for_quiet()  # type: ignore[attr-defined]
    assert clock.now - started == pytest.approx(app.PATIENCE_SECONDS)  # type: ignore[attr-defined]


@pytest.mark.parametrize("freeze", [True, False])
async def test_the_warm_up_freezes_what_it_read_only_when_asked(
    make_app: Callable[..., object], team: dict[str, int], freeze: bool
) -> None:
    """The real process asks (tui.__main__); test apps do not, or every test's widgets would
    stay out of the cyclic GC's reach for the rest of the run."""
    gc.unfreeze()
    app = make_app(freeze_gc=freeze)
    try:
        async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
            await settle(pilot)
            await app.workers.wait_for_complete()  # type: ignore[attr-defined]
            assert app._warmed is not None  # type: ignore[attr-defined]
            assert (gc.get_freeze_count() > 0) is freeze
    finally:
        gc.unfreeze()


# Every main screen visited and the warm-up finished, in a fresh interpreter; then the
# Roster's edit form opened. Prints whether sqlalchemy.orm was loaded at each point.
VISIT_THEN_EDIT = """
import asyncio, sys
from store.db import Store
from tui.app import RapportApp

async def main():
    app = RapportApp(Store.open(sys.argv[1]), start_screen="roster")
    async with app.run_test(size=(120, 40)) as pilot:
        for key in "12340":
            await pilot.press(key)
            await pilot.pause()
        await app.workers.wait_for_complete()
        looked = "sqlalchemy.orm" in sys.modules
        await pilot.press("1", "e")
        await pilot.pause()
        await app.workers.wait_for_complete()
        print(looked, type(app.screen).__name__, "sqlalchemy.orm" in sys.modules)

asyncio.run(main())
"""


@pytest.mark.both_backends
def test_looking_never_loads_the_orm_and_a_form_loads_it_for_its_save(
    sample_store: Store, db_target: str
) -> None:
    """The ORM costs 8 MiB and a tenth of a second: the screens' reads are Core statements,
    and the ORM is loaded (in the background) only once a form is open to write from."""
    done = subprocess.run(
        [sys.executable, "-c", VISIT_THEN_EDIT, db_target],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["False", "FormScreen", "True"]
