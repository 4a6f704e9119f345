"""Many reports, one incident: linking, the reports side by side, a shared checklist and closing, one
message into every reporter's own thread, unlinking (audited), statistics, and every refusal."""
import pytest
from sqlalchemy import func, select

from lti_tool.cases.models import AuditEvent, ChecklistEntry, Incident, ReportExclusion
from lti_tool.db import utcnow
from lti_tool.demo.platform import INSTRUCTOR, DemoUser
from lti_tool.reports.models import Report, ReportMessage
from tests.cases.conftest import designate, make_case, user_id
from tests.cases.people import drop_mail, launch_people
from tests.reports.helpers import reference_of, send

FIFTEEN = [f"fight-{n}" for n in range(15)]


@pytest.fixture(scope="module")
def people(app, school_lms, tool_url):
    """Coordinators (coordinator, coord2), a teacher, the admin, a student and fifteen classmates, launched once."""
    school_lms.users["coord2"] = DemoUser("coord2", "demo-coord-2", "Kees", "Visser", [INSTRUCTOR])
    school_lms.add_students(15, "fight")
    found = launch_people(tool_url, school_lms, ["coordinator", "coord2", "teacher", "admin", "student"] + FIFTEEN)
    from lti_tool.extensions import db
    with app.app_context():
        designate(db.session, school_lms, "coordinator")
        designate(db.session, school_lms, "coord2")
    yield found
    drop_mail(app, school_lms.school_id)


@pytest.fixture
def cases(app, school_lms):
    """n fresh cases of the test school."""
    return lambda n=3, **kw: [make_case(app, school_lms.school_id, what=f"Case {i} of a linked incident.", **kw)
                              for i in range(n)]


def _fresh(db_session, report_id):
    db_session.expire_all()
    return db_session.get(Report, report_id)


def _incidents(db_session, school_id):
    db_session.expire_all()
    return db_session.scalar(select(func.count()).select_from(Incident).where(Incident.school_id == school_id))


def _create(people, tool_url, reports, who="coordinator"):
    resp = people[who].api(tool_url, "POST", "/incidents", json={"report_ids": [r.id for r in reports]})
    assert resp.status_code == 201, resp.text
    return resp.json()


def test_fifteen_reports_link_into_one_incident_and_one_message_reaches_all_fifteen_threads(
        db_session, school_lms, people):
    references = []
    for key in FIFTEEN:
        resp, _ = send(people[key].browser, people[key].token, "fight_video",
                       what_happened=f"A fight video in the class chat, seen by {key}.")
        assert resp.status_code == 303, resp.text
        references.append(reference_of(resp))
    first = db_session.scalars(select(Report).where(Report.reference == references[0])).one()
    coordinator = people["coordinator"]
    linked = coordinator.post(f"/cases/{first.id}/incident", data={"references": ", ".join(references[1:])})
    assert linked.status_code == 303, linked.text
    db_session.expire_all()
    reports = db_session.scalars(select(Report).where(Report.reference.in_(references))).all()
    assert len({r.incident_id for r in reports}) == 1 and reports[0].incident_id is not None
    incident_id = reports[0].incident_id
    page = coordinator.get(f"/cases/incidents/{incident_id}")
    assert page.status_code == 200
    assert all(reference in page.text for reference in references), "side by side"
    assert "seen by fight-7" in page.text, "with their details"
    sent = coordinator.post(f"/cases/incidents/{incident_id}/messages",
                            data={"body": "We know about the video and are acting on it. Thank you."})
    assert sent.status_code == 303
    db_session.expire_all()
    rows = db_session.scalars(select(ReportMessage).where(ReportMessage.report_id.in_([r.id for r in reports]),
                                                          ReportMessage.author_role == ReportMessage.COORDINATOR)).all()
    assert sorted(row.report_id for row in rows) == sorted(r.id for r in reports), "one in each thread"
    for key, reference in zip(FIFTEEN, references):
        thread = people[key].get(f"/reports/{reference}")
        assert thread.status_code == 200 and "We know about the video" in thread.text
        others = [r for r in reports if r.reference != reference]
        assert not any(other.reference in thread.text or other.pseudonym in thread.text for other in others), \
            "no reporter learns who else reported"
        assert "15 reports" not in thread.text and "linked" not in thread.text.lower(), "nor how many"


