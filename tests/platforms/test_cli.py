"""`lti-tool platforms` and `lti-tool keys`: what an administrator does on the command line."""
import secrets

import pytest
import requests
from sqlalchemy import select

from lti_tool.cli import main
from lti_tool.platforms.models import Platform, ToolKey


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, list(args))


def _add_args(issuer, client_id="c1", school="Lyceum Noord", deployment="d1"):
    return ["platforms", "add", "--issuer", issuer, "--client-id", client_id,
            "--auth-url", issuer + "/auth", "--token-url", issuer + "/token",
            "--jwks-url", issuer + "/jwks", "--deployment-id", deployment, "--school", school]


def test_platforms_add_list_and_remove(cli, db_session):
    issuer = "https://moodle-" + secrets.token_hex(3) + ".example"
    result = cli(*_add_args(issuer))
    assert result.exit_code == 0, result.output
    listing = cli("platforms", "list")
    assert issuer in listing.output and "d1 → Lyceum Noord" in listing.output
    platform = db_session.scalars(select(Platform).where(Platform.issuer == issuer)).one()
    removed = cli("platforms", "remove", str(platform.id), "--yes")
    assert removed.exit_code == 0, removed.output
    db_session.expire_all()
    assert db_session.scalars(select(Platform).where(Platform.issuer == issuer)).first() is None


def test_platforms_add_twice_keeps_one_registration_and_one_deployment(cli, db_session):
    """A copy-pasted command run twice changes nothing; another school's deployment is tests/platforms/test_deployments.py's."""
    issuer = "https://moodle-" + secrets.token_hex(3) + ".example"
    assert cli(*_add_args(issuer)).exit_code == 0
    again = cli(*_add_args(issuer))
    assert again.exit_code == 0, again.output
    [platform] = db_session.scalars(select(Platform).where(Platform.issuer == issuer)).all()
    assert [(d.deployment_id, d.school.name) for d in platform.deployments] == [("d1", "Lyceum Noord")]


@pytest.mark.parametrize("bad", [
    ["--auth-url", "not a url"],
    ["--school", ""],
    ["--client-id", ""],
])
def test_platforms_add_refuses_bad_input_and_stores_nothing(cli, db_session, bad):
    issuer = "https://moodle-" + secrets.token_hex(3) + ".example"
    args = _add_args(issuer)
    flag = bad[0]
    args[args.index(flag) + 1] = bad[1]
    result = cli(*args)
    assert result.exit_code == 2, result.output
    assert db_session.scalars(select(Platform).where(Platform.issuer == issuer)).first() is None


def test_removing_an_unknown_platform_says_so(cli):
    result = cli("platforms", "remove", "987654", "--yes")
    assert result.exit_code == 1
    assert "No platform with id 987654" in result.output


def test_keys_rotate_publishes_old_and_new_key(cli, tool_url, db_session):
    before = {k["kid"] for k in requests.get(tool_url + "/lti/jwks", timeout=10).json()["keys"]}
    result = cli("keys", "rotate", "--grace-days", "7")
    assert result.exit_code == 0, result.output
    after = requests.get(tool_url + "/lti/jwks", timeout=10).json()["keys"]
    kids = {k["kid"] for k in after}
    assert before < kids
    new = db_session.scalars(select(ToolKey).where(ToolKey.retired_at.is_(None))).one()
    assert new.kid in kids and new.kid not in before


def test_a_key_past_its_grace_period_leaves_the_jwks(cli, tool_url, db_session):
    cli("keys", "list")
    old = db_session.scalars(select(ToolKey).where(ToolKey.retired_at.is_(None))).one().kid
    assert cli("keys", "rotate", "--grace-days", "0").exit_code == 0
    kids = {k["kid"] for k in requests.get(tool_url + "/lti/jwks", timeout=10).json()["keys"]}
    assert old not in kids
