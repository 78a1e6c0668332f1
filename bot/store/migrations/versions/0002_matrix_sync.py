"""matrix adapter: sync position, handled events, rooms and polls

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "matrix_sync",
        sa.Column("account", sa.String(length=255), nullable=False),
        sa.Column("next_batch", sa.String(length=255), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("account", name=op.f("pk_matrix_sync")),
    )
    op.create_table(
        "matrix_handled_event",
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("handled_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_matrix_handled_event")),
    )
    with op.batch_alter_table("matrix_handled_event", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matrix_handled_event_handled_at"), ["handled_at"], unique=False)
    op.create_table(
        "matrix_room",
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("user_id", sa.String(length=255), nullable=True),
        sa.Column("direct", sa.Boolean(), nullable=False),
        sa.Column("open_poll_event_id", sa.String(length=255), nullable=True),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("room_id", name=op.f("pk_matrix_room")),
    )
    with op.batch_alter_table("matrix_room", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matrix_room_user_id"), ["user_id"], unique=False)
    op.create_table(
        "matrix_poll",
        sa.Column("event_id", sa.String(length=255), nullable=False),
        sa.Column("room_id", sa.String(length=255), nullable=False),
        sa.Column("poll_id", sa.String(length=255), nullable=False),
        sa.Column("options", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_matrix_poll")),
    )
    with op.batch_alter_table("matrix_poll", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_matrix_poll_poll_id"), ["poll_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("matrix_poll", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matrix_poll_poll_id"))
    op.drop_table("matrix_poll")
    with op.batch_alter_table("matrix_room", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matrix_room_user_id"))
    op.drop_table("matrix_room")
    with op.batch_alter_table("matrix_handled_event", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_matrix_handled_event_handled_at"))
    op.drop_table("matrix_handled_event")
    op.drop_table("matrix_sync")
