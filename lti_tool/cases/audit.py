"""The case audit log: who viewed, changed or exported what, and when. Never any content."""
from ..extensions import db
from .models import AuditEvent

# Done by the reporter: the log keeps that it happened, never who (a pseudonymous reporter stays unknown).
REPORTER_ACTIONS = ("report_created", "reporter_message", "reporter_viewed")


def record(school_id: int, actor_user_id: int | None, action: str, report_id: int | None = None,
           detail: str | None = None) -> AuditEvent:
    """Append one event to the school's audit log (flushed with the rest of the request).

    actor_user_id is the staff member who acted; for a reporter's own actions it is dropped.
    detail is a short code (a status change, a step, a field name), never any content.
    """
    if action in REPORTER_ACTIONS:
        actor_user_id = None
    event = AuditEvent(school_id=school_id, actor_user_id=actor_user_id, action=action[:40],
                       report_id=report_id, detail=(detail[:200] if detail else None))
    db.session.add(event)
    return event
