"""Every page of the tool, as every role, in Dutch and in English: each link a role is shown opens
(no 500, no 4xx: a link someone may not follow is not shown to them), and a Dutch page holds no
English sentence.

A crawl from each role's start page over every link of the tool it reaches, through the real demo
LMS launch; the school has codes, reports (in Dutch, as its pupils write them) and a coordinator.
"""
from collections import deque
from urllib.parse import urljoin, urlsplit

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from lti_tool.conduct.models import ConductVersion
from tests.cases.conftest import designate, make_case, user_id
from tests.courses.conftest import acknowledge
from tests.support.browser import Browser, launch_token_of
from tests.support.language import english_words
from tests.support.pages import publish_defaults

ROLES = ("student", "teacher", "coordinator", "admin")
MAX_PAGES = 80
# Links that leave the crawl: files (checked for their status only) and the quick exit's end.
FILES = (".csv", ".pdf", ".json", ".zip")


@pytest.fixture(scope="module")
def school(app, school_lms, tool_url, database_url):
    if not database_url.startswith("sqlite"):
        pytest.skip("the pages are the same on both databases: crawled on SQLite only")
    from lti_tool.extensions import db
    versions = publish_defaults(app, school_lms.school_id)
    for key in ROLES:
        page = Browser(tool_url).follow(Browser(tool_url).launch(school_lms, key))
        assert page.status_code == 200
    with app.app_context():
        designate(db.session, school_lms, "coordinator")
        for key in ROLES:
            audience = "student" if key == "student" else "staff"
            acknowledge(db.session, school_lms.school_id, user_id(db.session, school_lms, key),
                        db.session.get(ConductVersion, versions[audience]))
        pupil = user_id(db.session, school_lms, "student")
    make_case(app, school_lms.school_id, category="cyberbullying", what="Ze schelden me uit in de groepsapp.",
              reporter_user_id=pupil, identity="named")
    make_case(app, school_lms.school_id, category="threats", what="Iemand dreigt een filmpje te delen.")
    return school_lms


def _crawl(tool_url: str, lms, role: str, locale: str) -> dict:
    """{path: (status, html)} of every page of the tool the role reaches from its start page."""
    browser = Browser(tool_url)
    first = browser.follow(browser.launch(lms, role, locale=locale))
    token = launch_token_of(first.text)
    seen, pages = set(), {}
    queue = deque([first.url])
    while queue and len(pages) < MAX_PAGES:
        url = queue.popleft()
        parts = urlsplit(url)
        key = parts.path + ("?" + parts.query if parts.query else "")
        if key in seen:
            continue
        seen.add(key)
        resp = browser.get(key, token=token)
        if resp.status_code in (302, 303):
            queue.append(urljoin(url, resp.headers["Location"]))
            continue
        pages[key] = (resp.status_code, resp.text if "text/html" in resp.headers.get("Content-Type", "") else "")
        if not pages[key][1]:
            continue
        for link in BeautifulSoup(resp.text, "html.parser").select("a[href]"):
            target = urljoin(resp.url, link["href"])
            if urlsplit(target).netloc == urlsplit(tool_url).netloc and not urlsplit(target).path.startswith("/static/"):
                queue.append(target)
    return pages


@pytest.mark.parametrize("locale", ["nl-NL", "en-GB"])
@pytest.mark.parametrize("role", ROLES)
def test_every_page_a_role_reaches_opens_and_speaks_their_language(tool_url, school, role, locale):
    pages = _crawl(tool_url, school, role, locale)
    assert len(pages) > 3, pages.keys()
    broken = {path: status for path, (status, _) in pages.items() if status != 200}
    assert not broken, f"links shown to the {role} that do not open: {broken}"
    if locale == "nl-NL":
        english = {path: words for path, (_, html) in pages.items() if html and (words := english_words(html))}
        assert not english, f"English on the {role}'s Dutch pages: {english}"
