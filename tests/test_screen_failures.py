"""One failure path: a write or a read that fails is told in a few safe words, and a form
that could not save stays open with everything typed.

The database "fails" by one store function raising what the driver raises (a statement and
parameters holding personal text): the notice must show neither.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path

import pytest
from helpers import names, toasts
from helpers import settle_failing as settle
from sqlalchemy.exc import OperationalError
from textual.widgets import Input, Static, TextArea

from store import queries
from store.db import Store
from tui.screens.briefing import BriefingScreen
from tui.screens.log import LogScreen
from tui.widgets.form import FormScreen

SECRET = "Tyler-is-leaving-in-March"


def failing(reason: str) -> Callable[..., object]:
    """A store function that fails as the driver does, its statement quoting personal text."""

    def fail(*_args: object, **_kwargs: object) -> object:
        raise OperationalError(
            f"UPDATE person SET role='{SECRET}' WHERE person.id = ?",
            {"outcome": SECRET, "id": 2},
            sqlite3.OperationalError(reason),
        )

    return fail


def assert_told_safely(app: object, *expected: str) -> None:
    shown = "\n".join(toasts(app))
    for words in expected:
        assert words in shown
    for leak in (SECRET, "SQL", "UPDATE", "person.id", "OperationalError"):
        assert leak not in shown


async def test_a_check_in_that_cannot_be_saved_stays_in_the_form_and_says_why(
    make_app: Callable[..., object],
    store: Store,
    team: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from store import checkins

    monkeypatch.setattr(checkins, "log_checkin", failing("database is locked"))
    before = len(queries.recent_checkins(store, person_id=team["dana"]))
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("l", *"Cutover moved to Monday")
        form = app.screen
        assert isinstance(form, LogScreen)
        form.query_one("#field-mood", Input).value = "4"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form  # still open
        assert form.query_one("#field-outcome", TextArea).text == "Cutover moved to Monday"
        assert form.query_one("#field-mood", Input).value == "4"
        assert_told_safely(app, "Could not save: the database is locked")
    assert len(queries.recent_checkins(store, person_id=team["dana"])) == before


async def test_a_person_that_cannot_be_saved_stays_in_the_form_and_says_why(
    make_app: Callable[..., object],
    store: Store,
    team: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from store import edits

    monkeypatch.setattr(edits, "save_person", failing("database is locked"))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")  # Dana
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-role", Input).value = "Sponsor"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#field-role", Input).value == "Sponsor"
        assert_told_safely(app, "Could not save: the database is locked")
        await pilot.press("escape", "y")
        await settle(pilot)
        assert names(app)[0] == "Dana Whitfield"
    dana = next(r for r in queries.roster(store, team["eng"]) if r.key == "dana")
    assert dana.role == "Project manager"


async def test_a_delete_that_fails_on_a_list_is_told_without_sql(
    make_app: Callable[..., object],
    store: Store,
    team: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from store import edits

    monkeypatch.setattr(edits, "delete_person", failing("disk I/O error"))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("delete", "y")
        await settle(pilot)
        assert_told_safely(app, "Could not save: the disk could not be written")
        assert len(names(app)) == 3
    assert len(queries.roster(store, team["eng"])) == 3


async def test_a_briefing_that_cannot_be_read_says_so_instead_of_preparing_forever(
    make_app: Callable[..., object],
    team: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from store import briefing

    monkeypatch.setattr(briefing, "brief_person", failing("database disk image is malformed"))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("b")  # Dana
        await settle(pilot)
        assert isinstance(app.screen, BriefingScreen)
        page = str(app.screen.query_one("#briefing", Static).render())
        assert "Preparing" not in page
        assert "could not be prepared" in page and "damaged" in page
        assert SECRET not in page and "SQL" not in page
        assert_told_safely(app, "Could not read the data: the database file looks damaged")


async def test_a_next_step_that_cannot_be_ticked_is_told(
    make_app: Callable[..., object],
    store: Store,
    team: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import datetime as dt

    from store import checkins
    from store.checkins import CheckInDraft, log_checkin
    from store.logparse import NextStepLine

    log_checkin(
        store,
        CheckInDraft(
            engagement_id=team["eng"], cadence_id=team["weekly"],
            at=dt.datetime(2026, 11, 19, 15, 0, tzinfo=dt.UTC),
            attendee_ids=(team["jonas"], team["dana"]), outcome="Scope frozen",
            next_steps=(NextStepLine("Send minutes", team["dana"], None),),
        ),
    )  # fmt: skip
    monkeypatch.setattr(checkins, "toggle_next_step", failing("database is locked"))
    app = make_app(start_screen="cadence")
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("h")
        await settle(pilot)
        await pilot.press("tab", "x")
        await settle(pilot)
        assert_told_safely(app, "Could not save: the database is locked")
    steps = queries.steps_of(store, team["eng"], cadence_id=team["weekly"])
    assert [s.done for s in steps] == [False]


async def test_a_bug_in_a_save_is_told_by_its_type_with_a_report_and_the_form_stays(
    make_app: Callable[..., object],
    team: dict[str, int],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from store import edits

    def broken(*_args: object, **_kwargs: object) -> object:
        raise KeyError(SECRET)

    monkeypatch.setenv("XDG_STATE_HOME", str(tmp_path / "state"))
    monkeypatch.setattr(edits, "save_person", broken)
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        form = app.screen
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert_told_safely(app, "Could not save: an unexpected error (KeyError)")
    (report,) = (tmp_path / "state" / "rapport" / "log").iterdir()
    assert "KeyError" in report.read_text(encoding="utf-8")


async def test_a_new_engagement_that_cannot_be_saved_stays_in_the_form(
    make_app: Callable[..., object],
    store: Store,
    team: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from store import edits

    monkeypatch.setattr(edits, "save_engagement", failing("database is locked"))
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("E")
        await settle(pilot)
        await pilot.press("end", "enter")  # "New engagement…"
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-name", Input).value = "Second rollout"
        form.query_one("#field-key", Input).value = "second"
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#field-name", Input).value == "Second rollout"
        assert_told_safely(app, "Could not save: the database is locked")
    assert [row.key for row in queries.engagements(store)] == ["trail"]


def test_a_database_reason_never_quotes_stored_text() -> None:
    from store.errors import database_reason

    error = sqlite3.OperationalError(
        f"Could not decode to UTF-8 column 'outcome' with text '{SECRET}'"
    )
    assert "damaged" in database_reason(error)
    unknown = sqlite3.OperationalError(f"no such thing near '{SECRET}'")
    assert SECRET not in database_reason(unknown)


async def test_a_look_for_changes_that_keeps_failing_is_told_once(
    make_app: Callable[..., object],
    store: Store,
    team: dict[str, int],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        monkeypatch.setattr(store, "change_token", failing("database is locked"))
        for _ in range(3):  # as the app's timer does, every POLL_SECONDS
            app.poll_changes()
            await settle(pilot)
        told = [t for t in toasts(app) if "the database is locked" in t]
        assert told == ["Could not read the data: the database is locked by another program; "
                        "try again in a moment"]  # fmt: skip


async def test_a_file_that_cannot_be_imported_keeps_the_form_and_names_its_problems(
    make_app: Callable[..., object], store: Store, tmp_path: Path
) -> None:
    bad = tmp_path / "bad.toml"
    bad.write_text('[engagement]\nkey = "x"\n', encoding="utf-8")
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:
        await settle(pilot)
        await pilot.press("down", "down", "enter")  # "Import an engagement from a TOML file"
        form = app.screen
        assert isinstance(form, FormScreen)
        form.query_one("#field-path", Input).value = str(bad)
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert app.screen is form
        assert form.query_one("#field-path", Input).value == str(bad)
        assert any("engagement" in t for t in toasts(app))
        assert [n.title for n in app._notifications] == ["Not imported"]
    assert queries.engagements(store) == []
