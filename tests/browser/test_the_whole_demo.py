"""The whole demo in Chromium, as each person on its course page would use it, in Dutch and in English.

The demo school is prepared as `lti-tool demo` prepares it (coordinator designated, both codes
published), on an LMS page on another site than the tool, third-party cookies blocked. The teacher
places the code; a pupil acknowledges and reports; the pupil is heard (spreading again, no closing
before an answer, the closing message read); the school admin publishes a major change through the
editor and its confirmation dialog; the LMS's course page still opens with the reset gradebook; the
pupil reads what changed and acknowledges again; the yearly report prints. Then every person follows
every link the tool shows them, in both languages: no page answers an error, no download fails, a
Dutch page has no English, no page is wider than its frame, no time is shown to the second.
"""
import re
from collections import deque
from urllib.parse import parse_qsl, urlencode, urlsplit

import pytest

from tests.support.language import english_words

from .conftest import _screenshot
from .test_in_the_frame import _acknowledge, _click, _find, _frame_url, _loaded, _submit, _wait

PEOPLE = ("student", "teacher", "coordinator", "admin")
FILES = (".csv", ".pdf", ".json", ".zip")
DESKTOP, PHONE = (1280, 1400), (390, 844)
SECONDS = re.compile(r"\b\d{1,2}:\d{2}:\d{2}\b")  # 00:42:46: a time nobody needs to the second
MAX_PAGES = 150  # per person and language: more than any role reaches, a bound against a runaway walk
NOTE_NL = "Nieuw: je telefoon blijft ook in de pauze in je kluisje."
NOTE_EN = "New: your phone also stays in your locker during breaks."


@pytest.fixture(scope="module")
def demo(app, tool_url):
    """The demo LMS on http://localhost, its school prepared by the demo's own set-up."""
    from lti_tool.demo.setup import prepare_school
    from lti_tool.extensions import db
    from lti_tool.platforms.models import School
    from tests.conftest import demo_lms
    with demo_lms(app, tool_url, "Demoschool", "walk", "dep-walk", host="localhost") as lms:
        with app.app_context():
            prepare_school(lms, db.session.get(School, lms.school_id))
            db.session.commit()
        yield lms


def _status(driver) -> int:
    """The HTTP status of the document in the current frame."""
    return driver.execute_script("return performance.getEntriesByType('navigation')[0].responseStatus")


def _course_page(driver, lms) -> str:
    """Open the LMS's course page afresh; it must open (it did not after a major publish)."""
    driver.switch_to.default_content()
    driver.get(lms.issuer + "/")
    _find(driver, "form.lms-launch")
    assert _status(driver) == 200, "the LMS's course page does not open"
    return _find(driver, "#grades-title").find_element("xpath", "..").text


def _launch(driver, lms, person: str, locale: str, link: str = "code"):
    """Launch person from the course page into the frame in locale (nl-NL or en-GB)."""
    from selenium.webdriver.support.ui import Select
    _course_page(driver, lms)
    _click(driver, f"input[name=user][value='{person}']")
    _click(driver, f"input[name=link][value='{link}']")
    Select(_find(driver, "select#locale")).select_by_value(locale)
    _click(driver, "form.lms-launch button[type=submit]:not([formtarget])")
    driver.switch_to.frame(_find(driver, "iframe[name='tool-frame']"))
    # The tool's first page, at its own address: not a page on the way that posts on by itself (the
    # LMS's sign-in, the tool's continue page), which a loaded machine may show long enough to be seen.
    _wait(driver).until(lambda d: d.execute_script(
        "const own = document.querySelector('meta[name=vo-page-address]');"
        "return document.readyState === 'complete' && !!document.querySelector('main')"
        " && !document.querySelector('form[data-autosubmit]')"
        " && (!own || location.href === new URL(own.content, location.href).href);"),
        message="the launch never landed")
    refused = driver.find_elements("css selector", "section.lms-card[role=alert]")
    assert not refused, f"the LMS refused the {person}'s launch at {driver.current_url}: {refused[0].text}"


def _placed(lms) -> str:
    """The code of conduct the teacher placed in the course (with its gradebook column)."""
    return next(key for key, link in lms.links.items() if link.line_item_id)


