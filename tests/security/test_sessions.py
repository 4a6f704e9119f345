"""A session is never in a URL: a copied address or link opens nothing of its person elsewhere.

The review found that every address of the tool carried the launch token, so a student who pasted
a link into a chat gave the reader their session for hours: the stranger's report was filed under
the student's name, and the student then read it under "My reports". These tests hold the door.
"""
import re

import pytest
import requests
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from lti_tool.reports.models import Report
from tests.cases.conftest import user_id
from tests.reports.helpers import open_form, report_fields
from tests.support.browser import Browser, continues, form_of, launch_token_of, text_of
from tests.support.pages import launch, publish_defaults

NOT_LAUNCHED = "Open this tool from your course in the LMS."


@pytest.fixture(scope="module")
def codes(app, school_lms):
    return publish_defaults(app, school_lms.school_id)


def _acknowledged(browser, lms, user_key: str):
    """Launch user_key and pass the gate (the check's right answer is the second option)."""
    page, token = launch(browser, lms, user_key)
    if "/code/acknowledge" in page.text:
        action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
        answers = {name: "1" for name in re.findall(r'name="(answer-\d+)"', page.text)}
        page = browser.follow(browser.post(action, data={**fields, **answers, "confirm": "true"}))
        token = launch_token_of(page.text)
    return page, token


def _shows_nothing_of(page, *secrets):
    """Told to open the tool from the course (or, at the tool's root, its public page for LMS admins)."""
    text = text_of(page.text)
    if page.url.split("?")[0].endswith(":" + page.url.split(":")[-1].split("/")[0] + "/"):
        assert page.status_code == 200 and "LMS administrators" in text and "vo-launch-token" not in page.text
    else:
        assert page.status_code == 401, (page.url, page.status_code, text[:300])
        assert NOT_LAUNCHED in text
    for secret in secrets:
        assert secret not in page.text


def _addresses(html: str) -> list[str]:
    soup = BeautifulSoup(html, "html.parser")
    found = [a["href"] for a in soup.select("a[href]")] + [f.get("action", "") for f in soup.select("form")]
    found += [m["content"] for m in soup.select('meta[name="vo-page-address"]')]
    return found


def test_no_address_the_tool_shows_carries_a_launch_token(browser, school_lms, codes):
    page, token = _acknowledged(browser, school_lms, "student")
    pages = [page, browser.get("/reports/new", token=token), browser.get("/reports/mine", token=token),
             browser.get("/reports/new?category=threats", token=token), browser.get("/code", token=token)]
    for shown in pages:
        assert shown.status_code == 200
        for address in _addresses(shown.text):
            assert "lt=" not in address and token.split(".")[0] not in address, address
        assert token.split(".")[0] not in shown.url


def test_a_copied_address_opened_in_another_browser_shows_nothing_of_its_person(browser, school_lms, codes, tool_url):
    page, token = _acknowledged(browser, school_lms, "student2")
    name = school_lms.users["student2"].name
    action, data = _report_form(browser, token, "Mijn geheime verhaal over pesten")
    sent = browser.follow(browser.post(action, data=data))
    assert sent.status_code == 200 and "VO-" in sent.text
    addresses = [page.url, sent.url] + [browser.tool_url + a for a in _addresses(sent.text) if a.startswith("/")]
    stranger = Browser(tool_url)
    for address in addresses:
        _shows_nothing_of(stranger.get(address), name, "geheime verhaal", "Test school")


def _report_form(browser, token, what_happened):
    _, action, hidden = open_form(browser, token, "cyberbullying")
    return action, {**hidden, **report_fields("cyberbullying", what_happened=what_happened)}


def test_a_stranger_with_a_copied_link_cannot_file_a_report_under_the_students_name(
        browser, school_lms, codes, tool_url, db_session):
    _page, token = _acknowledged(browser, school_lms, "student3")
    form_page = browser.get("/reports/new?category=threats", token=token)
    action, fields = form_of(form_page.text, "form[action*='/reports?']")
    stranger = Browser(tool_url)
    before = db_session.scalar(select(func.count()).select_from(Report))
    # The link as the student copied it, and the form as a stranger would rebuild it (without its token).
    _shows_nothing_of(stranger.get(form_page.url))
    forged = {k: v for k, v in fields.items() if k != "lt"}
    resp = stranger.post(action, data={**forged, **report_fields("threats", what_happened="Not me")})
    assert resp.status_code in (400, 401)
    db_session.expire_all()
    assert db_session.scalar(select(func.count()).select_from(Report)) == before, "nothing stored"


def test_a_launch_token_in_an_address_is_never_read(browser, school_lms, codes, tool_url):
    _page, token = _acknowledged(browser, school_lms, "student")
    stranger = Browser(tool_url)
    _shows_nothing_of(stranger.get(f"/?lt={token}"))
    _shows_nothing_of(stranger.get(f"/reports/mine?lt={token}"))


def test_a_cookie_and_a_token_that_disagree_open_nothing(browser, school_lms, codes, tool_url):
    _page, token = _acknowledged(browser, school_lms, "student")
    other = Browser(tool_url)
    own_page, _own = _acknowledged(other, school_lms, "student2")
    assert own_page.status_code == 200
    # Another person's token in a browser that has launches of its own: neither person.
    page = other.get("/reports/mine", token=token)
    assert page.status_code == 401
    assert school_lms.users["student"].name not in page.text and school_lms.users["student2"].name not in page.text


