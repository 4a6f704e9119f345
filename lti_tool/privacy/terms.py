"""When a leaver's data is due: the end of the school year, the school's terms, and every term in one list.

The end of the school year is 1 August (the school year starts then); school_year_end() is the
one place that knows it, so a school's own first day can later take its place.
"""
from dataclasses import dataclass
from datetime import datetime, timezone

from ..extensions import db
from .models import PUPIL_YEARS, STAFF_MONTHS, PrivacySettings

SCHOOL_YEAR_ENDS = (8, 1)   # month, day: the day a new school year begins


def school_year_end(moment: datetime) -> datetime:
    """The end of the school year that moment falls in: the next 1 August (00:00 UTC) after it."""
    month, day = SCHOOL_YEAR_ENDS
    end = datetime(moment.year, month, day, tzinfo=timezone.utc)
    return end if moment < end else end.replace(year=moment.year + 1)


def add_months(moment: datetime, months: int) -> datetime:
    """moment plus whole months, on the 1st of the month when the day does not exist there."""
    index = moment.year * 12 + moment.month - 1 + months
    year, month = divmod(index, 12)
    try:
        return moment.replace(year=year, month=month + 1)
    except ValueError:
        return moment.replace(year=year, month=month + 2, day=1) if month < 11 else \
            moment.replace(year=year + 1, month=1, day=1)


def due_at(last_seen: datetime, is_pupil: bool, settings: PrivacySettings) -> datetime:
    """When a person last seen then is anonymised: pupils by school year, staff by months."""
    if is_pupil:
        end = school_year_end(last_seen)
        return end.replace(year=end.year + settings.pupil_years)
    return add_months(last_seen, settings.staff_months)


def settings_for(school_id: int | None) -> PrivacySettings:
    """The school's privacy settings, or the documented defaults (not stored) when it never set them."""
    found = db.session.get(PrivacySettings, school_id) if school_id else None
    if found is not None:
        return found
    return PrivacySettings(school_id=school_id, pupil_years=PUPIL_YEARS, staff_months=STAFF_MONTHS)


@dataclass(frozen=True)
class Default:
    """One retention term's default as the code holds it: what docs/privacy/ must say too."""

    key: str
    value: int
    unit: str


def _column_default(column) -> int:
    return int(column.default.arg)


def defaults() -> list[Default]:
    """Every retention default, read from where the code takes it (the columns, the config): never a copy."""
    from flask import current_app

    from ..cases.models import CaseSettings
    hours = current_app.config["LTI_LAUNCH_TOKEN_SECONDS"] / 3600
    return [
        Default("pupil_years", _column_default(PrivacySettings.pupil_years), "years"),
        Default("staff_months", _column_default(PrivacySettings.staff_months), "months"),
        Default("report_contents_months", _column_default(CaseSettings.retention_months), "months"),
        Default("reporter_reopen_days", _column_default(CaseSettings.reporter_reopen_days), "days"),
        Default("launch_hours", int(hours), "hours"),
    ]
