"""Accessibility: axe-core (WCAG 2.1 A and AA rules) on every page of the tool as each role sees it,
inside the LMS's iframe at phone and at desktop width; no serious or critical violation may remain.
Lesser ones are printed. The report form is also completed with the keyboard alone."""
import json
import re
import secrets
from urllib.parse import parse_qs, urlencode, urlsplit

import pytest
from sqlalchemy import select

from .conftest import ARTIFACTS, _screenshot
from .test_in_the_frame import _acknowledge, _click, _find, _frame_url, _launch_in_frame, _open_course_page, _wait

PHONE = (390, 844)
DESKTOP = (1280, 1000)
WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
BLOCKING = {"serious", "critical"}


class Audit:
    """Runs axe-core on the page in the tool's frame (or on the LMS page) and collects its findings."""

    def __init__(self, driver, axe_source: str, label: str):
        self.driver, self.axe, self.label = driver, axe_source, label
        self.blocking, self.minor, self.pages = [], [], []

    def resize(self, size):
        """Resize the browser window; the LMS page and its frame follow."""
        frame = self._in_frame()
        self.driver.switch_to.default_content()
        self.driver.set_window_size(*size)
        if frame:
            self.driver.switch_to.frame(_find(self.driver, "iframe[name='tool-frame']"))

    def _in_frame(self) -> bool:
        return self.driver.execute_script("return window !== window.top")

    def go(self, url: str):
        """Navigate the tool's frame (we are in it) to url and wait until the new page has loaded."""
        self.driver.execute_script("window.__leaving = true; location.href = arguments[0];", url)
        self.wait_for_new_page()

    def wait_for_new_page(self):
        _wait(self.driver).until(
            lambda d: d.execute_script("return !window.__leaving && document.readyState === 'complete'"),
            message="the page did not load")

    def mark_leaving(self):
        """Mark the current page, so that wait_for_new_page knows when the next one is there."""
        self.driver.execute_script("window.__leaving = true;")

    def check(self, name: str, *, sizes=(DESKTOP, PHONE), frames: bool = False, screenshot: bool = True):
        """Run axe at each size; remember serious/critical violations, print the rest."""
        self.pages.append(name)
        for size in sizes:  # the last one is the phone's, kept for the screenshot
            self.resize(size)
            if not self.driver.execute_script("return typeof window.axe === 'object'"):
                self.driver.execute_script(self.axe)
            result = self.driver.execute_async_script(
                "const done = arguments[arguments.length - 1];"
                "axe.run(document, {runOnly: {type: 'tag', values: arguments[0]}, iframes: arguments[1],"
                " resultTypes: ['violations']})"
                ".then(r => done(JSON.stringify({url: r.url, violations: r.violations})),"
                " e => done(JSON.stringify({error: String(e)})));", WCAG, frames)
            found = json.loads(result)
            assert "error" not in found, f"axe failed on {name}: {found['error']}"
            where = f"{self.label} · {name} · {size[0]}px"
            for violation in found["violations"]:
                targets = [" ".join(map(str, node["target"])) for node in violation["nodes"]][:5]
                line = (f"{where}: [{violation['impact']}] {violation['id']}: {violation['help']} "
                        f"({len(violation['nodes'])}×) {targets}")
                if violation["impact"] in BLOCKING:
                    self.blocking.append(line + "\n      " + violation["nodes"][0]["failureSummary"]
                                         .replace("\n", "\n      "))
                else:
                    self.minor.append(line)
        if screenshot:
            self.screenshot(f"a11y-{self.label}-{name}-phone".replace(" ", "_").replace("/", ""))

    def screenshot(self, name: str):
        """Keep the tool's whole page as shown in the frame at phone width (the frame stretched to fit)."""
        if not self._in_frame():
            _screenshot(self.driver, name)
            return
        height = min(2400, self.driver.execute_script("return document.documentElement.scrollHeight"))
        self.driver.switch_to.default_content()
        frame = _find(self.driver, "iframe[name='tool-frame']")
        self.driver.set_window_size(PHONE[0], height + PHONE[1])
        self.driver.execute_script("arguments[0].style.height = arguments[1] + 'px';", frame, height + 4)
        self.driver.switch_to.frame(frame)  # a long page: show where the focus is (an error summary)
        self.driver.execute_script("const e = document.activeElement;"
                                   "if (e && e !== document.body) e.scrollIntoView({block: 'center'});")
        self.driver.switch_to.default_content()
        ARTIFACTS.mkdir(exist_ok=True)
        frame.screenshot(str(ARTIFACTS / f"{name}.png"))
        self.driver.execute_script("arguments[0].style.height = '';", frame)
        self.driver.set_window_size(*PHONE)
        self.driver.switch_to.frame(frame)

    def assert_clean(self, expected_pages: int):
        for line in self.minor:
            print("minor:", line)
        assert len(self.pages) == expected_pages, self.pages
        assert not self.blocking, "serious or critical accessibility violations:\n" + "\n".join(self.blocking)


