"""human_question: residents' questions for a person, for organisers to answer in their chat

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-06
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0013"
down_revision: str | None = "0012"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "human_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=1000), nullable=False),
        sa.Column("language", sa.String(length=16), nullable=False),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["person_id"],
            ["person.id"],
            name=op.f("fk_human_question_person_id_person"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_human_question")),
    )
    with op.batch_alter_table("human_question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_human_question_person_id"), ["person_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("human_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_human_question_person_id"))
    op.drop_table("human_question")
