"""GET /health tells a load balancer whether a worker can serve: its database decides, Redis is reported."""
import pytest
import requests

from lti_tool import create_app
from tests.support.servers import reserve_port


def _app(tmp_path, monkeypatch, database_url: str, **config):
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    (tmp_path / "lti_config.json").write_text("{}")
    return create_app({"TESTING": True, "SECRET_KEY": "health", "LTI_CONFIG": str(tmp_path / "lti_config.json"),
                       "SQLALCHEMY_DATABASE_URI": database_url, **config})


def test_a_worker_whose_database_answers_is_healthy(tool_url):
    resp = requests.get(tool_url + "/health", timeout=10)
    assert resp.status_code == 200
    assert resp.json() == {"status": "ok", "database": "ok", "redis": "not configured"}
    assert resp.headers["Cache-Control"] == "no-store"


def test_a_worker_that_cannot_reach_its_database_is_unavailable(tmp_path, monkeypatch):
    app = _app(tmp_path, monkeypatch,
               f"postgresql+psycopg://nobody@127.0.0.1:{reserve_port()}/none?connect_timeout=2")
    resp = app.test_client().get("/health")
    assert resp.status_code == 503
    assert resp.get_json() == {"status": "unavailable", "database": "unreachable", "redis": "not configured"}


@pytest.mark.parametrize("redis_port, reported", [(6379, "ok"), (None, "unreachable")])
def test_redis_is_reported_but_never_makes_the_tool_unhealthy(tmp_path, monkeypatch, redis_port, reported):
    """Without Redis the tool degrades and keeps serving (docs/operations.md), so it stays in the pool."""
    import redis
    port = redis_port or reserve_port()
    if redis_port:
        try:
            redis.Redis(port=port, socket_connect_timeout=1).ping()
        except redis.RedisError:
            pytest.skip("no Redis on 127.0.0.1:6379")
    app = _app(tmp_path, monkeypatch, f"sqlite:///{tmp_path / 'tool.db'}", REDIS_URL=f"redis://127.0.0.1:{port}/0")
    resp = app.test_client().get("/health")
    assert resp.status_code == 200
    assert resp.get_json() == {"status": "ok", "database": "ok", "redis": reported}


def test_the_code_gate_never_stands_before_the_health_check(app, browser, school_lms):
    """A student who still has to acknowledge the code is sent to it from every page, but not from /health."""
    from tests.support.pages import launch, publish_defaults
    publish_defaults(app, school_lms.school_id)
    page, token = launch(browser, school_lms, "student")
    assert "/code?" in page.url, "the gate stands before the pages"
    resp = browser.get("/health", token=token)
    assert resp.status_code == 200 and resp.json()["status"] == "ok"
