"""Bad input, double submits and the rate limit: a 4xx with a message, nothing half-saved, the form filled in."""
import threading

import pytest

from lti_tool.reports.models import Report
from tests.support.browser import form_of, text_of
from tests.support.pages import launch

from .helpers import FORM, open_form, reference_of, report_fields, reports_of, send


@pytest.fixture(scope="module")
def people(school_lms):
    school_lms.add_students(30, prefix="lim")
    return school_lms


@pytest.fixture
def limits(app):
    """Set the report limits for one test; put the defaults back afterwards."""
    saved = {key: app.config.get(key) for key in ("REPORTS_PER_HOUR", "REPORTS_PER_DAY")}

    def set_limits(per_hour: int, per_day: int):
        app.config.update(REPORTS_PER_HOUR=per_hour, REPORTS_PER_DAY=per_day)

    yield set_limits
    for key, value in saved.items():
        if value is None:
            app.config.pop(key, None)
        else:
            app.config[key] = value


def test_the_same_form_sent_twice_makes_one_report_and_the_same_receipt(browser, people, db_session):
    _, token = launch(browser, people, "lim-0", locale="en")
    _, action, hidden = open_form(browser, token, "threats")
    data = {**hidden, **report_fields("threats")}
    first = browser.post(action, data=data)
    second = browser.post(action, data=data)
    assert first.status_code == second.status_code == 303
    assert reference_of(first) == reference_of(second)
    assert len(reports_of(db_session, people, "lim-0")) == 1
    assert reference_of(first) in text_of(browser.follow(second).text)