def test_the_shared_checklist_applies_to_every_report(db_session, tool_url, people, cases):
    reports = cases(3, category="fight_video")
    incident = _create(people, tool_url, reports)
    resp = people["coordinator"].post(f"/cases/incidents/{incident['id']}/steps", data={"step": "evidence", "done": "true"})
    assert resp.status_code == 303
    db_session.expire_all()
    checked = db_session.scalars(select(ChecklistEntry.report_id).where(
        ChecklistEntry.report_id.in_([r.id for r in reports]), ChecklistEntry.step == "evidence")).all()
    assert sorted(checked) == sorted(r.id for r in reports)
    out = people["coordinator"].api(tool_url, "GET", f"/incidents/{incident['id']}").json()
    assert next(s for s in out["checklist"] if s["step"] == "evidence")["done"] is True


def test_closing_the_incident_closes_every_report_with_one_outcome(db_session, tool_url, people, cases):
    reports = cases(3)
    incident = _create(people, tool_url, reports)
    resp = people["coordinator"].api(tool_url, "POST", f"/incidents/{incident['id']}/close",
                                       json={"outcome": "sanctioned", "message": "We hebben maatregelen genomen.",
                                             "confirm_open_steps": True})
    assert resp.status_code == 200, resp.text
    assert resp.json()["reports_changed"] == 3
    assert {(_fresh(db_session, r.id).status, _fresh(db_session, r.id).outcome) for r in reports} == {("closed", "sanctioned")}


def test_an_incident_with_open_steps_closes_only_when_the_coordinator_confirms(db_session, tool_url, people, cases):
    """Closing with open steps is a second step, as on a case: the page comes back with the choices and
    the typed text kept, names each open step once, and its button closes anyway (recorded per report)."""
    from bs4 import BeautifulSoup
    reports = cases(2)
    incident = _create(people, tool_url, reports)
    page = people["coordinator"].get(f"/cases/incidents/{incident['id']}")
    assert 'name="confirm_open_steps"' not in page.text, "no box to tick in advance: the question comes when closing"
    message = "We hebben met alle betrokkenen gesproken en maatregelen genomen."
    asked = people["coordinator"].post(f"/cases/incidents/{incident['id']}/close",
                                       data={"outcome": "resolved", "message": message})
    assert asked.status_code == 409
    assert {_fresh(db_session, r.id).status for r in reports} == {"new"}, "nothing half-saved"
    soup = BeautifulSoup(asked.text, "html.parser")
    box = soup.select_one("#close-problem")
    assert box is not None and "still open" in box.get_text()
    named = [item.get_text(strip=True) for item in box.select("li")]
    assert named and len(named) == len(set(named)), "each open step named once for the whole incident"
    form = soup.select_one("form.close-form")
    assert form.select_one("textarea[name=message]").get_text() == message, "the typed text is kept"
    assert form.select_one("select[name=outcome] option[selected]")["value"] == "resolved"
    assert form.select_one("input[name=confirm_open_steps]")["value"] == "true"
    fields = {field["name"]: field.get("value", "") for field in form.select("input[name]")}
    fields.update(outcome="resolved", message=message)
    closed = people["coordinator"].post(f"/cases/incidents/{incident['id']}/close", data=fields)
    assert closed.status_code == 303, closed.text[:500]
    assert {_fresh(db_session, r.id).status for r in reports} == {"closed"}
    recorded = db_session.scalars(select(AuditEvent.report_id).where(
        AuditEvent.report_id.in_([r.id for r in reports]), AuditEvent.action == "closed_with_open_steps")).all()
    assert sorted(recorded) == sorted(r.id for r in reports)
    api = people["coordinator"].api(tool_url, "POST", f"/incidents/{_create(people, tool_url, cases(2))['id']}/close",
                                    json={"outcome": "resolved", "message": "Opgelost."})
    assert api.status_code == 409 and api.json()["error"] == "open_steps" and "still open" in api.json()["message"]


