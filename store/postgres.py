"""What only PostgreSQL has: change notifications, private notes enforced by the database,
and the roles of a team's leads.

Revisions 0007 and 0010 install the triggers and the policy; `rapport admin grant ROLE` (`grant_lead`)
makes a lead's role and re-applies both, so a database set up by hand is put right too.

Private notes: row-level security on `note` lets every lead read and change shared notes and
only the author their private ones (`author = current_user`). A trigger keeps the author the
role that wrote the note, lets only that role change its author or privacy, and takes every
new note's id from the sequence. The table is FORCEd, so its owner (the admin who ran the
migrations) is held to the policy too while it is in place; but the owner may drop the policy
and the trigger or disable row-level security, and then read everything. Superusers and roles
with BYPASSRLS are not held at all: nobody should use such a role day to day.
Referential actions bypass the policy, so erasing a person (`rapport forget`) still removes
every note about them, private ones included.
"""

from __future__ import annotations

import contextlib
import re
import threading
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import Connection, Engine, event, text

# Every table whose change the open apps should see (a test keeps it equal to the models').
DATA_TABLES = (
    "engagement", "person", "cadence", "cadence_attendee", "checkin", "checkin_attendee",
    "next_step", "decision", "decision_audience", "decision_event", "note",
)  # fmt: skip
CHANNEL = "rapport_change"

NOTIFY_FUNCTION = f"""
CREATE OR REPLACE FUNCTION rapport_notify_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Delivered at commit, once per transaction (equal notifications are folded into one).
    PERFORM pg_notify('{CHANNEL}', '');
    RETURN NULL;
END
$$
"""
NOTE_POLICY = "note_private_to_author"
NOTE_RULE = "(NOT private OR author = current_user)"

# What the policy cannot say, since it sees the new row only: a note's author is the role that
# wrote it, and only that role may change its author or privacy (a shared note of Ana's must
# not become Ben's, or private). Its id comes from the sequence, never from the client: an
# INSERT with the id of a private note would fail, and so tell that the note exists. Roles
# that bypass row-level security (superusers: a restore) see and write every row anyway.
NOTE_GUARD_FUNCTION = """
CREATE OR REPLACE FUNCTION rapport_note_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF (SELECT rolsuper OR rolbypassrls FROM pg_roles WHERE rolname = current_user) THEN
        RETURN NEW;
    END IF;
    IF TG_OP = 'INSERT' THEN
        NEW.id := nextval(pg_get_serial_sequence('note', 'id'));
        IF NEW.author = '' THEN
            NEW.author := current_user;
        END IF;
        IF NEW.author <> current_user THEN
            RAISE EXCEPTION 'a note''s author is the role that writes it'
                USING ERRCODE = 'insufficient_privilege';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.id <> OLD.id THEN
        RAISE EXCEPTION 'a note''s id cannot change' USING ERRCODE = 'insufficient_privilege';
    END IF;
    -- A note nobody is known to have written is claimed by whoever makes it theirs.
    IF NEW.author <> OLD.author AND NOT (OLD.author = '' AND NEW.author = current_user) THEN
        RAISE EXCEPTION 'only the author of a note can change who wrote it'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    IF NEW.private <> OLD.private AND NEW.author <> current_user THEN
        RAISE EXCEPTION 'only the author of a note can make it private or shared'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$
"""
NOTE_GUARD_TRIGGER = (
    "CREATE TRIGGER rapport_note_guard BEFORE INSERT OR UPDATE ON note "
    "FOR EACH ROW EXECUTE FUNCTION rapport_note_guard()"
)


def notify_trigger(table: str) -> str:
    return (
        f"CREATE TRIGGER rapport_notify_change AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE "
        f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION rapport_notify_change()"
    )


def install(connection: Connection) -> None:
    """Create (or put right) the change triggers and the private-notes policy."""
    connection.execute(text(NOTIFY_FUNCTION))
    for table in DATA_TABLES:
        connection.execute(text(f"DROP TRIGGER IF EXISTS rapport_notify_change ON {table}"))
        connection.execute(text(notify_trigger(table)))
    connection.execute(text("ALTER TABLE note ENABLE ROW LEVEL SECURITY"))
    connection.execute(text("ALTER TABLE note FORCE ROW LEVEL SECURITY"))
    connection.execute(text(f"DROP POLICY IF EXISTS {NOTE_POLICY} ON note"))
    connection.execute(
        text(f"CREATE POLICY {NOTE_POLICY} ON note USING {NOTE_RULE} WITH CHECK {NOTE_RULE}")
    )
    install_note_guard(connection)


def install_note_guard(connection: Connection) -> None:
    """The author and the id of a note, set by the database (revision 0010)."""
    connection.execute(text("ALTER TABLE note ALTER COLUMN author SET DEFAULT current_user"))
    connection.execute(text(NOTE_GUARD_FUNCTION))
    connection.execute(text("DROP TRIGGER IF EXISTS rapport_note_guard ON note"))
    connection.execute(text(NOTE_GUARD_TRIGGER))


def uninstall_note_guard(connection: Connection) -> None:
    connection.execute(text("DROP TRIGGER IF EXISTS rapport_note_guard ON note"))
    connection.execute(text("DROP FUNCTION IF EXISTS rapport_note_guard()"))
    connection.execute(text("ALTER TABLE note ALTER COLUMN author SET DEFAULT ''"))


