"""The TOML exports write no character a terminal acts on or an editor hides, and lose nothing."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from backends import dump
from test_store_io import team, write

from store.db import Store
from store.io_toml import export_engagement, import_file
from store.text import is_hidden

# Characters the import accepts in text, which tomli_w writes raw: zero-width (two names can
# look identical), a left-to-right mark, a soft hyphen, an astral tag.
HIDDEN = "\u200b\u200c\u200d\u2060\ufeff\u200e\u00ad\U000e0041"
# Characters the import refuses, but a database can hold (plain SQL on PostgreSQL): ESC, the
# one-character CSI and OSC, bidi overrides and isolates.
HOSTILE = "\x1b[2J\x9b31m\x9d0;x\x07\u202e\u2066\u2069"

TEXT_FIELDS = {
    "engagement": ("name", "client", "goal"),
    "people": ("name", "organisation", "role", "responsibilities", "team"),
    "cadences": ("name", "circle"),
    "checkins": ("outcome", "logged_by"),
    "decisions": ("title", "context", "outcome", "mitigation", "depends_on", "changed_by"),
    "notes": ("text", "author"),
}


def _raw_hidden(text: str) -> list[str]:
    """Characters in `text` that are neither printable nor layout (newline, tab, space)."""
    return [
        f"U+{ord(c):04X}"
        for c in text
        if c not in "\n\t" and (is_hidden(c) or not c.isprintable())
    ]


def test_hidden_characters_round_trip_exactly_and_are_never_raw(
    store: Store, tmp_path: Path, new_target
) -> None:
    doc = team()
    for kind, fields in TEXT_FIELDS.items():
        rows = [doc[kind]] if kind == "engagement" else doc[kind]
        for row in rows:
            for name in fields:
                row[name] = f"a{HIDDEN}b {row.get(name, '')}".strip()
    for step in doc["checkins"][0]["next_steps"]:
        step["text"] = f"{HIDDEN}{step['text']}"
    import_file(store, write(tmp_path, doc))
    exported = export_engagement(store, "trail")

    assert _raw_hidden(exported) == []
    assert tomllib.loads(exported) == doc  # a second parser reads back exactly what went in
    path = tmp_path / "export.toml"
    path.write_bytes(exported.encode("utf-8"))
    again = Store.open(new_target())
    try:
        import_file(again, path)
        assert export_engagement(again, "trail") == exported
    finally:
        again.close()


def test_hostile_text_in_the_database_is_shown_and_the_export_reimports(
    store: Store, tmp_path: Path
) -> None:
    import_file(store, write(tmp_path, team()))
    with store.write() as session:
        from sqlalchemy import text

        session.execute(text("UPDATE person SET name = :name WHERE key = 'dana'"),
                        {"name": f"Dana{HOSTILE}"})  # fmt: skip
        session.execute(text("UPDATE note SET text = :t"), {"t": f"line one\n{HOSTILE}\ntwo"})
    before = dump(store)
    exported = export_engagement(store, "trail")

    assert _raw_hidden(exported) == []
    parsed = tomllib.loads(exported)
    # What no way in accepts is shown as U+FFFD, so the file imports again; newlines stay.
    shown = "\ufffd[2J\ufffd31m\ufffd0;x\ufffd\ufffd\ufffd\ufffd"
    assert parsed["people"][1]["name"] == f"Dana{shown}"
    assert {n["text"] for n in parsed["notes"]} == {f"line one\n{shown}\ntwo"}
    assert dump(store) == before
    path = tmp_path / "hostile.toml"
    path.write_text(exported, encoding="utf-8")
    import_file(store, path, replace=True)
    assert export_engagement(store, "trail") == exported


@pytest.mark.parametrize("value", [HIDDEN, HOSTILE, f'"quoted" \\ {HOSTILE}\n{HIDDEN}'])
def test_a_subject_access_export_escapes_them_too(store: Store, tmp_path: Path, value: str) -> None:
    from store.privacy import person_export

    import_file(store, write(tmp_path, team()))
    with store.write() as session:
        from sqlalchemy import text

        session.execute(text("UPDATE person SET role = :v WHERE key = 'dana'"), {"v": value})
        dana = session.execute(text("SELECT id FROM person WHERE key = 'dana'")).scalar_one()
    import datetime as dt

    exported = person_export(store, dana, dt.datetime(2026, 11, 20, tzinfo=dt.UTC))
    assert _raw_hidden(exported) == []
    assert tomllib.loads(exported)["person"]["role"] == value
