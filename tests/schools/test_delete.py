"""`lti-tool schools delete`: a school that leaves is removed to its last row, in one transaction,
and no row of any other school changes. Every table of the metadata is counted, so a table a new
feature adds is covered without touching this test."""
import secrets

from sqlalchemy import func, select

from lti_tool.extensions import db
from lti_tool.platforms.models import School
from tests.conftest import demo_lms
from tests.schools.conftest import fill_school

# Rows that belong to no school: replay protection for launch tokens (a random nonce and its expiry).
NO_SCHOOL = {"lti_used_nonces"}
# What a school builds up: each of these must have rows of the leaving school before it is deleted,
# or the test would prove nothing about them.
FILLED = {"schools", "platforms", "deployments", "users", "school_members", "courses", "course_members",
          "conduct_codes", "conduct_versions", "acknowledgements", "reports", "report_messages", "case_notes",
          "audit_events", "lti_launches", "gradebook_placements", "gradebook_outbox"}


def _snapshot(db_session) -> dict[str, set]:
    """Every row of every table the tool declares, as tuples of all its columns."""
    db_session.expire_all()
    return {table.name: {tuple(map(repr, row)) for row in db_session.execute(select(table))}
            for table in db.metadata.sorted_tables if table.name not in NO_SCHOOL}


def _counts(db_session) -> dict[str, int]:
    return {table.name: db_session.scalar(select(func.count()).select_from(table))
            for table in db.metadata.sorted_tables if table.name not in NO_SCHOOL}


def test_deleting_a_school_removes_every_row_of_it_and_not_one_of_another(
        app, tool_url, cli, db_session, lms, other_lms):
    fill_school(app, tool_url, lms)  # the schools next door have just as much
    fill_school(app, tool_url, other_lms)
    before, counts_before = _snapshot(db_session), _counts(db_session)
    with demo_lms(app, tool_url, "Leaving " + secrets.token_hex(3), "leave", "dep-leave") as leaving:
        fill_school(app, tool_url, leaving)
        filled = _snapshot(db_session)
        assert {name for name in FILLED if filled[name] - before[name]} == FILLED

        result = cli("schools", "delete", "--school", leaving.school_name, "--yes")

    assert result.exit_code == 0, result.output
    assert f"Removed {leaving.school_name}." in result.output
    assert _counts(db_session) == counts_before
    after = _snapshot(db_session)
    changed = {name for name in after if after[name] != before[name]}
    assert changed == set(), changed


def test_typing_the_schools_name_confirms_and_anything_else_removes_nothing(app, tool_url, cli, db_session, leaving):
    fill_school(app, tool_url, leaving)
    counts = _counts(db_session)
    for answer in ("", leaving.school_name.upper(), "yes", "Leaving"):
        refused = cli("schools", "delete", "--school", leaving.school_name, input=answer + "\n")
        assert refused.exit_code == 1, refused.output
        assert "Type the school's name to confirm" in refused.output
        assert "The name did not match: nothing was removed." in refused.output
        assert _counts(db_session) == counts
    agreed = cli("schools", "delete", "--school", leaving.school_name, input=leaving.school_name + "\n")
    assert agreed.exit_code == 0, agreed.output
    db_session.expire_all()
    assert db_session.get(School, leaving.school_id) is None


def test_a_school_with_a_case_under_legal_hold_is_refused_and_keeps_every_row(
        app, tool_url, cli, db_session, leaving):
    fill_school(app, tool_url, leaving, legal_hold=True)
    before = _snapshot(db_session)
    result = cli("schools", "delete", "--school", leaving.school_name, "--yes")
    assert result.exit_code == 1
    assert "1 case(s) of this school are under a legal hold" in result.output and "nothing was removed" in result.output
    assert "Traceback" not in result.output
    assert _snapshot(db_session) == before


def test_an_unknown_school_is_a_clear_error_and_nothing_happens(cli, db_session, lms):
    before = _counts(db_session)
    for name in ("No Such School", "", "987654321", "Test school'; DROP TABLE schools; --"):
        result = cli("schools", "delete", "--school", name, "--yes")
        assert result.exit_code == 1, (name, result.output)
        assert "No school named" in result.output
    assert _counts(db_session) == before


def test_a_school_can_be_given_by_its_id(app, tool_url, cli, db_session, leaving):
    launched = cli("schools", "list")
    assert leaving.school_name in launched.output and launched.output.startswith("ID")
    result = cli("schools", "delete", "--school", str(leaving.school_id), "--yes")
    assert result.exit_code == 0, result.output
    db_session.expire_all()
    assert db_session.get(School, leaving.school_id) is None
