"""A school year's figures for the yearly report: counts only, every count through suppression.

Reports count by the day they arrived (in the school's time zone); the viewer's excluded reports are
left out, as on the dashboard, so no figure reveals a case kept from them.
"""
from dataclasses import dataclass, field
from datetime import datetime
import statistics as stats
from types import SimpleNamespace

from sqlalchemy import distinct, func, select

from ..acknowledgements.models import Acknowledgement
from ..cases import timeliness
from ..cases.operations import OUTCOMES, rule_choices
from ..conduct.models import ConductCode
from ..courses import overview
from ..db import utcnow
from ..exceptions.models import KINDS as PHONE_KINDS, PhoneException
from ..extensions import db
from ..reports.models import CATEGORIES, CLOSED, Report
from ..security import scoped
from ..smallcounts import Shown, THRESHOLD, share, shown, suppress_group
from .years import SchoolYear

KINDS = (timeliness.FIRST_RESPONSE, timeliness.ACKNOWLEDGEMENT, timeliness.FEEDBACK)


@dataclass
class Deadlines:
    """How one kind of deadline went in the year's reports."""

    kind: str
    in_time: int = 0
    late: int = 0        # done late, missed, or overdue now
    waiting: int = 0     # still within its time

    @property
    def due(self) -> int:
        return self.in_time + self.late

    @property
    def share_in_time(self) -> str | None:
        return share(self.in_time, self.due)


@dataclass
class Coverage:
    audience: str
    people: int
    acknowledged_now: int
    acknowledged_in_year: int

    @property
    def share_now(self) -> str | None:
        return share(self.acknowledged_now, self.people)


@dataclass
class YearFigures:
    year: SchoolYear
    made_at: datetime
    reports: Shown
    incidents: Shown
    by_category: dict            # category → Shown
    by_month: list               # [(first day of month, Shown)]
    incidents_by_category: dict  # category → Shown: incidents, each in the category of its first report
    incidents_by_month: dict     # first day of month → Shown: incidents, each in the month of its first report
    deadlines: list              # [Deadlines]
    median_response_hours: float | None
    outcomes: dict               # outcome → Shown ("not_genuine" included)
    consequences: list           # [{"title", "audience", "count": Shown}]
    coverage: list               # [Coverage]
    phones: dict                 # kind → Shown: phone exceptions in effect during the year
    extra: list = field(default_factory=list)   # sections other features add

    @property
    def threshold(self) -> int:
        return THRESHOLD


def _reports(school_id: int, year: SchoolYear, hidden):
    start, end = year.moments()
    query = scoped(select(Report.category, Report.received_at, Report.created_at, Report.urgent,
                          Report.status, Report.first_response_at, Report.reporter_acknowledged_at,
                          Report.feedback_at, Report.closed_at, Report.outcome, Report.not_genuine,
                          Report.rule_key, Report.incident_id), Report, school_id)
    query = query.where(Report.received_at >= start, Report.received_at < end)
    if hidden is not None:
        query = query.where(~hidden)
    return db.session.execute(query).all()


def _deadlines(rows, settings, now: datetime) -> tuple[list, float | None]:
    tally = {kind: Deadlines(kind) for kind in KINDS}
    hours = []
    for row in rows:
        case = SimpleNamespace(**row._mapping)   # what timeliness reads of a report, no content
        for deadline in timeliness.deadlines(case, settings, now):
            target = tally[deadline.kind]
            if deadline.state == timeliness.DONE:
                target.in_time += 1
            elif deadline.state == timeliness.OPEN:
                target.waiting += 1
            else:
                target.late += 1
        if row.first_response_at is not None:
            hours.append((row.first_response_at - row.received_at).total_seconds() / 3600)
    median = round(stats.median(hours), 1) if len(hours) >= THRESHOLD else None
    return list(tally.values()), median