def test_a_refused_incident_closing_gives_back_what_was_typed(tool_url, people, cases):
    incident = _create(people, tool_url, cases(2))
    message = "Een lange uitleg aan iedere melder die niet verloren mag gaan."
    refused = people["coordinator"].post(f"/cases/incidents/{incident['id']}/close",
                                         data={"outcome": "no-such-outcome", "message": message,
                                               "confirm_open_steps": "true"})
    assert refused.status_code == 400
    assert message in refused.text and 'id="close-problem"' in refused.text


def test_one_report_that_may_not_close_yet_stops_the_whole_incident_closing(db_session, tool_url, people, cases):
    reports = cases(2) + cases(1, staff_suspect=True)
    incident = _create(people, tool_url, reports)
    resp = people["coordinator"].post(f"/cases/incidents/{incident['id']}/close",
                                      data={"outcome": "resolved", "message": "Opgelost.",
                                            "confirm_open_steps": "true"})
    assert resp.status_code == 409 and "School board and Inspectorate" in resp.text
    assert {_fresh(db_session, r.id).status for r in reports} == {"new"}, "nothing half-saved"


def test_unlinking_takes_a_report_out_and_is_audited(db_session, tool_url, people, cases):
    reports = cases(3)
    incident = _create(people, tool_url, reports)
    resp = people["coordinator"].post(f"/cases/incidents/{incident['id']}/unlink", data={"report_id": str(reports[1].id)})
    assert resp.status_code == 303
    assert _fresh(db_session, reports[1].id).incident_id is None
    assert _fresh(db_session, reports[0].id).incident_id == incident["id"]
    events = db_session.scalars(select(AuditEvent).where(AuditEvent.report_id == reports[1].id,
                                                         AuditEvent.action.in_(("incident_linked", "incident_unlinked")))
                                .order_by(AuditEvent.id)).all()
    assert [e.action for e in events] == ["incident_linked", "incident_unlinked"]
    assert events[-1].actor_user_id is not None
    api = people["coordinator"].api(tool_url, "POST", f"/incidents/{incident['id']}/unlink", json={"report_id": reports[1].id})
    assert api.status_code == 404, "no longer part of it"


def test_more_reports_link_into_an_existing_incident_by_reference(db_session, tool_url, people, cases):
    reports = cases(3)
    incident = _create(people, tool_url, reports[:2])
    resp = people["coordinator"].post(f"/cases/incidents/{incident['id']}/reports",
                                      data={"references": reports[2].reference.lower().replace("-", "")})
    assert resp.status_code == 303
    assert _fresh(db_session, reports[2].id).incident_id == incident["id"]


def test_linking_a_report_of_another_school_is_refused_and_nothing_is_saved(
        app, db_session, tool_url, school_lms, other_lms, people, cases):
    own = cases(2)
    foreign = make_case(app, other_lms.school_id, what="Another school's report.")
    before = _incidents(db_session, school_lms.school_id)
    resp = people["coordinator"].api(tool_url, "POST", "/incidents", json={"report_ids": [own[0].id, own[1].id, foreign.id]})
    assert resp.status_code == 400 and "No case of this school" in resp.text
    page = people["coordinator"].post(f"/cases/{own[0].id}/incident", data={"references": f"{own[1].reference} {foreign.reference}"})
    assert page.status_code == 400 and "No case of this school" in page.text
    assert _incidents(db_session, school_lms.school_id) == before
    assert {_fresh(db_session, r.id).incident_id for r in own + [foreign]} == {None}


def test_linking_a_purged_case_is_refused_and_nothing_is_saved(db_session, tool_url, school_lms, people, cases):
    live = cases(2)
    purged = cases(1, status="closed", closed_at=utcnow(), purged_at=utcnow(), details=None)[0]
    before = _incidents(db_session, school_lms.school_id)
    resp = people["coordinator"].api(tool_url, "POST", "/incidents", json={"report_ids": [r.id for r in live + [purged]]})
    assert resp.status_code == 409 and "removed after the retention period" in resp.json()["message"]
    assert _incidents(db_session, school_lms.school_id) == before
    assert {_fresh(db_session, r.id).incident_id for r in live} == {None}