def _scored(app, driver, lms, given) -> None:
    """Run the gradebook's worker (the demo runs it in-process) until the LMS holds the pupil's score
    for the placed code (given None: a reset score)."""
    from lti_tool.extensions import db
    from lti_tool.gradebook.delivery import deliver_due
    sub = lms.users["student"].sub
    item = lms.links[_placed(lms)].line_item_id

    def holds(_):
        with app.app_context():
            try:
                deliver_due()
            finally:
                db.session.remove()
        score = lms.scores.get(item, {}).get(sub)
        return score is not None and score.get("scoreGiven") == given
    _wait(driver).until(holds, message=f"the LMS never got the score {given}")


def _go(driver, url: str) -> int:
    """Follow a link in the frame, as a click does, and wait for the new page; its status."""
    driver.execute_script("window.__leaving = true; location.href = arguments[0];", url)
    _loaded(driver, url)
    return _status(driver)


def _fetch(driver, url: str) -> int:
    """The status of a download (or a page not to enter) fetched from the frame with its cookies."""
    return driver.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(arguments[0], {credentials: 'include', redirect: 'manual'}).then(r => done(r.status), () => done(0));", url)


def _key(url: str) -> str:
    """A page's address without the launch's selector, so that each page is walked once."""
    parts = urlsplit(url)
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("ls", "lt")])
    return parts.path + ("?" + query if query else "")


def _links(driver, tool: str) -> list[dict]:
    """The tool's links on the page (never the LMS's, even on a page of the LMS's the frame passed)."""
    return driver.execute_script(
        "return [...document.querySelectorAll('a[href]')].map(a => ({href: a.href, origin: new URL(a.href).origin,"
        " aside: a.hasAttribute('data-quick-exit') || a.hasAttribute('hreflang') || a.hasAttribute('download')}))"
        ".filter(l => l.origin === arguments[0] && !new URL(l.href).pathname.startsWith('/static/'))"
        ".map(l => ({...l, href: l.href.split('#')[0]}))"  # a place on a page is that page
        ".filter(l => l.href !== location.href.split('#')[0])", tool)


def _walk(driver, dutch: bool, tool: str) -> tuple[dict, dict, dict, dict]:
    """From the frame's page, follow every link of the tool (at origin tool) once: ({page: status},
    {page: English words}, {page: width wider than the frame}, {page: times shown to the second})."""
    statuses, english, wide, seconds = {}, {}, {}, {}
    queue, seen = deque([(_frame_url(driver), False)]), set()
    while queue and len(statuses) < MAX_PAGES:
        url, aside = queue.popleft()
        key = _key(url)
        if key in seen:
            continue
        seen.add(key)
        if aside or urlsplit(url).path.endswith(FILES):  # a download, the language switch, leave quickly
            statuses[key] = _fetch(driver, url)
            continue
        statuses[key] = _go(driver, url)
        if dutch and (words := english_words(driver.page_source)):
            english[key] = words
        if found := SECONDS.findall(driver.execute_script("return document.body.innerText")):
            seconds[key] = found
        width, room = driver.execute_script("return [document.documentElement.scrollWidth, innerWidth]")
        if width > room + 1:  # the page itself scrolls sideways (a table may, in its own box)
            wide[key] = f"{width}px in {room}px: " + driver.execute_script(  # the outermost things too wide
                "const out = [...document.body.querySelectorAll('*')].filter(e => e.getBoundingClientRect().right > innerWidth + 1);"
                "return out.filter(e => !out.includes(e.parentElement)).slice(0, 3)"
                ".map(e => e.tagName.toLowerCase() + (e.className ? '.' + e.className : '')).join(', ');")
        queue.extend((link["href"], link["aside"]) for link in _links(driver, tool))
    return statuses, english, wide, seconds


def test_the_teacher_places_the_code_then_a_pupil_acknowledges_in_dutch_and_reports(app, chrome, demo):
    _launch(chrome, demo, "teacher", "nl-NL", link="add")
    _find(chrome, "form[action*='/lti/deep-link']")
    _click(chrome, "form[action*='/lti/deep-link'] button[type=submit]")
    _wait(chrome).until(lambda _: any(link.line_item_id for link in demo.links.values()),
                        message="the LMS never received the placement")
    assert "Gedragscode" in _course_page(chrome, demo), "a gradebook column for the code"

    _launch(chrome, demo, "student", "nl-NL", link=_placed(demo))
    assert _acknowledge(chrome) == 3
    assert _find(chrome, "h1#home-title").text == "Welkom, Sanne de Vries"
    _launch(chrome, demo, "student", "nl-NL", link="report")
    _click(chrome, "button.category-choice[value=cyberbullying]")
    _find(chrome, "textarea#what_happened").send_keys("Ze schelden me elke dag uit in de groepsapp van de klas.")
    _click(chrome, "form.report-form button[type=submit]")
    assert re.fullmatch(r"VO-[A-Z0-9-]+", _find(chrome, "section.receipt p.reference").text)
    _scored(app, chrome, demo, 1)
    assert "Sanne de Vries 1 / 1" in _course_page(chrome, demo), "the acknowledgement is in the gradebook"


