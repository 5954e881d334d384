"""on PostgreSQL a note's author and id are set by the database, not by the client

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        from store import postgres

        postgres.install_note_guard(op.get_bind())


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        from store import postgres

        postgres.uninstall_note_guard(op.get_bind())
