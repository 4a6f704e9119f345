"""a "what changed" note per code version, shown first to readers who acknowledge again

conduct_versions.change_note: {"nl": text, "en": text} or NULL. Written when a version is
published (required for a major change, optional for a minor one); older versions have none.

Revision ID: 20261207_0106
Revises: 20261207_0105
Create Date: 2026-12-07 20:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261207_0106'
down_revision = '20261207_0105'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('conduct_versions') as batch:
        batch.add_column(sa.Column('change_note', sa.JSON(), nullable=True))


def downgrade():
    with op.batch_alter_table('conduct_versions') as batch:
        batch.drop_column('change_note')
