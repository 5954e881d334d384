"""Where the data lives: engine, sessions, SQLite pragmas, schema upgrade on open.

One `Store` per process, built by the command line and handed to whatever needs it.
"""

from __future__ import annotations

import os
import stat
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, String, create_engine, event, inspect, text
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import DBAPIError

from store.errors import CONFLICT, ConflictError, EditError

# Checking a file needs no SQLAlchemy, so it lives apart (see store.filecheck).
from store.filecheck import (
    BUSY_TIMEOUT_MS,
    BackgroundCheck,
    DamagedDatabase,
    check_sqlite_file,
    read_only_uri,
    sqlite_problem,
)
from store.files import make_private_folder, remove_stale_temporaries
from store.target import resolve_target

if TYPE_CHECKING:
    from sqlalchemy.orm import Session, sessionmaker

__all__ = ["DamagedDatabase", "Store", "check_sqlite_file", "resolve_target", "sqlite_problem"]

# Each pooled SQLite connection keeps its own page cache, 2 MiB by default, and the warm-up's
# reads fill every one: at a large engagement that was 4 MiB of the app's peak memory. The
# file's pages stay in the operating system's cache, so a smaller cache per connection reads
# no slower (the screens' reads at L took the same time with 256 KiB as with 2 MiB).
SQLITE_CACHE_KIB = 512


def to_url(target: str) -> str:
    """A SQLAlchemy URL for a path or URL (anything with `://` is taken as a URL)."""
    if "://" in target:
        return target
    # Built, not formatted: a `?` or `#` in a folder name must not start a URL query.
    path = str(Path(target).expanduser().resolve())
    return URL.create("sqlite", database=path).render_as_string(hide_password=False)


def display_target(target: str) -> str:
    """The target as it may be shown or logged: a URL's password hidden."""
    if "://" not in target:
        return target
    try:
        return make_url(target).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as its scheme only
        return target.split("://", 1)[0] + "://…"


def prepare_sqlite_file(path: Path) -> None:
    """Create the folders 0700 and the file 0600 before SQLite first opens it.

    SQLite gives its -wal and -shm files the main file's mode, so getting the main file's
    mode right here keeps personal notes private in all three.
    """
    make_private_folder(path.parent)
    if not path.exists():
        fd = os.open(path, os.O_CREAT | os.O_WRONLY, 0o600)
        os.close(fd)


def make_files_private(path: Path) -> list[tuple[Path, int]]:
    """Take the group's and others' access away from the database and its -wal and -shm
    (a file copied in place, or made by an older rapport, can be 0644); returns what was
    changed, with its old mode, so that it can be said once."""
    changed: list[tuple[Path, int]] = []
    for suffix in ("", "-wal", "-shm"):
        file = path.with_name(path.name + suffix)
        try:
            info = file.stat()
            if stat.S_ISREG(info.st_mode) and info.st_mode & 0o077:
                os.chmod(file, stat.S_IMODE(info.st_mode) & 0o700)
                changed.append((file, stat.S_IMODE(info.st_mode)))
        except OSError:  # gone meanwhile, or someone else's file: nothing to say
            continue
    return changed


