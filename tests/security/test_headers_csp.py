"""Response headers are the tool's, not a stranger's: a pending registration reaches none, a launch's
page names only its own (active) platform, and the CSP stays small however many schools there are."""
import re
import secrets

import pytest
import requests
from sqlalchemy import delete

from lti_tool.extensions import db
from lti_tool.platforms import operations
from lti_tool.platforms.models import Platform
from tests.conftest import demo_lms
from tests.support.pages import launch


def directive(csp: str, name: str) -> list[str]:
    return re.search(rf"{name} ([^;]+)", csp).group(1).split()


def all_headers(resp) -> str:
    return "\n".join(f"{k}: {v}" for k, v in resp.headers.items())


@pytest.fixture
def many_platforms(app):
    """Adds platforms (active or pending) with origins of their own; removes them afterwards."""
    made: list[int] = []

    def add(count: int, status: str, tag: str) -> list[str]:
        issuers = []
        with app.app_context():
            for n in range(count):
                issuer = f"https://moodle-{n:03d}.{tag}-scholengemeenschap.example"
                platform = operations.add_platform(
                    issuer=issuer, client_id=f"c-{tag}-{n}", auth_login_url=f"https://login-{n:03d}.{tag}.example/auth",
                    auth_token_url=issuer + "/token", key_set_url=issuer + "/jwks", status=status, source="dynamic")
                made.append(platform.id)
                issuers.append(issuer)
            db.session.commit()
        return issuers

    yield add
    with app.app_context():
        db.session.execute(delete(Platform).where(Platform.id.in_(made)))
        db.session.commit()


def test_a_pending_registration_reaches_no_response_header(browser, lms, tool_url, many_platforms):
    tag = "pending" + secrets.token_hex(3)
    many_platforms(3, Platform.PENDING, tag)
    page, token = launch(browser, lms, "student")
    answers = [page, browser.get("/", token=token), requests.get(tool_url + "/", timeout=30),
               requests.get(tool_url + "/no-such-page", timeout=30),
               requests.get(tool_url + "/lti/register", timeout=30),
               requests.get(tool_url + "/lti/jwks", timeout=30)]
    for resp in answers:
        assert tag not in all_headers(resp), resp.url


def test_the_csp_stays_under_4_kb_with_200_active_platforms(browser, lms, tool_url, many_platforms):
    many_platforms(200, Platform.ACTIVE, "active" + secrets.token_hex(3))
    page, token = launch(browser, lms, "student")
    for resp in (page, browser.get("/", token=token), requests.get(tool_url + "/", timeout=30)):
        assert len(resp.headers["Content-Security-Policy"]) < 4096
        assert len(all_headers(resp)) < 4096


def test_a_launchs_pages_may_be_framed_only_by_its_own_platform(browser, lms, other_lms):
    page, token = launch(browser, lms, "student")
    other, _ = launch(browser, other_lms, "student")
    own, next_door = lms.issuer.rsplit("/", 1)[0], other_lms.issuer.rsplit("/", 1)[0]
    for resp in (page, browser.get("/", token=token)):
        csp = resp.headers["Content-Security-Policy"]
        assert directive(csp, "frame-ancestors") == directive(csp, "form-action") == ["'self'", own]
        assert next_door not in csp
    assert directive(other.headers["Content-Security-Policy"], "frame-ancestors") == ["'self'", next_door]


def test_a_platform_no_longer_active_frames_its_launches_no_more(app, browser, tool_url):
    with demo_lms(app, tool_url, "Paused school " + secrets.token_hex(3), "paused", "dep-paused") as lms:
        _, token = launch(browser, lms, "student")
        with app.app_context():
            db.session.get(Platform, lms.platform_id).status = Platform.PENDING
            db.session.commit()
        app.extensions.pop("frame_ancestors", None)  # as in a process whose minute is up
        csp = browser.get("/", token=token).headers["Content-Security-Policy"]
        assert directive(csp, "frame-ancestors") == ["'self'"] and "127.0.0.1:" not in csp


def test_pages_without_a_launch_show_nothing_of_anyone_and_name_no_platform(tool_url, lms):
    """The landing page, error pages and the registration page (shown in the LMS's own frame while
    it registers) may be framed anywhere; their forms go to the tool only."""
    for path in ("/", "/no-such-page", "/lti/register"):
        csp = requests.get(tool_url + path, timeout=30).headers["Content-Security-Policy"]
        assert directive(csp, "frame-ancestors") == ["*"]
        assert directive(csp, "form-action") == ["'self'"]
        assert "127.0.0.1:" not in csp
