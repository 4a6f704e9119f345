"""Keeping users, school members, courses and course members in step with what the LMS says."""
from flask_babel import gettext as _
from sqlalchemy import select

from ..db import insert_missing, utcnow
from ..extensions import db
from ..platforms.models import School
from .models import Course, CourseMember, SchoolMember, User


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
    """Record the user's role at the school (from a launch); never touches is_coordinator."""
    query = select(SchoolMember).where(SchoolMember.school_id == school.id,
                                       SchoolMember.user_id == user.id)
    member = db.session.scalars(query).first()
    if member is None:
        insert_missing(db.session, SchoolMember, school_id=school.id, user_id=user.id, role=role,
                       is_coordinator=False)
        member = db.session.scalars(query).one()
    member.role = role
    if launched:
        member.last_launch_at = utcnow()
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
    db.session.flush()
    return member


def set_coordinator(actor: SchoolMember, member: SchoolMember, value: bool) -> SchoolMember:
    """Designate or undesignate a coordinator; only a school admin of the same school may."""
    from ..errors import Forbidden
    from ..security import SCHOOL_ADMIN
    if actor.role != SCHOOL_ADMIN or actor.school_id != member.school_id:
        raise Forbidden(_("Only a school admin of this school designates coordinators."))
    member.is_coordinator = value
    db.session.flush()
    return member
