"""who made each change, private notes; on PostgreSQL change notifications and notes' RLS

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

USER_LEN = 64  # store.models.USER_LEN when this revision was written
WHO = (
    ("checkin", "logged_by"),
    ("decision", "changed_by"),
    ("decision_audience", "informed_by"),
    ("decision_event", "made_by"),
    ("note", "author"),
)


def upgrade() -> None:
    for table, column in WHO:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(
                sa.Column(column, sa.String(length=USER_LEN), server_default="", nullable=False)
            )
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("private", sa.Boolean(), server_default=sa.false(), nullable=False)
        )
    if op.get_context().dialect.name == "postgresql":
        from store import postgres

        postgres.install(op.get_bind())


def downgrade() -> None:
    if op.get_context().dialect.name == "postgresql":
        from store import postgres

        postgres.uninstall(op.get_bind())
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_column("private")
    for table, column in reversed(WHO):
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.drop_column(column)
