"""telegram polls: Telegram's poll ids mapped to the engine's

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telegram_poll",
        sa.Column("telegram_poll_id", sa.String(length=64), nullable=False),
        sa.Column("poll_id", sa.String(length=200), nullable=False),
        sa.Column("chat_id", sa.String(length=64), nullable=False),
        sa.Column("message_id", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("telegram_poll_id", name=op.f("pk_telegram_poll")),
    )
    with op.batch_alter_table("telegram_poll", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_telegram_poll_poll_id"), ["poll_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("telegram_poll", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_poll_poll_id"))
    op.drop_table("telegram_poll")
