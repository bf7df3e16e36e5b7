"""check-ins remember the chat message they came from (an edited message corrects its check-in)

Revision ID: 0004_checkin
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_checkin"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.add_column(sa.Column("message_id", sa.BigInteger(), nullable=True))
        batch.create_index("ix_checkins_member_message", ["member_id", "message_id"])


def downgrade() -> None:
    with op.batch_alter_table("checkins") as batch:
        batch.drop_index("ix_checkins_member_message")
        batch.drop_column("message_id")
