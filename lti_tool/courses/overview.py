"""Who stands where with the code: a course's members, and the school's students and staff per course.

Everyone the LMS's roster lists counts, including those who never opened the tool. Each person's
standing comes from acknowledgements.queries.statuses, in one call for the whole page; it follows
their role at the school (which code they acknowledge), while the role filter is their role in
the course.
"""
from dataclasses import dataclass, field

from sqlalchemy import or_, select

from ..acknowledgements.queries import (ACKNOWLEDGED, NO_CODE, NOT_YET, OUTDATED, OVERDUE, Status,
                                        statuses)
from ..extensions import db
from ..hooks import Hook
from ..security import STAFF, STUDENT, scoped
from .bulk import among
from .models import ACTIVE, Course, CourseMember, RosterSync, SchoolMember, User, nameless_label

STATES = (ACKNOWLEDGED, OUTDATED, NOT_YET, OVERDUE, NO_CODE)
ROLES = (STUDENT, STAFF)


# Asked (course, pupils' user ids): {user_id: marks} of the phone exceptions that hold today in the
# course's lessons; the register (lti_tool/exceptions) sits above the courses and answers it.
PHONE_MARKS = Hook("courses.phone_marks")

@dataclass(frozen=True)
class Row:
    """One member of a course and their standing with their code."""

    user_id: int
    name: str
    role: str           # in the course: student or staff
    launched: bool      # has opened the tool at least once
    status: Status
    # The phone exceptions that hold today in this course's lessons (kind and period only).
    phone: tuple = ()

    @property
    def state(self) -> str:
        return self.status.state


@dataclass
class Tally:
    """How many people are in each state, and the share that acknowledged."""

    counts: dict[str, int] = field(default_factory=lambda: dict.fromkeys(STATES, 0))
    new_this_year: int = 0  # first seen after the school year's first day (schoolyear.queries)

    def add(self, state: str, new: bool = False) -> None:
        self.counts[state] += 1
        self.new_this_year += new

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def acknowledged(self) -> int:
        return self.counts[ACKNOWLEDGED]

    @property
    def percent(self) -> int:
        """Whole percent acknowledged, rounded half up (2 of 3 is 67%); never 100 before everyone, nor 0 after someone."""
        if not self.total:
            return 0
        rounded = (self.acknowledged * 200 + self.total) // (self.total * 2)
        if self.acknowledged < self.total:
            rounded = min(rounded, 99)
        return max(rounded, 1) if self.acknowledged else 0


@dataclass
class CourseOverview:
    course: Course
    roster: RosterSync | None
    role: str | None
    status: str | None
    tally: Tally          # of everyone matching the role filter, whatever their state
    rows: list[Row]       # matching both filters, by name


def _course_role(role: str) -> str:
    return STUDENT if role == STUDENT else STAFF


def _active():
    """Memberships the roster has not ended (or that only a launch told us about)."""
    return or_(CourseMember.lms_status.is_(None), CourseMember.lms_status == ACTIVE)


def course_overview(course: Course, role: str | None = None, status: str | None = None) -> CourseOverview:
    """The course's active members with their standing, filtered by course role and by state."""
    query = (select(CourseMember.user_id, CourseMember.role, User.name, User.email, User.sub)
             .join(User, User.id == CourseMember.user_id)
             .where(CourseMember.course_id == course.id, _active()))
    members = [(user_id, _course_role(course_role), name or email or nameless_label(sub, user_id))
               for user_id, course_role, name, email, sub in db.session.execute(query)]
    members = [m for m in members if role is None or m[1] == role]
    # The school roles in a query of their own: a three-way join is planned badly while the
    # statistics of a table that just received a large roster are stale.
    school = {}
    for start in range(0, len(members), 1000):
        chunk = [m[0] for m in members[start:start + 1000]]
        school.update((user_id, (school_role, launched)) for user_id, school_role, launched in db.session.execute(
            select(SchoolMember.user_id, SchoolMember.role, SchoolMember.last_launch_at.is_not(None))
            .where(SchoolMember.school_id == course.school_id, among(SchoolMember.user_id, chunk))))
    people = [(user_id, name, course_role, school.get(user_id, (course_role, False))[0],
               bool(school.get(user_id, (None, False))[1])) for user_id, course_role, name in members]
    found = statuses(course.school_id, [(p[0], p[3]) for p in people])
    phones = PHONE_MARKS.ask(course, [p[0] for p in people if p[2] == STUDENT])
    tally, rows = Tally(), []
    for user_id, name, course_role, _school_role, launched in people:
        row = Row(user_id, name, course_role, launched, found[user_id], tuple(phones.get(user_id, ())))
        tally.add(row.state, row.status.new_this_year)
        if status is None or row.state == status:
            rows.append(row)
    rows.sort(key=lambda r: (r.name.casefold(), r.user_id))
    return CourseOverview(course, db.session.get(RosterSync, course.id), role, status, tally, rows)


@dataclass
class CourseLine:
    course: Course
    roster: RosterSync | None
    students: Tally
    staff: Tally


@dataclass
class SchoolOverview:
    students: Tally
    staff: Tally
    courses: list[CourseLine]


def school_overview(school_id: int) -> SchoolOverview:
    """The school's students and staff in total and per course, in four queries whatever the size.

    The totals count each person once: everyone in an active course membership, and everyone who
    opened the tool; a student whom every roster dropped and who never launched no longer counts.
    """
    members = {user_id: (role, last_launch is not None) for user_id, role, last_launch in db.session.execute(
        scoped(select(SchoolMember.user_id, SchoolMember.role, SchoolMember.last_launch_at),
               SchoolMember, school_id))}
    courses = list(db.session.scalars(scoped(select(Course), Course, school_id)))
    rosters = {r.course_id: r for r in db.session.scalars(scoped(select(RosterSync), RosterSync, school_id))}
    memberships = db.session.execute(
        scoped(select(CourseMember.course_id, CourseMember.user_id, CourseMember.role)
               .join(Course, Course.id == CourseMember.course_id), Course, school_id)
        .where(_active())).all()
    counted = {user_id for user_id, (_, launched) in members.items() if launched}
    counted.update(user_id for _, user_id, _ in memberships if user_id in members)
    found = statuses(school_id, [(user_id, members[user_id][0]) for user_id in counted])
    students, staff = Tally(), Tally()
    for user_id in counted:
        (students if members[user_id][0] == STUDENT else staff).add(found[user_id].state,
                                                                    found[user_id].new_this_year)
    lines = {course.id: CourseLine(course, rosters.get(course.id), Tally(), Tally()) for course in courses}
    for course_id, user_id, course_role in memberships:
        if user_id in found:
            line = lines[course_id]
            (line.students if _course_role(course_role) == STUDENT else line.staff).add(found[user_id].state)
    ordered = sorted(lines.values(), key=lambda line: (
        (line.course.title or line.course.label or line.course.context_id).casefold(), line.course.id))
    return SchoolOverview(students, staff, ordered)
