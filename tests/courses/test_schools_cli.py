"""`lti-tool schools`: the administrator lists the schools and grants or takes back their roles on the command line.

The same rules as the school admin's page: staff only, nobody of another school, the LMS's
administrators stay, the last school admin stays, every change audited, nothing half-done.
"""
import pytest
from sqlalchemy import select

from lti_tool.cases.models import AuditEvent
from lti_tool.cli import main
from tests.courses.conftest import launch, school_member, school_of


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()
    return lambda *args: runner.invoke(main, list(args))


def test_schools_list_is_a_table_with_headers_and_counts(cli, browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "teacher")
    launch(browser, fresh_lms, "student")
    launch(browser, fresh_lms, "admin")
    school = school_of(db_session, fresh_lms)
    result = cli("schools", "list")
    assert result.exit_code == 0, result.output
    header, *rows = result.output.splitlines()
    assert header.lower().split()[:3] == ["id", "name", "platform/deployments"]
    assert all(word in header.lower() for word in ("pupils", "staff", "school admins", "coordinators"))
    [row] = [r for r in rows if fresh_lms.school_name in r]
    cells = row.split()
    assert cells[0] == str(school.id)
    assert f"/{fresh_lms.deployment_id}" in row  # platform id / deployment id
    # 1 pupil, 2 staff (teacher and the LMS's administrator), 1 school admin, 0 coordinators.
    assert cells[-4:] == ["1", "2", "1", "0"]


@pytest.mark.parametrize("how", ["email", "sub"])
def test_grant_and_revoke_by_lms_user_id_or_email_are_audited(cli, browser, fresh_lms, db_session, how):
    launch(browser, fresh_lms, "teacher")
    school = school_of(db_session, fresh_lms)
    user = fresh_lms.users["teacher"]
    ref = user.email.upper() if how == "email" else user.sub
    granted = cli("schools", "grant", "--school", fresh_lms.school_name, "--user", ref, "--role", "coordinator")
    assert granted.exit_code == 0, granted.output
    assert "is now coordinator" in granted.output
    again = cli("schools", "grant", "--school", str(school.id), "--user", ref, "--role", "coordinator")
    assert again.exit_code == 0 and "Nothing to change" in again.output
    db_session.expire_all()
    assert school_member(db_session, fresh_lms, "teacher").is_coordinator is True
    revoked = cli("schools", "revoke", "--school", str(school.id), "--user", ref, "--role", "coordinator")
    assert revoked.exit_code == 0, revoked.output
    db_session.expire_all()
    assert school_member(db_session, fresh_lms, "teacher").is_coordinator is False
    actions = [e.action for e in db_session.scalars(select(AuditEvent).where(AuditEvent.school_id == school.id)
                                                    .order_by(AuditEvent.id))]
    assert actions[-2:] == ["coordinator_designated", "coordinator_removed"]


def test_a_user_of_another_school_is_unknown_here(cli, browser, make_lms, db_session):
    ours, theirs = make_lms(), make_lms()
    launch(browser, ours, "teacher")
    launch(browser, theirs, "coordinator")  # known at their school only
    for ref in (theirs.users["coordinator"].email, theirs.users["coordinator"].sub):
        result = cli("schools", "grant", "--school", ours.school_name, "--user", ref, "--role", "school_admin")
        assert result.exit_code == 1 and "Nobody with LMS user id or e-mail" in result.output
    db_session.expire_all()
    assert school_member(db_session, theirs, "coordinator").granted_role is None


@pytest.mark.parametrize("args, message", [
    (["--school", "No such school 123", "--user", "x", "--role", "coordinator"], "No school No such school 123"),
    (["--school", "987654", "--user", "x", "--role", "coordinator"], "No school 987654"),
])
def test_an_unknown_school_is_said_so(cli, args, message):
    result = cli("schools", "grant", *args)
    assert result.exit_code == 1 and message in result.output


def test_an_unknown_role_is_a_usage_error(cli, fresh_lms):
    result = cli("schools", "grant", "--school", fresh_lms.school_name, "--user", "x", "--role", "board")
    assert result.exit_code == 2


def test_a_pupil_is_never_made_coordinator_or_school_admin(cli, browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "student")
    for role in ("coordinator", "school_admin"):
        result = cli("schools", "grant", "--school", fresh_lms.school_name, "--user",
                     fresh_lms.users["student"].sub, "--role", role)
        assert result.exit_code == 1 and "pupil" in result.output
    db_session.expire_all()
    pupil = school_member(db_session, fresh_lms, "student")
    assert (pupil.is_coordinator, pupil.granted_role) == (False, None)
    assert not db_session.scalars(select(AuditEvent).where(AuditEvent.school_id == pupil.school_id,
                                                           AuditEvent.action.like("%granted"))).first()


def test_the_lms_administrator_and_the_last_school_admin_stay(cli, browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "admin")
    launch(browser, fresh_lms, "teacher")
    school = fresh_lms.school_name
    lms_admin = cli("schools", "revoke", "--school", school, "--user", fresh_lms.users["admin"].sub,
                    "--role", "school_admin")
    assert lms_admin.exit_code == 1 and "administrator in the LMS" in lms_admin.output
    teacher = fresh_lms.users["teacher"].sub
    assert cli("schools", "grant", "--school", school, "--user", teacher, "--role", "school_admin").exit_code == 0
    # With the LMS's administrator there, the granted one may go.
    assert cli("schools", "revoke", "--school", school, "--user", teacher, "--role", "school_admin").exit_code == 0


def test_the_last_school_admin_is_kept(cli, browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "teacher")
    teacher = fresh_lms.users["teacher"].sub
    school = fresh_lms.school_name
    assert cli("schools", "grant", "--school", school, "--user", teacher, "--role", "school_admin").exit_code == 0
    last = cli("schools", "revoke", "--school", school, "--user", teacher, "--role", "school_admin")
    assert last.exit_code == 1 and "last school admin" in last.output
    db_session.expire_all()
    assert school_member(db_session, fresh_lms, "teacher").granted_role == "school_admin"
