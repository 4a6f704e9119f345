"""The school year's tests: a clock that can be moved across a school's first day, and settings set as an admin would."""
from datetime import date, datetime, time, timezone

import pytest

from tests.courses.conftest import fresh_lms, launch, make_lms  # noqa: F401  (fixtures)
from tests.support.browser import form_of


class Clock:
    """Today as the school year sees it (schoolyear.queries.utcnow): moved by the test, noon UTC."""

    def __init__(self, monkeypatch):
        self.today = date.today()
        monkeypatch.setattr("lti_tool.schoolcalendar.queries.utcnow", self.now)

    def now(self) -> datetime:
        return datetime.combine(self.today, time(12), timezone.utc)

    def set(self, day: date) -> None:
        self.today = day


@pytest.fixture
def clock(monkeypatch):
    return Clock(monkeypatch)


def save_year(browser, lms, *, locale="en-GB", **values):
    """Post the school year form as the LMS's admin, with these values over the page's own."""
    token = launch(browser, lms, "admin", locale=locale)
    action, fields = form_of(browser.get("/school/year", token=token).text, "form.editor")
    data = {**fields, **{k: v for k, v in values.items() if v is not None}}
    for flag in ("yearly", "teacher_digest", "staff_reminders"):
        if values.get(flag) is False:
            data.pop(flag, None)
    return browser.post(action, data=data)
