"""The jobs RQ runs. Each takes ids (never objects), runs in an app context of its own, and
works from the database, which stays the truth: a job that runs twice finds its work done."""
import functools
import logging
from dataclasses import asdict

from flask import current_app, has_app_context
from sqlalchemy import func, select

from ..extensions import db
from . import connection

log = logging.getLogger(__name__)
_standalone = None  # the app of a process that runs jobs without `lti-tool jobs worker` around it


def in_app(task):
    """Run task in a fresh app context (its own session), rolled back on failure and closed after."""
    @functools.wraps(task)
    def run(*args, **kwargs):
        global _standalone
        if has_app_context():
            app = current_app._get_current_object()
        else:
            from .. import create_app
            app = _standalone = _standalone or create_app()
        with app.app_context():
            try:
                return task(*args, **kwargs)
            except BaseException:
                db.session.rollback()
                raise
            finally:
                db.session.remove()
    return run


def _pending(model, ids) -> int:
    """How many of these outbox rows still wait (0: a duplicate job, nothing left to do)."""
    return db.session.scalar(select(func.count()).select_from(model)
                             .where(model.id.in_(ids), model.status == model.PENDING))


@in_app
def deliver_scores(ids: list[int] | None = None) -> dict:
    """Deliver the due scores of the outbox (these new ones among them)."""
    from ..gradebook.delivery import deliver_due
    from ..gradebook.models import ScoreDelivery
    if ids and not _pending(ScoreDelivery, ids):
        return {"claimed": 0}
    result = deliver_due(max_seconds=60)
    return {k: v for k, v in asdict(result).items() if k != "errors"}


@in_app
def send_mail(ids: list[int] | None = None) -> dict:
    """Send the due e-mails of the outbox (these new ones among them)."""
    from ..cases.mail import send_due
    from ..cases.models import MailMessage
    if ids and not _pending(MailMessage, ids):
        return {"claimed": 0}
    result = send_due()
    return {k: v for k, v in asdict(result).items() if k != "errors"}


@in_app
def purge_retention() -> dict:
    """Purge the cases whose retention ended (a purged case is not purged again)."""
    from ..cases.retention import purge_due
    return {"purged": purge_due().purged}


@in_app
def send_reminders() -> dict:
    """Queue today's reminders to coordinators (once a day per coordinator and school)."""
    from ..cases import reminders
    return {"queued": reminders.send_reminders()}


@in_app
def refresh_roster(course_id: int) -> dict:
    """Read a placed course's roster from the LMS again, unless another job just did."""
    from . import rosters
    return {"refreshed": rosters.refresh(course_id)}


@in_app
def refresh_rosters() -> dict:
    """Enqueue a roster refresh for each placed course whose roster is stale."""
    from . import rosters
    ids = rosters.stale_courses()
    for course_id in ids:
        connection.enqueue(refresh_roster, course_id)
    return {"enqueued": len(ids)}


PERIODIC = {"deliver_scores": deliver_scores, "send_mail": send_mail, "purge_retention": purge_retention,
            "send_reminders": send_reminders, "refresh_rosters": refresh_rosters}


@in_app
def tick(name: str) -> str:
    """The scheduler's job: enqueue the periodic job `name` with retries (cron jobs carry none)."""
    return connection.enqueue(PERIODIC[name]).id
