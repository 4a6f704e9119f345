"""The tool in a real browser, inside the iframe of an LMS page on another site, third-party cookies
blocked: launch, acknowledge, report, the teacher's overview, and the new-window launch."""
import re

from flask import Flask, request

from tests.support.servers import reserve_port, serve

from .conftest import WAIT


def _wait(driver, timeout=WAIT):
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.support.ui import WebDriverWait
    return WebDriverWait(driver, timeout, poll_frequency=0.05,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException))


def _find(driver, css: str, timeout=WAIT):
    """Wait until an element matching css is displayed, and return it."""
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    return _wait(driver, timeout).until(EC.visibility_of_element_located((By.CSS_SELECTOR, css)),
                                        message=f"no visible {css!r} in {driver.current_url}")


def _click(driver, css: str):
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support import expected_conditions as EC
    element = _wait(driver).until(EC.element_to_be_clickable((By.CSS_SELECTOR, css)),
                                  message=f"no clickable {css!r} in {driver.current_url}")
    driver.execute_script("arguments[0].scrollIntoView({block: 'center'});", element)
    element.click()


def _open_course_page(driver, lms, user: str, link: str = "code", locale: str = "en-GB"):
    """Open the LMS's course page on localhost and choose who launches what, in which language."""
    from selenium.webdriver.support.ui import Select
    driver.get(lms.issuer + "/")
    assert driver.current_url.startswith("http://localhost:")
    _click(driver, f"input[name=user][value='{user}']")
    _click(driver, f"input[name=link][value='{link}']")
    Select(_find(driver, "select#locale")).select_by_value(locale)


def _launch_in_frame(driver, lms, user: str, link: str = "code"):
    """Launch from the course page into the iframe "tool-frame" and switch into it."""
    _open_course_page(driver, lms, user, link)
    _click(driver, "form.lms-launch button[type=submit]:not([formtarget])")
    frame = _find(driver, "iframe[name='tool-frame']")
    driver.switch_to.frame(frame)


def _acknowledge(driver) -> int:
    """Pass the check, if any (the right answer is the second option of every question), and
    acknowledge; return the number of questions once the answer's page has loaded in the form's
    place (a navigation started sooner would cancel the submission)."""
    form = _find(driver, "form[action*='/code/acknowledge']")
    questions = len(form.find_elements("css selector", "fieldset.question"))
    for n in range(questions):
        _click(driver, f"input[name='answer-{n}'][value='1']")
    _click(driver, "input[name=confirm]")
    _submit(driver, "form[action*='/code/acknowledge'] button[type=submit]")
    return questions


def _submit(driver, css: str) -> None:
    """Press a form's button (or a link) and wait until the next page has loaded in its place. The
    page is marked before and the mark is gone with it: an element's staleness is not asked, which
    chromedriver cannot always answer for a frame of another site."""
    driver.execute_script("window.__leaving = true;")
    _click(driver, css)
    _loaded(driver, css)


def _loaded(driver, what: str) -> None:
    """The next page has loaded, past any page on the way that posts on by itself (a loaded machine
    may show one long enough to be taken for the next page)."""
    _wait(driver).until(lambda d: d.execute_script(
        "return !window.__leaving && document.readyState === 'complete'"
        " && !document.querySelector('form[data-autosubmit]')"), message=f"no page came after {what}")


def _frame_url(driver) -> str:
    return driver.execute_script("return location.href")


def test_third_party_cookies_are_really_blocked_and_partitioned_ones_kept(chrome, screenshot):
    """The browser set-up itself: in a frame of another site an ordinary SameSite=None cookie is
    not sent back, a partitioned one is (so the tool's cookies may work, but nothing else would)."""
    probe = Flask("cookie-probe")
    seen = {}

    @probe.route("/top")
    def top():
        return f'<iframe name="f" src="http://127.0.0.1:{request.host.split(":")[1]}/set"></iframe>'

    @probe.route("/set")
    def set_cookies():
        response = probe.make_response('<p id="set">set</p><a id="next" href="/echo">echo</a>')
        response.set_cookie("plain", "1", secure=True, samesite="None")
        response.set_cookie("part", "1", secure=True, samesite="None", partitioned=True)
        return response

    @probe.route("/echo")
    def echo():
        seen["cookies"] = dict(request.cookies)
        return f'<p id="echo">{sorted(request.cookies)}</p>'

    port = reserve_port()
    with serve(probe, port=port):
        chrome.get(f"http://localhost:{port}/top")
        chrome.switch_to.frame(_find(chrome, "iframe[name=f]"))
        _find(chrome, "#set")
        _click(chrome, "#next")
        _find(chrome, "#echo")
        screenshot()
    assert seen["cookies"] == {"part": "1"}, seen


def test_a_student_launches_reads_answers_the_check_and_acknowledges(chrome, frame_lms, screenshot):
    _launch_in_frame(chrome, frame_lms, "student")
    _find(chrome, "form[action*='/code/acknowledge']")
    assert _frame_url(chrome).startswith("http://127.0.0.1:")
    assert "Code of conduct" in chrome.execute_script("return document.title")
    assert _acknowledge(chrome) == 3  # the students' check
    heading = _find(chrome, "h1#home-title")
    assert heading.text == "Welcome, Sanne de Vries"
    assert "Student" in _find(chrome, "dl.facts").text
    screenshot()


