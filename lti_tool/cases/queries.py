"""Reading cases, always within one school: the queue, one case, its notes, checklist and timeline.

The queue is read in pages along the composite index ix_reports_queue (school, status, urgent,
created_at): one ordered, limited index range per (status, urgency) pair, merged, so a page costs
the same with a hundred cases as with a hundred thousand. Pages go on from a cursor (keyset), not
an offset.
"""
import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import g
from flask_babel import gettext as _
from sqlalchemy import case as when, exists, func, select, tuple_, union_all
from sqlalchemy.orm import defer, joinedload

from ..courses.models import SchoolMember, User
from ..db import utcnow
from ..errors import NotFound
from ..extensions import db
from ..reports.models import ACKNOWLEDGED, CLOSED, IN_PROGRESS, NEW, Report, ReportMessage
from ..security import scoped
from . import exclusions, timeliness
from .audit import by_reporter as _by_reporter, timed_by_reporter
from .models import AuditEvent, CaseNote, CaseSettings, ChecklistEntry

PAGE_SIZE = 25
OPEN_STATUSES = (NEW, ACKNOWLEDGED, IN_PROGRESS)
_REFERENCE = re.compile(r"[^A-Z0-9]")


def settings_for(school_id: int) -> CaseSettings:
    """The school's settings, or the defaults (not stored) when it never changed them."""
    found = db.session.get(CaseSettings, school_id)
    if found is not None:
        return found
    return CaseSettings(school_id=school_id, first_response_hours=24, urgent_response_minutes=60,
                        retention_months=12, reporter_reopen_days=30)


def coordinators(school_id: int) -> list[SchoolMember]:
    """The school's designated coordinators, by name."""
    return list(db.session.scalars(
        scoped(select(SchoolMember), SchoolMember, school_id).join(User)
        .where(SchoolMember.is_coordinator.is_(True))
        .options(joinedload(SchoolMember.user)).order_by(User.name, User.id)))


def is_coordinator_of(school_id: int, user_id: int) -> bool:
    return db.session.scalar(
        scoped(select(func.count()).select_from(SchoolMember), SchoolMember, school_id)
        .where(SchoolMember.user_id == user_id, SchoolMember.is_coordinator.is_(True))) > 0


def case(school_id: int, report_id: int, viewer_id: int | None = None) -> Report:
    """One case of this school; another school's case is as unknown as a made-up id.

    Within a launch the case must also be one its user may handle (see exclusions.py): a report
    that keeps a coordinator away is as unknown to them as a made-up id.
    """
    launch = g.get("launch")
    viewer_id = viewer_id if viewer_id is not None else (launch.user_id if launch is not None else None)
    query = scoped(select(Report), Report, school_id).where(Report.id == report_id)
    if viewer_id is not None:
        query = query.where(exclusions.visible_condition(school_id, viewer_id))
    found = db.session.scalars(query.options(joinedload(Report.assignee), joinedload(Report.reporter))).first()
    if found is None:
        raise NotFound(_("There is no such case at this school."))
    return found


def reference_candidates(text: str) -> list[str]:
    """What a typed reference may stand for: "vo-7k3m-q9px", "7K3M Q9PX", "7k3mq9px" all find VO-7K3M-Q9PX."""
    plain = _REFERENCE.sub("", (text or "").upper())
    if plain.startswith("VO"):
        plain = plain[2:]
    if not plain:
        return []
    dashed = "-".join(plain[i:i + 4] for i in range(0, len(plain), 4))
    return sorted({f"VO-{dashed}", f"VO-{plain}", (text or "").strip().upper()[:20]})


@dataclass(frozen=True)
class Cursor:
    """Where a page of the queue ends: the last row's urgency, creation time and id."""

    urgent: bool
    created_at: datetime
    id: int

    def encode(self) -> str:
        return f"{int(self.urgent)}_{int(self.created_at.timestamp() * 1_000_000)}_{self.id}"


@dataclass
class QueuePage:
    cases: list
    next: Cursor | None


