"""The case page fits the coordinator's work: the conversation beside the protocol, steps with notes
and "not applicable", a closing that asks before leaving steps open, and only the code that applies."""
from datetime import datetime, timezone
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from lti_tool.cases.models import AuditEvent, ChecklistEntry
from lti_tool.reports.models import ReportMessage
from lti_tool.conduct.models import ConductVersion
from lti_tool.extensions import db
from tests.cases.conftest import coordinator_token, designate, launch, make_case
from tests.cases.test_case import CLOSING, codes, fresh, post, token  # noqa: F401  (codes, token: fixtures)
from tests.support.browser import form_of, text_of
from tests.support.pages import launch as launch_in

CSS = Path(__file__).parents[2] / "lti_tool" / "static" / "css" / "app.css"
PNG = "data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="


def _rules(app, version_id) -> list[dict]:
    with app.app_context():
        return db.session.get(ConductVersion, version_id).content["rules"]


def _entries(db_session, case_id) -> dict:
    db_session.expire_all()
    return {e.step: e for e in db_session.scalars(select(ChecklistEntry).where(ChecklistEntry.report_id == case_id))}


def _actions(db_session, case_id) -> list[str]:
    db_session.expire_all()
    return [e.action for e in db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == case_id)
                                                 .order_by(AuditEvent.id))]


def _soup(browser, token, case_id):
    return BeautifulSoup(browser.get(f"/cases/{case_id}", token=token).text, "html.parser")


# --- the layout ------------------------------------------------------------------------------------

def test_the_thread_and_notes_stand_beside_the_details_and_checklist_on_a_wide_screen(browser, token, app,
                                                                                       school_lms):
    case = make_case(app, school_lms.school_id)
    soup = _soup(browser, token, case.id)
    main, side = soup.select_one(".case-layout > .case-main"), soup.select_one(".case-layout > .case-side")
    assert main is not None and side is not None
    assert main.select_one("#checklist") and main.select_one(".case-details") and main.select_one("#closing")
    assert side.select_one("#messages") and side.select_one("#notes")
    assert not main.select_one("#messages") and not side.select_one("#checklist")
    css = CSS.read_text()
    assert ".case-layout { display:grid; grid-template-columns:minmax(0, 7fr) minmax(0, 5fr)" in css
    phone = css[css.index("@media (max-width: 60rem)"):]
    assert ".case-layout { display:flex; flex-direction:column; }" in phone, "one column on a phone"


def test_links_have_the_pages_calm_colour_and_never_the_browsers_blue_and_purple():
    css = CSS.read_text()
    assert ":where(a), :where(a:visited) { color:var(--accent);" in css


# --- the rules offered when closing ---------------------------------------------------------------

def test_a_student_case_offers_only_the_student_codes_rules_and_refuses_a_staff_rule(browser, token, app, db_session,
                                                                                       school_lms, codes):
    case = make_case(app, school_lms.school_id, category="unwanted_images")
    soup = _soup(browser, token, case.id)
    groups = [g["label"] for g in soup.select("form.close-form select[name=rule] optgroup")]
    student, staff = _rules(app, codes["student"]), _rules(app, codes["staff"])
    student_titles = [r["title"]["en"] for r in student]
    staff_only = {r["key"] for r in staff} - {r["key"] for r in student}
    assert groups == student_titles and len(groups) == len(set(groups)), "one group per rule, none labelled alike"
    values = [o["value"] for o in soup.select("form.close-form select[name=rule] option") if o["value"]]
    assert staff_only and not any(v.split(":")[0] in staff_only for v in values)
    refused = post(browser, token, case.id, "close", outcome="sanctioned", rule=f"{sorted(staff_only)[0]}:0",
                   message=CLOSING, confirm_open_steps="true")
    assert refused.status_code == 400 and fresh(db_session, case.id).status == "new"


def test_a_case_about_staff_offers_the_staff_code(browser, token, app, school_lms, codes):
    case = make_case(app, school_lms.school_id, category="cyberbullying", about_staff=True)
    soup = _soup(browser, token, case.id)
    groups = [g["label"] for g in soup.select("form.close-form select[name=rule] optgroup")]
    assert groups == [r["title"]["en"] for r in _rules(app, codes["staff"])]


