"""A daily reminder to coordinators: how many open cases are past, or within a day of, a protocol deadline.

Like notifications.py it holds no report content, category, reporter or pseudonym: two counts and
the way into the tool. One e-mail per coordinator and school per school day (the task send_reminders, on weekday
mornings: CASES_REMINDERS_CRON), written to the mail outbox: a second run that day finds it there
and writes nothing, so the task may run twice.
"""
import logging
from datetime import datetime, time, timedelta, timezone

from flask import current_app
from flask_babel import force_locale, gettext as _, ngettext
from sqlalchemy import func, select

from ..db import utcnow
from ..extensions import db
from ..platforms.models import School
from ..reports.models import CLOSED, Report
from . import exclusions, mail, timeliness
from .models import MailMessage
from .notifications import queue_link
from .queries import settings_for

log = logging.getLogger(__name__)
SOON = timedelta(days=1)


def counts(school_id: int, now: datetime, viewer_id: int | None = None) -> tuple[int, int]:
    """(open cases past a deadline, open cases that pass one within a day) of the school;
    with viewer_id, only those that person may handle (a report kept from them is never counted)."""
    settings = settings_for(school_id)
    of_school = select(func.count()).select_from(Report).where(Report.school_id == school_id)
    if viewer_id is not None:
        of_school = of_school.where(exclusions.visible_condition(school_id, viewer_id))
    overdue = db.session.scalar(of_school.where(timeliness.any_overdue(settings, now)))
    by_tomorrow = db.session.scalar(of_school.where(timeliness.any_overdue(settings, now + SOON)))
    return overdue, by_tomorrow - overdue


def _message(school: School, overdue: int, soon: int) -> tuple[str, str]:
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
        subject = _("Veilig Online: cases waiting at %(school)s", school=school.name)
        lines = [
            overdue and ngettext("%(num)s open case is past a protocol deadline.",
                                 "%(num)s open cases are past a protocol deadline.", overdue),
            soon and ngettext("%(num)s open case reaches a protocol deadline within a day.",
                              "%(num)s open cases reach a protocol deadline within a day.", soon),
            _("Open the tool from your LMS to see which; for privacy this message holds none of their content."),
            queue_link(),
        ]
    return subject[:300], "\n\n".join(filter(None, lines)) + "\n"


def _school_day_start(now: datetime) -> datetime:
    zone = timeliness.school_zone()
    return datetime.combine(now.astimezone(zone).date(), time(), zone).astimezone(timezone.utc)


def send_reminders(now: datetime | None = None) -> int:
    """Queue today's reminder for each school with cases at or near a deadline; commit per school."""
    now = now or utcnow()
    since = _school_day_start(now)
    queued: list[int] = []
    schools = db.session.scalars(select(Report.school_id).where(Report.status != CLOSED).distinct()).all()
    for school_id in schools:
        # The school's row is locked (PostgreSQL) so two runs at once do not both write.
        school = db.session.get(School, school_id, with_for_update=True)
        overdue, soon = counts(school_id, now)
        if overdue + soon:
            subject, _body = _message(school, overdue, soon)
            sent = set(db.session.scalars(select(MailMessage.to_address).where(
                MailMessage.school_id == school_id, MailMessage.subject == subject,
                MailMessage.created_at >= since)))
            rows = []
            for address, user_id in exclusions.handlers(school_id):
                mine = counts(school_id, now, user_id)  # each their own: never a case kept from them
                if address not in sent and sum(mine):
                    sent.add(address)
                    rows.append(MailMessage(school_id=school_id, to_address=address, subject=subject,
                                            body=_message(school, *mine)[1]))
            db.session.add_all(rows)
            db.session.flush()
            queued += [row.id for row in rows]
            mail.wake_after_commit([row.id for row in rows])
        db.session.commit()
    if queued:
        log.info("reminders: %s e-mail(s) queued", len(queued))
    return len(queued)
