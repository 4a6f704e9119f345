"""A database that cannot be reached is a 503 "try again" with Retry-After, as a page and as JSON:
never a 500, and never a refusal that blames the request."""
import pytest

from lti_tool import create_app
from tests.support.servers import reserve_port


@pytest.fixture
def client(tmp_path, monkeypatch):
    """The tool pointed at a PostgreSQL address where nothing listens."""
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    config = tmp_path / "lti_config.json"
    config.write_text("{}")
    app = create_app({"TESTING": True, "SECRET_KEY": "unreachable", "LTI_CONFIG": str(config),
                      "SQLALCHEMY_DATABASE_URI":
                          f"postgresql+psycopg://nobody@127.0.0.1:{reserve_port()}/none?connect_timeout=2"})
    return app.test_client()


def test_a_page_says_try_again_in_a_moment(client):
    resp = client.get("/lti/login?iss=https://lms.example&login_hint=1&client_id=c&lti_deployment_id=d"
                      "&target_link_uri=http://localhost/", headers={"Accept-Language": "en"})
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "5"
    assert "cannot reach its database for a moment" in resp.get_data(as_text=True)


def test_the_api_answers_json(client):
    resp = client.get("/lti/jwks", headers={"Accept": "application/json"})
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "5"
    assert resp.get_json()["error"] == "database_unavailable"


@pytest.fixture
def broken_pages(client):
    """Two views whose error page cannot be drawn: the person on it is loaded from an unreachable
    database, or is broken in another way."""
    from flask import g
    from sqlalchemy import text

    from lti_tool.extensions import db

    class Person:
        locale = "nl"

        def __init__(self, load):
            self._load = load

        @property
        def user(self):
            return self._load()

    def from_the_database():
        return db.session.execute(text("SELECT 1"))

    def broken():
        raise KeyError("display_name")

    app = client.application
    for name, load in (("database", from_the_database), ("other", broken)):
        def view(load=load):
            g.launch = Person(load)
            raise RuntimeError("a bug in the view")
        app.add_url_rule(f"/broken-{name}", f"broken_{name}", view)
    return client


def test_an_error_page_that_cannot_be_drawn_without_the_database_is_still_a_503(broken_pages):
    resp = broken_pages.get("/broken-database")
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "5"
    page = resp.get_data(as_text=True)
    assert "kan zijn database even niet bereiken" in page and "cannot reach its database" in page
    assert "Traceback" not in page and "RuntimeError" not in page


def test_any_other_escape_is_a_calm_500_in_both_languages_never_the_servers_bare_page(broken_pages):
    resp = broken_pages.get("/broken-other")
    assert resp.status_code == 500 and "Retry-After" not in resp.headers
    page = resp.get_data(as_text=True)
    assert "Er ging bij ons iets mis" in page and "Something went wrong on our side" in page
    assert "display_name" not in page and "Internal Server Error" not in page


def test_a_connection_lost_mid_request_still_sends_the_answer_made(tmp_path, monkeypatch):
    """The database drops the connection while a request holds a transaction: every rollback fails,
    the closing one too (after the answer has begun). The calm 503 page made for it still goes out."""
    import sqlite3

    from sqlalchemy import text
    from sqlalchemy.exc import OperationalError

    from lti_tool.extensions import db
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    config = tmp_path / "lti_config.json"
    config.write_text("{}")
    app = create_app({"TESTING": True, "PROPAGATE_EXCEPTIONS": False, "SECRET_KEY": "lost", "LTI_CONFIG": str(config),
                      "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'lost.db'}"})
    lost = []
    with app.app_context():
        dialect = db.engine.dialect
    real = dialect.do_rollback

    def rollback(connection):
        if lost:
            raise sqlite3.OperationalError("server closed the connection unexpectedly")
        return real(connection)
    monkeypatch.setattr(dialect, "do_rollback", rollback)

    @app.route("/lost")
    def lose():
        db.session.execute(text("SELECT 1"))  # the request's transaction
        lost.append(True)
        raise OperationalError("SELECT 2", {}, sqlite3.OperationalError("server closed the connection"))

    resp = app.test_client().get("/lost", headers={"Accept-Language": "en"})
    assert resp.status_code == 503 and resp.headers["Retry-After"] == "5"
    page = resp.get_data(as_text=True)
    assert "cannot reach its database for a moment" in page
    assert "kan zijn database" not in page, "the page made for it, in the reader's language, not the last resort"
