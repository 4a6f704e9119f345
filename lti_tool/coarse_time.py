"""Times shown only as a part of the day, so that a pseudonymous reporter cannot be timed.

The school runs the LMS, whose log says who opened the tool and when: a report filed seven seconds
after a launch names its reporter. Whatever a pseudonymous reporter causes (the report, their
messages, reading an answer) is therefore stored as the start of its part of the day in the
school's time zone (night 0–6, morning 6–12, afternoon 12–18, evening 18–24) and shown as e.g.
"maandagochtend 7 december": every surface that reads those columns is coarse by construction.
"""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_app_context
from flask_babel import format_date, format_datetime, gettext as _

PART_HOURS = 6
NIGHT, MORNING, AFTERNOON, EVENING = "night", "morning", "afternoon", "evening"
PARTS = (NIGHT, MORNING, AFTERNOON, EVENING)


def school_zone() -> ZoneInfo:
    """The school's time zone (SCHOOL_TIMEZONE, kept as BABEL_DEFAULT_TIMEZONE)."""
    name = current_app.config.get("BABEL_DEFAULT_TIMEZONE") if has_app_context() else None
    return ZoneInfo(name or "Europe/Amsterdam")


def part_of(moment: datetime, zone: ZoneInfo | None = None) -> str:
    """Which part of the school's day a moment falls in."""
    return PARTS[moment.astimezone(zone or school_zone()).hour // PART_HOURS]


def part_start(moment: datetime, zone: ZoneInfo | None = None) -> datetime:
    """The start of the moment's part of the day, in UTC: all that may be kept of a reporter's time."""
    zone = zone or school_zone()
    local = moment.astimezone(zone)
    start = datetime.combine(local.date(), time(local.hour // PART_HOURS * PART_HOURS), zone)
    # A part that starts in a skipped hour (a DST change at 00:00 or 06:00) starts when the clock resumes.
    return min(start.astimezone(timezone.utc), moment.astimezone(timezone.utc))


def is_part_start(moment: datetime, zone: ZoneInfo | None = None) -> bool:
    """Whether a moment carries nothing finer than its part of the day (tests and checks)."""
    return part_start(moment, zone) == moment.astimezone(timezone.utc)


def describe(moment: datetime, zone: ZoneInfo | None = None, today: date | None = None) -> str:
    """"Monday morning, 7 December" / "maandagochtend 7 december" in the reader's language."""
    zone = zone or school_zone()
    local = moment.astimezone(zone)
    day = local.date()
    today = today or datetime.now(zone).date()
    on = format_date(day, "d MMMM" if day.year == today.year else "d MMMM y")
    weekday = format_date(day, "EEEE")
    part = part_of(moment, zone)
    if part == MORNING:
        return _("%(weekday)s morning, %(date)s", weekday=weekday, date=on)
    if part == AFTERNOON:
        return _("%(weekday)s afternoon, %(date)s", weekday=weekday, date=on)
    if part == EVENING:
        return _("%(weekday)s evening, %(date)s", weekday=weekday, date=on)
    previous = format_date(day - timedelta(days=1), "EEEE")
    return _("the night of %(previous)s to %(weekday)s, %(date)s", previous=previous, weekday=weekday, date=on)


# One way to write a moment on every page: "ma 7 dec 2026, 14:05" / "Mon 7 Dec 2026, 14:05", never seconds.
EXACT = "EEE d MMM y, HH:mm"


def shown(moment: datetime | None, coarse: bool, style: str = EXACT) -> str:
    """A time as a page shows it: the part of the day when coarse, else weekday, date and clock time.

    style is kept for callers that passed a babel style; the minutes are the finest a page shows.
    """
    if moment is None:
        return "–"
    if coarse:
        return describe(moment)
    return format_datetime(moment, EXACT)


def due_shown(moment: datetime | None, coarse: bool) -> str:
    """A deadline as a page shows it: one ending at midnight is the whole day before it,
    "maandag 7 december", not "8 dec, 00:00"."""
    if moment is None or coarse:
        return shown(moment, coarse)
    zone = school_zone()
    local = moment.astimezone(zone)
    if local.time() != time():
        return shown(moment, coarse)
    day = local.date() - timedelta(days=1)
    pattern = "EEEE d MMMM" if day.year == datetime.now(zone).year else "EEEE d MMMM y"
    return format_date(day, pattern)
