"""Throwaway databases for tests: a file under tmp_path, or a database on a PostgreSQL server.

PostgreSQL is configured by `RAPPORT_TEST_PG_URL`, a SQLAlchemy URL for a role that may create
databases and roles (`.ci/run` starts a throwaway cluster and sets it). The schema is migrated
once into a template database; each test gets a copy (`CREATE DATABASE … TEMPLATE …`, a file
copy of a few hundred kilobytes) and drops it afterwards, which is much faster than migrating
per test.
"""

from __future__ import annotations

import itertools
import os
from dataclasses import dataclass, field

from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.pool import NullPool

PG_ENV = "RAPPORT_TEST_PG_URL"
NO_SERVER = (
    f"PostgreSQL tests need a server: set {PG_ENV} to a SQLAlchemy URL of a role that may "
    "create databases and roles (e.g. postgresql+psycopg://postgres@127.0.0.1:5432/postgres); "
    ".ci/run starts a throwaway one"
)


def quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


@dataclass
class PgServer:
    """The admin connection to the test server, and the databases and roles made on it."""

    url: str
    admin: Engine
    template: str
    prefix: str
    _numbers: itertools.count[int] = field(default_factory=itertools.count)
    databases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)

    @classmethod
    def start(cls, url: str) -> PgServer:
        admin = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
        prefix = f"rapport_t{os.getpid()}"
        server = cls(url=url, admin=admin, template=f"{prefix}_template", prefix=prefix)
        server._make_template()
        return server

    def url_for(self, database: str, *, user: str | None = None) -> str:
        url = make_url(self.url).set(database=database)
        if user is not None:
            url = url.set(username=user, password=None)
        return url.render_as_string(hide_password=False)

    def _make_template(self) -> None:
        from store.db import Store

        self.execute(f"DROP DATABASE IF EXISTS {quote(self.template)} WITH (FORCE)")
        self.execute(f"CREATE DATABASE {quote(self.template)}")
        store = Store.open(self.url_for(self.template))  # the migrations, on PostgreSQL
        store.close()

    def execute(self, statement: str) -> None:
        with self.admin.connect() as connection:
            connection.execute(text(statement))

    def new_database(self, *, empty: bool = False) -> str:
        """A fresh database at the newest schema (or with no tables at all); its URL."""
        name = f"{self.prefix}_{next(self._numbers)}"
        template = "template0" if empty else self.template
        self.execute(f"CREATE DATABASE {quote(name)} TEMPLATE {quote(template)}")
        self.databases.append(name)
        return self.url_for(name)

    def drop_database(self, url: str) -> None:
        name = make_url(url).database
        assert name is not None and name.startswith(self.prefix)
        self.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
        if name in self.databases:
            self.databases.remove(name)

    def new_role(self, base: str) -> str:
        """A login role with a name unique to this test run (roles are server-wide)."""
        name = f"{self.prefix}_{base}"
        self.execute(f"DROP ROLE IF EXISTS {quote(name)}")
        self.execute(f"CREATE ROLE {quote(name)} LOGIN")
        self.roles.append(name)
        return name

    def stop(self) -> None:
        for name in [*self.databases, self.template]:
            self.execute(f"DROP DATABASE IF EXISTS {quote(name)} WITH (FORCE)")
        for role in self.roles:
            self.execute(f"DROP ROLE IF EXISTS {quote(role)}")
        self.admin.dispose()


def dump(where: object) -> list[str]:
    """Every row of every table (and the schema revision), in key order, one string a row:
    equal dumps mean an unchanged database, on either backend.

    `where` is an open Store or what `--db` takes.
    """
    from sqlalchemy import MetaData, select

    from store.db import Store, make_engine

    engine = where.engine if isinstance(where, Store) else make_engine(str(where))
    try:
        tables = MetaData()
        tables.reflect(engine)
        rows: list[str] = []
        with engine.connect() as connection:
            for table in sorted(tables.tables.values(), key=lambda table: table.name):
                order = list(table.primary_key.columns) or list(table.columns)
                for row in connection.execute(select(table).order_by(*order)):
                    rows.append(f"{table.name} {tuple(row)!r}")
        return rows
    finally:
        if not isinstance(where, Store):
            engine.dispose()