@pytest.fixture
def audit(chrome, axe_source, request):
    chrome.set_script_timeout(30)
    return Audit(chrome, axe_source, request.node.name.removeprefix("test_"))


def _selector(driver) -> str:
    """The frame's launch selector (once the launch has landed): with the frame's partitioned
    cookie it picks this launch."""
    from selenium.common.exceptions import WebDriverException
    from selenium.webdriver.support.ui import WebDriverWait
    WebDriverWait(driver, 10, poll_frequency=0.1, ignored_exceptions=(WebDriverException,)).until(
        lambda d: "ls=" in _frame_url(d), message="the launch never landed")
    return parse_qs(urlsplit(_frame_url(driver)).query)["ls"][0]


def _url(tool_url: str, path: str, selector: str | None, **params) -> str:
    if selector:
        params["ls"] = selector
    return tool_url + path + ("?" + urlencode(params) if params else "")


def _launch(chrome, lms, user: str, link: str = "code"):
    """Launch user from the LMS page into the frame at desktop width, then go to phone width."""
    chrome.set_window_size(*DESKTOP)
    _launch_in_frame(chrome, lms, user, link)
    _find(chrome, "main")
    return _selector(chrome)


def _submit(audit, css: str):
    audit.mark_leaving()
    _click(audit.driver, css)
    audit.wait_for_new_page()


def _submit_unchecked(audit, form_css: str, **values):
    """Fill in values (by field name) and send the form without the browser's own checks, as a
    browser without them would, so that the server's error state is shown."""
    audit.driver.execute_script(
        "const f = document.querySelector(arguments[0]); f.noValidate = true;"
        "for (const [k, v] of Object.entries(arguments[1])) f.elements[k].value = v;", form_css, values)
    _submit(audit, form_css + " button[type=submit]:not([name])")


def _post(audit, url: str, **fields):
    """Post fields to url from the tool's frame, as another page's form would."""
    audit.mark_leaving()
    audit.driver.execute_script(
        "const f = document.createElement('form'); f.method = 'post'; f.action = arguments[0];"
        "for (const [k, v] of Object.entries(arguments[1])) {"
        " const i = document.createElement('input'); i.type = 'hidden'; i.name = k; i.value = v; f.append(i); }"
        "document.body.append(f); f.submit();", url, fields)
    audit.wait_for_new_page()


def _designate(app, lms, user_key: str):
    """Make user_key a coordinator of the LMS's school, as the school admin would."""
    from lti_tool.courses.models import SchoolMember, User
    from lti_tool.extensions import db
    with app.app_context():
        member = db.session.scalars(select(SchoolMember).join(User).where(
            User.sub == lms.users[user_key].sub, User.issuer == lms.issuer)).one()
        member.is_coordinator = True
        db.session.commit()