def _filters(school_id: int, filters: dict, viewer_id: int, settings, now: datetime) -> list:
    # Only the cases this viewer may handle: never one that keeps them away.
    conditions = [exclusions.visible_condition(school_id, viewer_id)]
    if filters.get("category"):
        conditions.append(Report.category == filters["category"])
    assignee = filters.get("assignee")
    if assignee == "me":
        conditions.append(Report.assignee_id == viewer_id)
    elif assignee == "none":
        conditions.append(Report.assignee_id.is_(None))
    elif isinstance(assignee, int):
        conditions.append(Report.assignee_id == assignee)
    age = filters.get("age")
    if age in ("day", "week", "month"):
        conditions.append(Report.created_at >= now - timedelta(days={"day": 1, "week": 7, "month": 30}[age]))
    elif age == "older":
        conditions.append(Report.created_at < now - timedelta(days=30))
    if filters.get("overdue"):
        conditions.append(timeliness.any_overdue(settings, now))
    return conditions


def statuses_of(status_filter: str | None) -> tuple[str, ...]:
    if status_filter in (None, "", "open"):
        return OPEN_STATUSES
    if status_filter == "all":
        return OPEN_STATUSES + (CLOSED,)
    return (status_filter,)


def queue(school_id: int, filters: dict, viewer_id: int, settings, *, limit: int = PAGE_SIZE,
          now: datetime | None = None) -> QueuePage:
    """A page of the school's queue: urgent first, then oldest first; filtered; from a cursor."""
    now = now or utcnow()
    conditions = _filters(school_id, filters, viewer_id, settings, now)
    statuses = statuses_of(filters.get("status"))
    if filters.get("q"):
        # A reference names at most one case: no ranges needed.
        query = (scoped(select(Report.id, Report.urgent, Report.created_at), Report, school_id)
                 .where(Report.reference.in_(reference_candidates(filters["q"])),
                        Report.status.in_(statuses), *conditions))
        ranked = [row for row in db.session.execute(query)]
    else:
        ranked = _ranked(school_id, statuses, conditions, filters.get("after"), limit)
    more = len(ranked) > limit
    ranked = ranked[:limit]
    ids = [row.id for row in ranked]
    by_id = {}
    if ids:
        by_id = {report.id: report for report in db.session.scalars(
            scoped(select(Report), Report, school_id).where(Report.id.in_(ids))
            .options(defer(Report.details), defer(Report.reporter_link), joinedload(Report.assignee)))}
    last = ranked[-1] if ranked else None
    return QueuePage([by_id[i] for i in ids if i in by_id],
                     Cursor(bool(last.urgent), last.created_at, last.id) if more and last else None)


def _ranked(school_id: int, statuses, conditions: list, after: Cursor | None, limit: int) -> list:
    """The next limit+1 (id, urgent, created_at) in queue order: one index range per (status, urgency)."""
    parts = []
    for status in statuses:
        for urgent in (True, False):
            if after is not None and urgent and not after.urgent:
                continue  # every urgent case came before the cursor
            part = (select(Report.id, Report.urgent, Report.created_at)
                    .where(Report.school_id == school_id, Report.status == status,
                           Report.urgent.is_(urgent), *conditions))
            if after is not None and urgent == after.urgent:
                part = part.where(Report.created_at >= after.created_at,
                                  tuple_(Report.created_at, Report.id) > tuple_(after.created_at, after.id))
            parts.append(part.order_by(Report.created_at, Report.id).limit(limit + 1).subquery())
    if not parts:
        return []
    merged = union_all(*(select(part) for part in parts)).subquery()
    return list(db.session.execute(
        select(merged).order_by(merged.c.urgent.desc(), merged.c.created_at, merged.c.id).limit(limit + 1)))


@dataclass(frozen=True)
class AtAGlance:
    """What waits for a coordinator, for their start page: counts of the cases they may handle."""

    new: int
    urgent: int
    overdue: int
    unanswered: int   # open cases with a reporter's message nobody opened yet


