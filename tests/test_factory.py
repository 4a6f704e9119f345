"""The application factory and its configuration from the environment."""
import pytest

from lti_tool import create_app
from lti_tool.config import ConfigError


def test_embedded_default_uses_sqlite_in_the_instance_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    monkeypatch.delenv("DATABASE_URL", raising=False)
    monkeypatch.delenv("SECRET_KEY", raising=False)
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'veilig-online.db'}"


def test_generated_secret_key_is_kept_between_starts_and_private(tmp_path, monkeypatch):
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    monkeypatch.delenv("SECRET_KEY", raising=False)
    first = create_app().config["SECRET_KEY"]
    assert create_app().config["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o777 == 0o600


def test_production_refuses_to_start_without_secret_key(tmp_path, monkeypatch):
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    monkeypatch.setenv("LTI_TOOL_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError):
        create_app()


def test_environment_configures_database_and_lti_config(tmp_path, monkeypatch):
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/vo")
    monkeypatch.setenv("LTI_CONFIG", "/etc/vo/lti.json")
    monkeypatch.setenv("REDIS_URL", "redis://127.0.0.1:6379/0")
    app = create_app()
    assert app.config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/vo"
    assert app.config["LTI_CONFIG"] == "/etc/vo/lti.json"
    assert app.config["REDIS_URL"] == "redis://127.0.0.1:6379/0"


def test_https_is_detected_behind_a_reverse_proxy(tmp_path, monkeypatch):
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    monkeypatch.setenv("PROXY_COUNT", "1")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})

    @app.route("/_where")
    def where():
        from flask import request, url_for
        return url_for("lti.launch", _external=True) + " " + str(request.is_secure)

    resp = app.test_client().get("/_where", headers={
        "X-Forwarded-Proto": "https", "X-Forwarded-Host": "vo.school.example"})
    assert resp.text == "https://vo.school.example/lti/launch True"


def test_forwarded_headers_are_ignored_without_a_configured_proxy(tmp_path, monkeypatch):
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    monkeypatch.setenv("PROXY_COUNT", "0")
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})

    @app.route("/_where")
    def where():
        from flask import request
        return request.host

    resp = app.test_client().get("/_where", headers={"X-Forwarded-Host": "evil.example"})
    assert resp.text == "localhost"


def test_a_sqlite_file_writes_ahead_and_syncs_at_checkpoints(tmp_path, monkeypatch):
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'tool.db'}")
    app = create_app()
    with app.app_context():
        from lti_tool.extensions import db
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        db.engine.dispose()


def test_an_in_memory_sqlite_keeps_its_defaults(tmp_path, monkeypatch):
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    monkeypatch.setenv("DATABASE_URL", "sqlite://")
    app = create_app()
    with app.app_context():
        from lti_tool.extensions import db
        with db.engine.connect() as connection:
            assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "memory"
            assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_the_factory_registers_each_listed_blueprint_and_task(tmp_path, monkeypatch):
    import lti_tool
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    app = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
    assert set(app.blueprints) == {blueprint.name for blueprint in lti_tool.BLUEPRINTS}
    assert list(app.extensions["tasks"].tasks) == [task.name for task in lti_tool.TASKS]
    assert "demo" not in app.blueprints  # mounted only in demo mode
