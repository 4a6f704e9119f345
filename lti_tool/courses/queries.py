"""Reading school members and courses, always within one school."""
from flask_babel import gettext as _
from sqlalchemy import or_, select

from ..errors import Forbidden, NotFound
from ..extensions import db
from ..security import SCHOOL_ADMIN, STAFF, scoped
from .models import ACTIVE, Course, CourseMember, SchoolMember, User


def active_membership():
    """Course memberships the roster has not ended (or that only a launch told us about)."""
    return or_(CourseMember.lms_status.is_(None), CourseMember.lms_status == ACTIVE)


def school_members(school_id: int) -> list[SchoolMember]:
    query = scoped(select(SchoolMember), SchoolMember, school_id).join(User)
    return list(db.session.scalars(query.order_by(SchoolMember.role, User.name, User.id)))


def school_member(school_id: int, member_id: int) -> SchoolMember:
    """A member of this school; another school's member is as unknown as a made-up id."""
    member = db.session.scalars(
        scoped(select(SchoolMember), SchoolMember, school_id).where(SchoolMember.id == member_id)
    ).first()
    if member is None:
        raise NotFound(_("No such member at this school."))
    return member


def overseeable_course(launch, course_id: int) -> Course:
    """A course whose overview this launch may see: any course of a school admin's own school, or
    one where a staff member is staff (an active member with a staff role in the course).

    Another school's course is as unknown as a made-up id (404); a course of this school where the
    person is not staff is refused (403).
    """
    course = db.session.scalars(
        scoped(select(Course), Course, launch.school_id).where(Course.id == course_id)).first()
    if course is None:
        raise NotFound(_("No such course at this school."))
    if launch.role == SCHOOL_ADMIN:
        return course
    if launch.role == STAFF:
        role = db.session.scalars(select(CourseMember.role).where(
            CourseMember.course_id == course.id, CourseMember.user_id == launch.user_id,
            active_membership())).first()
        if role in (STAFF, SCHOOL_ADMIN):
            return course
    raise Forbidden(_("Only the teachers of this course and the school's admins see its overview."))
