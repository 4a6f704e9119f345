"""What the coordinators' side does when a reporter acts: the answers to reports.operations' hooks.

reports sits below cases (every case is a report), so the report's own operations announce their
moments and the app factory connects these. Each only flushes, in the reporter's request: a refusal
(an exclusion that would leave a report with nobody) rolls the whole report back.
"""
from ..reports.models import Report, ReportMessage
from . import audit, exclusions, notifications


def check_new(school_id: int, clean: dict) -> None:
    """Refuse keeping a coordinator away where nobody would be left to handle the report."""
    exclusions.check(school_id, clean.get(exclusions.FIELD))


def created(report: Report, clean: dict, entered_by_id: int | None, source: str) -> None:
    """Keep the chosen coordinator away, log the report and queue the content-free notice."""
    if clean.get(exclusions.FIELD):
        exclusions.exclude(report, clean[exclusions.FIELD])
    # The log names who entered a report by hand, never who reported through the tool.
    audit.record(report.school_id, entered_by_id, "report_created", report.id, detail=source)
    notifications.notify_new_report(report)


def reporter_wrote(report: Report, first_unread: bool) -> None:
    """Log the reporter's message; notify once for the first one the coordinators have not read."""
    audit.record(report.school_id, None, "message_sent", report.id, detail=ReportMessage.REPORTER)
    if first_unread:
        notifications.notify_new_message(report.school_id, report.id, coarse=report.coarse_time)


def reopened(report: Report, spreading: bool) -> None:
    """"It started again": log the message and the reopening (and the spreading), and tell the coordinators."""
    audit.record(report.school_id, None, "message_sent", report.id, detail=ReportMessage.REPORTER)
    audit.record(report.school_id, None, "reopened_by_reporter", report.id)
    if spreading:
        audit.record(report.school_id, None, "spreading_again", report.id)
    notifications.notify_reporter_update(report, urgent=report.urgent)


def spreading_again(report: Report, notify: bool) -> None:
    """"It is spreading again": log it; notify unless a notice went out within the hour."""
    audit.record(report.school_id, None, "spreading_again", report.id)
    if notify:
        notifications.notify_reporter_update(report, urgent=True)