def test_the_pupil_is_heard_the_case_does_not_close_on_an_unanswered_child(chrome, demo):
    """The pupil writes that it is on Snapchat too and marks it spreading again; the coordinator cannot
    close before answering, answers, closes (past the open protocol steps, a second step) with a closing
    message, and the pupil reads it."""
    from selenium.webdriver.support.ui import Select
    _launch(chrome, demo, "student", "nl-NL")
    _submit(chrome, "a[href*='/reports/mine']")
    _submit(chrome, "a[href*='/reports/VO-']")
    _find(chrome, "textarea#body").send_keys("Het filmpje staat nu ook op Snapchat.")
    _submit(chrome, "form[action*='/messages'] button[type=submit]")
    _submit(chrome, "form.spreading-form button[type=submit]")
    assert _status(chrome) == 200

    _launch(chrome, demo, "coordinator", "nl-NL")
    if chrome.find_elements("css selector", "form[action*='/code/acknowledge']"):
        _acknowledge(chrome)
    _submit(chrome, "a[href*='/cases?ls'], a[href$='/cases']")
    row = _find(chrome, "a.ref").find_element("xpath", "ancestor::tr")
    assert "Urgent" in row.text or "urgent" in row.text, "spreading again made it urgent"
    _submit(chrome, "a.ref")
    closing = "We hebben de klas gesproken en Snapchat gevraagd het filmpje te verwijderen."

    def close():
        Select(_find(chrome, "form.close-form select#outcome")).select_by_value("resolved")
        message = _find(chrome, "form.close-form textarea#closing-message")
        message.clear()
        message.send_keys(closing)
        _submit(chrome, "form.close-form button[type=submit]")

    close()
    assert _status(chrome) == 409
    assert "nog geen antwoord" in _find(chrome, "#close-problem").text
    assert _find(chrome, "textarea#closing-message").get_attribute("value") == closing, "nothing typed is lost"
    _find(chrome, "form[action*='/messages'] textarea").send_keys("Dank je. We gaan er vandaag mee aan de slag.")
    _submit(chrome, "form[action*='/messages'] button[type=submit]")
    close()
    assert _status(chrome) == 409 and "nog open" in _find(chrome, "#close-problem").text, "open steps: asked first"
    _submit(chrome, "form.close-form button[type=submit]")  # "close anyway", everything chosen kept
    assert _status(chrome) == 200 and "gesloten" in _find(chrome, "main").text.lower()

    _launch(chrome, demo, "student", "nl-NL")
    _submit(chrome, "a[href*='/reports/mine']")
    _submit(chrome, "a[href*='/reports/VO-']")
    page = _find(chrome, "main").text
    assert closing in page and "Dank je. We gaan er vandaag mee aan de slag." in page
    assert "Afgesloten" in page, page
    _screenshot(chrome, "demo-pupil-reads-the-closing-message")


def test_a_major_publish_asks_everyone_again_and_the_course_page_still_opens(app, chrome, demo):
    """The admin changes the pupils' code in the editor and publishes it as a major change: the dialog
    names who must acknowledge again; the LMS shows the reset score; the pupil reads what changed first."""
    _launch(chrome, demo, "admin", "nl-NL")
    _submit(chrome, "a[href*='/conduct']")
    _submit(chrome, "a[href*='/conduct/student/draft']")
    body = _find(chrome, "textarea#rule-0-body-nl")
    body.send_keys(" Ook in de pauze blijft je telefoon in je kluisje.")
    _submit(chrome, "button[name=then][value=publish]")
    _click(chrome, "input[name=change][value=major]")
    _find(chrome, "textarea#note_nl").send_keys(NOTE_NL)
    _find(chrome, "textarea#note_en").send_keys(NOTE_EN)
    _submit(chrome, "form.publish button[type=submit]")
    consequence = _find(chrome, "#consequence").text
    assert consequence.startswith("1 leerling moet de gedragscode opnieuw bevestigen. 1 van hen had de huidige "
                                  "versie al bevestigd."), consequence
    assert "teruggezet" in consequence, "the dialog says the gradebook's scores are reset"
    assert NOTE_NL in _find(chrome, "section.confirm-publish").text
    _submit(chrome, "form.confirm-form button[type=submit]:not([name])")
    assert _status(chrome) == 200 and "Versie 2 is gepubliceerd." in _find(chrome, "main").text
    _scored(app, chrome, demo, None)
    assert "Sanne de Vries teruggezet" in _course_page(chrome, demo), "the reset score shows and the page opens"

    _launch(chrome, demo, "student", "nl-NL", link=_placed(demo))
    changed = _find(chrome, "section.what-changed")
    assert NOTE_NL in changed.text
    assert changed.location["y"] < _find(chrome, "form[action*='/code/acknowledge']").location["y"], \
        "what changed comes before the question to acknowledge"
    _acknowledge(chrome)
    _find(chrome, "h1#home-title")
    _scored(app, chrome, demo, 1)
    assert "Sanne de Vries 1 / 1" in _course_page(chrome, demo), "acknowledged again, scored again"


