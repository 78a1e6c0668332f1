"""participation: questions to panels and citizen surveys

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-21
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:

    op.create_table(
        "survey",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("title", sa.JSON(), nullable=False),
        sa.Column("intro", sa.JSON(), nullable=False),
        sa.Column("questions", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("closes_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("sent_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("salt", sa.String(length=64), nullable=True),
        sa.Column("respondents", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey")),
    )
    op.create_table(
        "survey_ballot",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=64), nullable=False),
        sa.Column("answers", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_ballot_survey_id_survey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("survey_id", "voter", name=op.f("pk_survey_ballot")),
    )
    op.create_table(
        "survey_consent",
        sa.Column("person_id", sa.Integer(), nullable=False),
        sa.Column("enrolled", sa.Boolean(), nullable=False),
        sa.Column("answered_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["person_id"], ["person.id"], name=op.f("fk_survey_consent_person_id_person"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("person_id", name=op.f("pk_survey_consent")),
    )
    op.create_table(
        "survey_tally",
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Integer(), nullable=False),
        sa.Column("option", sa.Integer(), nullable=False),
        sa.Column("votes", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_tally_survey_id_survey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("survey_id", "question", "option", name=op.f("pk_survey_tally")),
    )
    op.create_table(
        "survey_text",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("survey_id", sa.Integer(), nullable=False),
        sa.Column("question", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=2000), nullable=False),
        sa.ForeignKeyConstraint(
            ["survey_id"], ["survey.id"], name=op.f("fk_survey_text_survey_id_survey"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_survey_text")),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("survey_text", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_survey_text_survey_id"), ["survey_id"], unique=False)

    op.create_table(
        "qa_question",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("text", sa.String(length=500), nullable=False),
        sa.Column("status", sa.String(length=20), nullable=False),
        sa.Column("upvotes", sa.Integer(), nullable=False),
        sa.Column("reports", sa.Integer(), nullable=False),
        sa.Column("asker", sa.String(length=64), nullable=True),
        sa.Column("asked_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_qa_question_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_qa_question")),
    )
    with op.batch_alter_table("qa_question", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_qa_question_event_id"), ["event_id"], unique=False)

    op.create_table(
        "qa_session",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("screen_token", sa.String(length=64), nullable=False),
        sa.Column("salt", sa.String(length=64), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_qa_session_event_id_event"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_qa_session")),
        sa.UniqueConstraint("screen_token", name=op.f("uq_qa_session_screen_token")),
    )
    op.create_table(
        "qa_vote",
        sa.Column("question_id", sa.Integer(), nullable=False),
        sa.Column("voter", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=10), nullable=False),
        sa.ForeignKeyConstraint(
            ["question_id"], ["qa_question.id"], name=op.f("fk_qa_vote_question_id_qa_question"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("question_id", "voter", "kind", name=op.f("pk_qa_vote")),
    )


def downgrade() -> None:

    op.drop_table("qa_vote")
    op.drop_table("qa_session")
    with op.batch_alter_table("qa_question", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_qa_question_event_id"))

    op.drop_table("qa_question")
    with op.batch_alter_table("survey_text", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_survey_text_survey_id"))

    op.drop_table("survey_text")
    op.drop_table("survey_tally")
    op.drop_table("survey_consent")
    op.drop_table("survey_ballot")
    op.drop_table("survey")
