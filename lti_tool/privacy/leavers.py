"""Finding leavers: people their school has not seen (no roster read, no launch) for the school's term.

A person is last seen at the latest of: joining the school in the tool, their last launch there,
and the last roster read that listed them as active in one of the school's courses (for a membership
the roster ended, the moment it did: an LMS that keeps listing a pupil as inactive does not keep
them in the school). A person held by a case (on legal hold, or still open) waits, whatever the
term: anonymising would take a name from a case that still needs it. Runs as the nightly task
anonymise_leavers (privacy/tasks.py), and from `lti-tool privacy leavers`.
"""
import logging
from dataclasses import dataclass, field

from sqlalchemy import case, func, select

from ..courses.models import INACTIVE, Course, CourseMember, SchoolMember
from ..db import utcnow
from ..extensions import db
from ..platforms.models import School
from ..security import STUDENT, scoped
from . import operations, terms
from .holds import held_by_cases

log = logging.getLogger(__name__)


@dataclass
class LeaverCounts:
    """Per school: pupils and staff due, and those a case still holds. Counts only, never a name."""

    pupils: int = 0
    staff: int = 0
    held: int = 0


@dataclass
class LeaverResult:
    anonymised: int = 0
    held: int = 0
    schools: dict = field(default_factory=dict)   # school id -> LeaverCounts


def last_seen(school_id: int) -> dict[int, tuple[str, object]]:
    """{user id: (school role, last seen)} for every member of the school."""
    seen = {user_id: (role, max(filter(None, (created, launched))))
            for user_id, role, created, launched in db.session.execute(
                scoped(select(SchoolMember.user_id, SchoolMember.role, SchoolMember.created_at,
                              SchoolMember.last_launch_at), SchoolMember, school_id))}
    seen_in_roster = case((CourseMember.lms_status == INACTIVE, CourseMember.updated_at),
                          else_=CourseMember.roster_seen_at)
    listed = scoped(select(CourseMember.user_id, func.max(seen_in_roster))
                    .join(Course, Course.id == CourseMember.course_id), Course, school_id) \
        .where(CourseMember.roster_seen_at.is_not(None)).group_by(CourseMember.user_id)
    for user_id, roster_seen in db.session.execute(listed):
        if user_id in seen and roster_seen > seen[user_id][1]:
            seen[user_id] = (seen[user_id][0], roster_seen)
    return seen


def due(school_id: int, now) -> tuple[list[int], LeaverCounts]:
    """The members of a school whose term ended and whom no case holds, with the counts."""
    settings = terms.settings_for(school_id)
    counts = LeaverCounts()
    ended = {}
    for user_id, (role, seen) in last_seen(school_id).items():
        if terms.due_at(seen, role == STUDENT, settings) <= now:
            ended[user_id] = role
    held = held_by_cases(school_id, ended)
    for user_id, role in ended.items():
        if user_id in held:
            counts.held += 1
        elif role == STUDENT:
            counts.pupils += 1
        else:
            counts.staff += 1
    return [user_id for user_id in ended if user_id not in held], counts


def anonymise_due(*, dry_run: bool = False, now=None, school_ids=None) -> LeaverResult:
    """Anonymise the leavers of every school (or of these); commits per school (a background job, not a request)."""
    now = now or utcnow()
    result = LeaverResult()
    query = select(School.id).order_by(School.id)
    if school_ids is not None:
        query = query.where(School.id.in_(school_ids))
    for school_id in db.session.scalars(query).all():
        ids, counts = due(school_id, now)
        if not ids and not counts.held:
            continue
        result.schools[school_id] = counts
        result.held += counts.held
        result.anonymised += len(ids)
        if dry_run:
            continue
        for user_id in ids:
            operations.anonymise(school_id, user_id, actor_id=None, reason=operations.LEAVER, now=now)
        db.session.commit()
    if result.anonymised and not dry_run:
        log.info("privacy: anonymised %s leaver(s)", result.anonymised)
    return result
