"""Telling a granter that exceptions they granted end soon: a content-free e-mail, once per end date.

The e-mail names no pupil, kind or date: only how many, and the way into the tool. Each exception
is claimed with a conditional UPDATE (reminded_at still empty) before its e-mail is written, in the
same transaction, so a second run, or two workers at once, never remind twice.
"""
import logging
from datetime import timedelta

from flask import current_app
from flask_babel import force_locale, gettext as _, ngettext
from sqlalchemy import select, update

from ..cases.notifications import queue_notice
from ..courses.models import User
from ..db import utcnow
from ..extensions import db
from .models import ExceptionSettings, PhoneException
from .queries import settings_for, today

log = logging.getLogger(__name__)


def _due(day) -> list[PhoneException]:
    """Open exceptions not yet reminded of whose end lies within the longest lead time any school chose."""
    longest = max([14, *db.session.scalars(select(ExceptionSettings.reminder_days))])
    return list(db.session.scalars(select(PhoneException).where(
        PhoneException.ended_at.is_(None), PhoneException.reminded_at.is_(None),
        PhoneException.granted_by_id.is_not(None),
        PhoneException.ends_on >= day, PhoneException.ends_on <= day + timedelta(days=longest))
        .order_by(PhoneException.school_id, PhoneException.granted_by_id, PhoneException.id)))


def _claim(row: PhoneException, now) -> bool:
    """Mark one exception reminded, unless another run just did."""
    done = db.session.execute(update(PhoneException).where(
        PhoneException.id == row.id, PhoneException.reminded_at.is_(None)).values(reminded_at=now))
    return done.rowcount == 1


def send_reminders() -> int:
    """Queue one e-mail per granter and school for the exceptions that end within the school's lead time."""
    now, day = utcnow(), today()
    per_granter: dict[tuple[int, int], int] = {}
    lead: dict[int, int] = {}
    for row in _due(day):
        if row.school_id not in lead:
            lead[row.school_id] = settings_for(row.school_id).reminder_days
        if row.ends_on > day + timedelta(days=lead[row.school_id]):
            continue
        if _claim(row, now):
            key = (row.school_id, row.granted_by_id)
            per_granter[key] = per_granter.get(key, 0) + 1
    queued = 0
    with force_locale(current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")):
        for (school_id, user_id), count in per_granter.items():
            address = db.session.scalar(select(User.email).where(User.id == user_id))
            if not address:
                continue  # the LMS gave no e-mail address: the register shows it anyway
            queue_notice(school_id, address, _("Veilig Online: phone exceptions end soon"), [
                ngettext("A phone exception you granted ends soon.",
                         "%(num)s phone exceptions you granted end soon.", count),
                _("Open the tool from your LMS to see which, and to extend or end them; for privacy this "
                  "message names nobody."),
            ])
            queued += 1
    db.session.commit()
    if queued:
        log.info("phone exceptions: %s reminder(s) queued", queued)
    return queued
