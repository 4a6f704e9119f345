"""One transaction per request, or none for a GET of a view that only reads."""
import pytest
from sqlalchemy import Column, MetaData, String, Table, func, insert, select

from lti_tool import create_app
from lti_tool.extensions import db
from lti_tool.transactions import WriteInReadOnlyRequest, reads_only

notes = Table("test_notes", MetaData(), Column("body", String(20)))


@pytest.fixture
def app(tmp_path, monkeypatch):
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/transactions.db",
                      "SECRET_KEY": "transactions-test-" + "x" * 16, "TESTING": True, "WTF_CSRF_ENABLED": False})
    with app.app_context():
        notes.create(db.engine)

    def count():
        return str(db.session.scalar(select(func.count()).select_from(notes)))

    def isolation():
        return db.session.connection().get_execution_options().get("isolation_level") or "transaction"

    def write():
        db.session.execute(insert(notes).values(body="a note"))
        return "written"

    # reads_only marks the function it is given: each route gets a function of its own.
    app.add_url_rule("/t/count", "t_count", reads_only(count))
    app.add_url_rule("/t/isolation", "t_isolation", reads_only(lambda: isolation()))
    app.add_url_rule("/t/plain-isolation", "t_plain_isolation", isolation)
    app.add_url_rule("/t/sneaky-write", "t_sneaky_write", reads_only(lambda: write()), methods=["GET", "POST"])
    app.add_url_rule("/t/write", "t_write", write, methods=["GET"])

    def write_then_refuse():
        write()
        return "refused", 400

    app.add_url_rule("/t/refused", "t_refused", write_then_refuse)
    return app


def test_a_get_of_a_read_only_view_runs_without_a_transaction(app):
    client = app.test_client()
    assert client.get("/t/isolation").text == "AUTOCOMMIT"
    assert client.get("/t/plain-isolation").text == "transaction"


def test_a_read_only_view_that_writes_fails_and_stores_nothing(app, caplog):
    client = app.test_client()
    assert client.get("/t/sneaky-write").status_code == 500  # a programming error, never a user's
    assert any(isinstance(r.exc_info and r.exc_info[1], WriteInReadOnlyRequest) for r in caplog.records)
    assert client.get("/t/count").text == "0"


def test_a_post_to_a_read_only_view_is_an_ordinary_transaction(app):
    client = app.test_client()
    assert client.post("/t/sneaky-write").text == "written"
    assert client.get("/t/count").text == "1"


def test_other_views_write_in_one_transaction_committed_with_the_answer(app):
    client = app.test_client()
    assert client.get("/t/write").text == "written"
    assert client.get("/t/count").text == "1"


def test_a_refused_request_stores_nothing_it_wrote(app):
    client = app.test_client()
    assert client.get("/t/refused").status_code == 400
    assert client.get("/t/count").text == "0"
