"""Each person's standing with their code: acknowledged, outdated, not yet, or overdue."""
from dataclasses import dataclass
from datetime import date
from functools import cache

from sqlalchemy import and_, bindparam, null, select
from sqlalchemy.orm import contains_eager

from ..conduct import queries as conduct
from ..conduct.models import PUBLISHED, ConductCode, ConductVersion
from ..extensions import among
from ..extensions import db
from ..platforms.models import School, SchoolMember
from ..schoolcalendar import queries as schoolyear
from ..schoolcalendar.models import SchoolYearSettings
from ..security import scoped
from .models import Acknowledgement

ACKNOWLEDGED, OUTDATED, NOT_YET, OVERDUE, NO_CODE = (
    "acknowledged", "outdated", "not_yet", "overdue", "no_code")
STATES = (ACKNOWLEDGED, OUTDATED, NOT_YET, OVERDUE)


@dataclass(frozen=True)
class Status:
    """Where one person stands: their state, their latest acknowledgement, the current version,
    their own due date (the school year's rules applied) and whether they are new this school year."""

    state: str
    audience: str
    current: ConductVersion | None
    latest: Acknowledgement | None
    due_date: date | None = None
    new_this_year: bool = False

    @property
    def needs_acknowledgement(self) -> bool:
        return self.state in (OUTDATED, NOT_YET, OVERDUE)

    @property
    def earlier_year(self) -> bool:
        """Asked again only because the acknowledgement belongs to an earlier school year."""
        return self.needs_acknowledgement and self.latest is not None and self.current is not None \
            and self.latest.epoch == self.current.epoch


def _status(audience: str, current: ConductVersion | None, latest: Acknowledgement | None,
            year: schoolyear.SchoolYear, first_seen, today: date) -> Status:
    """A person's status; an acknowledgement of an earlier school year counts only where the school
    does not ask again each year."""
    seen = schoolyear.local_date(first_seen)
    new = year.is_new(seen)
    if current is None:
        return Status(NO_CODE, audience, None, latest, None, new)
    due = year.due_date(current.due_date, seen)
    if latest is not None and latest.epoch == current.epoch and year.counts(latest.school_year):
        state = ACKNOWLEDGED
    elif due is not None and today > due:
        state = OVERDUE
    else:
        state = OUTDATED if latest is not None else NOT_YET
    return Status(state, audience, current, latest, due, new)


def statuses(school_id: int, people: list[tuple[int, str]]) -> dict[int, Status]:
    """Statuses of many (user_id, app role) pairs of one school, in two queries whatever their number.

    Only acknowledgements of the current codes are read; on PostgreSQL the ids go as one array.
    """
    current = conduct.current_versions(school_id)
    code_ids = [version.code_id for version in current.values()]
    user_ids = [user_id for user_id, _ in people]
    latest: dict[tuple[int, int], Acknowledgement] = {}
    first_seen: dict[int, object] = {}
    settings = schoolyear.settings_of(school_id)
    chunk_size = len(user_ids) or 1 if db.session.get_bind().dialect.name == "postgresql" else 900
    for start in range(0, len(user_ids) if code_ids else 0, chunk_size):
        chunk = user_ids[start:start + chunk_size]  # SQLite: stay under its parameter limit
        query = (scoped(select(Acknowledgement), Acknowledgement, school_id)
                 .where(among(Acknowledgement.user_id, chunk), Acknowledgement.code_id.in_(code_ids))
                 .order_by(Acknowledgement.epoch, Acknowledgement.school_year))
        for ack in db.session.scalars(query):
            latest[(ack.user_id, ack.code_id)] = ack  # highest epoch, then latest school year, wins
        if settings is not None:  # when each person was first seen matters only in a school year
            first_seen.update(db.session.execute(
                scoped(select(SchoolMember.user_id, SchoolMember.created_at), SchoolMember, school_id)
                .where(among(SchoolMember.user_id, chunk))).all())
    today = schoolyear.local_today()
    year = schoolyear.year_of(settings, today)
    result = {}
    for user_id, role in people:
        audience = conduct.audience_for(role)
        version = current.get(audience)
        ack = latest.get((user_id, version.code_id)) if version else None
        result[user_id] = _status(audience, version, ack, year, first_seen.get(user_id), today)
    return result


def status(school_id: int, user_id: int, role: str) -> Status:
    """One person's status, as statuses() gives it, in one query (the gate asks on every page).

    The current version of the person's audience comes with its code and with the person's
    latest acknowledgement of that code (highest epoch) joined to it.
    """
    return status_and(None, {}, school_id, user_id, role)[0]


def status_and(column, params: dict, school_id: int, user_id: int, role: str) -> tuple[Status, object]:
    """status(), and one more column (a scalar subquery, with its params) read in the same query.

    The query starts from the school, so it answers one row even where no code is published.
    """
    audience = conduct.audience_for(role)
    row = db.session.execute(_status_query(column), {
        "school_id": school_id, "user_id": user_id, "audience": audience, **params}).first()
    version, ack, value, settings, first_seen = row if row is not None else (None, None, None, None, None)
    today = schoolyear.local_today()
    return _status(audience, version, ack, schoolyear.year_of(settings, today), first_seen, today), value


@cache
def _status_query(column=None):
    """Built once per extra column: the gate runs it on every page, and building it costs more CPU
    than running it. The school's row is always there; its code for the audience, that code's
    published version, the person's acknowledgement of it, the school year's settings and when the
    person was first seen are outer-joined to it, so each of them may be None."""
    return (select(ConductVersion, Acknowledgement, column if column is not None else null(),
                   SchoolYearSettings, SchoolMember.created_at)
            .select_from(School)
            # The school's own rows only: the tenant condition in the joins, as scoped() would put it.
            .outerjoin(ConductCode, and_(ConductCode.school_id == School.id,
                                         ConductCode.audience == bindparam("audience")))
            .outerjoin(ConductVersion, and_(ConductVersion.code_id == ConductCode.id,
                                            ConductVersion.school_id == School.id,
                                            ConductVersion.status == PUBLISHED))
            .outerjoin(Acknowledgement, and_(Acknowledgement.school_id == School.id,
                                             Acknowledgement.user_id == bindparam("user_id"),
                                             Acknowledgement.code_id == ConductVersion.code_id))
            .outerjoin(SchoolYearSettings, SchoolYearSettings.school_id == School.id)
            .outerjoin(SchoolMember, and_(SchoolMember.school_id == School.id,
                                          SchoolMember.user_id == bindparam("user_id")))
            .options(contains_eager(ConductVersion.code))
            .where(School.id == bindparam("school_id"))
            .order_by(ConductVersion.number.desc().nulls_last(), Acknowledgement.epoch.desc().nulls_last(),
                      Acknowledgement.school_year.desc().nulls_last())
            .limit(1))


def history(school_id: int, user_id: int) -> list[Acknowledgement]:
    """A person's own acknowledgements at this school, newest first."""
    query = (scoped(select(Acknowledgement), Acknowledgement, school_id)
             .where(Acknowledgement.user_id == user_id)
             .order_by(Acknowledgement.acknowledged_at.desc()))
    return list(db.session.scalars(query))
