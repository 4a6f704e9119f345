"""Reading the audit log: filters, "case viewed" folded per person, case and day, and the CSV export.

A coordinator opens a case many times a day; one row "viewed 6 times" per person, case and school
day says the same as six rows and leaves the changes readable. The count is always of the whole
day, also when the day's views fall on two pages (the later page leaves the row out).
Under a filter by person the reporter's own doing is never shown: it would tie them to a case.
"""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone

from sqlalchemy import and_, or_, select, tuple_

from .. import coarse_time, spreadsheet
from ..courses.models import User
from ..extensions import db
from ..reports.models import Report, reporter_timed_coarsely
from ..security import scoped
from .audit import REPORTER_ACTIONS, REPORTER_EVENTS, by_reporter, timed_by_reporter
from .models import AuditEvent
from .queries import users_by_id

FOLDED = "case_viewed"
BATCH = 200
EXPORT_MAX = 20000  # rows in one CSV; a wider range is exported in parts


@dataclass(frozen=True)
class AuditRow:
    id: int
    at: datetime
    actor: str | None
    is_reporter: bool
    action: str
    reference: str | None
    detail: str | None
    coarse: bool = False  # `at` is a part of the day (the pseudonymous reporter's doing)
    count: int = 1        # "case viewed" rows folded into this one (same person, case and day)


def _day_bounds(first: date | None, last: date | None) -> tuple[datetime | None, datetime | None]:
    """The school-day range as UTC moments: from the start of `first` to the end of `last`."""
    zone = coarse_time.school_zone()
    start = datetime.combine(first, time(), zone).astimezone(timezone.utc) if first else None
    end = datetime.combine(last + timedelta(days=1), time(), zone).astimezone(timezone.utc) if last else None
    return start, end


def _query(school_id: int, filters: dict, hidden=None):
    query = (scoped(select(AuditEvent, Report.reference, Report.reporter_user_id, Report.identity,
                           Report.source), AuditEvent, school_id)
             .outerjoin(Report, Report.id == AuditEvent.report_id))
    action = filters.get("action")
    from_reporter = and_(AuditEvent.action == "message_sent", AuditEvent.detail == "reporter")
    if action == "reporter_message":  # stored as a message sent, by the reporter
        query = query.where(from_reporter)
    elif action == "message_sent":
        query = query.where(AuditEvent.action == action, ~from_reporter)
    elif action:
        query = query.where(AuditEvent.action == action)
    if filters.get("person"):
        query = query.where(AuditEvent.actor_user_id == filters["person"])
    if filters.get("case"):
        query = query.where(Report.reference == filters["case"])
    if hidden is not None:  # a report that keeps the reader away: not even its events show
        query = query.where(~hidden)
    start, end = _day_bounds(filters.get("date_from"), filters.get("date_to"))
    if start is not None:
        query = query.where(AuditEvent.created_at >= start)
    if end is not None:
        query = query.where(AuditEvent.created_at < end)
    return query


def _position(school_id: int, event_id: int):
    return db.session.execute(scoped(select(AuditEvent.created_at, AuditEvent.id), AuditEvent, school_id)
                              .where(AuditEvent.id == event_id)).first()


def _day(moment: datetime) -> date:
    return moment.astimezone(coarse_time.school_zone()).date()


def _view_groups(school_id: int, keys: set) -> dict:
    """For each (person, case, day) of folded rows: how many views, and the newest one's position."""
    if not keys:
        return {}
    days = [key[2] for key in keys]
    start, end = _day_bounds(min(days), max(days))
    found: dict = {}
    for actor_id, report_id, at, event_id in db.session.execute(
            scoped(select(AuditEvent.actor_user_id, AuditEvent.report_id, AuditEvent.created_at, AuditEvent.id),
                   AuditEvent, school_id)
            .where(AuditEvent.action == FOLDED, AuditEvent.created_at >= start, AuditEvent.created_at < end,
                   AuditEvent.actor_user_id.in_({key[0] for key in keys if key[0]}),
                   AuditEvent.report_id.in_({key[1] for key in keys if key[1]}))):
        key = (actor_id, report_id, _day(at))
        if key in keys:
            count, newest = found.get(key, (0, None))
            found[key] = (count + 1, max(newest, (at, event_id)) if newest else (at, event_id))
    return found


