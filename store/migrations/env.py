"""Alembic environment: always run from code with a connection handed in (store.migrate)."""

from __future__ import annotations

from alembic import context

from store.models import Base

connection = context.config.attributes["connection"]
context.configure(
    connection=connection,
    target_metadata=Base.metadata,
    render_as_batch=True,  # SQLite can only ALTER by rebuilding tables
    compare_type=True,
)
with context.begin_transaction():
    context.run_migrations()
