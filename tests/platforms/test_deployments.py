"""Many schools on one LMS registration: each school's deployment is added on the command line or in
lti_config.json, and each launch lands in the school of its deployment, never in another's."""
import json
import secrets

import pytest
from sqlalchemy import select

from lti_tool.cli import main
from lti_tool.lti.models import LaunchSession
from lti_tool.platforms.models import Deployment, Platform
from tests.conftest import demo_lms
from tests.support.browser import Browser, launch_token_of


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, list(args))


@pytest.fixture
def board_lms(app, tool_url):
    """One LMS registration (think Canvas with a sub-account per school), registered for its first school."""
    with demo_lms(app, tool_url, "Board school A " + secrets.token_hex(3), "board", "dep-a") as lms:
        yield lms


def _add_args(lms, deployment, school, **changed):
    values = {"--issuer": lms.issuer, "--client-id": lms.client_id, "--auth-url": lms.auth_url,
              "--token-url": lms.token_url, "--jwks-url": lms.jwks_url, **changed}
    return ["platforms", "add", *[part for pair in values.items() for part in pair],
            "--deployment-id", deployment, "--school", school]


def _launch_school(tool_url, lms, deployment, db_session, user="student"):
    """Launch as user through the given deployment; return the school name of the launch the tool stored."""
    lms.deployment_id = deployment
    browser = Browser(tool_url)
    page = browser.follow(browser.launch(lms, user))
    assert page.status_code == 200, page.text
    token = launch_token_of(page.text)
    db_session.expire_all()
    launches = db_session.scalars(select(LaunchSession).where(LaunchSession.deployment_id == deployment)
                                  .order_by(LaunchSession.created_at.desc())).all()
    assert launches and token
    return launches[0].school.name


def test_a_second_school_joins_an_existing_registration_and_its_launches_land_there(cli, board_lms, db_session, tool_url):
    school_b = "Board school B " + secrets.token_hex(3)
    added = cli(*_add_args(board_lms, "dep-b", school_b))
    assert added.exit_code == 0, added.output
    assert "was known: added deployment(s) dep-b" in added.output
    assert len(db_session.scalars(select(Platform).where(Platform.issuer == board_lms.issuer)).all()) == 1
    assert _launch_school(tool_url, board_lms, "dep-b", db_session) == school_b
    assert _launch_school(tool_url, board_lms, "dep-a", db_session) == board_lms.school_name
    listing = cli("platforms", "list")
    assert f"dep-a → {board_lms.school_name}" in listing.output and f"dep-b → {school_b}" in listing.output


def test_deployments_add_list_and_remove(cli, board_lms, db_session, tool_url):
    school_c = "Board school C " + secrets.token_hex(3)
    added = cli("deployments", "add", "--issuer", board_lms.issuer, "--client-id", board_lms.client_id,
                "--deployment-id", "dep-c", "--school", school_c)
    assert added.exit_code == 0, added.output
    assert _launch_school(tool_url, board_lms, "dep-c", db_session) == school_c
    listing = cli("deployments", "list")
    assert listing.output.splitlines()[0].lower().split() == ["platform", "issuer", "client", "id", "deployment", "school"]
    assert "dep-c" in listing.output and school_c in listing.output
    removed = cli("deployments", "remove", "--platform", str(board_lms.platform_id), "--deployment-id", "dep-c")
    assert removed.exit_code == 0, removed.output
    board_lms.deployment_id = "dep-c"
    refused = Browser(tool_url).launch(board_lms, "student")
    assert refused.status_code == 400 and "not registered" in refused.text


def test_a_deployment_of_another_school_is_refused_and_nothing_changes(cli, board_lms, db_session):
    result = cli(*_add_args(board_lms, "dep-a", "Someone else's school"))
    assert result.exit_code == 1 and f"already belongs to {board_lms.school_name}" in result.output
    again = cli("deployments", "add", "--platform", str(board_lms.platform_id), "--deployment-id", "dep-a",
                "--school", "Someone else's school")
    assert again.exit_code == 1 and "already belongs" in again.output
    db_session.expire_all()
    [deployment] = db_session.scalars(select(Deployment).where(Deployment.platform_id == board_lms.platform_id)).all()
    assert deployment.school.name == board_lms.school_name


