"""The case audit log: who viewed, changed or exported what, and when. Never any content."""
from .. import coarse_time
from ..db import utcnow
from ..extensions import db
from .models import AuditEvent

# Done by the reporter: the log keeps that it happened, never who (a pseudonymous reporter stays unknown).
REPORTER_ACTIONS = ("report_created", "reporter_message", "reporter_viewed", "reporter_exported")


# Also the reporter's doing, shown in the timeline as events: timed by the part of the day too.
REPORTER_EVENTS = ("reopened_by_reporter", "spreading_again", "coordinator_excluded")

# Every kind of event, in the order the audit log's filter offers them (labels.action_label words them).
AUDIT_ACTIONS = (
    "case_viewed", "report_created", "report_entered", "status_changed", "assigned", "note_added",
    "message_sent", "reporter_message", "step_checked", "step_not_applicable", "step_unchecked",
    "staff_suspect_set", "staff_suspect_cleared", "case_closed", "closed_with_open_steps", "closed_unanswered",
    "marked_not_genuine", "case_reopened", "reopened_by_reporter", "spreading_again", "incident_linked",
    "incident_unlinked", "legal_hold_set", "legal_hold_lifted", "coordinator_excluded", "coordinator_designated",
    "coordinator_removed", "deputy_named", "deputy_removed", "school_admin_granted", "school_admin_revoked",
    "board_access_granted", "board_access_revoked", "code_published", "settings_changed", "school_year_changed",
    "school_year_started", "phone_exception_granted", "phone_exception_changed", "phone_exception_ended",
    "phone_exception_settings", "phone_exceptions_exported", "statistics_exported", "audit_exported",
    "person_anonymised", "access_request_exported", "reporter_exported", "privacy_settings_changed",
    "school_exported", "school_exported_with_contents", "link_purpose_set", "contents_purged", "data_resealed")


def by_reporter(action: str, detail: str | None) -> bool:
    """An event of the reporter's own doing (their report, their message)."""
    return action in REPORTER_ACTIONS or (action == "message_sent" and detail == "reporter")


def timed_by_reporter(action: str, detail: str | None) -> bool:
    """An event whose moment the reporter chose: kept as a part of the day on a pseudonymous report."""
    return by_reporter(action, detail) or action in REPORTER_EVENTS


def record(school_id: int, actor_user_id: int | None, action: str, report_id: int | None = None,
           detail: str | None = None) -> AuditEvent:
    """Append one event to the school's audit log (flushed with the rest of the request).

    actor_user_id is the staff member who acted; for a reporter's own actions it is dropped, and
    on a pseudonymous report their time is kept as its part of the day only (coarse_time.py).
    detail is a short code (a status change, a step, a field name), never any content.
    """
    now = utcnow()
    if action in REPORTER_ACTIONS:
        actor_user_id = None
    if report_id is not None and timed_by_reporter(action, detail) and _coarse(report_id):
        now = coarse_time.part_start(now)
    event = AuditEvent(school_id=school_id, actor_user_id=actor_user_id, action=action[:40],
                       report_id=report_id, detail=(detail[:200] if detail else None), created_at=now)
    db.session.add(event)
    return event


def _coarse(report_id: int) -> bool:
    from ..reports.models import Report
    report = db.session.get(Report, report_id)  # already in the session: the caller just used it
    return report is not None and report.coarse_time


def code_published(version, actor_user_id: int | None) -> None:
    """A code of conduct published (conduct.operations.VERSION_PUBLISHED): whose code, which version, what kind of change."""
    record(version.school_id, actor_user_id, "code_published", None,
           f"{version.audience};{version.number};{version.change}")


def role_changed(school_id: int, actor_user_id: int | None, action: str, name: str) -> None:
    """A role the school granted or took back (courses.operations.ROLE_CHANGED): who, and whose."""
    record(school_id, actor_user_id, action, None, name)
