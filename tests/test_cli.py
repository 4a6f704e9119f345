"""`lti-tool` as an administrator meets it: its own version, its own options, tables with headers,
a question before anything is destroyed, and one clear sentence when the database is not ready."""
import secrets
from importlib.metadata import version

import flask
import pytest
from sqlalchemy import select

from lti_tool.platforms.models import Platform
from tests.conftest import empty_database
from tests.support.faults import lti_tool_command, tool_env


@pytest.fixture
def run(database_url, tmp_path, lti_config_path):
    """`lti-tool …` in a process of its own, on a database nobody has migrated yet."""
    with empty_database(database_url, tmp_path, "vo_cli_") as url:
        env = tool_env(url, "cli-" + secrets.token_hex(8), tmp_path, lti_config_path)
        yield lambda *args: lti_tool_command(env, *args)


def _add(cli, school="Lyceum Noord"):
    issuer = "https://moodle-" + secrets.token_hex(3) + ".example"
    result = cli("platforms", "add", "--issuer", issuer, "--client-id", "c1", "--auth-url", issuer + "/auth",
                 "--token-url", issuer + "/token", "--jwks-url", issuer + "/jwks", "--deployment-id", "d1",
                 "--school", school)
    assert result.exit_code == 0, result.output
    return issuer


def _platform(db_session, issuer):
    db_session.expire_all()
    return db_session.scalars(select(Platform).where(Platform.issuer == issuer)).first()


def test_version_is_the_tools_own_not_flasks(cli):
    result = cli("--version")
    assert result.exit_code == 0
    assert result.output.strip() == f"lti-tool (Veilig Online) {version('veilig-online')}"
    assert "Flask" not in result.output and flask.__name__ not in result.output.lower()


def test_help_shows_no_flask_options_that_do_not_apply(cli):
    result = cli("--help")
    assert result.exit_code == 0
    for foreign in ("--app", "--debug", "--env-file", "routes"):
        assert foreign not in result.output
    for own in ("platforms", "keys", "cases", "db", "run", "shell", "demo"):
        assert own in result.output


def test_a_command_before_db_upgrade_says_what_to_do_instead_of_a_traceback(run):
    for args in (["platforms", "list"], ["keys", "list"], ["outbox", "status"], ["jobs", "run", "purge_retention",
                                                                                  "--once"]):
        result = run(*args)
        assert result.returncode == 1, (args, result.stdout, result.stderr)
        assert "Run `lti-tool db upgrade` first." in result.stderr
        assert "Traceback" not in result.stderr and "sqlalchemy" not in result.stderr.lower()


def test_an_outdated_schema_is_refused_the_same_way_and_upgrading_helps(run):
    assert run("db", "upgrade", "20261206_0006").returncode == 0
    outdated = run("platforms", "list")
    assert outdated.returncode == 1
    assert "not the one this version expects. Run `lti-tool db upgrade` first." in outdated.stderr
    assert run("db", "upgrade").returncode == 0
    ready = run("platforms", "list")
    assert ready.returncode == 0, ready.stderr
    assert "No platforms registered." in ready.stdout


def test_help_works_before_db_upgrade(run):
    result = run("platforms", "--help")
    assert result.returncode == 0 and "remove" in result.stdout


def test_platforms_list_has_headers_above_its_columns(cli):
    issuer = _add(cli)
    lines = cli("platforms", "list").output.splitlines()
    assert lines[0].split() == ["ID", "STATUS", "SOURCE", "ISSUER", "CLIENT", "ID", "DEPLOYMENTS", "(→", "SCHOOL)"]
    assert set(lines[1].replace(" ", "")) == {"-"}
    row = next(line for line in lines if issuer in line)
    # each value starts under its own header
    assert row.index(issuer) == lines[0].index("ISSUER") and row.index("d1 → Lyceum Noord") == lines[0].index("DEPLOYMENTS")


@pytest.mark.parametrize("args", [["keys", "list"], ["outbox", "status"], ["mail", "status"], ["jobs", "list"]])
def test_every_listing_has_a_header_line(cli, args):
    lines = cli(*args).output.splitlines()
    assert lines[0].isupper() and set(lines[1].replace(" ", "")) == {"-"}


def test_removing_a_platform_asks_first_and_no_keeps_it(cli, db_session):
    issuer = _add(cli)
    platform_id = _platform(db_session, issuer).id
    refused = cli("platforms", "remove", str(platform_id), input="n\n")
    assert refused.exit_code == 1
    assert f"Remove platform {platform_id} ({issuer}" in refused.output and "Nothing was changed." in refused.output
    assert _platform(db_session, issuer) is not None
    empty = cli("platforms", "remove", str(platform_id), input="")  # no answer at all is no yes
    assert empty.exit_code != 0 and _platform(db_session, issuer) is not None
    agreed = cli("platforms", "remove", str(platform_id), input="y\n")
    assert agreed.exit_code == 0, agreed.output
    assert _platform(db_session, issuer) is None


def test_yes_skips_the_question_for_scripts(cli, db_session):
    issuer = _add(cli)
    result = cli("platforms", "remove", str(_platform(db_session, issuer).id), "--yes")
    assert result.exit_code == 0 and "[y/N]" not in result.output
    assert _platform(db_session, issuer) is None
