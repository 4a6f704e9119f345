"""Retention: a set time after closing, a case's contents go; an anonymous summary stays.

Each school chooses how many months (CaseSettings.retention_months, 12 unless set). A purge
removes the details, the messages, the notes, the checklist, the reporter's link, lookup and
pseudonym and the assignee, and keeps the category, the dates, the outcome, the rule and the step
of its ladder for the statistics. A case on legal hold is skipped until the hold is lifted. Runs
as the nightly task purge_retention (cases/tasks.py), and from `lti-tool cases purge`.
"""
import logging
from dataclasses import dataclass, field

from sqlalchemy import delete, select, update

from ..db import utcnow
from ..extensions import db
from ..reports.models import CLOSED, Report, ReportMessage
from . import audit
from .models import CaseNote, CaseSettings, ChecklistEntry
from .timeliness import add_months

log = logging.getLogger(__name__)
DEFAULT_MONTHS = 12


@dataclass
class PurgeResult:
    purged: int = 0
    schools: dict = field(default_factory=dict)


def _due(now) -> dict[int, list[int]]:
    """Per school, the closed cases past its retention period, not on hold, not purged yet."""
    rows = db.session.execute(
        select(Report.id, Report.school_id, Report.closed_at, CaseSettings.retention_months)
        .outerjoin(CaseSettings, CaseSettings.school_id == Report.school_id)
        .where(Report.status == CLOSED, Report.purged_at.is_(None), Report.legal_hold.is_(False),
               Report.closed_at.is_not(None))).all()
    due: dict[int, list[int]] = {}
    cutoffs: dict[int, object] = {}
    for report_id, school_id, closed_at, months in rows:
        if school_id not in cutoffs:
            cutoffs[school_id] = add_months(now, -(months or DEFAULT_MONTHS))
        if closed_at <= cutoffs[school_id]:
            due.setdefault(school_id, []).append(report_id)
    return due


def purge_due(*, dry_run: bool = False, batch_size: int = 200, now=None) -> PurgeResult:
    """Purge every case whose retention ended; commits per batch (a background job, not a request)."""
    now = now or utcnow()
    result = PurgeResult()
    for school_id, ids in _due(now).items():
        result.schools[school_id] = len(ids)
        result.purged += len(ids)
        if dry_run:
            continue
        for start in range(0, len(ids), batch_size):
            purge(ids[start:start + batch_size], now)
            db.session.commit()
    if result.purged and not dry_run:
        log.info("retention: purged the contents of %s case(s)", result.purged)
    return result


def purge(ids: list[int], now) -> None:
    """Remove the contents of these cases (rechecking hold and state in the same statement)."""
    kept = list(db.session.scalars(
        update(Report).where(Report.id.in_(ids), Report.purged_at.is_(None), Report.legal_hold.is_(False),
                             Report.status == CLOSED)
        .values(details=None, reporter_link=None, reporter_lookup=None, reporter_user_id=None,
                assignee_id=None, pseudonym="", purged_at=now,
                received_at=Report.created_at)  # no deadline waits: the exact moment goes too
        .returning(Report.id).execution_options(synchronize_session=False)))
    if not kept:
        return
    for model in (ReportMessage, CaseNote, ChecklistEntry):
        db.session.execute(delete(model).where(model.report_id.in_(kept))
                           .execution_options(synchronize_session=False))
    schools = dict(db.session.execute(select(Report.id, Report.school_id).where(Report.id.in_(kept))).all())
    for report_id in kept:
        audit.record(schools[report_id], None, "contents_purged", report_id)
    db.session.flush()