def test_other_endpoints_for_a_known_registration_are_refused(cli, board_lms, db_session):
    result = cli(*_add_args(board_lms, "dep-x", "School X", **{"--jwks-url": board_lms.issuer + "/other-keys"}))
    assert result.exit_code == 1 and "registered with other endpoints" in result.output
    db_session.expire_all()
    platform = db_session.get(Platform, board_lms.platform_id)
    assert platform.key_set_url == board_lms.jwks_url
    assert [d.deployment_id for d in platform.deployments] == ["dep-a"]


@pytest.mark.parametrize("args, code, words", [
    (["deployments", "add", "--platform", "987654", "--deployment-id", "d", "--school", "S"], 1, "No platform with id 987654"),
    (["deployments", "add", "--deployment-id", "d", "--school", "S"], 1, "Which platform?"),
    (["deployments", "add", "--issuer", "https://nowhere.example", "--client-id", "c", "--deployment-id", "d",
      "--school", "S"], 1, "Register the platform first"),
    (["deployments", "add", "--platform", "1", "--deployment-id", "d", "--school", " "], 2, "--school"),
    (["deployments", "remove", "--platform", "1", "--deployment-id", "no-such-deployment"], 1, "has no deployment"),
])
def test_bad_deployment_commands_say_what_is_wrong(cli, args, code, words):
    result = cli(*args)
    assert result.exit_code == code and words in result.output, result.output


def test_lti_config_json_adds_a_deployment_to_an_issuer_already_known(board_lms, lti_config_path, db_session, tool_url):
    """The board writes its next school into lti_config.json; the database knows the issuer already."""
    school_j = "Board school J " + secrets.token_hex(3)
    entry = {"client_id": board_lms.client_id, "auth_login_url": board_lms.auth_url,
             "auth_token_url": board_lms.token_url, "key_set_url": board_lms.jwks_url}
    lti_config_path.write_text(json.dumps({board_lms.issuer: [
        {**entry, "deployment_ids": ["dep-a"], "school": board_lms.school_name},
        {**entry, "deployment_ids": ["dep-j"], "school": school_j}]}))
    try:
        assert _launch_school(tool_url, board_lms, "dep-j", db_session) == school_j
        assert _launch_school(tool_url, board_lms, "dep-a", db_session) == board_lms.school_name
    finally:
        lti_config_path.write_text("{}")


def _pending_registration(app, deployment_ids):
    """What dynamic registration stores for an LMS that registered and sent these deployments (see test_registration.py)."""
    from lti_tool.extensions import db
    from lti_tool.platforms import operations
    issuer = "https://brightspace-" + secrets.token_hex(3) + ".example"
    with app.app_context():
        for deployment_id in deployment_ids:
            platform, _ = operations.record_dynamic_registration(
                issuer=issuer, client_id="dyn", auth_login_url=issuer + "/auth", auth_token_url=issuer + "/token",
                key_set_url=issuer + "/jwks", deployment_id=deployment_id, name=None, max_pending=1000)
        db.session.commit()
        return platform.id


def test_approving_names_each_deployments_school(cli, app, db_session):
    platform_id = _pending_registration(app, ["ou-1", "ou-2", "ou-3"])
    done = cli("platforms", "approve", str(platform_id), "--deployment", "ou-1=Kindcentrum Noord",
               "--deployment", "ou-2=Kindcentrum Zuid")
    assert done.exit_code == 0, done.output
    assert "Still waiting for their school" in done.output and "ou-3" in done.output
    platform = db_session.get(Platform, platform_id)
    assert platform.status == "active"
    assert {d.deployment_id: d.school.name if d.school else None for d in platform.deployments} == {
        "ou-1": "Kindcentrum Noord", "ou-2": "Kindcentrum Zuid", "ou-3": None}


@pytest.mark.parametrize("pairs, code, words", [
    (["--deployment", "ou-1"], 2, "write it as ID=School name"),
    (["--deployment", "=School"], 2, "write it as ID=School name"),
    (["--deployment", "ou-9=School"], 1, "has no deployment ou-9"),
])
def test_a_bad_approval_approves_nothing(cli, app, db_session, pairs, code, words):
    platform_id = _pending_registration(app, ["ou-1"])
    result = cli("platforms", "approve", str(platform_id), *pairs)
    assert result.exit_code == code and words in result.output, result.output
    platform = db_session.get(Platform, platform_id)
    assert platform.status == "pending" and platform.deployments[0].school is None
