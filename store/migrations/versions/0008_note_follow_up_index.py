"""an index on notes' follow-up dates, for Today's window of follow-ups

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-27
"""

from __future__ import annotations

from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_note_follow_up", "note", ["follow_up"])


def downgrade() -> None:
    op.drop_index("ix_note_follow_up", table_name="note")