def at_a_glance(school_id: int, viewer_id: int, settings, now: datetime | None = None) -> AtAGlance:
    """New, urgent, overdue and unanswered open cases in one query, as the queue would count them."""
    now = now or utcnow()
    unread = exists(select(ReportMessage.id).where(
        ReportMessage.report_id == Report.id, ReportMessage.author_role == ReportMessage.REPORTER,
        ReportMessage.read_by_school_at.is_(None)))

    def count(condition):
        return func.coalesce(func.sum(when((condition, 1), else_=0)), 0)

    row = db.session.execute(
        scoped(select(count(Report.status == NEW), count(Report.urgent.is_(True)),
                      count(timeliness.any_overdue(settings, now)), count(unread)), Report, school_id)
        .where(Report.status.in_(OPEN_STATUSES), exclusions.visible_condition(school_id, viewer_id))).one()
    return AtAGlance(*(int(n) for n in row))


def unread_from_reporters(school_id: int, report_ids: list[int]) -> dict[int, int]:
    """Per case: messages from the reporter that no coordinator has opened yet."""
    if not report_ids:
        return {}
    rows = db.session.execute(
        scoped(select(ReportMessage.report_id, func.count()), ReportMessage, school_id)
        .where(ReportMessage.report_id.in_(report_ids), ReportMessage.author_role == ReportMessage.REPORTER,
               ReportMessage.read_by_school_at.is_(None))
        .group_by(ReportMessage.report_id))
    return dict(rows.all())


def notes(report: Report) -> list[CaseNote]:
    return list(db.session.scalars(scoped(select(CaseNote), CaseNote, report.school_id)
                                   .where(CaseNote.report_id == report.id)
                                   .order_by(CaseNote.created_at, CaseNote.id)))


def checklist(report: Report) -> dict[str, ChecklistEntry]:
    """The case's checked-off steps by step key."""
    return {entry.step: entry for entry in db.session.scalars(
        scoped(select(ChecklistEntry), ChecklistEntry, report.school_id)
        .where(ChecklistEntry.report_id == report.id))}


def users_by_id(ids) -> dict[int, User]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {user.id: user for user in db.session.scalars(select(User).where(User.id.in_(ids)))}


@dataclass(frozen=True)
class TimelineItem:
    at: datetime
    action: str
    actor: str | None
    detail: str | None
    coarse: bool = False  # `at` is a part of the day (the pseudonymous reporter's doing)


def timeline(report: Report, reporter_label: str) -> list[TimelineItem]:
    """What happened to the case, oldest first: changes from the audit log (not the views), and messages."""
    events = list(db.session.scalars(
        scoped(select(AuditEvent), AuditEvent, report.school_id)
        .where(AuditEvent.report_id == report.id,
               AuditEvent.action.not_in(("case_viewed", "report_created")))
        .order_by(AuditEvent.created_at, AuditEvent.id)))
    people = users_by_id(e.actor_user_id for e in events)
    # A report entered by a coordinator starts with the audit log's "report_entered", naming them.
    coarse = report.coarse_time
    items = [] if report.source != "tool" else [
        TimelineItem(report.created_at, "report_created", reporter_label, None, coarse)]
    for event in events:
        if _by_reporter(event.action, event.detail):
            continue  # the reporter's messages come from the thread itself, below
        actor = people.get(event.actor_user_id)
        name = reporter_label if event.actor_user_id == report.reporter_user_id and actor else (
            actor.display_name if actor else None)
        items.append(TimelineItem(event.created_at, event.action, name, event.detail,
                                  coarse and timed_by_reporter(event.action, event.detail)))
    for message in db.session.scalars(
            scoped(select(ReportMessage), ReportMessage, report.school_id)
            .where(ReportMessage.report_id == report.id, ReportMessage.author_role == ReportMessage.REPORTER)):
        items.append(TimelineItem(message.created_at, "reporter_message", reporter_label, None, coarse))
    return sorted(items, key=lambda item: item.at)
