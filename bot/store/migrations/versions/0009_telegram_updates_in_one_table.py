"""telegram: the inbox and the handled ids in one table, each update one row

Taking an update in is one insert, crossing it off one update (the update emptied, the time it
was handled set): no transaction around two tables for each resident's message.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "telegram_update",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("update", sa.JSON(none_as_null=True), nullable=True),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("update_id", name=op.f("pk_telegram_update")),
    )
    with op.batch_alter_table("telegram_update", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_telegram_update_handled_at"), ["handled_at"], unique=False)
    op.execute(
        'INSERT INTO telegram_update (update_id, "update", received_at, handled_at) '
        'SELECT update_id, "update", received_at, NULL FROM telegram_inbox'
    )
    op.execute(
        "INSERT INTO telegram_update (update_id, received_at, handled_at) "
        "SELECT update_id, handled_at, handled_at FROM telegram_handled_update "
        "WHERE update_id NOT IN (SELECT update_id FROM telegram_inbox)"
    )
    op.drop_table("telegram_inbox")
    with op.batch_alter_table("telegram_handled_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_handled_update_handled_at"))
    op.drop_table("telegram_handled_update")


def downgrade() -> None:
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
    op.execute(
        "INSERT INTO telegram_handled_update (update_id, handled_at) "
        "SELECT update_id, handled_at FROM telegram_update WHERE handled_at IS NOT NULL"
    )
    op.execute(
        'INSERT INTO telegram_inbox (update_id, "update", received_at) '
        'SELECT update_id, "update", received_at FROM telegram_update WHERE handled_at IS NULL'
    )
    with op.batch_alter_table("telegram_update", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_telegram_update_handled_at"))
    op.drop_table("telegram_update")
