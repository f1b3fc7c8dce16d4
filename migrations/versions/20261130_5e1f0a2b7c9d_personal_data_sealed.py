"""personal data sealed: encrypted columns and blind indexes, evidence files encrypted on disk

The rows and files already there are encrypted the same way as new ones, with the keys the app is
configured with (DATA_KEYS, BLIND_INDEX_KEY): run it with the same settings as the service.

It calls the live `seal`/`unseal`/`blind_index` (a copy here would drift from what the app reads):
a later change to their format must come with a migration of its own, which re-seals what this one
wrote.

Revision ID: 5e1f0a2b7c9d
Revises: 138084620c3c
Create Date: 2026-11-30 02:10:00

"""
from collections.abc import Callable
from pathlib import Path

import hashlib

import sqlalchemy as sa
from alembic import op
from flask import current_app

from intake.privacy.blind import blind_index, key_fingerprint, suspect_index
from intake.privacy.sealing import keyring, seal, unseal

# revision identifiers, used by Alembic.
revision = '5e1f0a2b7c9d'
down_revision = '138084620c3c'
branch_labels = None
depends_on = None

BATCH = 500
BigId = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')

reports = sa.table(
    'reports',
    sa.column('id', BigId), sa.column('reference', sa.String), sa.column('description', sa.Text),
    sa.column('reporter_name', sa.Text), sa.column('reporter_email', sa.Text), sa.column('reporter_phone', sa.Text),
    sa.column('reporter_email_index', sa.String), sa.column('reporter_phone_index', sa.String),
)
suspects = sa.table(
    'suspect_identifiers',
    sa.column('id', BigId), sa.column('report_id', BigId), sa.column('seal_id', sa.String), sa.column('kind', sa.String),
    sa.column('value', sa.Text), sa.column('normalised', sa.Text), sa.column('blind_index', sa.String),
)
groups = sa.table(
    'identifier_groups',
    sa.column('id', BigId), sa.column('kind', sa.String), sa.column('normalised', sa.Text),
    sa.column('blind_index', sa.String),
)
# (table, sealed column) of the child rows, each bound to the row's own seal_id
CHILD_COLUMNS = [
    (sa.table('evidence_files', sa.column('id', BigId), sa.column('seal_id', sa.String), sa.column('original_name', sa.Text)), 'original_name'),
    (sa.table('status_history', sa.column('id', BigId), sa.column('seal_id', sa.String), sa.column('public_note', sa.Text)), 'public_note'),
    (sa.table('report_messages', sa.column('id', BigId), sa.column('seal_id', sa.String), sa.column('body', sa.Text)), 'body'),
    (sa.table('case_notes', sa.column('id', BigId), sa.column('seal_id', sa.String), sa.column('body', sa.Text)), 'body'),
]
SEALED_CHILDREN = ['suspect_identifiers'] + [table.name for table, _ in CHILD_COLUMNS]
files = sa.table(
    'evidence_files',
    sa.column('id', BigId), sa.column('seal_id', sa.String), sa.column('stored_name', sa.String), sa.column('preview_name', sa.String),
)


def _rewrite(table: sa.TableClause, change: Callable[[sa.Row], dict]) -> None:
    """Every row of `table`, a batch at a time (keyset on the id), written back as `change` says."""
    connection = op.get_bind()
    last = 0
    while True:
        rows = connection.execute(
            sa.select(table).where(table.c.id > last).order_by(table.c.id).limit(BATCH)
        ).all()
        if not rows:
            return
        for row in rows:
            values = change(row)
            if values:
                connection.execute(sa.update(table).where(table.c.id == row.id).values(**values))
        last = rows[-1].id


def _sealed(value: str | None, place: str) -> str | None:
    return None if value is None else seal(value, place)


def _opened(value: str | None, place: str) -> str | None:
    return None if value is None else unseal(value, place)


def _give_seal_ids(table_name: str) -> None:
    """Each row already there gets its own identity for sealing, as new rows do. Derived from the
    table and the id rather than drawn: if this revision fails after some files were encrypted
    (bound to these values) and is run again, the rows get the same values and the files open."""
    table = sa.table(table_name, sa.column('id', BigId), sa.column('seal_id', sa.String))
    _rewrite(table, lambda r: {'seal_id': hashlib.sha256(f'{table_name}:{r.id}'.encode()).hexdigest()[:32]})


def _evidence_store():
    from intake.reports.evidence import LocalEvidenceStore

    return LocalEvidenceStore(current_app.config["EVIDENCE_DIR"])


