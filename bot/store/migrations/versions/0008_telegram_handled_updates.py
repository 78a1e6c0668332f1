"""telegram: an inbox of updates until handled, and the ids handled

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008"
down_revision: str | None = "0007"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telegram_handled_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_telegram_handled_update")),
    )
    with op.batch_alter_table("telegram_handled_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_telegram_handled_update_handled_at"), ["handled_at"], unique=False)
    op.create_table(
        "telegram_inbox",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update", sa.JSON(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_telegram_inbox")),
    )


def downgrade() -> None:
    op.drop_table("telegram_inbox")
    with op.batch_alter_table("telegram_handled_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_handled_update_handled_at"))
    op.drop_table("telegram_handled_update")
