"""Words for categories, statuses, sources, outcomes and audit actions, shared by pages, CSV and e-mail.

A queue page names the same few categories and statuses dozens of times; each table of words is
looked up once per request (and language) and kept on flask.g, not translated again per row.
"""
from flask import g, has_request_context
from flask_babel import gettext as _


def _table(name: str, build) -> dict:
    """The table of words `name`, built once per request (a request speaks one language)."""
    if not has_request_context():
        return build()
    cache = g.setdefault("_case_words", {})
    if name not in cache:
        cache[name] = build()
    return cache[name]


def category_label(category: str) -> str:
    return _table("category_label", lambda: {
        "sexual_images": _("Sexual or nude images spread"),
        "fight_video": _("Fight or humiliation video"),
        "unwanted_images": _("Other unwanted images or filming"),
        "cyberbullying": _("Cyberbullying or harassment"),
        "threats": _("Threats"),
        "impersonation": _("Impersonation or hacked account"),
        "private_data": _("Private data shared"),
        "other": _("Other"),
    }).get(category, category)


def status_label(status: str) -> str:
    return _table("status_label", lambda: {
        "new": _("New"), "acknowledged": _("Acknowledged"), "in_progress": _("In progress"), "closed": _("Closed"),
    }).get(status, status)


def source_label(source: str) -> str:
    return _table("source_label", lambda: {
        "tool": _("Through the tool"), "phone": _("By phone"), "in_person": _("In person"),
        "email": _("By e-mail"), "other": _("Another way"),
    }).get(source, source)


def outcome_label(outcome: str | None) -> str:
    return _table("outcome_label", lambda: {
        "resolved": _("Resolved"),
        "sanctioned": _("Resolved with sanctions"),
        "referred": _("Referred (police, Veilig Thuis, board)"),
        "no_action": _("No further action needed"),
        "withdrawn": _("Withdrawn by the reporter"),
        "not_genuine": _("Not genuine"),
    }).get(outcome or "", outcome or "–")


def action_label(action: str) -> str:
    return _table("action_label", lambda: {
        "report_created": _("Report received"),
        "code_published": _("Code of conduct published"),
        "report_entered": _("Report entered by a coordinator"),
        "case_viewed": _("Case viewed"),
        "status_changed": _("Status changed"),
        "assigned": _("Assignment changed"),
        "incident_linked": _("Linked into an incident"),
        "incident_unlinked": _("Unlinked from an incident"),
        "deputy_named": _("Deputy named"),
        "deputy_removed": _("Deputy removed"),
        "coordinator_designated": _("Coordinator designated"),
        "coordinator_removed": _("Coordinator role taken back"),
        "school_admin_granted": _("Made school admin"),
        "school_admin_revoked": _("School admin role taken back"),
        "board_access_granted": _("Board given access to the figures"),
        "board_access_revoked": _("Board's access to the figures taken back"),
        "note_added": _("Internal note added"),
        "message_sent": _("Message sent to the reporter"),
        "reporter_message": _("Message from the reporter"),
        "step_checked": _("Protocol step checked off"),
        "step_unchecked": _("Protocol step reopened"),
        "staff_suspect_set": _("Staff suspect marked"),
        "staff_suspect_cleared": _("Staff suspect cleared"),
        "case_closed": _("Case closed"),
        "case_reopened": _("Case reopened"),
        "closed_unanswered": _("Closed while the reporter's last message had no answer"),
        "reopened_by_reporter": _("Reopened by the reporter: it started again"),
        "spreading_again": _("The reporter says it is spreading again"),
        "marked_not_genuine": _("Marked not genuine and closed"),
        "legal_hold_set": _("Legal hold set"),
        "legal_hold_lifted": _("Legal hold lifted"),
        "settings_changed": _("Settings changed"),
        "school_year_changed": _("School year settings changed"),
        "school_year_started": _("New school year: everyone acknowledges again"),
        "statistics_exported": _("Statistics exported"),
        "contents_purged": _("Contents purged after the retention period"),
        "data_resealed": _("Contents re-encrypted under a new key"),
        "school_exported": _("The school's data exported (without report contents)"),
        "school_exported_with_contents": _("The school's data exported with report contents"),
        "link_purpose_set": _("Set what a course link opens"),
        "phone_exception_granted": _("Phone exception granted"),
        "phone_exception_changed": _("Phone exception changed"),
        "phone_exception_ended": _("Phone exception ended"),
        "phone_exception_settings": _("Who grants phone exceptions changed"),
        "phone_exceptions_exported": _("Phone exceptions exported"),
        "person_anonymised": _("A person's data erased (left the school, or on request)"),
        "access_request_exported": _("Data of a person downloaded for an access request"),
        "reporter_exported": _("The reporter downloaded their report"),
        "privacy_settings_changed": _("Privacy terms changed"),
    }).get(action, action)


def deadline_label(kind: str) -> str:
    return _table("deadline_label", lambda: {
        "first_response": _("First response"),
        "acknowledgement": _("Acknowledgement to the reporter"),
        "feedback": _("Feedback to the reporter"),
    }).get(kind, kind)


def setting_label(name: str) -> str:
    return {"first_response_hours": _("First response to a report, in working hours"),
            "urgent_response_minutes": _("First response to an urgent report, in minutes"),
            "retention_months": _("Keep the contents of a closed case, in months"),
            "reporter_reopen_days": _("Days after closing in which a reporter may reopen their case once")}.get(name, name)
