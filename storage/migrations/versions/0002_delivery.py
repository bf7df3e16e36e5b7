"""delivery state machine: claim leases with a fencing generation, retries with backoff,
the global send rate

Revision ID: 0002_delivery
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0002_delivery'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('attempts', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('generation', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('lease_until', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('reported_at', storage.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.create_index('ix_reminder_log_status_lease', ['status', 'lease_until'], unique=False)
    op.create_table('send_slots',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('next_at', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('name')
    )


def downgrade() -> None:
    op.drop_table('send_slots')
    with op.batch_alter_table('reminder_log', schema=None) as batch_op:
        batch_op.drop_index('ix_reminder_log_status_lease')
        batch_op.drop_column('reported_at')
        batch_op.drop_column('lease_until')
        batch_op.drop_column('generation')
        batch_op.drop_column('attempts')
