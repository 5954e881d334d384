"""`rapport admin grant ROLE`, and private notes that stay private in PostgreSQL itself: each
lead connects as their own role, and row-level security keeps a private note from every role
but its author's, whatever SQL they send."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from backends import PgServer
from sqlalchemy import func, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from store import edits
from store.db import Store
from store.models import Note, Person
from store.postgres import grant_lead
from store.privacy import forget_person
from store.queries import notes, recent_checkins
from tui.__main__ import EXIT_BAD_INPUT, EXIT_OK, EXIT_USAGE, main

DAY = dt.date(2026, 11, 20)


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    return code, out, err


@pytest.mark.sqlite_only
def test_roles_are_for_postgresql(db_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    assert run(capsys, "--db", db_target, "admin", "grant", "ana") == (
        EXIT_BAD_INPUT,
        "",
        "rapport: roles are for PostgreSQL; this database is sqlite (a file has one reader, "
        "its owner)\n",
    )


def test_admin_needs_an_action(db_target: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exited:
        main(["--db", db_target, "admin"])
    assert exited.value.code == EXIT_USAGE


@pytest.mark.postgresql_only
def test_grant_creates_the_role_once_and_refuses_odd_names(
    db_target: str, pg_server: PgServer, capsys: pytest.CaptureFixture[str]
) -> None:
    role = f"{pg_server.prefix}_carla"
    pg_server.roles.append(role)  # dropped when the server is
    code, out, err = run(capsys, "--db", db_target, "admin", "grant", role)
    assert (code, err) == (EXIT_OK, "")
    assert out.startswith(f"Created the role {role}; it may read and write the engagements in ")
    code, out, _ = run(capsys, "--db", db_target, "admin", "grant", role)
    assert code == EXIT_OK and out.startswith(f"The role exists: {role};")
    for odd in ("Ana", "ana-lima", "ana; DROP TABLE note", "x" * 64, "9lives"):
        code, out, err = run(capsys, "--db", db_target, "admin", "grant", odd)
        assert (code, out) == (EXIT_BAD_INPUT, "")
        assert "is not a role name rapport makes" in err and err.count("\n") == 1


@pytest.fixture
def two_leads(
    store: Store, db_target: str, pg_server: PgServer, team: dict[str, int]
) -> Iterator[tuple[Store, Store]]:
    """Ana and Ben, each connected as their own role, set up by `grant_lead`."""
    database = make_url(db_target).database
    assert database is not None
    opened = []
    for name in ("ana", "ben"):
        role = pg_server.new_role(name)
        grant_lead(store.engine, role)
        opened.append(Store.open(pg_server.url_for(database, user=role)))
    yield opened[0], opened[1]
    for lead in opened:
        lead.close()


def raw(store: Store, sql: str, **params: Any) -> Any:
    """A statement as the lead's role would send it by hand; its result (rows or rowcount)."""
    with store.engine.begin() as connection:
        result = connection.execute(text(sql), params)
        return result.all() if result.returns_rows else result.rowcount


@pytest.mark.postgresql_only
def test_a_private_note_is_readable_by_its_author_only(
    two_leads: tuple[Store, Store], team: dict[str, int], store: Store
) -> None:
    ana, ben = two_leads
    assert ana.role is not None and ben.role is not None and ana.role != ben.role
    secret = edits.save_note(
        ana, edits.NoteValues(person_id=team["dana"], on=DAY, text="Her father is ill", private=True)
    )  # fmt: skip
    shared = edits.save_note(
        ana, edits.NoteValues(person_id=team["dana"], on=DAY, text="Prefers mornings")
    )
    eng = team["eng"]
    assert {n.id for n in notes(ana, eng)} >= {secret, shared}
    (mine,) = [n for n in notes(ana, eng) if n.id == secret]
    assert (mine.author, mine.private) == (ana.role, True)
    assert shared in {n.id for n in notes(ben, eng)}
    assert secret not in {n.id for n in notes(ben, eng)}

    # Raw SQL as Ben: the row is not there to read, change or delete.
    assert raw(ben, "SELECT text FROM note WHERE id = :id", id=secret) == []
    assert raw(ben, "SELECT count(*) FROM note WHERE text LIKE '%father%'") == [(0,)]
    assert raw(ben, "UPDATE note SET text = 'x' WHERE id = :id", id=secret) == 0
    assert raw(ben, "DELETE FROM note WHERE id = :id", id=secret) == 0
    # Nor can he write a private note in Ana's name, or make her shared note private.
    for sql in (
        'INSERT INTO note (person_id, "on", kind, text, pinned, author, private, version) '
        "VALUES (:person, CURRENT_DATE, 'personal', 'fake', false, :author, true, 1)",
        "UPDATE note SET private = true WHERE id = :id",
    ):
        # Refused by the notes' trigger (revision 0010) before the policy would refuse it.
        with pytest.raises(DBAPIError, match="row-level security|author"):
            raw(ben, sql, person=team["dana"], author=ana.role, id=shared)
    # Nor turn the policy off: the table is not his.
    with pytest.raises(DBAPIError, match="must be owner"):
        raw(ben, "ALTER TABLE note DISABLE ROW LEVEL SECURITY")
    assert raw(ana, "SELECT text FROM note WHERE id = :id", id=secret) == [("Her father is ill",)]

    # His own private note is his alone in turn.
    his = edits.save_note(
        ben, edits.NoteValues(person_id=team["ines"], on=DAY, text="Job hunting", private=True)
    )
    assert his in {n.id for n in notes(ben, eng)}
    assert raw(ana, "SELECT count(*) FROM note WHERE id = :id", id=his) == [(0,)]