def test_a_selector_picks_only_among_the_browsers_own_launches(browser, school_lms, codes, tool_url):
    page, _token = _acknowledged(browser, school_lms, "teacher")
    address = page.url.replace("/?", "/reports/mine?")
    assert "ls=" in address and browser.get(address).status_code == 200
    _shows_nothing_of(Browser(tool_url).get(address))
    # A browser with launches of its own, given the address of another browser's tab: nobody.
    other = Browser(tool_url)
    _acknowledged(other, school_lms, "student2")
    assert other.get(address).status_code == 401


def test_an_old_token_counts_only_with_the_cookie_that_names_its_launch(app, browser, school_lms, codes, tool_url,
                                                                        monkeypatch):
    _page, token = _acknowledged(browser, school_lms, "student")
    monkeypatch.setitem(app.config, "LTI_TOKEN_SECONDS", -1)  # every token is past its lifetime
    assert Browser(tool_url, cookies=False).get("/reports/mine", token=token).status_code == 401
    assert browser.get("/reports/mine", token=token).status_code == 200, "the cookie names its launch"


def test_a_post_that_stands_for_a_link_is_a_get_and_a_real_form_is_not(browser, school_lms, codes, tool_url):
    _page, token = _acknowledged(browser, school_lms, "student")
    cookieless = Browser(tool_url, cookies=False)
    link = cookieless.post("/reports/mine", data={"lt": token, "_nav": "1"})
    assert link.status_code == 200 and "Mijn meldingen" in link.text
    # Any other field makes it the POST it is: /reports/mine takes none.
    assert cookieless.post("/reports/mine", data={"lt": token, "_nav": "1", "x": "1"}).status_code == 405


def test_without_cookies_a_student_acknowledges_reports_and_answers_with_the_token_in_bodies_only(
        app, browser, school_lms, codes, tool_url, db_session):
    """A tab whose browser keeps no cookie: every step by forms and continue pages (what the page's
    scripts do); no redirect ever puts the token in an address."""
    from lti_tool.cases import operations as cases
    from tests.support.browser import continues_to
    cookieless = Browser(tool_url, cookies=False)
    cookieless.http.cookies.clear()
    # The launch needs its login cookie (a browser without any uses platform storage or a new
    # window); from the launch's answer on, this browser keeps no cookie.
    first = cookieless_launch(browser, school_lms, "student4", cookieless)
    assert continues(first) and "lt=" not in continues_to(first), "the launch continues to the code by POST"
    page = cookieless.follow(first)
    action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
    answers = {name: "1" for name in re.findall(r'name="(answer-\d+)"', page.text)}
    done = cookieless.post(action, data={**fields, **answers, "confirm": "true"})
    assert continues(done) and "lt=" not in continues_to(done)
    home = cookieless.follow(done)
    assert home.status_code == 200 and 'id="home-title"' in home.text
    token = launch_token_of(home.text)
    form = cookieless.post("/reports/new?category=cyberbullying", data={"lt": token, "_nav": "1"})
    action, hidden = form_of(form.text, "form[action*='/reports?']")
    sent = cookieless.post(action, data={**hidden, **report_fields(what_happened="Zonder cookies gemeld")})
    assert continues(sent) and "/receipt" in continues_to(sent)
    receipt = cookieless.follow(sent)
    reference = re.search(r"VO-[0-9A-Z]{4}-[0-9A-Z]{4}", receipt.text).group(0)
    coordinator = user_id(db_session, school_lms, "teacher")
    with app.app_context():
        from lti_tool.extensions import db
        report = db.session.scalar(select(Report).where(Report.reference == reference))
        cases.send_message(report, cases.Actor(report.school_id, coordinator), "Dank je, we pakken het op.")
        db.session.commit()
    token = launch_token_of(receipt.text)
    thread = cookieless.post(f"/reports/{reference}", data={"lt": token, "_nav": "1"})
    assert "Dank je, we pakken het op." in thread.text
    action, hidden = form_of(thread.text, "form[action*='/messages']")
    answered = cookieless.follow(cookieless.post(action, data={**hidden, "body": "Het gebeurt nog steeds."}))
    assert "Het gebeurt nog steeds." in answered.text
    assert not cookieless.http.cookies.get("vo_session"), "no cookie was kept"


def cookieless_launch(browser, lms, user_key, cookieless):
    """Launch with the login's cookie, then answer the launch in a browser that keeps no cookie."""
    from tests.support.browser import form_of as form
    auth = browser.start_login(lms.login_initiation_url(user_key))
    page = browser.http.get(auth["_location"], allow_redirects=False, timeout=30)
    action, fields = form(page.text)
    login_cookie = "; ".join(f"{c.name}={c.value}" for c in browser.http.cookies if c.name.startswith("lti1p3-"))
    return requests.post(action, data=fields, headers={"Cookie": login_cookie, "Accept-Language": "en"},
                         allow_redirects=False, timeout=30)


def test_leaving_quickly_ends_the_tabs_launch_so_back_shows_no_report(browser, school_lms, codes, tool_url):
    """What static/js/quick_exit.js sends as the page goes: afterwards neither the cookie nor the
    token opens a reporting page again (Back shows "open the tool from your course")."""
    _page, token = _acknowledged(browser, school_lms, "student4")
    mine = browser.get("/reports/mine", token=token)
    assert 'data-leave="/lti/leave"' in mine.text, "the leave-quickly link names where its beacon goes"
    assert browser.post("/lti/leave", files={"lt": (None, token)}).status_code == 204  # a beacon's FormData
    _shows_nothing_of(browser.get("/reports/mine"))
    _shows_nothing_of(Browser(tool_url, cookies=False).get("/reports/mine", token=token))
    assert browser.post("/lti/leave").status_code in (204, 400), "leaving twice (or without a launch) is harmless"
