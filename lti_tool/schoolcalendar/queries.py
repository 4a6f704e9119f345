"""Which school year it is for a school, what counts for it, and each person's due date in it.

A school without settings keeps the old behaviour: acknowledgements hold until a major version,
and the version's own due date is everyone's. With settings, the school year starts each year on
the month and day of its first day; someone first seen after that day is new this year and gets
newcomer_days to acknowledge; with `yearly`, acknowledgements of an earlier school year no longer
count, and everyone gets newcomer_days from the first day.
"""
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from ..coarse_time import school_zone
from ..db import utcnow
from ..extensions import db
from .models import DEFAULT_MONTH_DAY, DEFAULT_NEWCOMER_DAYS, SchoolYearSettings


def local_today() -> date:
    """Today in the school's time zone: a school year starts at local midnight."""
    return utcnow().astimezone(school_zone()).date()


def local_date(moment: datetime | None) -> date | None:
    return moment.astimezone(school_zone()).date() if moment is not None else None


def _on(year: int, month: int, day: int) -> date:
    return date(year, month, 28 if (month, day) == (2, 29) else day)  # 29 February: the 28th in other years


def current_start(first_day: date | None, today: date) -> date:
    """The first day of the school year that today falls in: the latest anniversary of first_day."""
    month, day = (first_day.month, first_day.day) if first_day else DEFAULT_MONTH_DAY
    start = _on(today.year, month, day)
    return start if start <= today else _on(today.year - 1, month, day)


def key(start: date) -> int:
    """A school year as stored with an acknowledgement: its first day as YYYYMMDD."""
    return start.year * 10000 + start.month * 100 + start.day


@dataclass(frozen=True)
class SchoolYear:
    """A school's current school year and its rules."""

    configured: bool
    start: date
    yearly: bool = False
    newcomer_days: int = DEFAULT_NEWCOMER_DAYS

    @property
    def key(self) -> int:
        return key(self.start)

    def counts(self, acknowledged_for: int) -> bool:
        """Whether an acknowledgement stored for that school year still counts now."""
        return not self.yearly or acknowledged_for >= self.key

    def is_new(self, first_seen: date | None) -> bool:
        """First seen on or after this year's first day (only where the school set its year)."""
        return self.configured and first_seen is not None and first_seen >= self.start

    def due_date(self, version_due: date | None, first_seen: date | None) -> date | None:
        """The person's due date: the version's, but never before the days the school gives."""
        dates = [version_due]
        if self.yearly:
            dates.append(self.start + timedelta(days=self.newcomer_days))
        if self.is_new(first_seen):
            dates.append(first_seen + timedelta(days=self.newcomer_days))
        return max((d for d in dates if d is not None), default=None)


def year_of(settings: SchoolYearSettings | None, today: date | None = None) -> SchoolYear:
    """The school year the settings (None: the school never set them) give for today."""
    today = today or local_today()
    if settings is None:
        return SchoolYear(False, current_start(None, today))
    return SchoolYear(True, current_start(settings.first_day, today), bool(settings.yearly),
                      settings.newcomer_days)


def settings_of(school_id: int) -> SchoolYearSettings | None:
    return db.session.get(SchoolYearSettings, school_id)


def school_year(school_id: int, today: date | None = None) -> SchoolYear:
    """The school's current school year."""
    return year_of(settings_of(school_id), today)


def form_defaults(school_id: int) -> SchoolYearSettings:
    """The stored settings, or what the form proposes to a school that never set them."""
    found = settings_of(school_id)
    if found is not None:
        return found
    today = local_today()
    return SchoolYearSettings(school_id=school_id, first_day=current_start(None, today), yearly=False,
                              newcomer_days=DEFAULT_NEWCOMER_DAYS, teacher_digest=True, staff_reminders=True)
