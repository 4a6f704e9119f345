"""Who a case still holds: a person whose report is open or on legal hold keeps their data."""
from sqlalchemy import or_, select

from .. import sealing
from ..extensions import db
from ..reports.models import CLOSED, Report
from ..security import scoped


def held_by_cases(school_id: int, user_ids) -> set[int]:
    """Those among user_ids whose report (named, or pseudonymous by its sealed link) is open or on legal hold."""
    rows = db.session.execute(scoped(select(Report.reporter_user_id, Report.reporter_lookup), Report, school_id)
                              .where(Report.purged_at.is_(None),
                                     or_(Report.legal_hold.is_(True), Report.status != CLOSED))).all()
    named = {user_id for user_id, _ in rows if user_id is not None}
    lookups = {lookup for _, lookup in rows if lookup is not None}
    return {user_id for user_id in user_ids
            if user_id in named or (lookups and lookups.intersection(sealing.lookups(school_id, user_id)))}
