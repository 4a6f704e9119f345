"""Telling coordinators that there is something to look at: an e-mail without any report content.

Messages are written to the durable outbox (MailMessage) in the same transaction as the report,
so a report never exists without its notification and a rolled-back submit sends nothing; the
sender in mail.py delivers them when their next_attempt_at comes: at once for a named report, at
the next send slot for a pseudonymous one (batching.py).
"""
from flask import current_app, has_request_context, redirect, request, url_for
from flask_babel import force_locale, gettext as _
from sqlalchemy import select, update

from .. import coarse_time
from ..courses.models import SchoolMember, User
from ..db import insert_missing, utcnow
from ..extensions import db
from ..platforms.models import Deployment, Platform, School
from . import batching, exclusions, queries
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


AFTER_LAUNCH_COOKIE = "vo_after_launch"
QUEUE = "queue"


def tool_link() -> str:
    """Where staff open the tool; never an address with a launch token."""
    configured = current_app.config.get("TOOL_URL")
    if configured:
        return configured
    if has_request_context():
        return url_for("home.index", _external=True, _public=True)
    return ""


def queue_link() -> str:
    """The coordinators' e-mail link: the tool's page that leads to the queue after a launch (from_mail.py).

    Never an address with a launch token or a case in it: whoever reads the e-mail still needs the LMS.
    """
    configured = current_app.config.get("TOOL_URL")
    if configured:
        return configured.rstrip("/") + "/cases/from-mail"
    if has_request_context():
        return url_for("cases.from_mail", _external=True, _public=True)
    return ""


def lms_names(school_id: int) -> str:
    """The school's LMS as its coordinators know it (its name, else its address), for the e-mail."""
    rows = db.session.execute(select(Platform.name, Platform.issuer).join(Deployment, Deployment.platform_id == Platform.id)
                              .where(Deployment.school_id == school_id).distinct()).all()
    return ", ".join(sorted({name or issuer for name, issuer in rows if name or issuer}))


def handles_cases(launch) -> bool:
    """A coordinator of the launch's school, or its deputy: who the queue is for."""
    from ..security import is_coordinator
    return is_coordinator(launch) or (launch.role != "student" and exclusions.is_deputy_launch(launch))


def after_launch(launch):
    """The queue, when this browser came through the e-mail's link and the launch is a coordinator's; else None."""
    if request.cookies.get(AFTER_LAUNCH_COOKIE) != QUEUE or not handles_cases(launch):
        return None
    return redirect(url_for("cases.queue"), 303)  # the queue forgets the cookie (from_mail.py)


def where_to_go(school_id: int) -> str:
    """How to get to the queue: through the LMS, named, since the link alone opens nothing."""
    lms = lms_names(school_id)
    if lms:
        return _("Your LMS: %(lms)s. Open Veilig Online there and choose “Case queue”. Opened first, the link "
                 "below makes the tool go to the queue by itself after you open it in the LMS.", lms=lms)
    return _("Open Veilig Online in your LMS and choose “Case queue”. Opened first, the link below makes the "
             "tool go to the queue by itself after you open it in the LMS.")


def notify_new_report(report) -> list[MailMessage]:
    """Queue a content-free e-mail to every coordinator of the report's school.

    A pseudonymous report's notice waits for the next send slot (batching.py), shared with every
    other report of that slot; a named report's leaves at once (its time is shown exactly anyway).
    """
    if report.coarse_time:
        return notify_in_batch(report.school_id, report.urgent, report.id)
    school = db.session.get(School, report.school_id)
    # Coordinators read Dutch and English alike; the school's default language is Dutch.
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
        if report.urgent:
            subject = _("Veilig Online: a new urgent report for %(school)s", school=school.name)
            opening = _("There is a new urgent report waiting for you in Veilig Online.")
        else:
            subject = _("Veilig Online: a new report for %(school)s", school=school.name)
            opening = _("There is a new report waiting for you in Veilig Online.")
        return _queue(report, subject, opening)


def notify_reporter_update(report, *, urgent: bool) -> list[MailMessage]:
    """Queue a content-free e-mail: a reporter reopened a case or says it is spreading again.

    Like a new report's notice it names no case, category or reference: only that there is news.
    A pseudonymous reporter's waits for the next send slot, like their report's.
    """
    if report.coarse_time:
        return notify_in_batch(report.school_id, urgent, report.id)
    school = db.session.get(School, report.school_id)
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
        if urgent:
            subject = _("Veilig Online: urgent news on a report for %(school)s", school=school.name)
            opening = _("A reporter has urgent news on a report in Veilig Online.")
        else:
            subject = _("Veilig Online: news on a report for %(school)s", school=school.name)
            opening = _("A reporter has news on a report in Veilig Online.")
        return _queue(report, subject, opening)


def _queue(report, subject: str, opening: str) -> list[MailMessage]:
    """Write one e-mail per coordinator who may see the report (never one it keeps away) to the
    outbox; the sender wakes after the commit."""
    school_id = report.school_id
    body = "\n\n".join(filter(None, [
        opening,
        _("Open the tool from your LMS to read it; for privacy this message holds none of its content."),
        where_to_go(school_id),
        queue_link(),
    ])) + "\n"
    queued = []
    for address in exclusions.addresses(school_id, report.id):
        message = MailMessage(school_id=school_id, to_address=address, subject=subject[:300], body=body)
        db.session.add(message)
        queued.append(message)
    if queued:
        db.session.flush()
        from . import mail  # the sender wakes up after the commit
        mail.wake_after_commit([message.id for message in queued])
    return queued


