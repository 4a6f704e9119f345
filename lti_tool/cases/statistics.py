"""A school's figures, anonymised: reports per category per month, time to first response,
what is overdue now, and which consequences were applied per rule. Counts only, never a case.
"""
import statistics as stats
from dataclasses import dataclass, field
from datetime import datetime, time

from sqlalchemy import func, select

from .. import spreadsheet
from ..db import utcnow
from ..extensions import db
from ..reports.models import CATEGORIES, CLOSED, Report
from ..security import scoped
from . import timeliness

MONTHS = 12


@dataclass
class Month:
    key: str                      # "2026-03"
    start: datetime
    counts: dict = field(default_factory=dict)      # category → reports
    response_hours: list = field(default_factory=list)
    within_target: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def median_hours(self) -> float | None:
        return round(stats.median(self.response_hours), 1) if self.response_hours else None


@dataclass
class Figures:
    months: list
    by_category: dict
    open_by_status: dict
    overdue: dict
    closed: int
    not_genuine: int
    overdue_cases: int = 0
    linked: tuple = (0, 0)      # (incidents, reports linked into them) among the reports counted

    @property
    def total(self) -> int:
        return sum(self.by_category.values())

    @property
    def incidents(self) -> int:
        """Reports counted as incidents: the reports linked into one incident count once."""
        incidents, linked_reports = self.linked
        return self.total - linked_reports + incidents


def _month_starts(now: datetime, count: int) -> list[datetime]:
    zone = timeliness.school_zone()
    local = now.astimezone(zone)
    year, month = local.year, local.month
    starts = []
    for _ in range(count):
        starts.append(datetime.combine(local.date().replace(year=year, month=month, day=1), time(), zone))
        year, month = (year - 1, 12) if month == 1 else (year, month - 1)
    return list(reversed(starts))


def figures(school_id: int, settings, now: datetime | None = None, hidden=None) -> Figures:
    """The school's figures of the last twelve months, and what stands open and overdue now.

    hidden: reports to leave out (those that keep the viewer away, so no count reveals them).
    """
    now = now or utcnow()
    seen = [] if hidden is None else [~hidden]
    zone = timeliness.school_zone()
    starts = _month_starts(now, MONTHS)
    months = {s.strftime("%Y-%m"): Month(s.strftime("%Y-%m"), s, {c: 0 for c in CATEGORIES}) for s in starts}
    rows = db.session.execute(
        scoped(select(Report.category, Report.created_at, Report.first_response_at, Report.urgent,
                      Report.received_at), Report, school_id).where(*seen).where(Report.created_at >= starts[0]))
    by_category = {c: 0 for c in CATEGORIES}
    for category, created_at, first_response_at, urgent, received_at in rows:
        month = months.get(created_at.astimezone(zone).strftime("%Y-%m"))
        if month is None:
            continue
        month.counts[category] = month.counts.get(category, 0) + 1
        by_category[category] = by_category.get(category, 0) + 1
        if first_response_at is not None:
            # Hours from the shown time (a pseudonymous report's part of the day): a month of one
            # report would otherwise give its exact time away. In time or not is from the exact one.
            month.response_hours.append((first_response_at - created_at).total_seconds() / 3600)
            due = timeliness.first_response_due(_Case(received_at, urgent), settings)
            month.within_target += first_response_at <= due
    open_by_status = dict(db.session.execute(
        scoped(select(Report.status, func.count()), Report, school_id).where(*seen)
        .where(Report.status != CLOSED).group_by(Report.status)).all())
    overdue = {}
    for kind, condition in timeliness.overdue_conditions(settings, now).items():
        overdue[kind] = db.session.scalar(
            scoped(select(func.count()).select_from(Report), Report, school_id).where(*seen).where(condition))
    overdue_cases = db.session.scalar(scoped(select(func.count()).select_from(Report), Report, school_id).where(*seen)
                                      .where(timeliness.any_overdue(settings, now)))
    closed_rows = dict(db.session.execute(
        scoped(select(Report.not_genuine, func.count()), Report, school_id).where(*seen)
        .where(Report.status == CLOSED, Report.created_at >= starts[0]).group_by(Report.not_genuine)).all())
    from . import incidents
    return Figures(list(months.values()), by_category, open_by_status, overdue,
                   sum(closed_rows.values()), closed_rows.get(True, 0), overdue_cases,
                   incidents.counts(school_id, starts[0], hidden))


@dataclass(frozen=True)
class _Case:
    created_at: datetime
    urgent: bool


def consistency(school_id: int, rules: list[dict]) -> list[dict]:
    """Per rule, how often each step of its ladder was applied in closed cases: no names, no cases."""
    rows = db.session.execute(
        scoped(select(Report.rule_key, Report.ladder_step, func.count()), Report, school_id)
        .where(Report.status == CLOSED, Report.rule_key.is_not(None), Report.not_genuine.is_(False))
        .group_by(Report.rule_key, Report.ladder_step)).all()
    applied: dict[str, dict[int, int]] = {}
    for key, step, count in rows:
        applied.setdefault(key, {})[step] = count
    result = []
    for rule in rules:
        counts = applied.pop(rule["key"], {})
        steps = [{"index": n, "text": text, "count": counts.get(n, 0)} for n, text in enumerate(rule["ladder"])]
        steps += [{"index": n, "text": None, "count": c} for n, c in sorted(counts.items()) if n >= len(rule["ladder"])]
        result.append({"key": rule["key"], "title": rule["title"], "audience": rule["audience"],
                       "steps": steps, "total": sum(counts.values())})
    for key, counts in sorted(applied.items()):  # rules no longer in the published code
        result.append({"key": key, "title": None, "audience": None, "total": sum(counts.values()),
                       "steps": [{"index": n, "text": None, "count": c} for n, c in sorted(counts.items())]})
    return result


def to_csv(result: Figures, category_label) -> str:
    """The figures as CSV: one row per month and category, then the current counts."""
    rows = [["month", "category", "reports"]]
    for month in result.months:
        rows += [[month.key, category, month.counts.get(category, 0)] for category in CATEGORIES]
    rows += [[], ["month", "responded", "median_hours_to_first_response", "within_target"]]
    for month in result.months:
        rows.append([month.key, len(month.response_hours),
                     "" if month.median_hours is None else month.median_hours, month.within_target])
    rows += [[], ["measure", "count"]]
    rows += [[f"open_{status}", count] for status, count in sorted(result.open_by_status.items())]
    rows += [[f"overdue_{kind}", count] for kind, count in result.overdue.items()]
    rows += [["overdue_cases", result.overdue_cases], ["closed_last_12_months", result.closed],
             ["reports_last_12_months", result.total], ["incidents_last_12_months", result.incidents],
             ["not_genuine_last_12_months", result.not_genuine]]
    return spreadsheet.write(rows)