def test_a_report_already_in_another_incident_is_refused(db_session, tool_url, people, cases):
    reports = cases(3)
    _create(people, tool_url, reports[:2])
    resp = people["coordinator"].api(tool_url, "POST", "/incidents", json={"report_ids": [reports[1].id, reports[2].id]})
    assert resp.status_code == 409 and "already part of another incident" in resp.text
    assert _fresh(db_session, reports[2].id).incident_id is None


def test_a_coordinator_kept_away_from_a_report_cannot_link_it_nor_open_its_incident(
        app, db_session, tool_url, school_lms, people, cases):
    reports = cases(2)
    db_session.add(ReportExclusion(school_id=school_lms.school_id, report_id=reports[1].id,
                                   user_id=user_id(db_session, school_lms, "coordinator")))
    db_session.commit()
    before = _incidents(db_session, school_lms.school_id)
    resp = people["coordinator"].api(tool_url, "POST", "/incidents", json={"report_ids": [r.id for r in reports]})
    assert resp.status_code == 400 and _incidents(db_session, school_lms.school_id) == before
    incident = _create(people, tool_url, reports, who="coord2")
    assert people["coordinator"].get(f"/cases/incidents/{incident['id']}").status_code == 404
    assert people["coordinator"].api(tool_url, "GET", f"/incidents/{incident['id']}").status_code == 404
    refused = people["coordinator"].api(tool_url, "POST", f"/incidents/{incident['id']}/messages", json={"body": "Hi"})
    assert refused.status_code == 404
    db_session.expire_all()
    assert not db_session.scalars(select(ReportMessage).where(ReportMessage.report_id == reports[1].id)).all()


@pytest.mark.parametrize("body", [{}, {"report_ids": "x"}, {"report_ids": ["x"]}, {"report_ids": [0]},
                                  {"report_ids": [1], "extra": 1}, {"references": ""}])
def test_bad_link_input_is_a_400(db_session, tool_url, school_lms, people, body):
    before = _incidents(db_session, school_lms.school_id)
    resp = people["coordinator"].api(tool_url, "POST", "/incidents", json=body)
    assert resp.status_code == 400, resp.text
    assert _incidents(db_session, school_lms.school_id) == before


def test_one_report_is_no_incident(db_session, tool_url, school_lms, people, cases):
    [report] = cases(1)
    resp = people["coordinator"].api(tool_url, "POST", "/incidents", json={"report_ids": [report.id]})
    assert resp.status_code == 400 and "at least two" in resp.text


@pytest.mark.parametrize("path, body", [("steps", {"step": "nonsense", "done": True}), ("steps", {"step": "police"}),
                                        ("close", {"outcome": "whatever"}), ("messages", {"body": ""}),
                                        ("unlink", {"report_id": "x"})])
def test_bad_incident_actions_are_a_400_and_change_nothing(db_session, tool_url, people, cases, path, body):
    reports = cases(2, category="cyberbullying")
    incident = _create(people, tool_url, reports)
    resp = people["coordinator"].api(tool_url, "POST", f"/incidents/{incident['id']}/{path}", json=body)
    assert resp.status_code == 400, resp.text
    for report in reports:
        fresh = _fresh(db_session, report.id)
        assert fresh.status == "new" and fresh.incident_id == incident["id"]


def test_a_step_that_applies_to_no_report_is_refused(tool_url, people, cases):
    reports = cases(2, category="other")  # no takedown step in "other"
    incident = _create(people, tool_url, reports)
    resp = people["coordinator"].api(tool_url, "POST", f"/incidents/{incident['id']}/steps",
                                     json={"step": "takedown", "done": True})
    assert resp.status_code == 400 and "does not apply" in resp.text


def test_statistics_count_incidents_and_reports(app, db_session, school_lms, tool_url, people, cases):
    from lti_tool.cases import queries, statistics
    with app.test_request_context():
        before = statistics.figures(school_lms.school_id, queries.settings_for(school_lms.school_id))
    reports = cases(4)
    _create(people, tool_url, reports)
    with app.test_request_context():
        after = statistics.figures(school_lms.school_id, queries.settings_for(school_lms.school_id))
    assert after.total == before.total + 4 and after.incidents == before.incidents + 1
    page = people["coordinator"].get("/cases/dashboard")
    assert f'<span class="tile-n">{after.incidents}</span><span class="tile-label">incidents in 12 months' in page.text
    csv = people["admin"].get("/cases/statistics.csv").text
    assert f"incidents_last_12_months,{after.incidents}" in csv and f"reports_last_12_months,{after.total}" in csv


