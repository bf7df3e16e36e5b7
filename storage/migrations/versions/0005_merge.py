"""one head again: delivery, inbox and check-in changes were made side by side

Revision ID: 0005_merge
Revises: 0002_delivery, 0003_inbox, 0004_checkin
"""

revision = "0005_merge"
down_revision = ("0002_delivery", "0003_inbox", "0004_checkin")
branch_labels = None
depends_on = None


def upgrade() -> None:
    pass


def downgrade() -> None:
    pass
