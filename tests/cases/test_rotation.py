"""Encrypted at rest: `lti-tool keys rotate-data` re-seals everything under a new data key, renews the
reporter lookups, and afterwards the old key can go. Run on a database of its own, since a rotation
touches every school."""
import base64
import os

import pytest
from sqlalchemy import text

from lti_tool import create_app, sealing
from lti_tool.cli import main
from lti_tool.extensions import db

PHRASES = ("marmalade-kestrel", "tangerine-otter", "juniper-walrus", "quartz-heron", "@cobalt_lynx")


def _key() -> str:
    return base64.urlsafe_b64encode(os.urandom(32)).rstrip(b"=").decode()


@pytest.fixture(scope="module")
def fresh_database(database_url, tmp_path_factory):
    """An empty database of its own, of the same kind as this run's."""
    from tests.conftest import empty_database
    with empty_database(database_url, tmp_path_factory.mktemp("rotation"), "vo_rot_") as url:
        yield url


def _app(url: str, keys: str, lti_config):
    app = create_app({"TESTING": True, "SECRET_KEY": "rotation-test", "SQLALCHEMY_DATABASE_URI": url,
                      "LTI_CONFIG": str(lti_config), "DATA_KEYS": keys})
    return app


def _dispose(app):
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def _seed(app) -> dict:
    """Two schools; a named and a pseudonymous report with a message and a note each."""
    from lti_tool.cases import operations
    from lti_tool.courses.models import User
    from lti_tool.platforms import operations as platforms
    from lti_tool.reports import operations as reports
    from lti_tool.reports.models import ReportMessage
    with app.test_request_context():
        from flask_migrate import upgrade
        upgrade(directory=app.extensions["migrate"].directory)
        made = {}
        for n in (1, 2):
            platform = platforms.add_platform(issuer=f"https://lms{n}.example", client_id=f"c{n}",
                                              auth_login_url=f"https://lms{n}.example/auth",
                                              auth_token_url=f"https://lms{n}.example/token",
                                              key_set_url=f"https://lms{n}.example/jwks")
            school = platforms.add_deployment(platform, "d", f"School {n}").school
            db.session.flush()
            student = User(issuer=platform.issuer, sub=f"s{n}", name=f"Student {n}")
            db.session.add(student)
            db.session.flush()
            for identity in ("named", "pseudonymous"):
                report = reports.create_report(school.id, {
                    "category": "cyberbullying", "what_happened": f"{PHRASES[0]} happened in {PHRASES[1]}",
                    "handle": PHRASES[4], "identity": identity}, reporter_user_id=student.id)
                reports.post_message(report, ReportMessage.REPORTER, f"Also {PHRASES[2]}.")
                operations.add_note(report, operations.Actor(school.id, None), f"Note: {PHRASES[3]}.")
                made[(n, identity)] = (report.id, school.id, student.id)
        db.session.commit()
        return made


def _dump(app) -> bytes:
    """Every column of every row of the tables with sealed texts, as raw bytes."""
    with app.app_context():
        chunks = []
        for table in ("reports", "report_messages", "case_notes"):
            for row in db.session.execute(text(f"SELECT * FROM {table}")):
                for value in row:
                    chunks.append(bytes(value) if isinstance(value, (bytes, memoryview)) else str(value).encode())
        return b"\x1f".join(chunks)


def _opens_everything(app, made) -> None:
    from sqlalchemy import select
    from lti_tool.cases.models import CaseNote
    from lti_tool.cases.operations import note_body
    from lti_tool.reports import queries
    from lti_tool.reports.models import Report
    with app.app_context():
        for report_id, school_id, student_id in made.values():
            report = db.session.get(Report, report_id)
            assert queries.details(report)["what_happened"].startswith(PHRASES[0])
            assert [queries.message_body(m) for m in queries.messages(report)] == [f"Also {PHRASES[2]}."]
            note = db.session.scalars(select(CaseNote).where(CaseNote.report_id == report_id)).one()
            assert note_body(note) == f"Note: {PHRASES[3]}."
            assert sealing.unseal(report.reporter_link, school_id, queries.LINK_FIELD) == student_id
            assert report_id in {r.id for r in queries.my_reports(school_id, student_id)}


def test_rotating_the_data_key_reseals_everything_and_the_old_key_can_go(fresh_database, lti_config_path, tmp_path,
                                                                         monkeypatch):
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    old, new = _key(), _key()
    before = _app(fresh_database, f"old1:{old}", lti_config_path)
    made = _seed(before)
    dump = _dump(before)
    assert b"old1\x00" in dump
    for phrase in PHRASES:
        assert phrase.encode() not in dump, phrase
    _dispose(before)

    only_new = _app(fresh_database, f"new2:{new}", lti_config_path)
    with only_new.app_context(), pytest.raises(sealing.KeyMissing):
        _opens_everything(only_new, made)
    refused = only_new.test_cli_runner().invoke(main, ["keys", "rotate-data"])
    assert refused.exit_code != 0 and "old1" in refused.output, "without the old key nothing is lost"
    _dispose(only_new)

    rotating = _app(fresh_database, f"new2:{new},old1:{old}", lti_config_path)
    result = rotating.test_cli_runner().invoke(main, ["keys", "rotate-data", "--batch-size", "2"])
    assert result.exit_code == 0, result.output
    assert "key new2: 4 report(s), 4 message(s), 4 note(s); 4 reporter lookup(s) renewed" in result.output
    again = rotating.test_cli_runner().invoke(main, ["keys", "rotate-data"])
    assert "0 report(s), 0 message(s), 0 note(s); 0 reporter lookup(s)" in again.output, "a second run has nothing to do"
    _dispose(rotating)

    after = _app(fresh_database, f"new2:{new}", lti_config_path)
    _opens_everything(after, made)
    dump = _dump(after)
    assert b"old1\x00" not in dump and b"new2\x00" in dump
    for phrase in PHRASES:
        assert phrase.encode() not in dump, phrase
    with after.app_context():
        from sqlalchemy import select
        from lti_tool.cases.models import AuditEvent
        assert db.session.scalars(select(AuditEvent).where(AuditEvent.action == "data_resealed")).all()
    _dispose(after)
