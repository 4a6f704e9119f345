"""School years: from the school's first day (its school-year setting; lti_tool/schoolcalendar) to
the day before the next year's first day. Named like "2025-2026"."""
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import re2

from ..cases import timeliness
from ..schoolcalendar import queries as calendar
from ..schoolcalendar.models import DEFAULT_MONTH_DAY

DEFAULT_FIRST_DAY = DEFAULT_MONTH_DAY
NAME = re2.compile(r"^(\d{4})-(\d{4})$")


@dataclass(frozen=True)
class SchoolYear:
    first: int              # the calendar year it starts in
    first_day: tuple = DEFAULT_FIRST_DAY

    @property
    def name(self) -> str:
        return f"{self.first}-{self.first + 1}"

    @property
    def start(self) -> date:
        return date(self.first, *self.first_day)

    @property
    def end(self) -> date:
        """The last day of the year (inclusive)."""
        return date(self.first + 1, *self.first_day) - timedelta(days=1)

    def moments(self) -> tuple[datetime, datetime]:
        """[start, next start) as moments in the school's time zone."""
        zone = timeliness.school_zone()
        return (datetime.combine(self.start, time(), zone),
                datetime.combine(self.end + timedelta(days=1), time(), zone))

    def months(self) -> list[date]:
        """The first day of each calendar month the year touches, in order."""
        result, day = [], self.start.replace(day=1)
        while day <= self.end:
            result.append(day)
            day = (day.replace(year=day.year + 1, month=1) if day.month == 12 else day.replace(month=day.month + 1))
        return result


def first_day_of(school_id: int) -> tuple:
    """The school's first day of the school year as (month, day)."""
    settings = calendar.settings_of(school_id)
    return (settings.first_day.month, settings.first_day.day) if settings else DEFAULT_FIRST_DAY


def containing(day: date, first_day: tuple = DEFAULT_FIRST_DAY) -> SchoolYear:
    """The school year the day falls in (the calendar's rule, 29 February included)."""
    return SchoolYear(calendar.current_start(date(2000, *first_day), day).year, first_day)


def parse(name: str, first_day: tuple = DEFAULT_FIRST_DAY) -> SchoolYear | None:
    """ "2025-2026" as a school year; None for anything else."""
    match = NAME.match(name or "")
    if match is None:
        return None
    first, second = int(match.group(1)), int(match.group(2))
    if second != first + 1 or not 2000 <= first <= 2200:
        return None
    return SchoolYear(first, first_day)