def upgrade():
    keys = keyring()  # the app's keys, as configured for this run
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reporter_email_index', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reporter_phone_index', sa.String(length=64), nullable=True))
        batch_op.alter_column('description', existing_type=sa.Text(), nullable=True)
        batch_op.alter_column('reporter_name', existing_type=sa.String(length=200), type_=sa.Text())
        batch_op.alter_column('reporter_email', existing_type=sa.String(length=320), type_=sa.Text())
        batch_op.alter_column('reporter_phone', existing_type=sa.String(length=32), type_=sa.Text())
        batch_op.drop_index('ix_reports_reporter_email')
        batch_op.drop_index('ix_reports_reporter_phone')
    with op.batch_alter_table('suspect_identifiers', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blind_index', sa.String(length=64), nullable=True))
        batch_op.alter_column('value', existing_type=sa.String(length=500), type_=sa.Text())
        batch_op.alter_column('normalised', existing_type=sa.String(length=500), type_=sa.Text())
        batch_op.drop_index('ix_suspect_identifiers_match')
    with op.batch_alter_table('identifier_groups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('blind_index', sa.String(length=64), nullable=True))
        batch_op.alter_column('normalised', existing_type=sa.String(length=500), type_=sa.Text())
        batch_op.drop_constraint('uq_identifier_groups_kind', type_='unique')
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.alter_column('original_name', existing_type=sa.String(length=255), type_=sa.Text())
    for name in SEALED_CHILDREN:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.add_column(sa.Column('seal_id', sa.String(length=32), nullable=True))
        _give_seal_ids(name)
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.alter_column('seal_id', existing_type=sa.String(length=32), nullable=False)

    # The rows already there, sealed as new ones are (intake/reports/models.py says where each is bound).
    _rewrite(reports, lambda r: {
        'description': _sealed(r.description, f'reports.description:{r.reference}'),
        'reporter_name': _sealed(r.reporter_name, f'reports.reporter_name:{r.reference}'),
        'reporter_email': _sealed(r.reporter_email, f'reports.reporter_email:{r.reference}'),
        'reporter_phone': _sealed(r.reporter_phone, f'reports.reporter_phone:{r.reference}'),
        'reporter_email_index': blind_index('reporter_email', r.reporter_email, keys) if r.reporter_email else None,
        'reporter_phone_index': blind_index('reporter_phone', r.reporter_phone, keys) if r.reporter_phone else None,
    })
    _rewrite(suspects, lambda r: {
        'value': seal(r.value, f'suspect_identifiers.value:{r.seal_id}'),
        'normalised': seal(r.normalised, f'suspect_identifiers.normalised:{r.seal_id}'),
        'blind_index': suspect_index(r.kind, r.normalised, keys),
    })

    def group(r: sa.Row) -> dict:
        blind = suspect_index(r.kind, r.normalised, keys)
        return {'blind_index': blind, 'normalised': seal(r.normalised, f'identifier_groups.normalised:{r.kind}:{blind}')}

    _rewrite(groups, group)
    for table, column in CHILD_COLUMNS:
        _rewrite(table, lambda r, t=table.name, c=column: {c: _sealed(getattr(r, c), f'{t}.{c}:{r.seal_id}')})

    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.create_index('ix_reports_reporter_email', ['reporter_email_index', 'created_at'], unique=False)
        batch_op.create_index('ix_reports_reporter_phone', ['reporter_phone_index', 'created_at'], unique=False)
    with op.batch_alter_table('suspect_identifiers', schema=None) as batch_op:
        batch_op.alter_column('blind_index', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_index('ix_suspect_identifiers_match', ['kind', 'blind_index'], unique=False)
    with op.batch_alter_table('identifier_groups', schema=None) as batch_op:
        batch_op.alter_column('blind_index', existing_type=sa.String(length=64), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_identifier_groups_kind'), ['kind', 'blind_index'])

    # The evidence files already there, encrypted in place (each written whole, then swapped in).
    store = _evidence_store()
    for row in op.get_bind().execute(sa.select(files)).all():
        for name in (row.stored_name, row.preview_name):
            if name and store.key_id(name) is None and (Path(store.root) / name[:2] / name).exists():
                store.reencrypt(name, row.seal_id)

    # Last, and only once: the blind-index key's fingerprint (a process started with another key
    # refuses to index). On SQLite a CREATE TABLE is kept even if the revision fails later on.
    if not sa.inspect(op.get_bind()).has_table('key_checks'):
        op.create_table(
            'key_checks',
            sa.Column('purpose', sa.String(length=40), nullable=False),
            sa.Column('fingerprint', sa.String(length=64), nullable=False),
            sa.PrimaryKeyConstraint('purpose', name=op.f('pk_key_checks')),
        )
    key_checks = sa.table('key_checks', sa.column('purpose', sa.String), sa.column('fingerprint', sa.String))
    op.execute(sa.delete(key_checks).where(key_checks.c.purpose == 'blind_index'))
    op.bulk_insert(key_checks, [{'purpose': 'blind_index', 'fingerprint': key_fingerprint(keys.blind_index_key)}])


def downgrade():
    op.drop_table('key_checks')
    store = _evidence_store()
    for row in op.get_bind().execute(sa.select(files)).all():
        for name in (row.stored_name, row.preview_name):
            if name and (Path(store.root) / name[:2] / name).exists() and store.key_id(name) is not None:
                _decrypt_file(store, name, row.seal_id)

    with op.batch_alter_table('identifier_groups', schema=None) as batch_op:
        batch_op.drop_constraint('uq_identifier_groups_kind', type_='unique')
    with op.batch_alter_table('suspect_identifiers', schema=None) as batch_op:
        batch_op.drop_index('ix_suspect_identifiers_match')
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.drop_index('ix_reports_reporter_email')
        batch_op.drop_index('ix_reports_reporter_phone')

    _rewrite(reports, lambda r: {
        'description': _opened(r.description, f'reports.description:{r.reference}') or '',
        'reporter_name': _opened(r.reporter_name, f'reports.reporter_name:{r.reference}'),
        'reporter_email': _opened(r.reporter_email, f'reports.reporter_email:{r.reference}'),
        'reporter_phone': _opened(r.reporter_phone, f'reports.reporter_phone:{r.reference}'),
    })
    _rewrite(suspects, lambda r: {
        'value': unseal(r.value, f'suspect_identifiers.value:{r.seal_id}'),
        'normalised': unseal(r.normalised, f'suspect_identifiers.normalised:{r.seal_id}'),
    })
    _rewrite(groups, lambda r: {'normalised': unseal(r.normalised, f'identifier_groups.normalised:{r.kind}:{r.blind_index}')})
    for table, column in CHILD_COLUMNS:
        _rewrite(table, lambda r, t=table.name, c=column: {c: _opened(getattr(r, c), f'{t}.{c}:{r.seal_id}')})

    for name in SEALED_CHILDREN:
        with op.batch_alter_table(name, schema=None) as batch_op:
            batch_op.drop_column('seal_id')
    with op.batch_alter_table('evidence_files', schema=None) as batch_op:
        batch_op.alter_column('original_name', existing_type=sa.Text(), type_=sa.String(length=255))
    with op.batch_alter_table('identifier_groups', schema=None) as batch_op:
        batch_op.alter_column('normalised', existing_type=sa.Text(), type_=sa.String(length=500))
        batch_op.drop_column('blind_index')
        batch_op.create_unique_constraint(batch_op.f('uq_identifier_groups_kind'), ['kind', 'normalised'])
    with op.batch_alter_table('suspect_identifiers', schema=None) as batch_op:
        batch_op.alter_column('value', existing_type=sa.Text(), type_=sa.String(length=500))
        batch_op.alter_column('normalised', existing_type=sa.Text(), type_=sa.String(length=500))
        batch_op.drop_column('blind_index')
        batch_op.create_index('ix_suspect_identifiers_match', ['kind', 'normalised'], unique=False)
    with op.batch_alter_table('reports', schema=None) as batch_op:
        batch_op.alter_column('description', existing_type=sa.Text(), nullable=False)
        batch_op.alter_column('reporter_name', existing_type=sa.Text(), type_=sa.String(length=200))
        batch_op.alter_column('reporter_email', existing_type=sa.Text(), type_=sa.String(length=320))
        batch_op.alter_column('reporter_phone', existing_type=sa.Text(), type_=sa.String(length=32))
        batch_op.drop_column('reporter_phone_index')
        batch_op.drop_column('reporter_email_index')
        batch_op.create_index('ix_reports_reporter_email', ['reporter_email', 'created_at'], unique=False)
        batch_op.create_index('ix_reports_reporter_phone', ['reporter_phone', 'created_at'], unique=False)


def _decrypt_file(store, name: str, owner: str) -> None:
    """Back to a file in clear (what the code before this revision reads)."""
    import os
    import shutil
    import tempfile

    path = Path(store.root) / name[:2] / name
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix='.clear-')
    with os.fdopen(fd, 'wb') as out, store.open(name, owner) as clear:
        shutil.copyfileobj(clear, out)
    os.chmod(tmp, 0o600)
    os.replace(tmp, path)
