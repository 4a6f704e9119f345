"""The weekly e-mails: teachers' and mentors' counts of their courses, staff's reminder of their own code.

Content-free like every e-mail of the tool: counts and the way into the tool, never a name, a
course title or a report. Only schools that set their school year send them, each opted out by a
setting; only people whose e-mail address the LMS shares get one. One e-mail per person per kind
per ISO week (the outbox's batch key), so the tasks may run twice or on two workers.
"""
import logging
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from flask import current_app
from flask_babel import force_locale, format_date, gettext as _, ngettext
from sqlalchemy import or_, select

from ..acknowledgements.queries import ACKNOWLEDGED, NO_CODE, OVERDUE, statuses
from ..cases.notifications import queue_once, tool_link
from ..courses.models import ACTIVE, Course, CourseMember, SchoolMember, User
from ..extensions import db
from ..security import STAFF, STUDENT, scoped
from ..schoolcalendar import queries
from ..schoolcalendar.models import SchoolYearSettings

log = logging.getLogger(__name__)


@dataclass
class Counts:
    """A teacher's pupils over all their courses, each counted once."""

    courses: int = 0
    acknowledged: int = 0
    not_yet: int = 0
    overdue: int = 0


def week_key(kind: str, today: date) -> str:
    year, week, _day = today.isocalendar()
    return f"{kind}:{year}-W{week:02d}"


def _schools(flag) -> list[int]:
    return list(db.session.scalars(select(SchoolYearSettings.school_id).where(flag.is_(True))))


def _active():
    return or_(CourseMember.lms_status.is_(None), CourseMember.lms_status == ACTIVE)


def teacher_counts(school_id: int) -> dict[int, Counts]:
    """Per staff member of a course: how their courses' pupils stand with the pupils' code."""
    rows = db.session.execute(
        scoped(select(CourseMember.course_id, CourseMember.user_id, CourseMember.role)
               .join(Course, Course.id == CourseMember.course_id), Course, school_id).where(_active())).all()
    pupils, teachers = defaultdict(set), defaultdict(set)
    for course_id, user_id, role in rows:
        (pupils if role == STUDENT else teachers)[course_id].add(user_id)
    everyone = sorted(set().union(*pupils.values())) if pupils else []
    found = statuses(school_id, [(user_id, STUDENT) for user_id in everyone])
    result: dict[int, Counts] = {}
    mine = defaultdict(set)
    for course_id, staff in teachers.items():
        for user_id in staff:
            mine[user_id].add(course_id)
    for user_id, courses in mine.items():
        counts = Counts(courses=len(courses))
        for pupil in set().union(*(pupils[c] for c in courses)) - {user_id}:
            state = found[pupil].state
            if state == NO_CODE:
                continue
            if state == ACKNOWLEDGED:
                counts.acknowledged += 1
            elif state == OVERDUE:
                counts.overdue += 1
            else:
                counts.not_yet += 1
        result[user_id] = counts
    return result


def _addresses(school_id: int, user_ids) -> dict[int, str]:
    """The addresses the LMS shared, of these users of the school."""
    ids = list(user_ids)
    return dict(db.session.execute(
        scoped(select(User.id, User.email).join(SchoolMember, SchoolMember.user_id == User.id), SchoolMember, school_id)
        .where(User.id.in_(ids), User.email.is_not(None), User.email != "")).all()) if ids else {}


def _in_default_language():
    return force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl"))


def digest_message(counts: Counts) -> tuple[str, str]:
    """The digest's subject and body: counts only."""
    with _in_default_language():
        subject = _("Veilig Online: this week's acknowledgements in your courses")
        lines = [
            ngettext("In your %(num)s course:", "In your %(num)s courses:", counts.courses),
            ngettext("%(num)s pupil acknowledged the code", "%(num)s pupils acknowledged the code",
                     counts.acknowledged),
            ngettext("%(num)s pupil has not yet", "%(num)s pupils have not yet", counts.not_yet),
            ngettext("%(num)s pupil is past their due date", "%(num)s pupils are past their due date",
                     counts.overdue),
            _("Open the overview in the tool from your LMS to see who. For privacy this e-mail holds no names."),
            tool_link(),
        ]
    return subject, "\n".join(lines[:4]) + "\n\n" + "\n\n".join(filter(None, lines[4:])) + "\n"


def send_digests(today: date | None = None) -> int:
    """Queue this week's digest for each teacher or mentor whose pupils have not all acknowledged."""
    today = today or queries.local_today()
    queued = 0
    for school_id in _schools(SchoolYearSettings.teacher_digest):
        counts = {user_id: c for user_id, c in teacher_counts(school_id).items() if c.not_yet + c.overdue}
        for user_id, address in _addresses(school_id, counts).items():
            subject, body = digest_message(counts[user_id])
            queued += queue_once(school_id, address, subject, body, week_key("digest", today))
        db.session.commit()
    if queued:
        log.info("school year: %s weekly digest(s) queued", queued)
    return queued


def reminder_message(due: date | None) -> tuple[str, str]:
    """The staff reminder's subject and body: that their own code waits, and by when."""
    with _in_default_language():
        subject = _("Veilig Online: please acknowledge the code of conduct for staff")
        lines = [_("You have not yet acknowledged your school's code of conduct for staff."),
                 _("Please do so by %(date)s.", date=format_date(due, "long")) if due else None,
                 _("Open Veilig Online from your LMS to read it."), tool_link()]
    return subject, "\n\n".join(filter(None, lines)) + "\n"


def send_staff_reminders(today: date | None = None) -> int:
    """Queue this week's reminder for each staff member who still has to acknowledge their code."""
    today = today or queries.local_today()
    queued = 0
    for school_id in _schools(SchoolYearSettings.staff_reminders):
        staff = list(db.session.scalars(scoped(select(SchoolMember.user_id), SchoolMember, school_id)
                                        .where(SchoolMember.role == STAFF)))
        found = statuses(school_id, [(user_id, STAFF) for user_id in staff])
        waiting = {user_id for user_id, status in found.items() if status.needs_acknowledgement}
        for user_id, address in _addresses(school_id, waiting).items():
            subject, body = reminder_message(found[user_id].due_date)
            queued += queue_once(school_id, address, subject, body, week_key("reminder", today))
        db.session.commit()
    if queued:
        log.info("school year: %s staff reminder(s) queued", queued)
    return queued