def test_the_yearly_report_prints_and_downloads_as_a_pdf(chrome, demo):
    """On paper the report stands alone (no bars, no buttons), its Print button prints, its PDF is a PDF."""
    _launch(chrome, demo, "admin", "nl-NL")
    _submit(chrome, "a[href*='/school/year-report']")
    title = _find(chrome, "h1#report-title").text
    assert title.startswith("Jaarverslag"), title
    chrome.execute_script("window.print = () => { window.__printed = true; };")
    _click(chrome, "button[data-print]")
    assert chrome.execute_script("return window.__printed === true"), "the Print button prints"
    # The frame is another site's (its own process), beyond the page's media emulation: let the
    # stylesheet's print rules apply on screen too, as on paper.
    shown = chrome.execute_script(
        "for (const sheet of document.styleSheets) for (const rule of sheet.cssRules)"
        " if (rule.media && rule.media.mediaText === 'print') rule.media.appendMedium('screen');"
        "const seen = s => [...document.querySelectorAll(s)].some(e => getComputedStyle(e).display !== 'none');"
        "return {report: seen('article.year-report'), tables: document.querySelectorAll('.report-table').length,"
        " chrome: ['.no-print', '.bar', '.quick-exit-bar', '.foot'].filter(seen)};")
    assert shown["report"] and not shown["chrome"], shown
    assert shown["tables"] >= 4, "categories, response times, outcomes, coverage and exceptions as tables"
    pdf = chrome.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "fetch(document.querySelector('a[href*=\"/year-report/pdf\"]').href, {credentials: 'include'})"
        ".then(async r => done([r.status, r.headers.get('Content-Type'), new TextDecoder().decode("
        "(await r.arrayBuffer()).slice(0, 5))]), e => done(String(e)));")
    assert pdf == [200, "application/pdf", "%PDF-"], pdf


@pytest.mark.parametrize("locale", ["nl-NL", "en-GB"])
@pytest.mark.parametrize("person", PEOPLE)
def test_every_person_follows_every_link_in_both_languages(chrome, demo, person, locale):
    """In Dutch (the longer words) at a phone's width, the course page's frame as narrow as its screen;
    in English at desktop width."""
    chrome.set_window_size(*(PHONE if locale == "nl-NL" else DESKTOP))
    _launch(chrome, demo, person, locale)
    if chrome.find_elements("css selector", "form[action*='/code/acknowledge']"):
        _acknowledge(chrome)
        assert not chrome.find_elements("css selector", "form[action*='/code/acknowledge']"), "acknowledged"
    assert chrome.execute_script("return location.origin") == demo.tool_base_url, "the walk starts in the tool"
    statuses, english, wide, seconds = _walk(chrome, dutch=locale == "nl-NL", tool=demo.tool_base_url)
    print(f"{person} {locale}: {len(statuses)} pages and downloads:", *sorted(statuses), sep="\n  ")
    assert len(statuses) > 3, statuses
    broken = {page: status for page, status in statuses.items() if status != 200}
    assert not broken, f"links shown to the {person} that do not open: {broken}"
    assert not english, f"English on the {person}'s Dutch pages: {english}"
    assert not wide, f"pages wider than the {person}'s frame: {wide}"
    assert not seconds, f"times to the second on the {person}'s pages: {seconds}"
    _screenshot(chrome, f"demo-{person}-{locale}-last")
    assert _course_page(chrome, demo)
