"""`l` with a TZ that names no usable zone: the form opens, typed times are UTC, said once."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import pytest
from helpers import settle
from textual.widgets import Input

from store import queries
from store.db import Store
from tui.screens.cadence import CadenceScreen
from tui.screens.log import LogScreen

UNUSABLE_TZ = ("UTC+5", "Nowhere/Land", ":/etc/passwd", "../../../etc/passwd")


@pytest.mark.parametrize("tz", UNUSABLE_TZ)
async def test_l_with_an_unusable_tz_logs_in_utc_and_warns_once(
    make_app: Callable[..., object],
    store: Store,
    team: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
    tz: str,
) -> None:
    monkeypatch.setenv("TZ", tz)
    app = make_app(start_screen="cadence")
    said: list[str] = []  # every notification, even one that expired on a slow machine
    shown = app.notify
    monkeypatch.setattr(
        app, "notify", lambda message, **kw: (said.append(message), shown(message, **kw))
    )
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l")
        await settle(pilot)
        form = app.screen
        assert isinstance(form, LogScreen)
        form.query_one("#field-when", Input).value = "yesterday 17:00"
        await pilot.press(*"Went fine", "ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, CadenceScreen)
        await pilot.press("l")  # a second form: no second warning
        await settle(pilot)
        warnings = [t for t in said if "no time zone rapport knows" in t]
        assert len(warnings) == 1 and repr(tz) in warnings[0]
    (checkin,) = [
        c
        for c in queries.recent_checkins(store, cadence_id=team["weekly"])
        if c.outcome == "Went fine"
    ]
    assert checkin.at == dt.datetime(2026, 11, 19, 17, 0, tzinfo=dt.UTC)
