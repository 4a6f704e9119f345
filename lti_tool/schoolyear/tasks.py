"""The school year's background work: starting a new year in the gradebook, the weekly e-mails."""
from ..tasks import Task
from . import digest, operations


def start_school_years() -> dict:
    """Clear last year's gradebook scores where a school's new year began (once per year)."""
    return operations.start_new_years()


def send_digests() -> dict:
    """Queue this week's counts for teachers and mentors (once per person per week)."""
    return {"queued": digest.send_digests()}


def send_staff_reminders() -> dict:
    """Queue this week's reminder for staff who still have to acknowledge (once per person per week)."""
    return {"queued": digest.send_staff_reminders()}


TASKS = [
    Task("start_school_years", start_school_years, switch="SCHOOL_YEAR_TASKS", cron="SCHOOL_YEAR_START_CRON",
         settings={"SCHOOL_YEAR_START_CRON": "10 0 * * *"}),
    Task("send_digests", send_digests, switch="SCHOOL_YEAR_TASKS", cron="SCHOOL_YEAR_DIGEST_CRON",
         settings={"SCHOOL_YEAR_DIGEST_CRON": "0 7 * * 1"}),
    Task("send_staff_reminders", send_staff_reminders, switch="SCHOOL_YEAR_TASKS",
         cron="SCHOOL_YEAR_REMINDER_CRON", settings={"SCHOOL_YEAR_REMINDER_CRON": "5 7 * * 1"}),
]