def test_the_students_pages(audit, chrome, frame_lms, tool_url):
    """The code gate, a wrong answer in the check, home, the re-read code, the whole report path."""
    token = _launch(chrome, frame_lms, "student4")
    _find(chrome, "form[action*='/code/acknowledge']")
    audit.check("code gate")

    form = _find(chrome, "form[action*='/code/acknowledge']")
    for n in range(len(form.find_elements("css selector", "fieldset.question"))):
        _click(chrome, f"input[name='answer-{n}'][value='0']")
    _click(chrome, "input[name=confirm]")
    _submit(audit, "form[action*='/code/acknowledge'] button[type=submit]")
    _find(chrome, "fieldset.question.wrong")
    audit.check("check with wrong answers")

    for n in range(3):
        _click(chrome, f"input[name='answer-{n}'][value='1']")
    assert _find(chrome, "input[name=confirm]").is_selected()  # kept from the first try
    _submit(audit, "form[action*='/code/acknowledge'] button[type=submit]")
    _find(chrome, "h1#home-title")
    audit.check("home")

    audit.go(_url(tool_url, "/code", token))
    _find(chrome, ".state-acknowledged")
    audit.check("code acknowledged")

    audit.go(_url(tool_url, "/reports/new", token))
    _find(chrome, "button.category-choice")
    audit.check("report choose")

    audit.go(_url(tool_url, "/reports/new", token, category="sexual_images"))
    _find(chrome, ".no-image-box")
    audit.check("report form images")

    audit.go(_url(tool_url, "/reports/new", token, category="cyberbullying"))
    _find(chrome, "form.report-form")
    audit.check("report form")
    _submit(audit, "form.report-form button[type=submit]")
    _find(chrome, "#problem")
    audit.check("report form errors")

    _find(chrome, "textarea#what_happened").send_keys("Someone keeps posting my photos with mean captions.")
    _submit(audit, "form.report-form button[type=submit]")
    reference = _find(chrome, "section.receipt p.reference").text
    audit.check("report receipt")

    audit.go(_url(tool_url, "/reports/mine", token))
    audit.check("my reports")
    audit.go(_url(tool_url, f"/reports/{reference}", token))
    audit.check("report follow-up")
    _submit(audit, "form[action*='/messages'] button[type=submit]")  # an empty message
    assert "true" == _find(chrome, "textarea#body[aria-invalid]").get_attribute("aria-invalid")
    _find(chrome, "#reply-error")
    audit.check("report follow-up reply errors")
    audit.assert_clean(12)


def test_the_coordinators_pages(audit, chrome, frame_lms, tool_url, app):
    """The case queue, a case, the dashboard and its friends, and authoring the code of conduct."""
    from tests.cases.conftest import make_case
    _launch(chrome, frame_lms, "coordinator")
    _designate(app, frame_lms, "coordinator")
    _acknowledge(chrome)
    token = _selector(chrome)
    make_case(app, frame_lms.school_id, spreading_now=True)

    audit.go(_url(tool_url, "/", token))
    _find(chrome, "h1#home-title")
    audit.check("home")
    audit.go(_url(tool_url, "/cases", token))
    case_link = _find(chrome, "main a[href*='/cases/'][href*='ls=']").get_attribute("href")
    audit.check("case queue")
    audit.go(case_link)
    audit.check("case")
    audit.go(_url(tool_url, "/cases/new", token))
    audit.check("new case")
    _submit_unchecked(audit, "form[action*='/cases/new']", what_happened="")
    _find(chrome, ".error-box[role=alert]")
    audit.check("new case errors")
    for path in ("dashboard", "consistency", "settings"):
        audit.go(_url(tool_url, f"/cases/{path}", token))
        audit.check(path)
    _submit_unchecked(audit, "form[action*='/cases/settings']", first_response_hours="0", retention_months="")
    _find(chrome, ".error-box[role=alert]")
    audit.check("settings errors")
    audit.go(_url(tool_url, "/cases/audit", token))  # the school admin's: a coordinator is refused
    assert "audit" not in _find(chrome, "h1").text.lower()
    audit.check("audit log refused")

    audit.go(_url(tool_url, "/conduct/student/draft", token))
    _find(chrome, "form.editor")
    audit.check("conduct draft")
    preview = _find(chrome, "main a[href*='/preview']").get_attribute("href")
    title = _find(chrome, "input#title-nl").get_attribute("value")
    _submit_unchecked(audit, "form.editor", **{"title-nl": title + " (herzien)"})  # saved: a diff to show
    _find(chrome, "form.editor")
    _submit_unchecked(audit, "form.editor", **{"rule-0-key": "Not A Key!", "question-0-answer": "7"})
    _find(chrome, ".error-box[role=alert]")
    audit.check("conduct draft errors")
    audit.go(preview)
    audit.check("conduct preview")
    audit.go(_url(tool_url, "/conduct", token))
    for details in chrome.find_elements("css selector", "main details"):  # the version history
        chrome.execute_script("arguments[0].open = true;", details)
    _find(chrome, "main details table")
    audit.check("conduct index and history")
    audit.go(_find(chrome, "main a[href*='/diff?']").get_attribute("href"))  # the current version and the draft
    _find(chrome, "main ins.diff-added")
    audit.check("conduct diff")
    audit.assert_clean(15)


