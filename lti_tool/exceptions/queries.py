"""Reading the phone-exception register, always within one school."""
from datetime import date, datetime

from flask_babel import gettext as _
from sqlalchemy import or_, select
from sqlalchemy.orm import joinedload

from .. import coarse_time
from ..courses.models import ACTIVE, Course, CourseMember, SchoolMember, User
from ..db import utcnow
from ..errors import NotFound
from ..extensions import db
from ..security import STUDENT, scoped
from .models import ExceptionSettings, PhoneException


def today(moment: datetime | None = None) -> date:
    """The school's date now: an exception's period is in school days, not UTC."""
    return (moment or utcnow()).astimezone(coarse_time.school_zone()).date()


def settings_for(school_id: int) -> ExceptionSettings:
    """The school's settings, or the defaults (not stored) until it saves its own."""
    found = db.session.get(ExceptionSettings, school_id)
    return found or ExceptionSettings(school_id=school_id, school_admins_grant=True, coordinators_grant=True,
                                      mentors_grant=False, reminder_days=14)


def exception(school_id: int, exception_id: int) -> PhoneException:
    """One exception of this school; another school's is as unknown as a made-up id."""
    found = db.session.scalars(scoped(select(PhoneException), PhoneException, school_id)
                               .where(PhoneException.id == exception_id)).first()
    if found is None:
        raise NotFound(_("No such phone exception at this school."))
    return found


def _still_open(day: date):
    return PhoneException.ended_at.is_(None), PhoneException.ends_on >= day


def register(school_id: int, show: str = "current", day: date | None = None) -> list[PhoneException]:
    """The school's exceptions that hold or are coming (by end date), or those ended or expired (latest first)."""
    day = day or today()
    query = scoped(select(PhoneException), PhoneException, school_id).options(
        joinedload(PhoneException.pupil), joinedload(PhoneException.granted_by), joinedload(PhoneException.course))
    if show == "current":
        query = query.where(*_still_open(day)).order_by(PhoneException.ends_on, PhoneException.id)
    else:
        query = query.where(or_(PhoneException.ended_at.is_not(None), PhoneException.ends_on < day)) \
            .order_by(PhoneException.ends_on.desc(), PhoneException.id.desc())
    return list(db.session.scalars(query))


def everything(school_id: int) -> list[PhoneException]:
    """Every exception the school ever recorded, for its CSV: by pupil, then start."""
    return list(db.session.scalars(
        scoped(select(PhoneException), PhoneException, school_id).join(User, User.id == PhoneException.pupil_id)
        .options(joinedload(PhoneException.pupil), joinedload(PhoneException.granted_by),
                 joinedload(PhoneException.course))
        .order_by(User.name, User.id, PhoneException.starts_on, PhoneException.id)))


def pupils(school_id: int) -> list[tuple[int, str]]:
    """The school's pupils as (user id, name), by name: the grant form's choice."""
    rows = db.session.execute(
        scoped(select(User.id, User.name, User.email).join(SchoolMember, SchoolMember.user_id == User.id),
               SchoolMember, school_id).where(SchoolMember.role == STUDENT).order_by(User.name, User.id))
    return [(user_id, name or email or f"#{user_id}") for user_id, name, email in rows]


def pupil(school_id: int, user_id: int) -> User | None:
    """The user, if a pupil of this school; a teacher or another school's pupil is None."""
    return db.session.scalars(
        scoped(select(User).join(SchoolMember, SchoolMember.user_id == User.id), SchoolMember, school_id)
        .where(User.id == user_id, SchoolMember.role == STUDENT)).first()


def courses(school_id: int) -> list[Course]:
    return list(db.session.scalars(scoped(select(Course), Course, school_id).order_by(Course.title, Course.id)))


def course(school_id: int, course_id: int) -> Course | None:
    return db.session.scalars(scoped(select(Course), Course, school_id).where(Course.id == course_id)).first()


def in_course(course_id: int, user_id: int) -> bool:
    """Whether the user is an active member of the course (as the LMS last said)."""
    return db.session.scalar(select(CourseMember.id).where(
        CourseMember.course_id == course_id, CourseMember.user_id == user_id,
        or_(CourseMember.lms_status.is_(None), CourseMember.lms_status == ACTIVE))) is not None


def overlapping(school_id: int, pupil_id: int, kind: str, starts: date, ends: date,
                leave_out: int | None = None) -> PhoneException | None:
    """An open exception of the same kind for the same pupil whose period meets starts–ends."""
    query = scoped(select(PhoneException), PhoneException, school_id).where(
        PhoneException.pupil_id == pupil_id, PhoneException.kind == kind, PhoneException.ended_at.is_(None),
        PhoneException.starts_on <= ends, PhoneException.ends_on >= starts)
    if leave_out is not None:
        query = query.where(PhoneException.id != leave_out)
    return db.session.scalars(query.order_by(PhoneException.starts_on)).first()


def holding_in_course(course: Course, user_ids, day: date | None = None) -> dict[int, list[PhoneException]]:
    """The exceptions that hold today in this course's lessons, per pupil: school-wide ones and this course's."""
    day = day or today()
    found: dict[int, list[PhoneException]] = {}
    ids = list(user_ids)
    for start in range(0, len(ids), 1000):
        chunk = ids[start:start + 1000]
        for row in db.session.scalars(scoped(select(PhoneException), PhoneException, course.school_id).where(
                PhoneException.pupil_id.in_(chunk), PhoneException.ended_at.is_(None),
                PhoneException.starts_on <= day, PhoneException.ends_on >= day,
                or_(PhoneException.course_id.is_(None), PhoneException.course_id == course.id))
                .order_by(PhoneException.ends_on)):
            found.setdefault(row.pupil_id, []).append(row)
    return found


def own(school_id: int, user_id: int, day: date | None = None) -> list[PhoneException]:
    """A pupil's own exceptions that hold now or are coming, soonest first."""
    return list(db.session.scalars(
        scoped(select(PhoneException), PhoneException, school_id).options(joinedload(PhoneException.course))
        .where(PhoneException.pupil_id == user_id, *_still_open(day or today()))
        .order_by(PhoneException.starts_on, PhoneException.id)))
