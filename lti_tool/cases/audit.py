"""The case audit log: who viewed, changed or exported what, and when. Never any content."""
from ..cases.models import AuditEvent
from ..extensions import db

# The actions the log knows; the detail of an event is a short code or a field name, never content.
ACTIONS = (
    "report_created", "case_viewed", "status_changed", "assigned", "note_added", "message_sent",
    "step_checked", "step_unchecked", "staff_suspect_set", "case_closed", "case_reopened",
    "marked_not_genuine", "legal_hold_set", "settings_changed", "statistics_exported",
    "audit_exported", "queue_exported", "contents_purged", "data_resealed",
)


def record(school_id: int, actor_user_id: int | None, action: str, report_id: int | None = None,
           detail: str | None = None) -> AuditEvent:
    """Append one event to the school's audit log (flushed with the rest of the request)."""
    event = AuditEvent(school_id=school_id, actor_user_id=actor_user_id, action=action[:40],
                       report_id=report_id, detail=(detail[:200] if detail else None))
    db.session.add(event)
    return event
