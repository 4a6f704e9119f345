"""Deadlines of a case: first response (working time), acknowledging the reporter, feedback.

The first response counts working time only: a weekend at the school (Saturday and Sunday in the
school's time zone) does not count, so "one working day" after Friday 15:00 is Monday 15:00. An
urgent report gets clock minutes: urgency knows no weekend. Acknowledging the reporter within 7
days and feedback within 3 months follow the EU whistleblowing floor; feedback is a message that
reached the reporter, never the closing alone.
"""
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import and_, false, or_

from .. import coarse_time
from ..db import utcnow
from ..reports.models import CLOSED, Report

ACKNOWLEDGE_DAYS = 7
FEEDBACK_MONTHS = 3
FIRST_RESPONSE, ACKNOWLEDGEMENT, FEEDBACK = "first_response", "acknowledgement", "feedback"
DONE, LATE, OPEN, OVERDUE, MISSED = "done", "late", "open", "overdue", "missed"


def school_zone() -> ZoneInfo:
    return ZoneInfo(current_app.config.get("BABEL_DEFAULT_TIMEZONE") or "Europe/Amsterdam")


def _weekend(day) -> bool:
    return day.weekday() >= 5


def _midnight_after(moment: datetime, zone: ZoneInfo) -> datetime:
    """The next local midnight after moment, in UTC."""
    local = moment.astimezone(zone)
    return datetime.combine(local.date() + timedelta(days=1), time(), zone).astimezone(timezone.utc)


def _midnight_of(moment: datetime, zone: ZoneInfo) -> datetime:
    local = moment.astimezone(zone)
    return datetime.combine(local.date(), time(), zone).astimezone(timezone.utc)


def add_working_hours(start: datetime, hours: float, zone: ZoneInfo | None = None) -> datetime:
    """The moment `hours` of weekday time after start (weekends at the school do not count)."""
    zone = zone or school_zone()
    current, remaining = start.astimezone(timezone.utc), timedelta(hours=hours)
    while True:
        day_end = _midnight_after(current, zone)
        if _weekend(current.astimezone(zone).date()):
            current = day_end
            continue
        if remaining <= day_end - current:
            return current + remaining
        remaining -= day_end - current
        current = day_end


def subtract_working_hours(end: datetime, hours: float, zone: ZoneInfo | None = None) -> datetime:
    """The latest start whose `hours` of weekday time have passed by end (the inverse of the above)."""
    zone = zone or school_zone()
    current, remaining = end.astimezone(timezone.utc), timedelta(hours=hours)
    while True:
        day_start = _midnight_of(current, zone)
        if current == day_start:  # at midnight: the day before is the one to count down
            day_start = _midnight_of(current - timedelta(seconds=1), zone)
        if _weekend(day_start.astimezone(zone).date()):
            current = day_start
            continue
        if remaining <= current - day_start:
            return current - remaining
        remaining -= current - day_start
        current = day_start


def add_months(moment: datetime, months: int) -> datetime:
    """The same day `months` later (the month's last day when it is shorter)."""
    month_index = moment.month - 1 + months
    year, month = moment.year + month_index // 12, month_index % 12 + 1
    import calendar
    return moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))


# Deadlines run from the exact moment a report arrived (received_at). A pseudonymous report shows
# its due times as parts of the day, worked out from the part of the day it shows (created_at):
# never later than the real due time, and telling nothing the report's own shown time does not.
# What remains: a deadline's state (open, overdue, done in time or late) changes at an exact moment.
def received(report) -> datetime:
    """When the report really arrived (a report not yet stored may have only created_at)."""
    return getattr(report, "received_at", None) or report.created_at


def _first_response_from(start: datetime, urgent: bool, settings) -> datetime:
    if urgent:
        return start + timedelta(minutes=settings.urgent_response_minutes)
    return add_working_hours(start, settings.first_response_hours)


def first_response_due(report, settings) -> datetime:
    return _first_response_from(received(report), report.urgent, settings)


def _dues(start: datetime, urgent: bool, settings) -> tuple[datetime, datetime, datetime]:
    return (_first_response_from(start, urgent, settings), start + timedelta(days=ACKNOWLEDGE_DAYS),
            add_months(start, FEEDBACK_MONTHS))


@dataclass(frozen=True)
class Deadline:
    kind: str
    due: datetime        # as shown: for a pseudonymous report the start of a part of the day
    done_at: datetime | None
    state: str           # from the exact due time
    coarse: bool = False


def _deadline(kind: str, due: datetime, done_at, closed_at, now: datetime) -> Deadline:
    if done_at is not None:
        return Deadline(kind, due, done_at, DONE if done_at <= due else LATE)
    if closed_at is not None:
        # A closed case waits for nothing any more, but closing is not doing: feedback counts only
        # when a message reached the reporter, so a case closed without one missed it.
        if kind == FEEDBACK:
            return Deadline(kind, due, None, MISSED)
        return Deadline(kind, due, None, DONE if closed_at <= due else LATE)
    return Deadline(kind, due, None, OVERDUE if now > due else OPEN)


def deadlines(report, settings, now: datetime | None = None) -> list[Deadline]:
    """The case's three deadlines and where each stands."""
    now = now or utcnow()
    closed_at = report.closed_at if report.status == CLOSED else None
    result = [
        _deadline(FIRST_RESPONSE, first_response_due(report, settings), report.first_response_at, closed_at, now),
        _deadline(ACKNOWLEDGEMENT, received(report) + timedelta(days=ACKNOWLEDGE_DAYS),
                  report.reporter_acknowledged_at, closed_at, now),
        _deadline(FEEDBACK, add_months(received(report), FEEDBACK_MONTHS), report.feedback_at, closed_at, now),
    ]
    return _shown_coarsely(result, report, settings)


def _shown_coarsely(result: list[Deadline], report, settings) -> list[Deadline]:
    """For a pseudonymous report, each due time as the part of the day worked out from its shown time."""
    if not getattr(report, "coarse_time", False):
        return result
    shown = _dues(report.created_at, report.urgent, settings)
    return [replace(d, due=coarse_time.part_start(due), coarse=True) for d, due in zip(result, shown)]


def is_overdue(report, settings, now: datetime | None = None) -> bool:
    return any(d.state == OVERDUE for d in deadlines(report, settings, now))


def overdue_conditions(settings, now: datetime | None = None) -> dict:
    """SQL conditions per deadline for open cases that passed it (the queue filter, the dashboard)."""
    now = now or utcnow()
    open_case = Report.status != CLOSED
    received_at = Report.received_at
    first = and_(open_case, Report.first_response_at.is_(None), or_(
        and_(Report.urgent.is_(True),
             received_at <= now - timedelta(minutes=settings.urgent_response_minutes)),
        and_(Report.urgent.is_(False),
             received_at <= subtract_working_hours(now, settings.first_response_hours))))
    acknowledgement = and_(open_case, Report.reporter_acknowledged_at.is_(None),
                           received_at <= now - timedelta(days=ACKNOWLEDGE_DAYS))
    feedback = and_(open_case, Report.feedback_at.is_(None),
                    received_at <= add_months(now, -FEEDBACK_MONTHS))
    return {FIRST_RESPONSE: first, ACKNOWLEDGEMENT: acknowledgement, FEEDBACK: feedback}


def any_overdue(settings, now: datetime | None = None):
    conditions = overdue_conditions(settings, now)
    return or_(false(), *conditions.values())
