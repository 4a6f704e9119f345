"""Keeping users, school members, courses and course members in step with what the LMS says."""
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..db import insert_missing, utcnow
from ..extensions import db
from ..platforms.models import School
from ..security import SCHOOL_ADMIN, STAFF, STUDENT
from . import bulk
from .models import INACTIVE, Course, CourseMember, RosterSync, SchoolMember, User

# A role guessed from a roster may raise a never-launched member's role, never lower it.
ROLE_RANK = {STUDENT: 0, STAFF: 1, SCHOOL_ADMIN: 2}


def upsert_user(issuer: str, sub: str, *, name: str | None = None, email: str | None = None,
                locale: str | None = None) -> User:
    """Find or create the user issuer+sub; overwrite name and email only when the LMS sent them."""
    user = db.session.scalars(select(User).where(User.issuer == issuer, User.sub == sub)).first()
    if user is None:
        insert_missing(db.session, User, issuer=issuer, sub=sub)
        user = db.session.scalars(select(User).where(User.issuer == issuer, User.sub == sub)).one()
    if name:
        user.name = name[:300]
    if email:
        user.email = email[:320]
    if locale:
        user.locale = locale[:20]
    db.session.flush()
    return user


def upsert_school_member(school: School, user: User, role: str, *, launched: bool = True) -> SchoolMember:
    """Record the user's role at the school; never touches is_coordinator.

    A launch states the role (with institution roles); without one the role is only a guess, which
    never overrides what a launch said and never lowers an earlier guess.
    """
    query = select(SchoolMember).where(SchoolMember.school_id == school.id,
                                       SchoolMember.user_id == user.id)
    member = db.session.scalars(query).first()
    if member is None:
        insert_missing(db.session, SchoolMember, school_id=school.id, user_id=user.id, role=role,
                       is_coordinator=False)
        member = db.session.scalars(query).one()
    if launched:
        member.role = role
        member.last_launch_at = utcnow()
    elif member.last_launch_at is None and ROLE_RANK.get(role, 0) > ROLE_RANK.get(member.role, 0):
        member.role = role
    db.session.flush()
    return member


def upsert_course(school: School, context_id: str, *, title: str | None = None,
                  label: str | None = None) -> Course:
    query = select(Course).where(Course.school_id == school.id, Course.context_id == context_id)
    course = db.session.scalars(query).first()
    if course is None:
        insert_missing(db.session, Course, school_id=school.id, context_id=context_id)
        course = db.session.scalars(query).one()
    if title:
        course.title = title[:500]
    if label:
        course.label = label[:255]
    db.session.flush()
    return course


def upsert_course_member(course: Course, user: User, lti_roles: list[str], role: str) -> CourseMember:
    query = select(CourseMember).where(CourseMember.course_id == course.id,
                                       CourseMember.user_id == user.id)
    member = db.session.scalars(query).first()
    if member is None:
        insert_missing(db.session, CourseMember, course_id=course.id, user_id=user.id, role=role)
        member = db.session.scalars(query).one()
    member.lti_roles = " ".join(lti_roles)[:4000]
    member.role = role
    if member.lms_status == INACTIVE:
        # A launch from the course is newer proof of membership than the roster that missed them.
        member.lms_status = None
    db.session.flush()
    return member


def record_roster_service(course: Course | None, platform_id: int, nrps_claim) -> None:
    """Remember where the course's roster lives, from a launch's NRPS claim: one statement, no HTTP."""
    url = nrps_claim.get("context_memberships_url") if isinstance(nrps_claim, dict) else None
    if course is None or not isinstance(url, str) or len(url) > 1000:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return
    known = db.session.execute(select(RosterSync.memberships_url, RosterSync.platform_id)
                               .where(RosterSync.course_id == course.id)).first()
    if known is not None and tuple(known) == (url, platform_id):
        return  # the usual case: a plain read, so launches of one class never queue on this row
    table = RosterSync.__table__.c
    bulk.upsert(RosterSync, [{"course_id": course.id, "school_id": course.school_id,
                              "platform_id": platform_id, "memberships_url": url}],
                ["course_id"],
                # A new address is read at the next overview, however recent the last try was.
                update=lambda stmt: {"memberships_url": stmt.excluded.memberships_url,
                                     "platform_id": stmt.excluded.platform_id, "attempted_at": None},
                where=lambda stmt: or_(table.memberships_url.is_distinct_from(url),
                                       table.platform_id.is_distinct_from(platform_id)))


def set_coordinator(actor: SchoolMember, member: SchoolMember, value: bool) -> SchoolMember:
    """Designate or undesignate a coordinator; only a school admin of the same school may."""
    from ..errors import Forbidden
    from ..security import SCHOOL_ADMIN
    if actor.role != SCHOOL_ADMIN or actor.school_id != member.school_id:
        raise Forbidden(_("Only a school admin of this school designates coordinators."))
    member.is_coordinator = value
    db.session.flush()
    return member
