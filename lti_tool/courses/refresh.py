"""Keeping the rosters of courses where the code is placed fresh, so an overview seldom waits for the LMS.

Only public functions of courses.roster are used; a course whose roster another worker read a
moment ago is skipped (refresh_if_stale), so a refresh that runs twice reads the LMS once.
"""
from datetime import timedelta

from flask import current_app
from sqlalchemy import or_, select

from ..db import utcnow
from ..extensions import db
from ..hooks import Hook
from . import roster
from .models import Course, RosterSync

# Asked (no arguments): a SELECT of the ids of courses where the code is placed. The placements are
# the gradebook's, above this package.
PLACED = Hook("courses.placed")


def stale_courses(now=None) -> list[int]:
    """Placed courses whose roster was never read, or not within ROSTER_MAX_AGE_SECONDS (oldest first)."""
    max_age = current_app.config.get("ROSTER_MAX_AGE_SECONDS", roster.MAX_AGE_SECONDS)
    cutoff = (now or utcnow()) - timedelta(seconds=max_age)
    placed = PLACED.ask()
    return list(db.session.scalars(
        select(Course.id).outerjoin(RosterSync, RosterSync.course_id == Course.id)
        .where(Course.id.in_(placed), or_(RosterSync.attempted_at.is_(None), RosterSync.attempted_at < cutoff))
        .order_by(RosterSync.attempted_at.nulls_first(), Course.id)
        .limit(current_app.config["ROSTER_REFRESH_BATCH"])))


def refresh(course_id: int) -> bool:
    """Refresh one course's roster if it is stale; commit; whether the LMS was asked."""
    course = db.session.get(Course, course_id)
    if course is None:
        return False
    before = roster.current(course)
    attempted = before.attempted_at if before is not None else None
    record = roster.refresh_if_stale(course)
    db.session.commit()
    return record.attempted_at != attempted