# --- closing with open steps ------------------------------------------------------------------------

def test_closing_with_open_steps_asks_first_and_keeps_what_was_chosen(browser, token, app, db_session, school_lms,
                                                                      codes):
    case = make_case(app, school_lms.school_id, category="cyberbullying")
    post(browser, token, case.id, "steps", step="victim_support", state="done")
    asked = post(browser, token, case.id, "close", outcome="sanctioned", rule="filming-others:1", message=CLOSING)
    assert asked.status_code == 409
    assert fresh(db_session, case.id).status == "new"
    assert db_session.scalars(select(ReportMessage).where(ReportMessage.report_id == case.id)).all() == []
    soup = BeautifulSoup(asked.text, "html.parser")
    box = soup.select_one("#close-problem")
    listed = [a.get_text(strip=True) for a in box.select("a[href^='#step-']")]
    assert "Victim first: contact and support" not in listed
    assert "Decide on informing the parents" in listed and len(listed) == 5
    assert "5 steps of the protocol are still open" in box.get_text(" ")
    form = soup.select_one("form.close-form")
    assert form.select_one("input[name=confirm_open_steps]")["value"] == "true"
    assert form.select_one("option[value='filming-others:1']").has_attr("selected"), "the choice stays"
    assert CLOSING in form.select_one("textarea[name=message]").get_text()
    assert form.select_one("select[name=outcome] option[selected]")["value"] == "sanctioned"
    action, fields = form_of(asked.text, "form.close-form")
    closed = browser.post(action, token=token, data={**fields, "outcome": "sanctioned", "rule": "filming-others:1",
                                                      "message": form.select_one("textarea[name=message]").get_text()})
    assert closed.status_code == 303 and fresh(db_session, case.id).status == "closed"
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == case.id,
                                                         AuditEvent.action == "closed_with_open_steps")).all()
    assert len(events) == 1 and "parents" in events[0].detail and "victim_support" not in events[0].detail


def test_a_case_whose_steps_are_all_dealt_with_closes_without_the_question(browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id, category="other")
    for step in ("victim_support", "parents", "evidence", "aftercare"):
        assert post(browser, token, case.id, "steps", step=step, state="done").status_code == 303
    assert post(browser, token, case.id, "steps", step="communication", state="not_applicable",
                note="Nobody else knows; the pupil asked us to keep it so.").status_code == 303
    assert post(browser, token, case.id, "close", outcome="resolved", message=CLOSING).status_code == 303
    assert "closed_with_open_steps" not in _actions(db_session, case.id)


# --- a step's note and "not applicable" -------------------------------------------------------------

def test_a_step_takes_a_note_sealed_and_shown_only_to_coordinators(browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id)
    note = "Spoke with her mentor on Tuesday; she wants her parents told by us."
    assert post(browser, token, case.id, "steps", step="parents", state="done", note=note).status_code == 303
    entry = _entries(db_session, case.id)["parents"]
    assert entry.state == "done" and note.encode() not in entry.note, "the note is sealed at rest"
    step = _soup(browser, token, case.id).select_one("#step-parents")
    assert step.select_one("textarea[name=note]").get_text() == note
    assert "Done by Fatima Yilmaz" in step.get_text(" ")
    assert _actions(db_session, case.id)[-2:] == ["step_checked", "case_viewed"]


def test_not_applicable_needs_a_reason_and_is_audited(browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id)
    refused = post(browser, token, case.id, "steps", step="sanctions", state="not_applicable")
    assert refused.status_code == 400 and "why this step does not apply" in text_of(refused.text)
    assert "sanctions" not in _entries(db_session, case.id)
    assert post(browser, token, case.id, "steps", step="sanctions", state="not_applicable",
                note="The pupils involved could not be found.").status_code == 303
    assert _entries(db_session, case.id)["sanctions"].state == "not_applicable"
    assert "step_not_applicable" in _actions(db_session, case.id)
    step = _soup(browser, token, case.id).select_one("#step-sanctions")
    assert "not applicable" in step.get_text(" ") and "Marked not applicable by Fatima Yilmaz" in step.get_text(" ")
    assert post(browser, token, case.id, "steps", step="sanctions", state="open").status_code == 303
    assert "sanctions" not in _entries(db_session, case.id) and "step_unchecked" in _actions(db_session, case.id)


