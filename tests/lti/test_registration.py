"""LTI Dynamic Registration as Moodle 4.x does it: the registration waits for the tool's approval."""
import secrets
from urllib.parse import quote

import pytest
from sqlalchemy import select

from lti_tool.cli import main
from lti_tool.demo.platform import DemoLMS
from lti_tool.demo.views import create_lms_app
from lti_tool.extensions import db
from lti_tool.lti.models import LaunchSession
from lti_tool.platforms.models import Platform
from tests.support.browser import Browser
from tests.support.servers import reserve_port, serve


@pytest.fixture(autouse=True)
def local_lms_allowed(app, monkeypatch):
    """The demo LMSs of these tests live on 127.0.0.1, which production refuses to call; limits start afresh."""
    monkeypatch.setitem(app.config, "LTI_REGISTRATION_ALLOW_PRIVATE", True)
    app.extensions["registration_limiter"].reset()


@pytest.fixture
def new_lms(tool_url):
    """An LMS that the tool does not know yet, with a registration token."""
    port = reserve_port()
    lms = DemoLMS(issuer=f"http://127.0.0.1:{port}/moodle", tool_base_url=tool_url,
                  client_id="unused", deployment_id="7", school_name="Dynamic school")
    lms.registration_token = "reg-" + secrets.token_hex(4)
    with serve(create_lms_app(lms), port=port):
        yield lms


def _register(browser, lms, token=None):
    return browser.get("/lti/register?openid_configuration=" + quote(lms.openid_configuration_url)
                       + "&registration_token=" + quote(token or lms.registration_token))


def test_dynamic_registration_is_stored_pending_until_approved(app, tool_url, new_lms, db_session):
    browser = Browser(tool_url)
    resp = _register(browser, new_lms)
    assert resp.status_code == 200, resp.text
    assert "org.imsglobal.lti.close" not in resp.text  # the close message lives in a static script
    platform = db_session.scalars(select(Platform).where(Platform.issuer == new_lms.issuer)).one()
    assert platform.status == "pending" and platform.source == "dynamic"
    assert platform.auth_login_url == new_lms.auth_url and platform.key_set_url == new_lms.jwks_url
    new_lms.client_id = platform.client_id
    new_lms.deployment_id = platform.deployments[0].deployment_id

    refused = browser.get(new_lms.login_initiation_url("student").replace(tool_url, ""))
    assert refused.status_code == 400 and "waiting for approval" in refused.text

    result = app.test_cli_runner().invoke(main, ["platforms", "approve", str(platform.id),
                                                 "--school", "Dynamic school"])
    assert result.exit_code == 0, result.output
    launched = browser.follow(browser.launch(new_lms, "student"))
    assert launched.status_code == 200 and "Dynamic school" in launched.text


def test_registration_with_a_wrong_token_is_refused_and_stores_nothing(tool_url, new_lms, db_session):
    resp = _register(Browser(tool_url), new_lms, token="wrong")
    assert 400 <= resp.status_code < 500
    assert db_session.scalars(select(Platform).where(Platform.issuer == new_lms.issuer)).first() is None


@pytest.mark.parametrize("query", [
    "", "openid_configuration=not-a-url", "openid_configuration=ftp://x.example/conf",
    "openid_configuration=http://127.0.0.1:9/nothing-listens-here",
])
def test_bad_registration_requests_get_a_clear_4xx(tool_url, query):
    resp = Browser(tool_url).get("/lti/register?" + query)
    assert 400 <= resp.status_code < 500
    assert "Veilig Online" in resp.text


def test_a_configuration_that_is_not_json_is_refused(tool_url):
    resp = Browser(tool_url).get("/lti/register?openid_configuration=" + quote(tool_url + "/"))
    assert resp.status_code == 400


def test_a_removed_platform_gets_no_launch_though_its_login_address_is_remembered(app, tool_url):
    """Each process remembers a platform's login address for a minute, so a login of a platform
    removed meanwhile may still go to its LMS; the launch it leads to is refused, and stores nothing."""
    from tests.conftest import demo_lms
    with demo_lms(app, tool_url, "Removed school " + secrets.token_hex(3), "removed", "dep-removed") as lms:
        browser = Browser(tool_url)
        assert browser.follow(browser.launch(lms, "student")).status_code == 200
        result = app.test_cli_runner().invoke(main, ["platforms", "remove", str(lms.platform_id), "--yes"])
        assert result.exit_code == 0, result.output
        launches = db_rows(app, LaunchSession)
        refused = browser.launch(lms, "student")
        assert refused.status_code == 400, refused.text
        assert _not_registered(refused.text)
        assert db_rows(app, LaunchSession) == launches
        app.extensions["lti_login_targets"].clear()  # as in a process that does not remember it
        refused = browser.get(lms.login_initiation_url("student").replace(tool_url, ""))
        assert refused.status_code == 400, refused.text
        assert _not_registered(refused.text)


def _not_registered(html: str) -> bool:
    return "is not registered" in html or "niet bij de tool geregistreerd" in html


def db_rows(app, model, *criteria) -> int:
    with app.app_context():
        return db.session.scalar(select(db.func.count()).select_from(model).where(*criteria))


def test_a_later_deployment_of_an_approved_registration_waits_for_its_school(app, tool_url, new_lms, db_session):
    """A board's LMS deploys the registered tool for a second school: that deployment's launches are refused,
    calmly and in the reader's language, until the administrator names its school; then they land there."""
    browser = Browser(tool_url)
    assert _register(browser, new_lms).status_code == 200
    platform = db_session.scalars(select(Platform).where(Platform.issuer == new_lms.issuer)).one()
    first = new_lms.deployment_id
    cli = app.test_cli_runner()
    assert cli.invoke(main, ["platforms", "approve", str(platform.id), "--deployment", f"{first}=Lyceum Oost"]).exit_code == 0
    new_lms.registration_token, new_lms.deployment_id = "reg-" + secrets.token_hex(4), "second-" + secrets.token_hex(2)
    again = _register(browser, new_lms)
    assert again.status_code == 200 and "waits until the administrator of the tool names its school" in again.text

    for locale, words in (("en-GB", "not yet connected"), ("nl-NL", "nog niet aangesloten")):
        refused = Browser(tool_url).launch(new_lms, "student", locale=locale)
        assert refused.status_code == 403 and words in refused.text, refused.text
    assert db_session.scalars(select(LaunchSession).where(LaunchSession.deployment_id == new_lms.deployment_id)).first() is None
    waiting = cli.invoke(main, ["deployments", "list", "--pending"])
    assert new_lms.deployment_id in waiting.output and "pending" in waiting.output

    named = cli.invoke(main, ["deployments", "add", "--platform", str(platform.id),
                              "--deployment-id", new_lms.deployment_id, "--school", "Lyceum West"])
    assert named.exit_code == 0, named.output
    landed = browser.follow(browser.launch(new_lms, "student"))
    assert landed.status_code == 200 and "Lyceum West" in landed.text
    new_lms.deployment_id = first
    assert "Lyceum Oost" in browser.follow(browser.launch(new_lms, "student")).text
    # Naming it again for another school is refused: the deployment's launches and data are Lyceum West's.
    taken = cli.invoke(main, ["deployments", "add", "--platform", str(platform.id),
                              "--deployment-id", first, "--school", "Lyceum West"])
    assert taken.exit_code == 1 and "already belongs to Lyceum Oost" in taken.output
