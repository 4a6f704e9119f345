"""What a board sees: per school, counts only, and any count below 5 hidden so that nobody is recognisable."""
from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import func, select

from ..acknowledgements.queries import ACKNOWLEDGED, OVERDUE, statuses
from ..courses.models import SchoolMember
from ..db import utcnow
from ..extensions import db
from ..reports.models import CATEGORIES, CLOSED, Report
from ..security import STUDENT, scoped
from ..smallcounts import THRESHOLD, small, suppress_group
from .models import Board, BoardMember, BoardSchool

SMALLEST = THRESHOLD  # counts below this are shown as "< 5"


@dataclass(frozen=True)
class Count:
    """A count as a board may see it: exact from SMALLEST on, else only that it is small."""

    value: int

    @property
    def hidden(self) -> bool:
        return small(self.value, zero_hidden=True)

    def __str__(self) -> str:
        return f"< {SMALLEST}" if self.hidden else str(self.value)


@dataclass
class Progress:
    """How many of a group acknowledged their current code; a share only where neither part is small."""

    total: Count
    acknowledged: Count
    overdue: Count

    @property
    def percent(self) -> int | None:
        if self.total.hidden or self.acknowledged.hidden or Count(self.total.value - self.acknowledged.value).hidden:
            return None
        return round(100 * self.acknowledged.value / self.total.value)


@dataclass
class SchoolFigures:
    name: str
    pupils: Progress
    staff: Progress
    reports: Count
    open_now: Count
    closed: Count
    by_category: dict = field(default_factory=dict)  # category → smallcounts.Shown, against reports


def board_of(launch) -> Board | None:
    """The board whose figures this launch may see: one of the user's boards that holds the launch's school."""
    return db.session.scalars(
        select(Board).join(BoardMember, BoardMember.board_id == Board.id)
        .join(BoardSchool, BoardSchool.board_id == Board.id)
        .where(BoardMember.user_id == launch.user_id, BoardSchool.school_id == launch.school_id)).first()


def _progress(school_id: int, people: list[tuple[int, str]]) -> Progress:
    states = [status.state for status in statuses(school_id, people).values()]
    return Progress(Count(len(states)), Count(states.count(ACKNOWLEDGED)), Count(states.count(OVERDUE)))


def school_figures(school, months: int = 12) -> SchoolFigures:
    """One school's figures: acknowledgement progress of pupils and staff; reports of the last months."""
    members = db.session.execute(scoped(select(SchoolMember.user_id, SchoolMember.role), SchoolMember,
                                        school.id)).all()
    pupils = [(uid, role) for uid, role in members if role == STUDENT]
    staff = [(uid, role) for uid, role in members if role != STUDENT]
    since = utcnow() - timedelta(days=round(months * 30.44))
    recent = scoped(select(Report.category, Report.status, func.count()), Report, school.id).where(
        Report.created_at >= since).group_by(Report.category, Report.status)
    by_category, by_status = dict.fromkeys(CATEGORIES, 0), {}
    for category, status, count in db.session.execute(recent):
        by_category[category] = by_category.get(category, 0) + count
        by_status[status] = by_status.get(status, 0) + count
    open_now = db.session.scalar(scoped(select(func.count()).select_from(Report), Report, school.id)
                                 .where(Report.status != CLOSED)) or 0
    return SchoolFigures(school.name, _progress(school.id, pupils), _progress(school.id, staff),
                         Count(sum(by_category.values())), Count(open_now), Count(by_status.get(CLOSED, 0)),
                         suppress_group(by_category, zero_hidden=True))


def board_figures(board: Board) -> list[SchoolFigures]:
    return [school_figures(school) for school in board.schools]