def test_the_launch_answers_with_the_first_page_at_its_own_address_which_reloads(chrome, frame_lms, screenshot):
    _launch_in_frame(chrome, frame_lms, "admin")  # a school admin: no code to acknowledge first
    _find(chrome, "h1#home-title")
    address = _frame_url(chrome)
    assert re.match(r"http://127\.0\.0\.1:\d+/\?ls=", address), address
    chrome.execute_script("document.body.dataset.beforeReload = 'yes'; location.reload()")
    _wait(chrome).until(lambda d: d.execute_script(
        "return document.readyState === 'complete' && !document.body.dataset.beforeReload"),
        message="the frame never reloaded")
    assert _find(chrome, "h1#home-title").text.startswith("Welcome"), "a reload shows the page, not the used launch"
    assert _frame_url(chrome) == address
    screenshot()


def test_a_student_reports_cyberbullying_from_the_report_link(chrome, frame_lms, screenshot):
    _launch_in_frame(chrome, frame_lms, "student2", link="report")
    assert _find(chrome, "h1#report-title").text == "Report an incident"
    _click(chrome, "button.category-choice[value=cyberbullying]")
    _find(chrome, "textarea#what_happened").send_keys(
        "Someone in my class posts mean comments under my photos every day.")
    _find(chrome, "input#platform").send_keys("Instagram")
    _click(chrome, "form.report-form button[type=submit]")
    reference = _find(chrome, "section.receipt p.reference").text
    assert re.fullmatch(r"VO-[A-Z0-9-]+", reference), reference
    assert "Thank you. Your report has been sent." in _find(chrome, "h1#receipt-title").text
    screenshot()


def test_leave_quickly_replaces_the_receipt_without_a_trace_in_the_history(chrome, frame_lms, screenshot):
    """A reporter on the receipt presses "leave quickly": the frame shows the code of conduct, the
    history did not grow (Back does not return to the report), and no address names the report."""
    _launch_in_frame(chrome, frame_lms, "student3", link="report")
    _click(chrome, "button.category-choice[value=sexual_images]")
    assert "category" not in _frame_url(chrome), "the kind is posted, never in the address"
    _find(chrome, "textarea#what_happened").send_keys("A nude picture of me goes around in the class chat.")
    _click(chrome, "form.report-form button[type=submit]")
    reference = _find(chrome, "section.receipt p.reference").text
    assert re.fullmatch(r"VO-[A-Z0-9-]+", reference), reference
    address = _frame_url(chrome)
    assert reference not in address and "/reports/mine" in address, "the receipt takes a neutral address"
    length = chrome.execute_script("return history.length")

    _click(chrome, "a[data-quick-exit]")
    _wait(chrome).until(lambda d: "/code/view" in _frame_url(d), message="leave quickly went nowhere")
    _find(chrome, "article.code")
    assert chrome.execute_script("return history.length") == length, "no new history entry"
    address = _frame_url(chrome)
    assert reference not in address and "sexual" not in address and "/reports" not in address
    assert reference not in chrome.execute_script("return document.body.innerText")
    text = chrome.execute_script("return document.body.innerText")
    assert "Leave quickly" not in text and "My reports" not in text, "the neutral page says nothing of reporting"
    # The neutral page, served under the launch, ends it: the tab's report pages open no more.
    _wait(chrome).until(lambda d: d.execute_script(
        "return fetch('/reports/mine', {credentials: 'include'}).then(r => r.status)") == 401,
        message="the launch did not end")
    screenshot()


def test_the_teacher_sees_the_course_overview_with_its_members(chrome, frame_lms, screenshot):
    _launch_in_frame(chrome, frame_lms, "teacher")
    _acknowledge(chrome)  # the staff code first
    _find(chrome, "h1#home-title")
    _click(chrome, "a[href*='/overview']")
    _find(chrome, "h1#overview-title")
    table = _find(chrome, "table.overview-table")
    names = [cell.text for cell in table.find_elements("css selector", "tbody th.name")]
    assert any(name.startswith("Mark Bakker") for name in names), names
    assert any(name.startswith("Sanne de Vries") for name in names), names
    screenshot()


def test_open_in_a_new_window_shows_the_tool(chrome, frame_lms, screenshot):
    _open_course_page(chrome, frame_lms, "student3")
    course_page = chrome.current_window_handle
    _click(chrome, "form.lms-launch button[formtarget=_blank]")
    _wait(chrome).until(lambda d: len(d.window_handles) == 2, message="no new window opened")
    chrome.switch_to.window(next(h for h in chrome.window_handles if h != course_page))
    _find(chrome, "form[action*='/code/acknowledge']")
    assert chrome.current_url.startswith("http://127.0.0.1:")
    _acknowledge(chrome)
    assert _find(chrome, "h1#home-title").text == "Welcome, Noor El Amrani"
    path = screenshot()
    assert path.exists()
