"""Every free-text field a person can write, sent as a browser or a script sends it, and what was stored.

A Writers object launches a student (with a report of their own), a coordinator (with a case) and
a school admin (with a draft code), once per test module, and sends any text in any one field.
"""
import html
from dataclasses import dataclass

import requests
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from lti_tool.cases.models import CaseNote
from lti_tool.conduct.models import DRAFT, ConductVersion
from lti_tool.courses.models import SchoolMember, User
from lti_tool.extensions import db
from lti_tool.reports.models import Report, ReportMessage
from tests.cases.conftest import make_case
from tests.reports.helpers import report_fields
from tests.support.browser import Browser, form_of
from tests.support.pages import editor_fields, launch

REPORT_FIELDS = ("what_happened", "platform", "link", "handle", "when", "involved", "holders")
# (where, field): every text a person can write, on a page or through the API.
FIELDS = ([("report page", f) for f in REPORT_FIELDS] + [("report api", f) for f in REPORT_FIELDS]
          + [("entry page", f) for f in REPORT_FIELDS]
          + [("reply page", "body"), ("reply api", "body"), ("coordinator message page", "body"),
             ("coordinator message api", "body"), ("note page", "body"), ("conduct editor", "intro-nl"),
             ("conduct editor", "rule-0-body-en"), ("conduct editor", "rule-0-ladder-nl")])
PAGES = tuple(where for where, _f in FIELDS if where.endswith("page") or where == "conduct editor")


# The box a page puts a field back in, where a page has two with the same name.
BOXES = {"note page": "#note-body", "coordinator message page": "#message-body"}


@dataclass
class Sent:
    response: requests.Response
    seconds: float
    where: str = ""

    @property
    def status(self) -> int:
        return self.response.status_code

    def given_back(self, field: str) -> str:
        """What the page put back in the field (a textarea's text or an input's value)."""
        soup = BeautifulSoup(self.response.text, "html.parser")
        box = soup.select_one(BOXES.get(self.where) or f"form [name='{field}']")
        assert box is not None, f"the page has no {field} field"
        return box.text if box.name == "textarea" else html.unescape(box.get("value", ""))


def _multipart(data: dict, field: str, text: str) -> dict:
    """A form as multipart/form-data (no file part: every part is a field), so 256 KB of '<' stays 256 KB."""
    parts = {key: (None, value) for key, value in data.items() if key != field}
    parts[field] = (None, text)
    return parts


class Writers:
    def __init__(self, app, tool_url: str, lms):
        self.app, self.tool_url, self.lms = app, tool_url, lms
        self.student_browser, self.coordinator_browser, self.admin_browser = (
            Browser(tool_url), Browser(tool_url), Browser(tool_url))
        _, self.student = launch(self.student_browser, lms, "student", locale="en")
        _, self.coordinator = launch(self.coordinator_browser, lms, "coordinator", locale="en")
        _, self.admin = launch(self.admin_browser, lms, "admin", locale="en")
        with app.app_context():
            member = db.session.scalars(select(SchoolMember).join(User).where(
                User.sub == lms.users["coordinator"].sub, User.issuer == lms.issuer)).one()
            member.is_coordinator = True
            self.student_id = db.session.scalar(select(User.id).where(
                User.sub == lms.users["student"].sub, User.issuer == lms.issuer))
            db.session.commit()
        self.case = make_case(app, lms.school_id, reporter_user_id=self.student_id)
        self.admin_browser.get("/conduct/student/draft", token=self.admin)  # makes the draft

    # --- what is stored -----------------------------------------------------------------------------
    def stored(self) -> tuple:
        """Counts of everything a text could have been stored in, and the draft's content."""
        with self.app.app_context():
            school = self.lms.school_id
            count = lambda model, *where: db.session.scalar(select(func.count()).select_from(model).where(*where))
            draft = db.session.scalars(select(ConductVersion).where(
                ConductVersion.school_id == school, ConductVersion.status == DRAFT)).all()
            return (count(Report, Report.school_id == school),
                    count(ReportMessage, ReportMessage.school_id == school),
                    count(CaseNote, CaseNote.school_id == school),
                    sorted(repr(v.content) for v in draft))

    # --- sending ------------------------------------------------------------------------------------
    def send(self, where: str, field: str, text: str) -> Sent:
        import time
        send = getattr(self, "_" + where.replace(" ", "_"))
        prepared = send(field, text)
        started = time.perf_counter()
        response = prepared()
        return Sent(response, time.perf_counter() - started, where)

    def _report_page(self, field, text):
        page = self.student_browser.get("/reports/new?category=sexual_images", token=self.student)
        action, hidden = form_of(page.text, "form.report-form")
        data = {**hidden, **report_fields("sexual_images", holders="de klassengroep")}
        return lambda: self.student_browser.post(action, token=self.student, files=_multipart(data, field, text))

    def _report_api(self, field, text):
        headers = {"X-Launch-Token": self.student}
        new = requests.get(f"{self.tool_url}/api/v1/me/reports/new", headers=headers, timeout=30).json()
        body = {**report_fields("sexual_images", holders="de klassengroep"), "submission": new["submission"],
                "reporter_is_affected": True, field: text}
        body.pop("affected")
        return lambda: requests.post(f"{self.tool_url}/api/v1/me/reports", headers=headers, json=body, timeout=30)

    def _entry_page(self, field, text):
        page = self.coordinator_browser.get("/cases/new", token=self.coordinator)
        action, data = editor_fields(page.text)
        data.update({"source": "phone", "category": "sexual_images", "what_happened": "Een leerling belde.",
                     "holders": "de klassengroep"})
        return lambda: self.coordinator_browser.post(action, token=self.coordinator,
                                                     files=_multipart(data, field, text))

    def _reply_page(self, field, text):
        page = self.student_browser.get(f"/reports/{self.case.reference}", token=self.student)
        action, data = form_of(page.text, "form[action*='/messages']")
        return lambda: self.student_browser.post(action, token=self.student, files=_multipart(data, field, text))

    def _reply_api(self, field, text):
        return lambda: requests.post(f"{self.tool_url}/api/v1/me/reports/{self.case.reference}/messages",
                                     headers={"X-Launch-Token": self.student}, json={"body": text}, timeout=30)

    def _case_form(self, action: str, text: str):
        page = self.coordinator_browser.get(f"/cases/{self.case.id}", token=self.coordinator)
        _, fields = form_of(page.text, f"form[action*='/{action}']")
        return lambda: self.coordinator_browser.post(f"/cases/{self.case.id}/{action}", token=self.coordinator,
                                                     files=_multipart(fields, "body", text))

    def _coordinator_message_page(self, field, text):
        return self._case_form("messages", text)

    def _note_page(self, field, text):
        return self._case_form("notes", text)

    def _coordinator_message_api(self, field, text):
        return lambda: requests.post(f"{self.tool_url}/api/v1/cases/{self.case.id}/messages",
                                     headers={"X-Launch-Token": self.coordinator}, json={"body": text}, timeout=30)

    def _conduct_editor(self, field, text):
        page = self.admin_browser.get("/conduct/student/draft", token=self.admin)
        action, data = editor_fields(page.text)
        return lambda: self.admin_browser.post(action, token=self.admin, files=_multipart(data, field, text))
