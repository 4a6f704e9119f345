"""A school's report contents, unsealed for its archive: only when an administrator asks explicitly."""
import json

from sqlalchemy import select

from ..cases import queries as cases
from ..cases.operations import note_body
from ..extensions import db
from ..reports import queries as reports
from ..reports.models import NAMED, Report


def report_contents(school_id: int) -> tuple[str, int]:
    """Each case's details, messages and notes; a reporter's name only where they chose to be named."""
    result = []
    for report in db.session.scalars(select(Report).where(Report.school_id == school_id, Report.purged_at.is_(None))
                                     .order_by(Report.created_at, Report.id)):
        result.append({
            "case_id": report.id, "category": report.category, "reported_on": report.created_at.date().isoformat(),
            "reporter": report.reporter.display_name if report.identity == NAMED and report.reporter else None,
            "details": reports.details(report),
            "messages": [{"from": m.author_role, "on": m.created_at.date().isoformat(), "text": reports.message_body(m)}
                         for m in reports.messages(report)],
            "notes": [{"on": n.created_at.date().isoformat(), "text": note_body(n)} for n in cases.notes(report)],
        })
    return json.dumps(result, ensure_ascii=False, indent=2), len(result)