def test_the_teachers_and_admins_pages(audit, chrome, frame_lms, tool_url, app):
    """The course overview, the school-wide overview, coordinators, the audit log, the board's figures, deep linking."""
    token = _launch(chrome, frame_lms, "teacher")
    _acknowledge(chrome)
    _find(chrome, "h1#home-title")
    audit.check("teacher home")
    overview = _find(chrome, "main a[href*='/overview']").get_attribute("href")
    audit.go(overview)
    _find(chrome, "table.overview-table")
    audit.check("course overview")

    from lti_tool.cli import main
    board = "Frame board " + secrets.token_hex(3)
    for args in (["create", board], ["add-school", "--board", board, "--school", frame_lms.school_name]):
        assert app.test_cli_runner().invoke(main, ["boards", *args]).exit_code == 0
    token = _launch(chrome, frame_lms, "admin")  # no code of conduct for admins outside a course
    assert app.test_cli_runner().invoke(main, ["boards", "grant", "--board", board, "--user",
                                               frame_lms.users["admin"].sub]).exit_code == 0
    _find(chrome, "h1#home-title")
    audit.check("admin home")
    for path in ("/school/overview", "/school/coordinators", "/cases/audit", "/cases/dashboard", "/board"):
        audit.go(_url(tool_url, path, token))
        audit.check(path.strip("/").replace("/", " "))

    chrome.switch_to.default_content()
    _launch_in_frame(chrome, frame_lms, "teacher", link="add")
    _find(chrome, "main form")
    audit.check("deep linking")
    _submit(audit, "main form button[type=submit]")  # the tool answers the LMS, which shows what it placed
    _find(chrome, "section.lms-card li")
    audit.check("demo LMS placed")
    audit.assert_clean(10)


@pytest.fixture
def registering_lms(app, tool_url, monkeypatch):
    """An LMS the tool does not know yet, holding a registration token (dynamic registration).

    It runs on 127.0.0.1, which registration refuses to call unless told otherwise: told here."""
    import secrets
    monkeypatch.setitem(app.config, "LTI_REGISTRATION_ALLOW_PRIVATE", True)
    app.extensions["registration_limiter"].reset()
    from lti_tool.demo.platform import DemoLMS
    from lti_tool.demo.views import create_lms_app
    from tests.support.servers import reserve_port, serve
    port = reserve_port()
    lms = DemoLMS(issuer=f"http://127.0.0.1:{port}/moodle", tool_base_url=tool_url, client_id="unused",
                  deployment_id="7", school_name="Registering school")
    lms.registration_token = "reg-" + secrets.token_hex(4)
    with serve(create_lms_app(lms), port=port):
        yield lms


def test_error_pages_the_landing_page_and_the_demo_lms(audit, chrome, frame_lms, tool_url, registering_lms):
    """404, 403, a refused launch, the offer of a new window when the frame keeps no cookie, dynamic
    registration done, the landing page, and the demo LMS's own pages."""
    from tests.support.browser import Browser
    token = _launch(chrome, frame_lms, "student3")
    audit.go(_url(tool_url, "/no-such-page", token))
    audit.check("404")
    audit.go(_url(tool_url, "/cases", token))
    audit.check("403")
    audit.go(_url(tool_url, "/code", None))
    audit.check("no launch")
    audit.go(_url(tool_url, "/", None))
    audit.check("landing")
    _post(audit, tool_url + "/lti/launch", state="x")
    audit.check("launch refused")

    # The login's state cookie went to another browser, as when the frame's cookies are refused:
    # the LMS's answer reaches the tool without it, and the tool offers a new window.
    auth = Browser(tool_url).start_login(frame_lms.login_initiation_url("student3"))
    audit.go(auth["_location"])
    _find(chrome, "a[target=_blank][href*='new_window=1']")
    audit.check("new window offered")

    audit.go(_url(tool_url, "/lti/register", None, openid_configuration=registering_lms.openid_configuration_url,
                  registration_token=registering_lms.registration_token))
    _find(chrome, "button[data-close-registration]")
    audit.check("registered")

    audit.go(frame_lms.issuer + "/launch?user=nobody")  # the demo LMS's own problem page
    _find(chrome, "section.lms-card[role=alert]")
    audit.check("demo LMS problem")

    chrome.switch_to.default_content()
    _open_course_page(chrome, frame_lms, "student3")
    audit.check("demo LMS course page")
    audit.assert_clean(9)


