"""What others read of the gradebook: where the code is placed, and how the outbox stands (the CLI)."""
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from ..extensions import db
from .models import Placement, ScoreDelivery


def placed_courses():
    """A SELECT of the ids of courses where the code is placed (whose rosters are kept fresh)."""
    return select(Placement.course_id).distinct()


@dataclass(frozen=True)
class OutboxStatus:
    counts: dict[str, int]
    oldest_pending: datetime | None
    next_due: datetime | None
    without_line_item: int
    recent_errors: list[ScoreDelivery]


def outbox_status(errors: int = 5) -> OutboxStatus:
    """Counts per status, the oldest waiting score, and the latest errors."""
    counts = dict(db.session.execute(
        select(ScoreDelivery.status, func.count()).group_by(ScoreDelivery.status)).all())
    pending = select(func.min(ScoreDelivery.created_at), func.min(ScoreDelivery.next_attempt_at)) \
        .where(ScoreDelivery.status == ScoreDelivery.PENDING)
    oldest, next_due = db.session.execute(pending).one()
    without = db.session.scalar(select(func.count()).select_from(Placement)
                                .where(Placement.lineitem_url.is_(None)))
    recent = list(db.session.scalars(
        select(ScoreDelivery).where(ScoreDelivery.last_error.is_not(None),
                                    ScoreDelivery.status.in_([ScoreDelivery.PENDING, ScoreDelivery.FAILED]))
        .order_by(ScoreDelivery.id.desc()).limit(errors)))
    return OutboxStatus(counts, oldest, next_due, without or 0, recent)
