"""Changing a school's school year settings, and starting each school's new year in the gradebook."""
import logging

from sqlalchemy import select

from ..cases import audit
from ..extensions import db
from ..gradebook import operations as gradebook
from ..schoolcalendar import queries
from ..schoolcalendar.models import SchoolYearSettings

log = logging.getLogger(__name__)


def save_settings(school_id: int, actor_id: int, data: dict) -> SchoolYearSettings:
    """Store the school's school year settings (validated by SettingsSchema); audited by field name.

    Moving the first day so that a new year starts today starts it at once: the new year's
    gradebook resets are queued in the same transaction (the daily task would do it tomorrow).
    """
    settings = db.session.get(SchoolYearSettings, school_id)
    if settings is None:
        settings = SchoolYearSettings(school_id=school_id)
        db.session.add(settings)
        changed = sorted(data)
    else:
        changed = sorted(name for name, value in data.items() if getattr(settings, name) != value)
    for name, value in data.items():
        setattr(settings, name, value)
    if changed:
        audit.record(school_id, actor_id, "school_year_changed", None, ", ".join(changed))
    db.session.flush()
    start_new_year(settings)
    return settings


def start_new_year(settings: SchoolYearSettings) -> int:
    """Clear last year's gradebook scores once per school year, where the school asks again each year.

    Idempotent: the year's key is stored with the settings, under the row's lock on PostgreSQL, so
    a second run (or a second worker) finds it there and queues nothing. A year the school joined
    in, or turned yearly acknowledging on in, has no earlier acknowledgements to clear but is
    marked all the same. Returns the number of resets queued.
    """
    year = queries.year_of(settings)
    if not year.yearly or (settings.scores_reset_for or 0) >= year.key:
        return 0
    settings.scores_reset_for = year.key
    queued = gradebook.reset_for_new_year(settings.school_id, year.key)
    audit.record(settings.school_id, None, "school_year_started", None, year.start.isoformat())
    db.session.flush()
    return queued


def start_new_years() -> dict:
    """The daily task: start the new school year wherever one began; one commit per school."""
    queued = 0
    ids = db.session.scalars(select(SchoolYearSettings.school_id).where(SchoolYearSettings.yearly.is_(True))).all()
    for school_id in ids:
        settings = db.session.get(SchoolYearSettings, school_id, with_for_update=True)
        if settings is not None:
            queued += start_new_year(settings)
        db.session.commit()
    if queued:
        log.info("school year: %s gradebook reset(s) queued", queued)
    return {"schools": len(ids), "queued": queued}
