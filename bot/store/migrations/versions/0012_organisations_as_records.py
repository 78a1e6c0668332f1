"""organisations as records: a normalised key per organisation, merges, and event links by id

Events were matched to organiser accounts by the exact text of a name: a name with a comma
made events its organiser could not manage, and "Malmö Ideella" spelt two ways was two
organisations in the board report.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

import unicodedata
from collections.abc import Sequence
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _key(name: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", name).casefold().split())


def upgrade() -> None:
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.add_column(sa.Column("key", sa.String(length=300), nullable=True))
        batch_op.add_column(sa.Column("merged_into", sa.Integer(), nullable=True))
    op.create_table(
        "event_organisation",
        sa.Column("event_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("lead", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"], ["event.id"], name=op.f("fk_event_organisation_event_id_event"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["organisation_id"],
            ["organisation.id"],
            name=op.f("fk_event_organisation_organisation_id_organisation"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", "organisation_id", name=op.f("pk_event_organisation")),
    )
    bind = op.get_bind()
    organisation = sa.table(
        "organisation",
        sa.column("id", sa.Integer),
        sa.column("name"),
        sa.column("key"),
        sa.column("created_at", sa.DateTime(timezone=True)),
    )
    event = sa.table("event", sa.column("id", sa.Integer), sa.column("organisation"))
    link = sa.table(
        "event_organisation", sa.column("event_id"), sa.column("organisation_id"), sa.column("lead", sa.Boolean)
    )
    keys: dict[str, int] = {}
    for row in bind.execute(sa.select(organisation.c.id, organisation.c.name).order_by(organisation.c.id)).all():
        key = _key(row.name)
        if key in keys:
            # Two spellings of one organisation: the later one goes into the first.
            bind.execute(
                sa.text("UPDATE organisation SET merged_into = :to WHERE id = :id"), {"to": keys[key], "id": row.id}
            )
            bind.execute(
                sa.text("UPDATE admin_account SET organisation_id = :to WHERE organisation_id = :id"),
                {"to": keys[key], "id": row.id},
            )
            key = f"{key}\u0000{row.id}"
        else:
            keys[key] = int(row.id)
        bind.execute(organisation.update().where(organisation.c.id == row.id).values(key=key))
    now = datetime.now(UTC)
    for row in bind.execute(sa.select(event.c.id, event.c.organisation)).all():
        ids: list[int] = []
        for part in (p.strip() for p in (row.organisation or "").split(",")):
            if not part:
                continue
            key = _key(part)
            if key not in keys:
                result = bind.execute(organisation.insert().values(name=part, key=key, created_at=now))
                inserted = result.inserted_primary_key
                assert inserted is not None
                keys[key] = int(inserted[0])
            if keys[key] not in ids:
                ids.append(keys[key])
        for position, organisation_id in enumerate(ids):
            bind.execute(link.insert().values(event_id=row.id, organisation_id=organisation_id, lead=position == 0))
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.alter_column("key", existing_type=sa.String(length=300), nullable=False)
        batch_op.create_unique_constraint(batch_op.f("uq_organisation_key"), ["key"])
        batch_op.create_foreign_key(
            batch_op.f("fk_organisation_merged_into_organisation"),
            "organisation",
            ["merged_into"],
            ["id"],
            ondelete="SET NULL",
        )


def downgrade() -> None:
    op.drop_table("event_organisation")
    with op.batch_alter_table("organisation", schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f("fk_organisation_merged_into_organisation"), type_="foreignkey")
        batch_op.drop_constraint(batch_op.f("uq_organisation_key"), type_="unique")
        batch_op.drop_column("merged_into")
        batch_op.drop_column("key")
