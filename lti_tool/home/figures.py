"""The numbers each role's start page shows at a glance: a teacher their course's progress, a school
admin the school's, a coordinator what waits in the queue. Counts only, never a name."""
from dataclasses import dataclass

from ..acknowledgements.queries import OVERDUE
from ..cases import queries as case_queries
from ..courses import overview
from ..courses.models import Course
from ..extensions import db


@dataclass(frozen=True)
class Progress:
    acknowledged: int
    total: int
    overdue: int


@dataclass(frozen=True)
class Glance:
    course: Progress | None = None          # the launch's course's students (staff)
    students: Progress | None = None        # the school's (school admins)
    staff: Progress | None = None
    cases: case_queries.AtAGlance | None = None    # coordinators and the deputy


def _progress(tally) -> Progress:
    return Progress(tally.acknowledged, tally.total, tally.counts[OVERDUE])


def for_launch(launch, member, *, is_deputy: bool = False) -> Glance:
    """The figures for this launch's person; students get none (and cost no query)."""
    if launch.role == "student":
        return Glance()
    course = students = staff = waiting = None
    if launch.course_id is not None:
        found = db.session.get(Course, launch.course_id)
        if found is not None and found.school_id == launch.school_id:
            course = _progress(overview.course_overview(found, role="student").tally)
    if launch.role == "school_admin":
        school = overview.school_overview(launch.school_id)
        students, staff = _progress(school.students), _progress(school.staff)
    if (member is not None and member.is_coordinator) or is_deputy:
        settings = case_queries.settings_for(launch.school_id)
        waiting = case_queries.at_a_glance(launch.school_id, launch.user_id, settings)
    return Glance(course, students, staff, waiting)
