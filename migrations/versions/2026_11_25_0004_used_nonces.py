"""login states are signed, not stored: lti_used_nonces replaces lti_login_states

A login now stores nothing (lti_tool/lti/login_state.py); the launch records the nonce it uses.
Logins begun before the upgrade cannot be completed after it: their users open the tool again.

Revision ID: 20261125_0004
Revises: 20261125_0003
Create Date: 2026-11-25 15:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '20261125_0004'
down_revision = '20261125_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('lti_used_nonces',
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('nonce', name=op.f('pk_lti_used_nonces'))
    )
    with op.batch_alter_table('lti_used_nonces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_used_nonces_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('lti_login_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_login_states_expires_at'))
    op.drop_table('lti_login_states')


def downgrade():
    op.create_table('lti_login_states',
    sa.Column('state', sa.String(length=64), nullable=False),
    sa.Column('nonce', sa.String(length=64), nullable=False),
    sa.Column('platform_id', sa.Integer(), nullable=False),
    sa.Column('login_params', sa.JSON(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['platform_id'], ['platforms.id'], name=op.f('fk_lti_login_states_platform_id_platforms'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('state', name=op.f('pk_lti_login_states')),
    sa.UniqueConstraint('nonce', name=op.f('uq_lti_login_states_nonce'))
    )
    with op.batch_alter_table('lti_login_states', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_lti_login_states_expires_at'), ['expires_at'], unique=False)

    with op.batch_alter_table('lti_used_nonces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_lti_used_nonces_expires_at'))
    op.drop_table('lti_used_nonces')