def notify_new_message(school_id: int, report_id: int | None = None, coarse: bool = False) -> list[MailMessage]:
    """Queue a content-free e-mail to the school's coordinators: a reporter wrote in a case.

    The caller sends it only for the first message the coordinators have not read yet, so a
    reporter writing often adds no mail until a coordinator opens the case. A pseudonymous
    reporter's (coarse) waits for the next send slot, like their report's.
    """
    if coarse:
        return notify_in_batch(school_id, False, report_id)
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
        subject = _("Veilig Online: a new message from a reporter")
        body = "\n\n".join(filter(None, [
            _("A reporter has written a new message in one of your cases in Veilig Online."),
            _("Open the tool from your LMS to read it; for privacy this message holds none of its content."),
            where_to_go(school_id),
            queue_link(),
        ])) + "\n"
    queued = [MailMessage(school_id=school_id, to_address=address, subject=subject[:300], body=body)
              for address in exclusions.addresses(school_id, report_id)]
    if queued:
        db.session.add_all(queued)
        db.session.flush()
        from . import mail
        mail.wake_after_commit([message.id for message in queued])
    return queued


def notify_in_batch(school_id: int, urgent: bool, report_id: int | None = None) -> list[MailMessage]:
    """Make sure each coordinator has a notice pending for the next slot; none is added if there is one.

    For a pseudonymous report, and for a message from its reporter (urgent=False). The notice says
    that there is something new, never how much or when: the slot is its time. An urgent report
    gets the urgent grid's slot, or turns a notice already pending there urgent. Safe when two
    reports race: one row per coordinator and slot (a unique key).
    """
    now = utcnow()
    slot = batching.next_slot(now, urgent, queries.settings_for(school_id))
    key = batching.key(slot)
    school = db.session.get(School, school_id)
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
        if urgent:
            subject = _("Veilig Online: urgent news from reporters for %(school)s", school=school.name)
            opening = _("There are new reports or messages from reporters waiting for you in Veilig Online, "
                        "and some of it is urgent.")
        else:
            subject = _("Veilig Online: new reports or messages for %(school)s", school=school.name)
            opening = _("There are new reports or messages from reporters waiting for you in Veilig Online.")
        body = "\n\n".join(filter(None, [
            opening,
            _("Open the tool from your LMS to read them; for privacy this message holds none of their content, "
              "and it leaves at a fixed time."),
            where_to_go(school_id),
            queue_link(),
        ])) + "\n"
    addresses = exclusions.addresses(school_id, report_id)  # never a coordinator the report keeps away
    for address in addresses:
        insert_missing(db.session, MailMessage, school_id=school_id, to_address=address, subject=subject[:300],
                       body=body, status=MailMessage.PENDING, attempts=0, next_attempt_at=slot,
                       created_at=coarse_time.part_start(now), batch_key=key)
    if urgent and addresses:
        db.session.execute(update(MailMessage).where(
            MailMessage.school_id == school_id, MailMessage.batch_key == key,
            MailMessage.status == MailMessage.PENDING).values(subject=subject[:300], body=body))
    return list(db.session.scalars(select(MailMessage).where(
        MailMessage.school_id == school_id, MailMessage.batch_key == key,
        MailMessage.status == MailMessage.PENDING).order_by(MailMessage.id)))


def queue_notice(school_id: int, address: str, subject: str, lines: list[str]) -> MailMessage:
    """Queue one content-free e-mail for another feature (a reminder that names nobody), leaving after the commit.

    lines are the body's paragraphs; the way into the tool is added. The caller says nothing of
    any pupil, report or case in them.
    """
    body = "\n\n".join(filter(None, [*lines, tool_link()])) + "\n"
    message = MailMessage(school_id=school_id, to_address=address, subject=subject[:300], body=body)
    db.session.add(message)
    db.session.flush()
    from . import mail
    mail.wake_after_commit([message.id])
    return message
def queue_once(school_id: int, address: str, subject: str, body: str, batch_key: str) -> bool:
    """Write one content-free e-mail to the outbox unless this address already has one under batch_key.

    For the other features' periodic e-mails (schoolyear's weekly digest and reminders): the
    outbox's unique (school, address, batch key) makes a second run, or a second worker, write
    nothing. True when the e-mail was written; the sender wakes once the transaction commits.
    """
    from sqlalchemy.dialects import postgresql, sqlite
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    now = utcnow()
    queued = db.session.scalar(dialect.insert(MailMessage).values(
        school_id=school_id, to_address=address[:320], subject=subject[:300], body=body, batch_key=batch_key[:40],
        status=MailMessage.PENDING, attempts=0, next_attempt_at=now, created_at=now)
        .on_conflict_do_nothing().returning(MailMessage.id))
    if queued is None:
        return False
    from . import mail
    mail.wake_after_commit([queued])
    return True
