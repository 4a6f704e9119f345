"""The queue: urgent first, then the oldest; filters; search by reference; overdue cases stand out."""
from datetime import timedelta

import pytest
from bs4 import BeautifulSoup

from tests.cases.conftest import coordinator_token, make_case, user_id


def refs(html: str) -> list[str]:
    return [a.text.strip() for a in BeautifulSoup(html, "html.parser").select("a.ref")]


def rows(html: str) -> dict[str, str]:
    """Reference → the row's class attribute."""
    soup = BeautifulSoup(html, "html.parser")
    return {tr.select_one("a.ref").text.strip(): " ".join(tr.get("class", []))
            for tr in soup.select("tbody tr") if tr.select_one("a.ref")}


@pytest.fixture(scope="module")
def cases(app, school_lms):
    """Cases of this module's school, of various kinds and ages (none answered yet)."""
    school = school_lms.school_id
    return {
        "old_bullying": make_case(app, school, category="cyberbullying", age=timedelta(days=40)),
        "threat": make_case(app, school, category="threats", age=timedelta(hours=3)),
        "spreading": make_case(app, school, category="fight_video", spreading_now=True, age=timedelta(minutes=10)),
        "fresh_other": make_case(app, school, category="other", age=timedelta(minutes=5)),
        "week_private": make_case(app, school, category="private_data", age=timedelta(days=3), status="in_progress",
                                  first_response_at=None),
        "closed": make_case(app, school, category="impersonation", age=timedelta(days=10), status="closed"),
    }


@pytest.fixture
def token(browser, db_session, school_lms):
    return coordinator_token(browser, db_session, school_lms)


def test_urgent_cases_come_first_then_the_oldest(browser, token, cases):
    page = browser.get("/cases", token=token)
    assert page.status_code == 200
    order = refs(page.text)
    expected = [cases[k].reference for k in ("threat", "spreading", "old_bullying", "week_private", "fresh_other")]
    assert [r for r in order if r in expected] == expected
    assert cases["closed"].reference not in order, "the queue shows open cases unless asked"
    assert "Urgent" in page.text and "Spreading now" in page.text


def test_overdue_cases_stand_out(browser, token, cases):
    page = browser.get("/cases", token=token)
    classes = rows(page.text)
    assert "is-overdue" in classes[cases["old_bullying"].reference]
    assert "is-overdue" in classes[cases["threat"].reference], "an urgent case waits an hour at most"
    assert "is-overdue" not in classes[cases["fresh_other"].reference]
    assert "overdue since" in page.text
    only = refs(browser.get("/cases?overdue=true", token=token).text)
    assert cases["old_bullying"].reference in only and cases["fresh_other"].reference not in only
    assert cases["spreading"].reference not in only, "ten minutes is within the hour"


@pytest.mark.parametrize("query, keys", [
    ("status=closed", {"closed"}),
    ("status=in_progress", {"week_private"}),
    ("category=threats", {"threat"}),
    ("category=threats&status=all", {"threat"}),
    ("age=day", {"threat", "spreading", "fresh_other"}),
    ("age=week", {"threat", "spreading", "fresh_other", "week_private"}),
    ("age=older", {"old_bullying"}),
    ("assignee=none&category=other", {"fresh_other"}),
])
def test_filters(browser, token, cases, query, keys):
    page = browser.get(f"/cases?{query}", token=token)
    assert page.status_code == 200
    shown = set(refs(page.text))
    mine = {case.reference: key for key, case in cases.items()}
    assert {mine[r] for r in shown if r in mine} == keys


def test_filter_by_assignee(browser, token, cases, app, db_session, school_lms):
    me = user_id(db_session, school_lms, "coordinator")
    case = make_case(app, school_lms.school_id, category="unwanted_images", assignee_id=me)
    assert refs(browser.get("/cases?assignee=me", token=token).text) == [case.reference]
    assert refs(browser.get(f"/cases?assignee={me}", token=token).text) == [case.reference]
    assert case.reference not in refs(browser.get("/cases?assignee=none", token=token).text)


@pytest.mark.parametrize("typed", ["{ref}", "{lower}", "{plain}", "  {ref}  ", "{spaced}"])
def test_search_by_reference_in_the_forms_people_type(browser, token, cases, typed):
    ref = cases["closed"].reference
    text = typed.format(ref=ref, lower=ref.lower(), plain=ref[3:].replace("-", ""),
                        spaced=ref[3:].replace("-", " "))
    page = browser.get(f"/cases?status=all&q={text}", token=token)
    assert refs(page.text) == [ref]


def test_a_reference_that_is_not_there_finds_nothing(browser, token, cases):
    page = browser.get("/cases?q=VO-ZZZZ-ZZZZ", token=token)
    assert refs(page.text) == [] and "No case of this school has that reference" in page.text


@pytest.mark.parametrize("query", ["status=lost", "category=gossip", "age=century", "assignee=someone",
                                   "after=garbage", "overdue=perhaps", "colour=red", "q=" + "x" * 41,
                                   # Ids no row can have: refused, never passed to the database.
                                   f"assignee={2**64}", "assignee=-3", f"after=0_1700000000000000_{2**64}"])
def test_bad_filters_are_refused(browser, token, cases, query):
    page = browser.get(f"/cases?{query}", token=token)
    assert page.status_code == 400


def test_the_queue_shows_no_content_of_a_report(browser, token, cases):
    page = browser.get("/cases?status=all", token=token)
    assert "Mean comments under a photo" not in page.text
    assert "@someone" not in page.text


def test_a_new_message_from_the_reporter_shows_in_the_queue(browser, token, app, school_lms, db_session):
    from lti_tool.extensions import db
    from lti_tool.reports import operations
    from lti_tool.reports.models import Report, ReportMessage
    case = make_case(app, school_lms.school_id, category="other")
    with app.app_context():
        operations.post_message(db.session.get(Report, case.id), ReportMessage.REPORTER, "One more thing.")
        db.session.commit()
    page = browser.get("/cases?category=other", token=token)
    assert "1 new message" in page.text
    browser.get(f"/cases/{case.id}", token=token)
    assert "new message" not in browser.get("/cases?category=other", token=token).text


def test_the_home_page_leads_coordinators_to_the_queue(browser, token):
    home = browser.get("/?view=home", token=token)
    assert "/cases?" in home.text and "Case queue" in home.text
