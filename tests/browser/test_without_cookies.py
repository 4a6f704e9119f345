"""The tool in a browser that refuses every cookie inside the LMS frame, and addresses copied out of it.

With every cookie blocked, the login keeps its secret in the LMS's platform storage (the demo LMS
offers it, as Canvas and Brightspace do), and every page after the launch travels by POSTs that
carry the launch token (static/js/launch.js): acknowledging, reporting and answering all work, and
no address the frame ever shows, copied into another browser, shows anything of its person.
"""
import re

from lti_tool.extensions import db
from lti_tool.reports.models import Report

from .conftest import _screenshot
from .test_in_the_frame import _acknowledge, _click, _find, _frame_url, _launch_in_frame, _wait

NOT_LAUNCHED = "Open this tool from your course in the LMS."


def _addresses(driver) -> list[str]:
    """The frame's address and every link and form address on its page."""
    return [_frame_url(driver)] + driver.execute_script(
        "return Array.from(document.querySelectorAll('a[href]')).map(a => a.href)"
        ".concat(Array.from(document.querySelectorAll('form')).map(f => f.action))")


def _no_token_in(driver, seen: list[str]) -> None:
    token = driver.execute_script("var m = document.querySelector('meta[name=vo-launch-token]');"
                                  "return m ? m.content : null")
    for address in _addresses(driver):
        seen.append(address)
        assert "lt=" not in address and (not token or token.split(".")[0] not in address), address


def _answer_as_coordinator(app, school_id: int, reference: str, body: str) -> None:
    from lti_tool.cases import operations as cases
    from lti_tool.courses.models import SchoolMember
    from sqlalchemy import select
    with app.app_context():
        report = db.session.scalar(select(Report).where(Report.reference == reference))
        staff = db.session.scalar(select(SchoolMember.user_id).where(
            SchoolMember.school_id == school_id, SchoolMember.role == "staff"))
        cases.send_message(report, cases.Actor(school_id, staff), body)
        db.session.commit()


def test_with_every_cookie_blocked_a_student_launches_acknowledges_reports_and_answers_in_the_frame(
        app, cookieless_chrome, frame_lms):
    chrome, seen = cookieless_chrome, []
    _launch_in_frame(chrome, frame_lms, "student4")  # the course page offers platform storage
    assert chrome.execute_script("return document.cookie") == "", "the browser keeps no cookie"
    _acknowledge(chrome)
    assert _find(chrome, "h1#home-title").text.startswith("Welcome")
    _no_token_in(chrome, seen)

    _click(chrome, "nav.report-nav a[href*='/reports/new']")
    _click(chrome, "button.category-choice[value=cyberbullying]")
    _no_token_in(chrome, seen)
    _find(chrome, "textarea[name=what_happened]").send_keys("Ze lachen me uit in de groepsapp, zonder cookies.")
    _click(chrome, "form.report-form button[type=submit]")
    reference = _find(chrome, "section.receipt p.reference").text
    assert re.fullmatch(r"VO-[A-Z0-9]{4}-[A-Z0-9]{4}", reference), reference
    _no_token_in(chrome, seen)

    _answer_as_coordinator(app, frame_lms.school_id, reference, "Dank je. We praten morgen met de klas.")
    _click(chrome, "nav.report-nav a[href*='/reports/mine']")
    _click(chrome, f"a[href*='{reference}']")
    assert "Dank je. We praten morgen met de klas." in _find(chrome, "main").text
    _find(chrome, "textarea[name=body]").send_keys("Het is vandaag weer gebeurd.")
    _click(chrome, "form[action*='/messages'] button[type=submit]")
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(chrome, 10, poll_frequency=0.1, ignored_exceptions=(WebDriverException,)).until(
        lambda d: "Het is vandaag weer gebeurd." in d.find_element("css selector", "main").text,
        message="the answer never appeared in the thread")  # the page is replaced meanwhile: retried
    _no_token_in(chrome, seen)
    assert chrome.execute_script("return document.cookie") == ""
    _screenshot(chrome, "without-cookies-thread")
    assert all("lt=" not in address for address in seen)

    # Leave quickly works without cookies too: the neutral page, no new history entry, no report.
    chrome.switch_to.frame(_find(chrome, "iframe[name='tool-frame']"))  # the screenshot left the frame
    length = chrome.execute_script("return history.length")
    _click(chrome, "a[data-quick-exit]")
    _wait(chrome).until(lambda d: "/code/view" in _frame_url(d), message="leave quickly went nowhere")
    assert chrome.execute_script("return history.length") == length
    text = _find(chrome, "main").text
    assert "Code of conduct" in text and reference not in text and "Het is vandaag" not in text


def test_an_address_copied_from_the_frame_opens_nothing_of_its_person_in_another_browser(
        chrome, other_chrome, frame_lms, tool_url):
    _launch_in_frame(chrome, frame_lms, "student2")
    _acknowledge(chrome)
    name = _find(chrome, "h1#home-title").text.removeprefix("Welcome, ")
    _click(chrome, "nav.report-nav a[href*='/reports/mine']")
    _find(chrome, "main h1")
    copied = [_frame_url(chrome)] + [a for a in _addresses(chrome) if a.startswith(tool_url) and "/static/" not in a]
    assert len(copied) > 3
    for address in copied:
        other_chrome.get(address)
        text = other_chrome.find_element("css selector", "body").text
        assert name not in text and frame_lms.school_name not in text, address
        if "/reports" in address or "/code" in address:
            assert NOT_LAUNCHED in text, (address, text[:200])
    _screenshot(other_chrome, "copied-address-in-another-browser")
