"""the officers' queue by age: a partial index on the open reports by filing time

Revision ID: b3c1d7e5a902
Revises: 2f77cdb8bba5
Create Date: 2026-11-30 11:06:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'b3c1d7e5a902'
down_revision = '2f77cdb8bba5'
branch_labels = None
depends_on = None

OPEN = "status IN ('received', 'triaged', 'assigned', 'in_progress', 'needs_info')"


def upgrade():
    # Oldest first walks it forwards, newest first backwards; keyset pages on (created_at, id).
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_open_age', ['created_at', 'id'], unique=False, postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))


def downgrade():
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_open_age', postgresql_where=sa.text(OPEN), sqlite_where=sa.text(OPEN))