def test_a_steps_note_with_an_image_is_refused_and_comes_back_without_it(browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id)
    refused = post(browser, token, case.id, "steps", step="evidence", state="done",
                   note=f"Screenshot of the post: {PNG} saved by the mentor")
    assert refused.status_code == 422 and "evidence" not in _entries(db_session, case.id)
    box = BeautifulSoup(refused.text, "html.parser").select_one("#note-evidence")
    assert "base64" not in box.get_text() and "saved by the mentor" in box.get_text()
    assert box["aria-invalid"] == "true"


@pytest.mark.parametrize("data", [{"step": "parents", "state": "finished"}, {"step": "no_such_step", "state": "done"},
                                  {"step": "parents"}, {"step": "parents", "state": "done", "note": "x" * 1001}])
def test_a_step_form_that_does_not_validate_changes_nothing(browser, token, app, db_session, school_lms, data):
    case = make_case(app, school_lms.school_id)
    assert post(browser, token, case.id, "steps", **data).status_code == 400
    assert _entries(db_session, case.id) == {}


def test_the_board_track_cannot_be_marked_not_applicable(browser, token, app, db_session, school_lms):
    case = make_case(app, school_lms.school_id, category="sexual_images", staff_suspect=True)
    assert post(browser, token, case.id, "steps", step="board_inspectorate", state="not_applicable",
                note="Not needed").status_code == 400
    assert _entries(db_session, case.id) == {}
    step = _soup(browser, token, case.id).select_one("#step-board_inspectorate")
    assert not step.select("button[value=not_applicable]")


def test_nobody_but_the_schools_coordinators_marks_a_step(browser, token, app, db_session, school_lms, other_lms, tool_url):
    from tests.support.browser import Browser
    case = make_case(app, school_lms.school_id)
    page = browser.get(f"/cases/{case.id}", token=token)
    _, fields = form_of(page.text, "form[method=post]")
    outsider = Browser(tool_url)
    other = coordinator_token(outsider, db_session, other_lms)
    assert outsider.post(f"/cases/{case.id}/steps", token=other,
                         data={"step": "parents", "state": "not_applicable", "note": "x",
                               "csrf_token": form_of(outsider.get("/cases/new", token=other).text,
                                                     "form.editor")[1]["csrf_token"]}).status_code == 404
    pupil = Browser(tool_url)
    _, student = launch(pupil, school_lms, "student")
    assert pupil.post(f"/cases/{case.id}/steps", token=student,
                      data={"step": "parents", "state": "done"}).status_code in (400, 403)
    assert _entries(db_session, case.id) == {}


# --- dates -------------------------------------------------------------------------------------------

def test_the_case_page_writes_every_moment_one_dutch_way_without_seconds(browser, db_session, app, school_lms, codes):
    _, nl = launch_in(browser, school_lms, "coordinator", locale="nl")
    designate(db_session, school_lms, "coordinator")
    at = datetime(2026, 12, 7, 13, 5, 42, tzinfo=timezone.utc)
    case = make_case(app, school_lms.school_id, identity="named", created_at=at, received_at=at)
    page = text_of(browser.get(f"/cases/{case.id}", token=nl).text)
    assert "ma 7 dec 2026, 14:05" in page
    assert "14:05:42" not in page and "07-12-2026" not in page


def test_a_deadline_at_midnight_is_the_whole_day_before(app):
    from lti_tool.coarse_time import due_shown
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        from flask_babel import force_locale
        with force_locale("nl"):
            midnight = datetime(2026, 12, 7, 23, 0, tzinfo=timezone.utc)  # 00:00 on Tuesday in Amsterdam
            assert due_shown(midnight, False).startswith("maandag 7 december")
            assert due_shown(datetime(2026, 12, 7, 13, 5, tzinfo=timezone.utc), False) == "ma 7 dec 2026, 14:05"
