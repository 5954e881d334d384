"""when a note's follow-up was done; Today's index reads only the open ones

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_index("ix_note_follow_up", table_name="note")
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.add_column(sa.Column("follow_up_done", sa.Date(), nullable=True))
    # Open follow-ups first (done IS NULL), by date: Today's window is one range of it.
    op.create_index("ix_note_follow_up", "note", ["follow_up_done", "follow_up"])


def downgrade() -> None:
    op.drop_index("ix_note_follow_up", table_name="note")
    with op.batch_alter_table("note", schema=None) as batch_op:
        batch_op.drop_column("follow_up_done")
    op.create_index("ix_note_follow_up", "note", ["follow_up"])
