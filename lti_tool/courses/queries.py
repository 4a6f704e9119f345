"""Reading school members and courses, always within one school."""
from flask_babel import gettext as _
from sqlalchemy import func, or_, select
from sqlalchemy.orm import contains_eager

from ..errors import Conflict, Forbidden, NotFound
from ..extensions import db
from ..security import SCHOOL_ADMIN, STAFF, STUDENT, scoped
from .models import ACTIVE, Course, CourseMember, SchoolMember, User


def school_staff(school_id: int) -> list[SchoolMember]:
    """The school's staff the tool knows, from launches and roster reads alike (never-launched included)."""
    query = scoped(select(SchoolMember), SchoolMember, school_id).join(User).where(SchoolMember.role != STUDENT)
    return list(db.session.scalars(query.options(contains_eager(SchoolMember.user))
                                   .order_by(User.name, User.email, User.id)))


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
            or_(CourseMember.lms_status.is_(None), CourseMember.lms_status == ACTIVE))).first()
        if role in (STAFF, SCHOOL_ADMIN):
            return course
    raise Forbidden(_("Only the teachers of this course and the school's admins see its overview."))


def _is_user(ref: str):
    """A user named by their LMS user id (the launch's sub) or their e-mail address, as an administrator types it."""
    return or_(User.sub == ref, func.lower(User.email) == ref.lower())


def member_by_reference(school_id: int, ref: str) -> SchoolMember:
    """The school's member with this LMS user id or e-mail; someone of another school is unknown here."""
    return _only_one(list(db.session.scalars(scoped(select(SchoolMember), SchoolMember, school_id).join(User)
                                             .where(_is_user(ref.strip())).limit(2))),
                     _("Nobody with LMS user id or e-mail %(ref)s is known at this school. They appear once "
                       "they open the tool or a course list with them is read.", ref=ref), ref)


def _only_one(found: list, missing: str, ref: str):
    """The one row an administrator's reference names: unknown is a 404, two are a 409 (ask for the LMS user id)."""
    if not found:
        raise NotFound(missing)
    if len(found) > 1:
        raise Conflict(_("More than one person matches %(ref)s: use their LMS user id.", ref=ref))
    return found[0]


def user_by_reference(ref: str, issuers: list[str], missing: str) -> User:
    """The user of these LMSs (issuers) with this LMS user id or e-mail (missing: what to say when there is none)."""
    return _only_one(list(db.session.scalars(select(User).where(User.issuer.in_(issuers), _is_user(ref.strip()))
                                             .order_by(User.id).limit(2))), missing, ref)


def acting_admin():
    """The members who act as school admin: the LMS's administrators and staff the school made one.

    security.effective_role's rule, as a condition a query can count with.
    """
    return or_(SchoolMember.role == SCHOOL_ADMIN,
               (SchoolMember.role == STAFF) & (SchoolMember.granted_role == SCHOOL_ADMIN))


def other_school_admins(member: SchoolMember) -> int:
    """How many others act as school admin at the member's school."""
    return db.session.scalar(scoped(select(func.count()).select_from(SchoolMember), SchoolMember, member.school_id)
                             .where(acting_admin(), SchoolMember.id != member.id)) or 0


def member_counts() -> dict[int, dict[str, int]]:
    """Per school: pupils, staff, school admins (the LMS's and granted) and coordinators, for the administrator's listing."""
    admin = acting_admin()
    rows = db.session.execute(select(
        SchoolMember.school_id,
        func.count().filter(SchoolMember.role == STUDENT),
        func.count().filter(SchoolMember.role != STUDENT),
        func.count().filter(admin),
        func.count().filter(SchoolMember.is_coordinator.is_(True)),
    ).group_by(SchoolMember.school_id))
    return {school_id: {"pupils": pupils, "staff": staff, "admins": admins, "coordinators": coordinators}
            for school_id, pupils, staff, admins, coordinators in rows}


def is_staff_at(user_id: int, school_ids: list[int]) -> bool:
    """Whether the user is on the staff (not a pupil) of one of these schools."""
    return db.session.scalar(select(func.count()).select_from(SchoolMember).where(
        SchoolMember.user_id == user_id, SchoolMember.school_id.in_(school_ids), SchoolMember.role != STUDENT)) > 0