def uninstall(connection: Connection) -> None:
    uninstall_note_guard(connection)
    connection.execute(text(f"DROP POLICY IF EXISTS {NOTE_POLICY} ON note"))
    connection.execute(text("ALTER TABLE note NO FORCE ROW LEVEL SECURITY"))
    connection.execute(text("ALTER TABLE note DISABLE ROW LEVEL SECURITY"))
    for table in DATA_TABLES:
        connection.execute(text(f"DROP TRIGGER IF EXISTS rapport_notify_change ON {table}"))
    connection.execute(text("DROP FUNCTION IF EXISTS rapport_notify_change()"))


# --- roles ---------------------------------------------------------------------------------

# Plain lower-case names only: no quoting to get wrong, and what `current_user` gives back is
# exactly what was typed (a note's author is compared with it).
ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class AdminError(ValueError):
    """`rapport admin` cannot do what was asked; the message says why."""


@dataclass(frozen=True)
class Granted:
    role: str
    database: str
    created: bool

    def __str__(self) -> str:
        made = "Created the role" if self.created else "The role exists:"
        return (
            f"{made} {self.role}; it may read and write the engagements in {self.database}, "
            "and its private notes are its own (row-level security on notes is in place)."
        )


def grant_lead(engine: Engine, role: str) -> Granted:
    """Make `role` a lead of this database: create it (LOGIN, no password) if needed, grant
    it the data (not the schema), and re-apply the triggers and the notes policy."""
    if engine.dialect.name != "postgresql":
        raise AdminError(
            f"roles are for PostgreSQL; this database is {engine.dialect.name} (a file has one "
            "reader, its owner)"
        )
    if not ROLE_NAME.fullmatch(role):
        raise AdminError(
            f"{role!r} is not a role name rapport makes: use a-z, 0-9 and _, starting with a "
            "letter or _, at most 63 characters"
        )
    with engine.begin() as connection:
        database, schema = connection.execute(
            text("SELECT current_database(), current_schema()")
        ).one()
        created = not connection.execute(
            text("SELECT count(*) FROM pg_roles WHERE rolname = :role"), {"role": role}
        ).scalar_one()
        if created:
            connection.execute(text(f"CREATE ROLE {role} LOGIN"))
        quoted_db = '"' + str(database).replace('"', '""') + '"'
        quoted_schema = '"' + str(schema).replace('"', '""') + '"'
        for statement in (
            f"GRANT CONNECT ON DATABASE {quoted_db} TO {role}",
            f"GRANT USAGE ON SCHEMA {quoted_schema} TO {role}",
            f"GRANT SELECT, INSERT, UPDATE, DELETE ON {', '.join(DATA_TABLES)} TO {role}",
            f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA {quoted_schema} TO {role}",
            # Leads read the schema's revision; upgrading it is the admin's job.
            f"GRANT SELECT ON alembic_version TO {role}",
        ):
            connection.execute(text(statement))
        install(connection)
    return Granted(role, str(database), bool(created))


# --- change notifications ------------------------------------------------------------------


@dataclass
class ChangeListener:
    """A connection of its own that LISTENs for the triggers' notifications.

    `token()` is cheap: one round trip (`SELECT 1`, which also delivers what arrived) on an
    idle connection. It changes when another process commits a change; after the connection
    was lost it changes too (what happened meanwhile is unknown). What the engine's own
    connections send is left out: those are this process's writes, which reload what they
    touched already. A connection is known as one's own from its first checkout on, which is
    before anything it writes can be committed.
    """

    engine: Engine
    _raw: Any = None
    _generation: int = 0
    _seen: int = 0
    _own: set[int] = field(default_factory=set)  # the server processes of our connections
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def __post_init__(self) -> None:
        event.listen(self.engine, "checkout", self._checked_out)
        event.listen(self.engine, "close", self._closed)

    def _checked_out(self, dbapi_connection: Any, record: Any, _proxy: object) -> None:
        record.info["backend_pid"] = pid = dbapi_connection.info.backend_pid
        self._own.add(pid)

    def _closed(self, _dbapi_connection: object, record: Any) -> None:
        # Its process number may be another client's next.
        self._own.discard(record.info.pop("backend_pid", None))

    def _connect(self) -> None:
        raw = self.engine.raw_connection()
        driver = raw.driver_connection
        assert driver is not None
        driver.autocommit = True  # an idle LISTEN connection, never inside a transaction
        driver.add_notify_handler(self._notified)
        driver.execute(f"LISTEN {CHANNEL}")
        self._raw = raw
        self._generation += 1

    def _notified(self, notify: Any) -> None:
        if notify.pid not in self._own:
            self._seen += 1

    def token(self) -> tuple[int, int]:
        with self._lock:
            try:
                if self._raw is None:
                    self._connect()
                else:
                    self._raw.driver_connection.execute("SELECT 1")
            except Exception:  # the server went away: listen afresh at the next poll
                self.close()
            return self._generation, self._seen

    def close(self) -> None:
        raw, self._raw = self._raw, None
        if raw is not None:
            # Never back into the pool (it is LISTENing); closing a broken one may fail.
            with contextlib.suppress(Exception):
                raw.invalidate()