PAGE_POSTS = [("/cases/{rid}/incident", {"references": "{ref}"}), ("/cases/incidents/{iid}/reports", {"references": "{ref}"}),
              ("/cases/incidents/{iid}/unlink", {"report_id": "{rid}"}), ("/cases/incidents/{iid}/steps", {"step": "evidence", "done": "true"}),
              ("/cases/incidents/{iid}/close", {"outcome": "resolved"}), ("/cases/incidents/{iid}/messages", {"body": "Hello"})]
API_POSTS = [("/incidents", {"report_ids": ["{rid}", "{rid2}"]}), ("/incidents/{iid}/reports", {"report_ids": ["{rid}"]}),
             ("/incidents/{iid}/unlink", {"report_id": "{rid}"}), ("/incidents/{iid}/steps", {"step": "evidence", "done": True}),
             ("/incidents/{iid}/close", {"outcome": "resolved"}), ("/incidents/{iid}/messages", {"body": "Hello"})]


@pytest.fixture
def target(tool_url, people, cases):
    reports = cases(3)
    incident = _create(people, tool_url, reports[:2])
    return {"iid": incident["id"], "rid": reports[0].id, "rid2": reports[1].id,
            "ref": reports[2].reference, "reports": reports}


def _fill(value, target):
    if isinstance(value, str):
        for key in ("iid", "rid2", "rid", "ref"):
            value = value.replace("{" + key + "}", str(target[key]))
        return int(value) if value.isdigit() else value
    if isinstance(value, list):
        return [_fill(v, target) for v in value]
    return value


def _unchanged(db_session, target):
    for report in target["reports"]:
        fresh = _fresh(db_session, report.id)
        assert fresh.status == "new"
    assert _fresh(db_session, target["reports"][2].id).incident_id is None
    assert not db_session.scalars(select(ReportMessage).where(
        ReportMessage.report_id.in_([r.id for r in target["reports"]]))).all()


@pytest.mark.parametrize("who", ["student", "teacher", "admin"])
def test_only_coordinators_open_or_change_an_incident_page(db_session, people, target, who):
    person = people[who]
    assert person.get(f"/cases/incidents/{target['iid']}").status_code == 403
    for path, data in PAGE_POSTS:
        resp = person.post(_fill(path, target), data={k: str(_fill(v, target)) for k, v in data.items()})
        assert resp.status_code == 403, (path, resp.status_code)
    _unchanged(db_session, target)


@pytest.mark.parametrize("who", ["student", "teacher", "admin"])
def test_only_coordinators_use_the_incident_api(db_session, tool_url, people, target, who):
    person = people[who]
    assert person.api(tool_url, "GET", f"/incidents/{target['iid']}").status_code == 403
    for path, body in API_POSTS:
        resp = person.api(tool_url, "POST", _fill(path, target), json={k: _fill(v, target) for k, v in body.items()})
        assert resp.status_code == 403, (path, resp.status_code)
    _unchanged(db_session, target)


def test_another_schools_coordinator_finds_no_incident(db_session, tool_url, other_lms, people, target):
    from tests.cases.conftest import coordinator_token
    from tests.cases.people import Person
    from tests.support.browser import Browser
    own = Browser(tool_url)
    with_token = Person(own, coordinator_token(own, db_session, other_lms))
    assert with_token.get(f"/cases/incidents/{target['iid']}").status_code == 404
    assert with_token.api(tool_url, "GET", f"/incidents/{target['iid']}").status_code == 404
    for path, data in PAGE_POSTS:
        resp = with_token.post(_fill(path, target), data={k: str(_fill(v, target)) for k, v in data.items()})
        assert resp.status_code in (400, 404), (path, resp.status_code)
    for path, body in API_POSTS:
        resp = with_token.api(tool_url, "POST", _fill(path, target), json={k: _fill(v, target) for k, v in body.items()})
        assert resp.status_code in (400, 404), (path, resp.status_code)
    _unchanged(db_session, target)
