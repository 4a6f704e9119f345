"""When a notice about a pseudonymous report may leave: at fixed slots, never at the report's moment.

A mail that leaves seconds after a report times its reporter as precisely as the report would, so
notices about pseudonymous reports wait in the outbox (next_attempt_at) for the next slot, and a
coordinator gets one notice per slot however many reports it gathers. Ordinary reports go at
REPORT_MAIL_SLOTS on school days (default 06:00, 12:00 and 18:00 local time: boundaries of the
parts of the day, so a slot's mail spans whole parts and tells no more than the report's shown
time). Urgent reports go at the next point of a grid of URGENT_MAIL_MINUTES (default 30, on the
clock, any day), no coarser than half the school's urgent target, which leaves the other half to
respond. What remains: an urgent notice places its report within the grid's step.
"""
from datetime import datetime, time, timedelta, timezone

from flask import current_app

from .. import coarse_time

DEFAULT_SLOTS = "06:00,12:00,18:00"
DEFAULT_URGENT_MINUTES = 30
MIN_STEP_MINUTES = 5


def slots() -> list[time]:
    """The ordinary send times of a school day, from REPORT_MAIL_SLOTS ("HH:MM,…")."""
    text = current_app.config.get("REPORT_MAIL_SLOTS") or DEFAULT_SLOTS
    return sorted(time.fromisoformat(part.strip()) for part in text.split(",") if part.strip())


def urgent_step(settings) -> int:
    """Minutes between urgent send points: the setting, but at most half the school's urgent target."""
    wanted = int(current_app.config.get("URGENT_MAIL_MINUTES") or DEFAULT_URGENT_MINUTES)
    return max(MIN_STEP_MINUTES, min(wanted, settings.urgent_response_minutes // 2))


def next_slot(now: datetime, urgent: bool, settings) -> datetime:
    """The first send time after now, in UTC."""
    zone = coarse_time.school_zone()
    local = now.astimezone(zone)
    if urgent:
        step = urgent_step(settings)
        midnight = datetime.combine(local.date(), time(), zone)
        passed = (local.replace(tzinfo=None) - midnight.replace(tzinfo=None)) // timedelta(minutes=step)
        candidate = midnight + timedelta(minutes=(passed + 1) * step)
        while candidate.astimezone(timezone.utc) <= now:  # a clock change on the way
            candidate += timedelta(minutes=step)
        return candidate.astimezone(timezone.utc)
    for days in range(8):
        day = local.date() + timedelta(days=days)
        if day.weekday() >= 5:  # weekends at the school: the notice waits for Monday
            continue
        for at in slots():
            candidate = datetime.combine(day, at, zone).astimezone(timezone.utc)
            if candidate > now:
                return candidate
    raise ValueError("REPORT_MAIL_SLOTS names no send time")


def key(slot: datetime) -> str:
    """The outbox's batch key of a slot: one pending notice per coordinator per key."""
    return slot.astimezone(timezone.utc).strftime("%Y-%m-%dT%H:%MZ")
