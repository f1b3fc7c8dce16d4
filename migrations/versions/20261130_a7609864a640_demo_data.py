"""demo data marked as such: a `demo` flag on reports and on staff accounts (flask demo seed / clear),
and an index that lets reports be deleted without a scan per report (their probable duplicates)

Revision ID: a7609864a640
Revises: b3c1d7e5a902
Create Date: 2026-11-30 15:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7609864a640'
down_revision = 'b3c1d7e5a902'
branch_labels = None
depends_on = None

FLAGGED = "duplicate_of_id IS NOT NULL"
DEMO = "demo"


def upgrade():
    # Every row there is real: false for all of them, by the server default.
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('demo', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.create_index('ix_reports_duplicate_of', ['duplicate_of_id'], unique=False, postgresql_where=sa.text(FLAGGED), sqlite_where=sa.text(FLAGGED))
        batch_op.create_index('ix_reports_demo', ['id'], unique=False, postgresql_where=sa.text(DEMO), sqlite_where=sa.text(DEMO))
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.add_column(sa.Column('demo', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    # Afterwards nothing tells demo rows from real ones: run `flask --app intake demo clear` first.
    with op.batch_alter_table('staff', schema=None) as batch_op:
        batch_op.drop_column('demo')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_demo', postgresql_where=sa.text(DEMO), sqlite_where=sa.text(DEMO))
        batch_op.drop_index('ix_reports_duplicate_of', postgresql_where=sa.text(FLAGGED), sqlite_where=sa.text(FLAGGED))
        batch_op.drop_column('demo')
