"""From a student's report to a closed case, through the real pages of both sides."""
from bs4 import BeautifulSoup

from tests.cases.conftest import designate, launch
from tests.reports.helpers import reference_of, send
from tests.support.browser import Browser, form_of, text_of


def test_a_report_travels_from_the_student_to_the_coordinator_and_back(tool_url, school_lms, db_session):
    student, coordinator = Browser(tool_url), Browser(tool_url)
    _, coordinator_token = launch(coordinator, school_lms, "coordinator")
    designate(db_session, school_lms, "coordinator")
    _, student_token = launch(student, school_lms, "student")
    resp, _ = send(student, student_token, "threats", what_happened="A boy in 4A said he would bring a knife.",
                   platform="Snapchat", identity="pseudonymous")
    reference = reference_of(resp)

    queue = coordinator.get("/cases", token=coordinator_token)
    soup = BeautifulSoup(queue.text, "html.parser")
    link = next(a for a in soup.select("a.ref") if a.text.strip() == reference)
    row = link.find_parent("tr")
    assert "Urgent" in row.text and "is-urgent" in row["class"]
    case = coordinator.get(link["href"])
    assert "A boy in 4A said he would bring a knife." in text_of(case.text)
    assert "Sanne" not in case.text, "a pseudonymous student stays unnamed"
    action, fields = form_of(case.text, "form[action*='/status']")
    coordinator.post(action, data={**fields, "status": "acknowledged"})
    case = coordinator.get(link["href"])
    action, fields = form_of(case.text, "form[action*='/messages']")
    coordinator.post(action, data={**fields, "body": "Thank you. We are talking to the mentor of 4A today."})
    action, fields = form_of(case.text, "form[action*='/notes']")
    coordinator.post(action, data={**fields, "body": "Police contact informed by phone."})

    own = text_of(student.get(f"/reports/{reference}", token=student_token).text)
    assert "We are talking to the mentor of 4A today." in own and "Answered" in own
    assert "Police contact informed" not in own

    case = coordinator.get(link["href"])
    action, fields = form_of(case.text, "form.close-form")
    closed = coordinator.post(action, data={**fields, "outcome": "referred", "rule": "",
                                             "message": "We passed your report on to the police.",
                                             "confirm_open_steps": "true"})
    assert closed.status_code == 303
    closed_page = text_of(student.get(f"/reports/{reference}", token=student_token).text)
    assert "Closed" in closed_page and "We passed your report on to the police." in closed_page