@pytest.mark.postgresql_only
def test_no_lead_can_forge_a_notes_author_or_take_over_its_privacy(
    two_leads: tuple[Store, Store], team: dict[str, int]
) -> None:
    ana, ben = two_leads
    hers = edits.save_note(ana, edits.NoteValues(person_id=team["dana"], on=DAY, text="Shared"))
    # Ben may still change its text: shared notes are everyone's to edit.
    assert raw(ben, "UPDATE note SET text = 'Shared, edited' WHERE id = :id", id=hers) == 1
    for sql, said in (
        ("UPDATE note SET author = :me WHERE id = :id", "change who wrote it"),
        ("UPDATE note SET author = :me, private = true WHERE id = :id", "change who wrote it"),
        ("UPDATE note SET private = true WHERE id = :id", "make it private or shared"),
    ):
        with pytest.raises(DBAPIError, match=said):
            raw(ben, sql, me=ben.role, id=hers)
    assert raw(ana, "SELECT author, private FROM note WHERE id = :id", id=hers) == [
        (ana.role, False)
    ]
    # The author is the database's to set: left out or empty it is the writer, never another.
    insert = (
        'INSERT INTO note (person_id, "on", kind, text, pinned, private, version{author}) '
        "VALUES (:person, CURRENT_DATE, 'personal', 'x', false, false, 1{value}) RETURNING author"
    )
    assert raw(ben, insert.format(author="", value=""), person=team["dana"]) == [(ben.role,)]
    assert raw(
        ben, insert.format(author=", author", value=", ''"), person=team["dana"]
    ) == [(ben.role,)]  # fmt: skip
    with pytest.raises(DBAPIError, match="author is the role that writes it"):
        raw(ben, insert.format(author=", author", value=", :a"), person=team["dana"], a=ana.role)
    # Ana makes her own note private, and back: that is hers to do.
    assert raw(ana, "UPDATE note SET private = true WHERE id = :id", id=hers) == 1
    assert raw(ana, "UPDATE note SET private = false WHERE id = :id", id=hers) == 1


@pytest.mark.postgresql_only
def test_a_client_chosen_note_id_tells_nothing_about_private_notes(
    two_leads: tuple[Store, Store], team: dict[str, int]
) -> None:
    ana, ben = two_leads
    secret = edits.save_note(
        ana, edits.NoteValues(person_id=team["dana"], on=DAY, text="Private", private=True)
    )
    # With the private note's id, the insert neither fails nor lands on that id.
    (made,) = raw(
        ben,
        'INSERT INTO note (id, person_id, "on", kind, text, pinned, private, version) '
        "VALUES (:id, :person, CURRENT_DATE, 'personal', 'probe', false, false, 1) RETURNING id",
        id=secret, person=team["dana"],
    )  # fmt: skip
    assert made[0] != secret
    assert raw(ana, "SELECT text FROM note WHERE id = :id", id=secret) == [("Private",)]
    with pytest.raises(DBAPIError, match="id cannot change"):
        raw(ben, "UPDATE note SET id = :secret WHERE id = :id", secret=secret, id=made[0])


@pytest.mark.postgresql_only
def test_the_policy_holds_the_tables_owner_too(store: Store) -> None:
    forced = raw(
        store,
        "SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE relname = 'note'",
    )
    assert forced == [(True, True)]
    policies = raw(store, "SELECT polname FROM pg_policy WHERE polrelid = 'note'::regclass")
    assert policies == [("note_private_to_author",)]


@pytest.mark.postgresql_only
def test_erasing_a_person_removes_private_notes_the_eraser_cannot_see(
    two_leads: tuple[Store, Store], team: dict[str, int], store: Store
) -> None:
    ana, ben = two_leads
    edits.save_note(
        ana, edits.NoteValues(person_id=team["dana"], on=DAY, text="Private", private=True)
    )
    forget_person(ben, team["dana"])
    with store.read() as session:  # the admin (a superuser in the tests) sees every row
        assert session.scalar(
            select(func.count()).select_from(Note).where(Note.person_id == team["dana"])
        ) == 0  # fmt: skip
        assert session.get(Person, team["dana"]) is None


@pytest.mark.postgresql_only
def test_a_lead_cannot_change_the_schema(two_leads: tuple[Store, Store]) -> None:
    ana, _ = two_leads
    with pytest.raises(DBAPIError, match="permission denied|must be owner"):
        raw(ana, "UPDATE alembic_version SET version_num = '0001'")
    with pytest.raises(DBAPIError, match="permission denied|must be owner"):
        raw(ana, "DROP TABLE note")


@pytest.mark.postgresql_only
def test_a_lead_imports_and_logs_as_on_sqlite(
    two_leads: tuple[Store, Store], team: dict[str, int], capsys: pytest.CaptureFixture[str]
) -> None:
    from conftest import SAMPLE

    ana, _ = two_leads
    target = ana.engine.url.render_as_string(hide_password=False)
    assert run(capsys, "--db", target, "import", str(SAMPLE))[0] == EXIT_OK
    code, out, err = run(
        capsys, "--db", target, "log", "--engagement", "trail", "--with", "dana",
        "--outcome", "Quick sync", "--note", "dana: private matters stay in notes",
    )  # fmt: skip
    assert (code, err) == (EXIT_OK, ""), err
    assert recent_checkins(ana, person_id=team["dana"])[0].logged_by == ana.role
