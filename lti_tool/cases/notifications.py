"""Telling coordinators that there is something to look at: an e-mail without any report content.

Messages are written to the durable outbox (MailMessage) in the same transaction as the report,
so a report never exists without its notification and a rolled-back submit sends nothing; the
sender in mail.py delivers them.
"""
from flask import current_app, has_request_context, url_for
from flask_babel import force_locale, gettext as _
from sqlalchemy import select

from ..courses.models import SchoolMember, User
from ..extensions import db
from ..platforms.models import School
from .models import MailMessage


def coordinator_addresses(school_id: int) -> list[str]:
    """The e-mail addresses of the school's coordinators (those the LMS gave one)."""
    rows = db.session.scalars(
        select(User.email).join(SchoolMember, SchoolMember.user_id == User.id)
        .where(SchoolMember.school_id == school_id, SchoolMember.is_coordinator.is_(True),
               User.email.is_not(None), User.email != "")
        .order_by(User.id)
    )
    return sorted(set(rows))


def tool_link() -> str:
    """Where a coordinator opens the tool; never an address with a launch token."""
    configured = current_app.config.get("TOOL_URL")
    if configured:
        return configured
    if has_request_context():
        return url_for("home.index", _external=True, _public=True)
    return ""


def notify_new_report(report) -> list[MailMessage]:
    """Queue a content-free e-mail to every coordinator of the report's school."""
    school = db.session.get(School, report.school_id)
    link = tool_link()
    queued = []
    # Coordinators read Dutch and English alike; the school's default language is Dutch.
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
        if report.urgent:
            subject = _("Veilig Online: a new urgent report for %(school)s", school=school.name)
            opening = _("There is a new urgent report waiting for you in Veilig Online.")
        else:
            subject = _("Veilig Online: a new report for %(school)s", school=school.name)
            opening = _("There is a new report waiting for you in Veilig Online.")
        body = "\n\n".join(filter(None, [
            opening,
            _("Open the tool from your LMS to read it; for privacy this message holds none of its content."),
            link,
        ])) + "\n"
    for address in coordinator_addresses(report.school_id):
        message = MailMessage(school_id=report.school_id, to_address=address,
                              subject=subject[:300], body=body)
        db.session.add(message)
        queued.append(message)
    if queued:
        db.session.flush()
        from . import mail  # the sender wakes up after the commit
        mail.wake_after_commit([message.id for message in queued])
    return queued


def notify_new_message(school_id: int) -> list[MailMessage]:
    """Queue a content-free e-mail to the school's coordinators: a reporter wrote in a case.

    The caller sends it only for the first message the coordinators have not read yet, so a
    reporter writing often adds no mail until a coordinator opens the case.
    """
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
        subject = _("Veilig Online: a new message from a reporter")
        body = "\n\n".join(filter(None, [
            _("A reporter has written a new message in one of your cases in Veilig Online."),
            _("Open the tool from your LMS to read it; for privacy this message holds none of its content."),
            tool_link(),
        ])) + "\n"
    queued = [MailMessage(school_id=school_id, to_address=address, subject=subject[:300], body=body)
              for address in coordinator_addresses(school_id)]
    if queued:
        db.session.add_all(queued)
        db.session.flush()
        from . import mail
        mail.wake_after_commit([message.id for message in queued])
    return queued
