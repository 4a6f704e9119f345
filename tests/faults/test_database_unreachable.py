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
