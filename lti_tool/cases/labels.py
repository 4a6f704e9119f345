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
        "step_not_applicable": _("Protocol step marked not applicable"),
        "step_unchecked": _("Protocol step reopened"),
        "closed_with_open_steps": _("Closed with protocol steps still open"),
        "coordinator_excluded": _("The reporter kept a coordinator away from the report"),
        "code_published": _("Code of conduct published"),
        "audit_exported": _("Audit log exported"),
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


def _steps(detail: str) -> str:
    from .protocol import step_title
    return ", ".join(step_title(step) for step in detail.split(",") if step)


def _settings(detail: str) -> str:
    return ", ".join(setting_label(name.strip()) for name in detail.split(","))


def _published(detail: str) -> str:
    """"student;3;major" as "code for students, version 3, a change everyone acknowledges again"."""
    audience, _sep, rest = detail.partition(";")
    number, _sep, change = rest.partition(";")
    whose = {"student": _("for students"), "staff": _("for staff")}.get(audience, "")
    kind = {"major": _("everyone acknowledges again"), "minor": _("a small change")}.get(change)
    parts = [whose, _("version %(number)s", number=number) if number else "", kind or ""]
    return ", ".join(part for part in parts if part)


def event_detail(action: str, detail: str | None, rules: list | None = None) -> str:
    """An event's detail in the reader's words: a status, step, reason or rule, never an internal key."""
    from .closing import reason_label
    if not detail:
        return ""
    if action == "status_changed" and "→" in detail:
        before, after = detail.split("→", 1)
        return f"{status_label(before)} → {status_label(after)}"
    if action in ("step_checked", "step_unchecked", "step_not_applicable", "closed_with_open_steps"):
        return _steps(detail)
    if action in ("report_entered", "report_created"):
        return source_label(detail)
    if action == "closed_unanswered":
        return reason_label(detail)
    if action == "message_sent":
        return _("closing message") if detail == "closing" else ""
    if action == "case_closed":
        outcome, _sep, rule = detail.partition("; ")
        key, _sep, step = rule.rpartition(" step ")
        shown = rule_text(rules or [], key, int(step) - 1) if key and step.isdigit() else ""
        return outcome_label(outcome) + (f"; {shown}" if shown else "")
    if action == "settings_changed":
        return _settings(detail)
    if action in ("incident_linked", "incident_unlinked"):
        return _("Incident %(n)s", n=detail)
    if action == "code_published":
        return _published(detail)
    if action.startswith("phone_exception"):
        return _phone_exception(detail)
    if action == "school_year_started":
        return _day(detail)
    if action in ("statistics_exported", "audit_exported", "data_resealed", "contents_purged", "school_year_changed",
                  "phone_exceptions_exported", "person_anonymised", "privacy_settings_changed"):
        return ""  # nothing a reader needs beyond the kind of event (its detail is a code)
    return detail  # a person's name (assigned, deputy, coordinator designated or kept away)


def _phone_exception(detail: str) -> str:
    """"#12 medical" as "#12, Medical": the exception's number and its kind, never a field name."""
    number, _sep, rest = detail.partition(" ")
    if not number.startswith("#"):
        return ""
    kind = {"medical": _("Medical"), "lesson": _("For lessons or as a teaching aid"),
            "other": _("Other personal need")}.get(rest)  # the words of exceptions/labels.py
    return f"{number}, {kind}" if kind else number


def _day(detail: str) -> str:
    from datetime import date
    from flask_babel import format_date
    try:
        return format_date(date.fromisoformat(detail), "d MMMM y")
    except ValueError:
        return ""


def rule_text(rules: list, key: str, step: int | None) -> str:
    """"Rule title, step n: consequence" in the reader's language; a rule no longer in the code by
    its position only, never by its internal key."""
    from flask_babel import get_locale
    from ..conduct.rendering import pick
    locale = str(get_locale())
    rule = next((r for r in rules if r["key"] == key), None)
    if rule is None:
        return _("a rule no longer in the code, step %(n)s", n=(step or 0) + 1)
    ladder = rule["ladder"]
    consequence = pick(ladder[step], locale) if step is not None and step < len(ladder) else ""
    return _("%(rule)s, step %(n)s: %(consequence)s", rule=pick(rule["title"], locale), n=(step or 0) + 1,
             consequence=consequence)


def deadline_label(kind: str) -> str:
    return _table("deadline_label", lambda: {
        "first_response": _("First response"),
        "acknowledgement": _("Acknowledgement to the reporter"),
        "feedback": _("Feedback to the reporter"),
    }).get(kind, kind)


def setting_label(name: str) -> str:
    return {"first_response_hours": _("First response to a report, in hours on weekdays"),
            "urgent_response_minutes": _("First response to an urgent report, in minutes"),
            "retention_months": _("Keep the contents of a closed case, in months"),
            "reporter_reopen_days": _("Days after closing in which a reporter may reopen their case once")}.get(name, name)
