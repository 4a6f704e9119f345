"""What other layers may ask about stored launches (through hooks: they sit below the launch)."""
from sqlalchemy import select

from ..extensions import db
from .models import LaunchSession


def placement_locale(placement) -> str | None:
    """The language of the course's last launch up to the placement's creation: the launch that placed it."""
    return db.session.scalars(
        select(LaunchSession.locale).where(LaunchSession.course_id == placement.course_id,
                                           LaunchSession.created_at <= placement.created_at)
        .order_by(LaunchSession.created_at.desc()).limit(1)).first()