def _sqlite_pragmas(engine: Engine, *, read_only: bool = False) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Take transaction control away from the sqlite3 module (its implicit BEGIN is
        # deferred and would lose read-modify-write updates between processes); the
        # "begin" hook below emits our own BEGIN. Pragmas must run outside a transaction.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys = ON")
        if not read_only:  # the journal mode is written into the file
            cursor.execute("PRAGMA journal_mode = WAL")
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        # FULL: a commit that returned survives a power cut too, not only a crash; at a
        # lead's write rate the extra fsync costs nothing one can notice.
        cursor.execute("PRAGMA synchronous = FULL")
        cursor.execute(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")  # negative: KiB, not pages
        cursor.close()
        # SQLite's lower() folds ASCII only, PostgreSQL's (in a UTF-8 database) every letter:
        # Python's, in its place, makes "ÉMILE" find "Émile" on both.
        dbapi_connection.create_function("lower", 1, _lower, deterministic=True)

    @event.listens_for(engine, "begin")
    def on_begin(connection) -> None:  # type: ignore[no-untyped-def]
        immediate = connection.get_execution_options().get("rapport_write", False)
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _lower(value: object) -> object:
    return value.lower() if isinstance(value, str) else value


def _postgres_settings(engine: Engine) -> None:
    @event.listens_for(engine, "connect")
    def on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # A writer waiting for another lead's row lock gives up as SQLite's busy timeout
        # does, instead of hanging behind a stuck transaction.
        with dbapi_connection.cursor() as cursor:
            cursor.execute(f"SET lock_timeout = {BUSY_TIMEOUT_MS}")
            cursor.execute("SET application_name = 'rapport'")
        dbapi_connection.commit()


def check_values(session: Session, _context: object, _instances: object) -> None:
    """Refuse, by column name, text the database would reject: longer than its column
    (PostgreSQL enforces `String(n)`, SQLite does not) or holding NUL (PostgreSQL refuses it).

    The forms and the import check values first with a friendlier message; this is the net
    under every ORM write, so a value that slipped past them is one clear line, not a
    driver's traceback, and both backends refuse the same things.
    """
    for record in (*session.new, *session.dirty):
        state = inspect(record)
        for column in state.mapper.columns:
            value = state.dict.get(column.key)
            if not isinstance(value, str):
                continue
            where = f"{column.table.name.replace('_', ' ')} {column.name.replace('_', ' ')}"
            if "\x00" in value:
                raise EditError(f"{where}: holds a NUL character, which cannot be stored")
            length = column.type.length if isinstance(column.type, String) else None
            if length is not None and len(value) > length:
                raise EditError(f"{where}: is {len(value)} characters long; the limit is {length}")


# PostgreSQL's refusals that a lead can act on, by SQLSTATE.
_LOCK_TIMEOUT, _DEADLOCK, _SERIALIZATION, _NOT_ALLOWED = "55P03", "40P01", "40001", "42501"


def _refusal(error: DBAPIError) -> EditError | None:
    """A write the database refused for a reason a person can act on, as one line; None for
    anything else (a bug, a lost server), which goes on as it is."""
    from store.errors import driver_message

    state = getattr(error.orig, "sqlstate", None)
    busy = state == _LOCK_TIMEOUT or "database is locked" in str(error.orig)
    if busy:
        return EditError("another lead is saving a change to the same records; try again")
    if state in (_DEADLOCK, _SERIALIZATION):
        return ConflictError(f"this record {CONFLICT}")
    if state == _NOT_ALLOWED:  # a grant missing, or the notes policy (someone's private note)
        return EditError(f"the database does not allow this: {driver_message(error)}")
    return None


def sqlite_file_path(engine: Engine) -> Path | None:
    """The file of a SQLite engine; None for another backend or an in-memory database."""
    url = engine.url
    if url.get_backend_name() != "sqlite" or not url.database or url.database == ":memory:":
        return None
    return Path(url.database)


def make_engine(target: str, *, one_connection: bool = False, read_only: bool = False) -> Engine:
    """An engine with rapport's settings; `one_connection`: a pool of a single SQLite
    connection, which threads take turns on (waiting as long as for SQLite's lock);
    `read_only`: a SQLite file opened so that nothing is written to it or beside it."""
    url = make_url(to_url(target))
    if url.get_backend_name() == "sqlite":
        in_memory = not url.database or url.database == ":memory:"
        if read_only and not in_memory:
            return _read_only_engine(url, Path(str(url.database)))
        if not in_memory:
            prepare_sqlite_file(Path(str(url.database)))
        pool: dict[str, Any] = (
            {"pool_size": 1, "max_overflow": 0, "pool_timeout": BUSY_TIMEOUT_MS / 1000}
            if one_connection
            else {}
        )
        engine = create_engine(url, hide_parameters=True, **pool)
        _sqlite_pragmas(engine)
        return engine
    engine = create_engine(url, hide_parameters=True, pool_pre_ping=True)
    if engine.dialect.name == "postgresql":
        _postgres_settings(engine)
    return engine


def _read_only_engine(url: URL, path: Path) -> Engine:
    import sqlite3

    uri = read_only_uri(path)

    def connect() -> sqlite3.Connection:
        # The URL stays the file's (what sqlite_file_path and the messages show); only the
        # connections are made read-only, through SQLite's own URI.
        return sqlite3.connect(
            uri, uri=True, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False
        )

    engine = create_engine(url, hide_parameters=True, creator=connect)
    _sqlite_pragmas(engine, read_only=True)
    return engine


@dataclass
class Store:
    """The process's engine, its session factories, and who is making changes.

    The ORM (`sqlalchemy.orm`, the models, their mappers) is loaded by the first session, not
    by opening the store: `connect()` reads with SQLAlchemy Core alone, which is how the first
    screen is put up while the rest of the app is still to come.
    """

    engine: Engine
    # On a SQLite file every write goes through one connection of its own, and
    # change_token() asks that connection: SQLite's data_version then moves for other
    # processes' commits only, never for this one's (which reload what they touch already).
    _write_engine: Engine | None = None
    _watcher: Any = None
    # The lead's name, recorded on what they log, note, decide and mark told (store.identity).
    user: str = ""
    # On PostgreSQL the role connected as: a note's author, which row-level security checks.
    role: str | None = None
    _sessions: tuple[sessionmaker[Session], sessionmaker[Session]] | None = None
    # The files opening took the group's and others' access from, with their old modes.
    made_private: tuple[tuple[Path, int], ...] = ()
    _sessions_lock: threading.Lock = field(default_factory=threading.Lock)

    @classmethod
    def open(
        cls,
        target: str,
        *,
        upgrade: bool = True,
        checked: BackgroundCheck | None = None,
        user: str | None = None,
        read_only: bool = False,
    ) -> Store:
        """Open (creating a SQLite file if needed), check a SQLite file with
        `PRAGMA quick_check` (DamagedDatabase), and upgrade the schema (MigrationError).

        `checked`: that check, started earlier on this target; its result is awaited here.
        `user` names the lead; by default `RAPPORT_USER`, the config file, else the login
        name: on PostgreSQL the role one connects as, elsewhere the operating system's.
        `read_only`: open a SQLite file without writing to it at all (a read-only file or
        file system): no upgrade (a schema behind this rapport's is refused), no writes.
        """
        from store.identity import configured_user, login_name

        engine = make_engine(target, read_only=read_only)
        role: str | None = None
        made_private: list[tuple[Path, int]] = []
        try:
            path = sqlite_file_path(engine)
            if path is not None and not read_only:
                made_private = make_files_private(path)
                # What a kill cut off (a backup's or a restore's partial copy) holds
                # personal notes and is of no use to anyone.
                remove_stale_temporaries(path.parent, path.name)
            if checked is not None:
                checked.result()
            elif path is not None:
                check_sqlite_file(path)
            if read_only:
                from store.migrate import check_at_head

                check_at_head(engine)
            elif upgrade:
                from store.migrate import upgrade_to_head

                upgrade_to_head(engine)
            if engine.dialect.name == "postgresql":
                with engine.connect() as connection:
                    role = str(connection.execute(text("SELECT current_user")).scalar_one())
        except BaseException:
            engine.dispose()
            raise
        write_engine = (
            make_engine(target, one_connection=True) if path is not None and not read_only else None
        )
        return cls(
            engine=engine,
            _write_engine=write_engine,
            user=user or configured_user() or role or login_name(),
            role=role,
            made_private=tuple(made_private),
        )

    @property
    def author(self) -> str:
        """What a new note records as its author (on PostgreSQL: the role, for the policy)."""
        return self.role if self.role is not None else self.user

    @property
    def url(self) -> str:
        return self.engine.url.render_as_string(hide_password=True)

    @property
    def sqlite_path(self) -> Path | None:
        if self.engine.url.get_backend_name() != "sqlite" or not self.engine.url.database:
            return None
        return Path(self.engine.url.database)

    @property
    def local(self) -> bool:
        """Reads go to a file on this machine: a page of index lookups takes milliseconds,
        cheap enough to make before a screen's first frame (a server's round trips are not)."""
        return self.sqlite_path is not None

    @contextmanager
    def read(self) -> Iterator[Session]:
        reader, _writer = self._session_makers()
        with reader() as session:
            yield session

    @contextmanager
    def connect(self) -> Iterator[Connection]:
        """A read with SQLAlchemy Core only (selects on store.tables): no ORM is loaded."""
        with self.engine.connect() as connection:
            yield connection

    def _session_makers(self) -> tuple[sessionmaker[Session], sessionmaker[Session]]:
        # Built by the first session, in whichever thread asks first.
        with self._sessions_lock:
            if self._sessions is None:
                from sqlalchemy.orm import sessionmaker

                import store.models  # noqa: F401  (the mappers, before any session needs them)

                bind = self._write_engine or self.engine
                writer = sessionmaker(
                    bind.execution_options(rapport_write=True), expire_on_commit=False
                )
                event.listen(writer, "before_flush", check_values)
                self._sessions = (sessionmaker(self.engine, expire_on_commit=False), writer)
            return self._sessions

    def prepare_writes(self) -> None:
        """Load what writing needs and reading does not: the ORM, the mapped models and their
        configuration, about a tenth of a second and 8 MiB, once. The app calls it when a
        form opens, so that the save does not wait for it and a session that only looks
        never pays it."""
        from sqlalchemy.orm import configure_mappers

        self._session_makers()
        configure_mappers()

    @contextmanager
    def write(self) -> Iterator[Session]:
        """A write transaction: BEGIN IMMEDIATE on SQLite, commit on success, else rollback.

        On SQLite writers take turns for the whole transaction; on PostgreSQL (READ
        COMMITTED) they meet only at row locks, so an update whose version another writer
        moved on meanwhile matches no row: that is a conflict, said as one.
        """
        from sqlalchemy.orm.exc import StaleDataError

        _reader, writer = self._session_makers()
        try:
            with writer.begin() as session:
                yield session
        except StaleDataError:
            raise ConflictError(f"this record {CONFLICT}") from None
        except DBAPIError as error:
            said = _refusal(error)
            if said is None:
                raise
            raise said from None

    def file_problem(self, error: BaseException) -> str | None:
        """What is wrong with the SQLite file behind a failed read or write, as one line fit
        to show a person, or None when the file is fine (or this is not SQLite).

        A damaged page surfaces as anything (a KeyError, text that is not UTF-8), so the
        whole file is checked: for failures only, never for each read. Then SQLite's plain
        words for a full disk or a read-only file, naming the file.
        """
        from store.filecheck import file_trouble, find_damage

        if isinstance(error, EditError):
            return None
        path = self.sqlite_path
        if path is None:
            return None
        damage = find_damage(path)
        if damage is not None:
            return str(damage)
        return file_trouble(path, error)

    def change_token(self) -> object:
        """Something that changes when another process commits, and not when this one does
        (None: cannot tell).

        SQLite's `PRAGMA data_version` does exactly this for the connection it is asked on:
        here the one all of this store's writes go through. On PostgreSQL a connection of its
        own LISTENs for what the data tables' triggers NOTIFY at commit, leaving out what this
        engine's own connections sent (store.postgres), for one round trip per look.
        """
        if self.engine.dialect.name == "postgresql":
            from store.postgres import ChangeListener

            if self._watcher is None:
                self._watcher = ChangeListener(self.engine)
            return self._watcher.token()
        if self._write_engine is None:
            return None
        raw = self._write_engine.raw_connection()
        try:
            cursor = raw.cursor()
            cursor.execute("PRAGMA data_version")
            row = cursor.fetchone()
            return None if row is None else row[0]
        finally:
            raw.close()

    def close(self) -> None:
        if self._watcher is not None:
            self._watcher.close()
            self._watcher = None
        if self._write_engine is not None:
            self._write_engine.dispose()
        self.engine.dispose()