def _consequences(school_id: int, rows) -> list:
    counts: dict[str, int] = {}
    for row in rows:
        if row.status == CLOSED and row.rule_key and not row.not_genuine:
            counts[row.rule_key] = counts.get(row.rule_key, 0) + 1
    rules = {rule["key"]: rule for rule in rule_choices(school_id)}
    hidden = suppress_group(counts)
    return [{"key": key, "title": rules.get(key, {}).get("title"), "audience": rules.get(key, {}).get("audience"),
             "count": hidden[key]} for key in sorted(counts, key=lambda k: (-counts[k], k))]


def _coverage(school_id: int, year: SchoolYear) -> list:
    now = overview.school_overview(school_id)
    start, end = year.moments()
    in_year = dict(db.session.execute(
        scoped(select(ConductCode.audience, func.count(distinct(Acknowledgement.user_id)))
               .join(ConductCode, ConductCode.id == Acknowledgement.code_id), Acknowledgement, school_id)
        .where(Acknowledgement.acknowledged_at >= start, Acknowledgement.acknowledged_at < end)
        .group_by(ConductCode.audience)).all())
    return [Coverage("student", now.students.total, now.students.acknowledged, in_year.get("student", 0)),
            Coverage("staff", now.staff.total, now.staff.acknowledged, in_year.get("staff", 0))]


def _phones(school_id: int, year: SchoolYear) -> dict:
    """Phone exceptions in effect on some day of the year (ended early or not), per kind."""
    counts = dict(db.session.execute(
        scoped(select(PhoneException.kind, func.count()), PhoneException, school_id)
        .where(PhoneException.starts_on <= year.end, PhoneException.ends_on >= year.start)
        .group_by(PhoneException.kind)).all())
    return suppress_group({kind: counts.get(kind, 0) for kind in PHONE_KINDS})


def _month(row, zone):
    """The first day of the month the report arrived in, in the school's time zone."""
    return row.received_at.astimezone(zone).date().replace(day=1)


def year_figures(school_id: int, year: SchoolYear, settings, hidden=None, now: datetime | None = None) -> YearFigures:
    """Everything the yearly report shows, suppressed where small."""
    now = now or utcnow()
    rows = _reports(school_id, year, hidden)
    zone = timeliness.school_zone()
    per_category = {category: 0 for category in CATEGORIES}
    per_month = {month: 0 for month in year.months()}
    first_reports = {}   # incident (or a report on its own) → its first report of the year
    outcomes = {outcome: 0 for outcome in (*OUTCOMES, "not_genuine")}
    for number, row in enumerate(rows):
        per_category[row.category] = per_category.get(row.category, 0) + 1
        month = _month(row, zone)
        per_month[month] = per_month.get(month, 0) + 1
        incident = ("incident", row.incident_id) if row.incident_id else ("report", number)
        if incident not in first_reports or row.received_at < first_reports[incident].received_at:
            first_reports[incident] = row
        if row.status == CLOSED:
            key = "not_genuine" if row.not_genuine else row.outcome
            if key in outcomes:
                outcomes[key] += 1
    deadlines, median = _deadlines(rows, settings, now)
    incidents_per_category, incidents_per_month = dict.fromkeys(per_category, 0), dict.fromkeys(per_month, 0)
    for row in first_reports.values():
        incidents_per_category[row.category] += 1
        incidents_per_month[_month(row, zone)] += 1
    months, categories = suppress_group(per_month), suppress_group(per_category)
    return YearFigures(
        year=year, made_at=now, reports=shown(len(rows)), incidents=shown(len(first_reports)),
        by_category=categories, by_month=[(m, months[m]) for m in sorted(months)],
        incidents_by_category=suppress_group(incidents_per_category, beside=categories),
        incidents_by_month=suppress_group(incidents_per_month, beside=months),
        deadlines=deadlines, median_response_hours=median, outcomes=suppress_group(outcomes),
        consequences=_consequences(school_id, rows), coverage=_coverage(school_id, year),
        phones=_phones(school_id, year))