def _rows(school_id: int, filters: dict, before: int | None, limit: int,
          hidden=None) -> tuple[list[AuditRow], int | None]:
    """Up to `limit` rows after the cursor, folded; and the cursor of the next page (None: no more)."""
    query = _query(school_id, filters, hidden).order_by(AuditEvent.created_at.desc(), AuditEvent.id.desc())
    cursor = _position(school_id, before) if before else None
    if before and cursor is None:
        return [], None
    page_start = tuple(cursor) if cursor else None
    rows: list[tuple] = []
    keys: set = set()
    last, more = cursor, True
    while len(rows) < limit and more:
        batch_query = query if last is None else query.where(
            tuple_(AuditEvent.created_at, AuditEvent.id) < tuple_(last[0], last[1]))
        batch = db.session.execute(batch_query.limit(BATCH)).all()
        more = len(batch) == BATCH
        for index, found in enumerate(batch):
            event = found[0]
            last = (event.created_at, event.id)
            key = (event.actor_user_id, event.report_id, _day(event.created_at)) if event.action == FOLDED else None
            if key is None or key not in keys:
                rows.append((found, key))
                if key is not None:
                    keys.add(key)
            if len(rows) == limit:
                more = more or index < len(batch) - 1
                break
    groups = _view_groups(school_id, keys)
    people = users_by_id(found[0].actor_user_id for found, _key in rows)
    result = []
    for found, key in rows:
        count = 1
        if key is not None:
            count, newest = groups.get(key, (1, None))
            if page_start is not None and newest is not None and newest >= page_start:
                continue  # this day's views were shown, counted whole, on an earlier page
        row = _row(found, people, count)
        if filters.get("person") and row.is_reporter:
            continue  # a reporter's own doing under a person's name would unmask them
        result.append(row)
    return result, (last[1] if more and last else None)


def _row(found, people: dict, count: int) -> AuditRow:
    event, reference, reporter_id, identity, source = found
    from_reporter = by_reporter(event.action, event.detail) or event.action in REPORTER_EVENTS or (
        reporter_id is not None and event.actor_user_id == reporter_id)
    actor = None if from_reporter else people.get(event.actor_user_id)
    action = "reporter_message" if event.action == "message_sent" and from_reporter else event.action
    coarse = timed_by_reporter(event.action, event.detail) and reporter_timed_coarsely(identity, source)
    return AuditRow(event.id, event.created_at, actor.display_name if actor else None, from_reporter, action,
                    reference, None if action == "reporter_message" else event.detail, coarse, count)


def page(school_id: int, filters: dict, *, before: int | None = None, limit: int = 50,
         hidden=None) -> tuple[list[AuditRow], int | None]:
    """One page of the school's audit log, newest first, filtered and folded; never names a reporter.

    hidden: the reports that keep the reader away (exclusions.hidden_condition): their events stay out.
    """
    return _rows(school_id, filters, before, limit, hidden)


def everything(school_id: int, filters: dict, hidden=None) -> list[AuditRow]:
    """All rows the filters select (at most EXPORT_MAX), for the CSV export."""
    rows, _next = _rows(school_id, filters, None, EXPORT_MAX, hidden)
    return rows


def people(school_id: int) -> list[User]:
    """The staff who acted in the log, for the person filter: never anyone only as a reporter."""
    own = (REPORTER_ACTIONS + REPORTER_EVENTS)
    ids = db.session.scalars(
        scoped(select(AuditEvent.actor_user_id), AuditEvent, school_id)
        .outerjoin(Report, Report.id == AuditEvent.report_id)
        .where(AuditEvent.actor_user_id.is_not(None), AuditEvent.action.not_in(own),
               or_(Report.reporter_user_id.is_(None), Report.reporter_user_id != AuditEvent.actor_user_id),
               or_(AuditEvent.action != "message_sent", AuditEvent.detail.is_(None),
                   AuditEvent.detail != "reporter"))
        .distinct()).all()
    return sorted(users_by_id(ids).values(), key=lambda user: (user.display_name or "").lower())


def _when(row: AuditRow) -> str:
    return coarse_time.describe(row.at) if row.coarse else spreadsheet.moment_text(row.at)


def to_csv(rows: list[AuditRow], headings: list[str], words) -> str:
    """The rows as CSV for a spreadsheet (spreadsheet.py: ';' and dd-mm-jjjj for Dutch readers, a BOM,
    no formulas), never any content. words(row) gives (who, what, detail) as the page shows them."""
    return spreadsheet.write([headings, *([_when(row), *words(row), row.reference or "", row.count] for row in rows)])
