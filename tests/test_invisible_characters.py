"""Invisible characters: refused in keys and emails (form, TOML import), shown in names."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import pytest
import tomli_w
from helpers import names, settle
from textual.widgets import Input, Static

from store import queries
from store.db import Store
from store.fields import FieldError, check_email, check_key
from store.text import MARK
from tui.__main__ import EXIT_BAD_INPUT, EXIT_OK, main
from tui.widgets.form import FormScreen

INVISIBLE = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad", "\u202e", "\x1b"]


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_an_email_with_an_invisible_character_is_refused(char: str) -> None:
    with pytest.raises(FieldError, match=f"U\\+{ord(char):04X}"):
        check_email(f"dana{char}@client.example")


@pytest.mark.parametrize("char", INVISIBLE, ids=[f"U+{ord(c):04X}" for c in INVISIBLE])
def test_a_key_with_an_invisible_character_is_refused(char: str) -> None:
    with pytest.raises(FieldError, match="is not a key"):
        check_key(f"dana{char}")


@pytest.mark.parametrize(
    "value", ["dana whitfield@client.example", "@client.example", "dana@", "dana"]
)
def test_what_is_not_an_email_is_refused(value: str) -> None:
    with pytest.raises(FieldError):
        check_email(value)


@pytest.mark.parametrize("value", ["", "dana.whitfield@client.example", "zoë@nordlicht.example"])
def test_real_emails_and_none_are_taken(value: str) -> None:
    assert check_email(value) == value


def document(email: str, name: str = "Dana Whitfield") -> dict[str, object]:
    return {
        "schema_version": 1,
        "engagement": {"key": "trail", "name": "Trailhead", "kickoff": dt.date(2026, 9, 28)},
        "people": [
            {"key": "dana", "name": name, "side": "client", "timezone": "America/Denver",
             "email": email},
        ],
    }  # fmt: skip


def test_the_import_refuses_an_email_with_a_zero_width_space(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "hostile.toml"
    path.write_text(tomli_w.dumps(document("dana\u200b@client.example")), encoding="utf-8")
    db = tmp_path / "rapport.db"
    assert main(["--db", str(db), "import", str(path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"{path}: people[0].email" in err and "U+200B" in err
    assert "\u200b" not in err


def test_a_name_with_a_zero_width_space_is_taken_and_printed_visibly(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path = tmp_path / "names.toml"
    path.write_text(
        tomli_w.dumps(document("dana@client.example", "Dana\u200b Whitfield")), encoding="utf-8"
    )
    db = tmp_path / "rapport.db"
    assert main(["--db", str(db), "import", str(path)]) == EXIT_OK
    capsys.readouterr()
    assert main(["--db", str(db), "brief", "dana"]) == EXIT_OK
    out = capsys.readouterr().out
    assert f"Dana{MARK} Whitfield" in out and "\u200b" not in out


async def test_the_form_refuses_an_email_with_a_zero_width_space(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        await pilot.press("e")  # Dana, the first on the Roster
        app.screen.query_one("#field-email", Input).value = "dana\u200b@client.example"
        await pilot.pause()
        error = app.screen.query_one("#error-email", Static)
        assert "U+200B" in str(error.render()) and "\u200b" not in str(error.render())
        await pilot.press("ctrl+s")
        await settle(pilot)
        assert isinstance(app.screen, FormScreen)  # still open, nothing saved
    assert {row.key: row.email for row in queries.roster(store, team["eng"])}["dana"] == ""


async def test_two_people_who_would_look_alike_look_different_on_the_roster(
    make_app: Callable[..., object], store: Store, team: dict[str, int]
) -> None:
    from store import edits

    edits.save_person(
        store,
        team["eng"],
        edits.PersonValues(key="dana2", name="Dana\u200b Whitfield", side="client", timezone="UTC"),
    )
    app = make_app()
    async with app.run_test(size=(120, 40)) as pilot:  # type: ignore[attr-defined]
        await settle(pilot)
        shown = [name for name in names(app) if name.startswith("Dana")]
        assert sorted(shown) == sorted(["Dana Whitfield", f"Dana{MARK} Whitfield"])
