"""What tasks over a durable outbox share: a job for rows already handled does nothing."""
from sqlalchemy import func, select

from ..extensions import db


def pending(model, ids) -> int:
    """How many of these outbox rows still wait (0: a duplicate job, nothing left to do)."""
    return db.session.scalar(select(func.count()).select_from(model)
                             .where(model.id.in_(ids), model.status == model.PENDING))
