"""Helpers for the report tests: fill in and send the form as a browser does; look at stored rows."""
from urllib.parse import parse_qs, urlsplit

from sqlalchemy import select

from lti_tool import sealing
from lti_tool.courses.models import User
from lti_tool.reports.models import Report
from tests.support.browser import form_of, launch_token_of

FORM = "form[action*='/reports?']"


def open_form(browser, token: str, category: str):
    """GET the form for one category; return (page, action, hidden fields)."""
    page = browser.get(f"/reports/new?category={category}", token=token)
    assert page.status_code == 200, page.text
    action, fields = form_of(page.text, FORM)
    return page, action, fields


def report_fields(kind: str = "cyberbullying", **extra) -> dict:
    """A filled-in report form (as the page sends it) for one kind of incident; extra fields override."""
    fields = {"category": kind, "what_happened": "Someone keeps posting mean comments under my photos.",
              "platform": "Instagram", "link": "https://www.instagram.com/p/abc123/",
              "handle": "@meanie", "when": "yesterday evening", "involved": "", "affected": "yes",
              "identity": "pseudonymous"}
    fields.update(extra)
    return fields


def send(browser, token: str, kind: str = "cyberbullying", *, files=None, **extra):
    """Open the form for one kind of incident and send it (extra fields override); return (response, data)."""
    _, action, hidden = open_form(browser, token, kind)
    data = {**hidden, **report_fields(kind, **extra)}
    return browser.post(action, data=data, files=files), data


def reference_of(resp) -> str:
    """The reference a submit redirected to (…/reports/VO-XXXX-XXXX/receipt?lt=…)."""
    path = urlsplit(resp.headers["Location"]).path
    return path.split("/")[2]


def token_of(page) -> str:
    """The launch token a page of the tool carries (never its address)."""
    return launch_token_of(page.text)


def user_id(db_session, lms, user_key: str) -> int:
    return db_session.scalar(select(User.id).where(User.sub == lms.users[user_key].sub, User.issuer == lms.issuer))


def reports_of(db_session, lms, user_key: str) -> list[Report]:
    """Every report the user filed at the LMS's school (found as the tool finds them)."""
    db_session.expire_all()
    uid = user_id(db_session, lms, user_key)
    if uid is None:
        return []
    return list(db_session.scalars(select(Report).where(
        Report.school_id == lms.school_id,
        Report.reporter_lookup.in_(sealing.lookups(lms.school_id, uid))).order_by(Report.id)))