def test_the_audit_itself_finds_serious_violations(chrome, axe_source):
    """The harness is not vacuous: a page with an unlabelled field and unreadable text fails it."""
    from flask import Flask
    from tests.support.servers import reserve_port, serve
    probe = Flask("a11y-probe")

    @probe.route("/")
    def bad():
        return ('<!doctype html><html><head><title>Probe</title></head><body><main>'
                '<p style="color:#ccc;background:#fff">Hard to read</p><input name="q"><button></button>'
                '</main></body></html>')

    port = reserve_port()
    audit = Audit(chrome, axe_source, "probe")
    with serve(probe, port=port):
        chrome.get(f"http://127.0.0.1:{port}/")
        audit.check("probe", sizes=(PHONE,), screenshot=False)
    found = "\n".join(audit.blocking)
    for rule in ("html-has-lang", "label", "button-name", "color-contrast"):
        assert f"] {rule}:" in found, found


def _describe(driver) -> str:
    """The focused element as tag#id, tag[name=value] or tag "text"."""
    return driver.execute_script("""
        const e = document.activeElement;
        const tag = e.tagName.toLowerCase();
        if (e.id) return tag + '#' + e.id;
        if (e.name) return tag + '[' + e.name + '=' + e.value + ']';
        return tag + ' "' + e.textContent.trim().replace(/\\s+/g, ' ') + '"';""")


def _press(driver, *keys) -> str:
    from selenium.webdriver.common.action_chains import ActionChains
    ActionChains(driver).send_keys(*keys).perform()
    return _describe(driver)


def _assert_focus_visible(driver):
    style = driver.execute_script("""
        const s = getComputedStyle(document.activeElement);
        return [s.outlineStyle, parseFloat(s.outlineWidth)];""")
    assert style[0] != "none" and style[1] >= 2, (_describe(driver), style)


def _tab_to(driver, wanted: str, limit: int = 25) -> list[str]:
    """Press Tab until wanted is focused, checking that each step shows its focus; return the path."""
    from selenium.webdriver.common.keys import Keys
    path = []
    while not path or path[-1] != wanted:
        assert len(path) < limit, f"Tab never reached {wanted}: {path}"
        path.append(_press(driver, Keys.TAB))
        _assert_focus_visible(driver)
    return path


