"""SVG snapshots of each screen on the sample engagement, 120x40, clock stopped.

After a deliberate UI change: look at the report, then `pytest --snapshot-update`.
"""

from __future__ import annotations

from collections.abc import Callable

import pytest
from helpers import settle
from textual.pilot import Pilot

from store.db import Store

SIZE = (120, 40)


async def ready(pilot: Pilot[object]) -> None:
    await settle(pilot)


def keys_then_ready(*keys: str) -> Callable[[Pilot[object]], object]:
    async def run(pilot: Pilot[object]) -> None:
        await settle(pilot)
        await pilot.press(*keys)
        await settle(pilot)

    return run


@pytest.mark.parametrize("screen", ["today", "roster", "cadence", "decisions", "notes"])
def test_screen(
    screen: str, snap_compare: Callable[..., bool], make_app: Callable[..., object],
    sample_store: Store,
) -> None:  # fmt: skip
    assert snap_compare(make_app(start_screen=screen), terminal_size=SIZE, run_before=ready)


def test_person_form(
    snap_compare: Callable[..., bool], make_app: Callable[..., object], sample_store: Store
) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=keys_then_ready("e"))


def test_delete_confirmation(
    snap_compare: Callable[..., bool], make_app: Callable[..., object], sample_store: Store
) -> None:
    app = make_app(start_screen="notes")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_ready("delete"))


def test_welcome(
    snap_compare: Callable[..., bool], make_app: Callable[..., object], store: Store
) -> None:
    assert snap_compare(make_app(), terminal_size=SIZE, run_before=ready)


def test_log_form(
    snap_compare: Callable[..., bool], make_app: Callable[..., object], sample_store: Store,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    from zoneinfo import ZoneInfo

    from tui.app import RapportApp

    monkeypatch.setattr(RapportApp, "local_zone", lambda self: ZoneInfo("Europe/Berlin"))
    app = make_app(start_screen="cadence")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_ready("l"))


def test_briefing(
    snap_compare: Callable[..., bool], make_app: Callable[..., object], sample_store: Store
) -> None:
    app = make_app(start_screen="cadence")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_ready("j", "b"))


def test_history(
    snap_compare: Callable[..., bool], make_app: Callable[..., object], sample_store: Store
) -> None:
    app = make_app(start_screen="cadence")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_ready("G", "h"))


def test_overlap(
    snap_compare: Callable[..., bool], make_app: Callable[..., object], sample_store: Store
) -> None:
    app = make_app(start_screen="cadence")
    assert snap_compare(app, terminal_size=SIZE, run_before=keys_then_ready("G", "o"))
