"""check-ins remember the incoming update that recorded them: an update handled again after a
kill (between the handler's commit and the inbox mark) finds its check-in instead of adding one

Revision ID: 0006_checkin_update_key
Revises: 0005_merge
"""
from alembic import op
import sqlalchemy as sa


revision = "0006_checkin_update_key"
down_revision = "0005_merge"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("update_key", sa.String(length=64), nullable=True))
        batch.create_index("ix_checkins_update_key", ["update_key"])


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.drop_index("ix_checkins_update_key")
        batch.drop_column("update_key")