def test_the_report_form_is_completed_with_the_keyboard_alone(chrome, frame_lms):
    """Tab into the frame, skip link, choose a category, a refused first try whose error summary takes
    focus and leads to the field, then fill in, choose with arrow keys and Space, and send."""
    from selenium.webdriver.common.action_chains import ActionChains
    from selenium.webdriver.common.keys import Keys
    chrome.set_window_size(*PHONE)
    _open_course_page(chrome, frame_lms, "student2")
    _click(chrome, "input[name=link][value='report']")
    _click(chrome, "form.lms-launch button[type=submit]:not([formtarget])")  # the LMS's own button
    frame = _find(chrome, "iframe[name='tool-frame']")
    chrome.switch_to.frame(frame)
    _find(chrome, "h1#report-title")
    chrome.switch_to.default_content()

    # From the LMS's launch button, Tab leads into the tool's frame, to its skip link first.
    assert _press(chrome, Keys.TAB).startswith('button "Open')  # the LMS's new-window button
    _press(chrome, Keys.TAB)
    chrome.switch_to.frame(frame)
    assert _describe(chrome) == 'a "Skip to the content"'
    _assert_focus_visible(chrome)
    assert _press(chrome, Keys.ENTER) == "main#main"

    categories = chrome.execute_script(
        "return [...document.querySelectorAll('button.category-choice')].map(b => b.value)")
    path = _tab_to(chrome, "button[category=cyberbullying]")
    # "Leave quickly" first, then the kinds in reading order.
    assert path == ['a "Leave quickly"'] + [f"button[category={key}]" for key in categories[:len(path) - 1]], path
    old = chrome.execute_script("window.__leaving = true; return location.href")
    _press(chrome, Keys.ENTER)
    _wait(chrome).until(lambda d: d.execute_script("return !window.__leaving && document.readyState === 'complete'"))
    assert chrome.execute_script("return location.href") != old

    # The form's fields come in the order they are shown, each with a visible focus.
    _press(chrome, Keys.TAB)  # the skip link again, on the new page
    assert _press(chrome, Keys.ENTER) == "main#main"
    order = _tab_to(chrome, 'button "Send report"')
    # The choice of a coordinator to keep away is there once the school has coordinators (another
    # test of this module may have designated one): just before the choice of name or pseudonym.
    keep_away = "select#exclude_coordinator_id"
    if keep_away in order:
        assert order.index(keep_away) + 1 == order.index("input[identity=pseudonymous]"), order
    assert [d for d in order if d != keep_away] == [
        'a "Leave quickly"', 'a "choose something else"', "textarea#what_happened", "input#platform", "input#link",
        "input#handle", "input#when", "textarea#involved", "input[spreading_now=yes]", "input[affected=]",
        "input[about_staff=yes]", "input[identity=pseudonymous]", 'button "Send report"'], order

    # Sent empty: the error summary takes focus, is an alert, and its link leads to the field.
    chrome.execute_script("window.__leaving = true")
    _press(chrome, Keys.ENTER)
    _wait(chrome).until(lambda d: d.execute_script("return !window.__leaving && document.readyState === 'complete'"))
    _wait(chrome).until(lambda d: _describe(d) == "div#problem", message="the error summary did not take focus")
    assert chrome.execute_script("return document.activeElement.getAttribute('role')") == "alert"
    field = _find(chrome, "textarea#what_happened")
    assert field.get_attribute("aria-invalid") == "true"
    assert "what_happened-error" in field.get_attribute("aria-describedby").split()
    assert _press(chrome, Keys.TAB).startswith('a "'), "the summary's first link"
    assert _press(chrome, Keys.ENTER) == "textarea#what_happened"

    # Fill in with the keyboard only: type, Tab, arrow keys in radio groups, Space for the checkbox.
    _press(chrome, "Someone made a fake account with my name and photos.")
    assert _press(chrome, Keys.TAB) == "input#platform"
    _press(chrome, "TikTok", Keys.ESCAPE)
    _tab_to(chrome, "input[spreading_now=yes]")
    _press(chrome, Keys.SPACE)
    assert _tab_to(chrome, "input[affected=]") == ["input[affected=]"]
    assert _press(chrome, Keys.ARROW_UP) == "input[affected=no]"
    assert _press(chrome, Keys.ARROW_UP) == "input[affected=yes]"
    assert _press(chrome, Keys.TAB) == "input[about_staff=yes]"
    if keep_away in order:
        assert _press(chrome, Keys.TAB) == keep_away  # left as it is: nobody kept away
    assert _press(chrome, Keys.TAB) == "input[identity=pseudonymous]"
    assert _press(chrome, Keys.ARROW_DOWN) == "input[identity=named]"
    ActionChains(chrome).key_down(Keys.SHIFT).send_keys(Keys.TAB).key_up(Keys.SHIFT).perform()
    # Shift+Tab goes back a group
    assert _describe(chrome) == (keep_away if keep_away in order else "input[about_staff=yes]")
    assert _press(chrome, Keys.TAB) == "input[identity=named]"
    assert _press(chrome, Keys.TAB) == 'button "Send report"'
    state = chrome.execute_script(
        "const f = document.querySelector('form.report-form');"
        "return [f.spreading_now.checked, f.affected.value, f.identity.value, f.platform.value]")
    assert state == [True, "yes", "named", "TikTok"], state
    _press(chrome, Keys.ENTER)

    reference = _find(chrome, "section.receipt p.reference").text
    assert re.fullmatch(r"VO-[A-Z0-9-]+", reference), reference
    Audit(chrome, "", "keyboard").screenshot("a11y-keyboard-receipt-phone")
