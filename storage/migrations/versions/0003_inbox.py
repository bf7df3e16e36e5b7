"""inbox of incoming updates; unlinked files reported; reminder_log.kind wide enough for /nhac keys

Revision ID: 0003_inbox
Revises: 0001
Create Date: 2026-11-25 16:40:00
"""
from alembic import op
import sqlalchemy as sa
import storage.models


revision = '0003_inbox'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('inbox_updates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=20), nullable=False),
    sa.Column('update_id', sa.BigInteger(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('payload', sa.Text(), nullable=False),
    sa.Column('received_at', storage.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('handled_at', storage.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('channel', 'update_id', 'digest', name='uq_inbox_channel_update_digest')
    )
    op.create_index('ix_inbox_pending', 'inbox_updates', ['handled_at', 'received_at'], unique=False)
    with op.batch_alter_table('attachments') as batch:
        batch.add_column(sa.Column('unlinked_reported_at', storage.models.UTCDateTime(timezone=True), nullable=True))
    # a /nhac key is "<kind>@manual:<stamp>", 41+ characters: PostgreSQL refused it in VARCHAR(40)
    with op.batch_alter_table('reminder_log') as batch:
        batch.alter_column('kind', type_=sa.String(length=80), existing_type=sa.String(length=40),
                           existing_nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('reminder_log') as batch:
        batch.alter_column('kind', type_=sa.String(length=40), existing_type=sa.String(length=80),
                           existing_nullable=False)
    with op.batch_alter_table('attachments') as batch:
        batch.drop_column('unlinked_reported_at')
    op.drop_index('ix_inbox_pending', table_name='inbox_updates')
    op.drop_table('inbox_updates')