def test_two_sends_of_one_form_at_the_same_moment_make_one_report(browser, people, db_session):
    _, token = launch(browser, people, "lim-1", locale="en")
    _, action, hidden = open_form(browser, token, "cyberbullying")
    data = {**hidden, **report_fields("cyberbullying")}
    results = []
    start = threading.Barrier(3)

    def click():
        start.wait()
        results.append(browser.post(action, data=data))

    threads = [threading.Thread(target=click) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert [r.status_code for r in results] == [303, 303, 303], [r.text[:300] for r in results]
    assert len({reference_of(r) for r in results}) == 1
    assert len(reports_of(db_session, people, "lim-1")) == 1


def test_the_same_form_with_other_words_is_refused_and_offered_as_a_new_report(browser, people, db_session):
    _, token = launch(browser, people, "lim-2", locale="en")
    _, action, hidden = open_form(browser, token, "other")
    first = browser.post(action, data={**hidden, **report_fields("other")})
    changed = browser.post(action, data={**hidden, **report_fields("other", what_happened="And one more thing.")})
    assert changed.status_code == 409
    assert reference_of(first) in text_of(changed.text) and "And one more thing." in changed.text
    _, again = form_of(changed.text, FORM)
    assert again["submission"] != hidden["submission"], "a fresh token to send it as a new report"
    new = browser.post(action, data={**again, **report_fields("other", what_happened="And one more thing.")})
    assert new.status_code == 303 and reference_of(new) != reference_of(first)
    assert len(reports_of(db_session, people, "lim-2")) == 2


def test_a_forged_or_someone_elses_token_is_refused_with_the_text_kept(browser, people, db_session):
    _, token = launch(browser, people, "lim-3", locale="en")
    _, action, hidden = open_form(browser, token, "threats")
    forged = browser.post(action, data={**hidden, **report_fields("threats"), "submission": "VO-forged"})
    assert forged.status_code == 400 and "Someone keeps posting mean comments" in forged.text
    other = type(browser)(browser.tool_url)
    _, other_token = launch(other, people, "lim-4", locale="en")
    _, other_action, other_hidden = open_form(other, other_token, "threats")
    stolen = browser.post(action, data={**hidden, **report_fields("threats"),
                                        "submission": other_hidden["submission"]})
    assert stolen.status_code == 400
    assert reports_of(db_session, people, "lim-3") == [] and reports_of(db_session, people, "lim-4") == []


HUGE = "x" * 4001


@pytest.mark.parametrize("user, change, status, message", [
    ("lim-10", {"what_happened": HUGE}, 400, "Write at most 4000 characters."),
    ("lim-11", {"what_happened": "   "}, 400, "Describe what happened."),
    ("lim-12", {"category": "nudes"}, 400, "Choose one of the kinds of incident."),
    ("lim-13", {"link": "htp:/broken"}, 400, "Give a web address that starts with https://"),
    ("lim-14", {"link": "javascript:alert(1)"}, 400, "Give a web address that starts with https://"),
    ("lim-15", {"link": "ftp://files.example.org/x"}, 400, "Give a web address that starts with https://"),
    ("lim-16", {"handle": "@" + "a" * 300}, 400, "Write at most 200 characters."),
    ("lim-17", {"identity": "public"}, 400, "Choose whether the school may see your name."),
    ("lim-18", {"reporter_user_id": "1"}, 400, "Unknown field."),
    ("lim-19", {"platform": "p" * 81}, 400, "Write at most 80 characters."),
])
def test_bad_input_is_refused_with_a_message_nothing_stored_the_form_filled_in(
        browser, people, db_session, user, change, status, message):
    _, token = launch(browser, people, user, locale="en")
    resp, data = send(browser, token, "cyberbullying", **change)
    assert resp.status_code == status, resp.text[:400]
    assert message in text_of(resp.text)
    assert "Someone keeps posting mean comments" in resp.text or change.get("what_happened")
    if "link" in change:
        assert 'value="' + change["link"] + '"' in resp.text, "the bad link comes back to be fixed"
    assert reports_of(db_session, people, user) == []


def test_an_unknown_category_in_the_address_shows_the_choice(browser, people):
    _, token = launch(browser, people, "lim-20", locale="en")
    page = browser.get("/reports/new?category=nope", token=token)
    assert page.status_code == 200 and "What is it about?" in page.text


def test_a_link_without_https_gets_it(browser, people, db_session):
    _, token = launch(browser, people, "lim-21", locale="en")
    resp, _ = send(browser, token, "impersonation", link="instagram.com/fake.account")
    assert resp.status_code == 303
    from lti_tool.reports import queries
    [report] = reports_of(db_session, people, "lim-21")
    assert queries.details(report)["link"] == "https://instagram.com/fake.account"


def test_script_is_shown_as_text_everywhere(browser, people):
    _, token = launch(browser, people, "lim-22", locale="en")
    script = '<script>alert("x")</script><b onmouseover=alert(1)>hi</b>'
    refused, _ = send(browser, token, "other", what_happened=script, link="nope")
    assert refused.status_code == 400 and "<script>alert" not in refused.text and "&lt;script&gt;" in refused.text
    resp, _ = send(browser, token, "other", what_happened=script, handle=script, involved=script)
    assert resp.status_code == 303
    reference = reference_of(resp)
    for path in (f"/reports/{reference}/receipt", f"/reports/{reference}", "/reports/mine"):
        page = browser.get(f"{path}", token=token)
        assert "<script>alert" not in page.text and "<b onmouseover" not in page.text
    assert "&lt;script&gt;" in browser.get(f"/reports/{reference}", token=token).text


def test_a_request_too_large_to_read_says_no_files_are_taken(browser, people, db_session):
    _, token = launch(browser, people, "lim-23", locale="en")
    _, action, hidden = open_form(browser, token, "sexual_images")
    resp = browser.post(action, data={**hidden, **report_fields("sexual_images")},
                        files={"photo": ("a.jpg", b"\xff\xd8\xff" + b"0" * 400_000, "image/jpeg")})
    assert resp.status_code == 413
    assert "Reports take no pictures or files" in text_of(resp.text)
    assert reports_of(db_session, people, "lim-23") == []


def test_reports_beyond_the_hourly_limit_are_refused_with_the_text_kept(browser, people, db_session, limits):
    limits(per_hour=2, per_day=10)
    _, token = launch(browser, people, "lim-24", locale="en")
    for n in range(2):
        resp, _ = send(browser, token, "cyberbullying", what_happened=f"Incident number {n}")
        assert resp.status_code == 303
    resp, _ = send(browser, token, "cyberbullying", what_happened="The third one")
    assert resp.status_code == 429
    assert "the most the tool takes" in text_of(resp.text) and "The third one" in resp.text
    assert len(reports_of(db_session, people, "lim-24")) == 2
    other = type(browser)(browser.tool_url)
    _, other_token = launch(other, people, "lim-25", locale="en")
    assert send(other, other_token, "cyberbullying")[0].status_code == 303, "the limit is per person"


def test_the_daily_limit_counts_reports_older_than_an_hour(browser, people, db_session, limits, sql):
    limits(per_hour=100, per_day=3)
    _, token = launch(browser, people, "lim-26", locale="en")
    for n in range(3):
        assert send(browser, token, "other", what_happened=f"Thing {n}")[0].status_code == 303
    ids = [r.id for r in reports_of(db_session, people, "lim-26")]
    from datetime import timedelta
    from lti_tool.db import utcnow
    db_session.query(Report).filter(Report.id.in_(ids)).update(
        {Report.received_at: utcnow() - timedelta(hours=3)}, synchronize_session=False)
    db_session.commit()
    resp, _ = send(browser, token, "other", what_happened="Thing 4")
    assert resp.status_code == 429 and "today" in text_of(resp.text)
    db_session.query(Report).filter(Report.id.in_(ids)).update(
        {Report.received_at: utcnow() - timedelta(days=2)}, synchronize_session=False)
    db_session.commit()
    assert send(browser, token, "other", what_happened="Thing 5")[0].status_code == 303
