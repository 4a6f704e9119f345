"""Test set-up: every test module runs once on SQLite and once on PostgreSQL, on real migrations.

The tool is served over real HTTP on 127.0.0.1 and meets a real LTI platform (the demo LMS) that
signs real JWTs; `CI=true` turns a missing PostgreSQL into a failure instead of a skip.
"""
import contextlib
import json
import os
import secrets
import threading

import psycopg
import pytest
from sqlalchemy import text

from lti_tool import create_app
from lti_tool.extensions import db
from tests.support.browser import Browser
from tests.support.servers import serve

PG_ADMIN_URL = os.environ.get("TEST_POSTGRES_URL", "postgresql://root@127.0.0.1:5432/test")


def pytest_xdist_auto_num_workers(config) -> int:
    """`-n auto`: a process more than there are cores. The tests often wait (on the tool's server
    thread, a browser, a subprocess, PostgreSQL), and a third process on two cores used that time:
    the suite took 17% less."""
    return len(os.sched_getaffinity(0)) + 1


def _postgres_or_skip() -> None:
    try:
        psycopg.connect(PG_ADMIN_URL, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        if os.environ.get("CI") == "true":
            pytest.fail(f"PostgreSQL is required in CI and is not reachable at {PG_ADMIN_URL}: {exc}")
        pytest.skip(f"PostgreSQL not reachable at {PG_ADMIN_URL}")


@pytest.fixture(scope="session", params=["sqlite", "postgresql"])
def database_url(request, tmp_path_factory):
    """A fresh, empty database for this run: a SQLite file, or a PostgreSQL schema of its own."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'tool.db'}"
        return
    _postgres_or_skip()
    with postgres_schema("vo_test_") as url:
        yield url


@pytest.fixture
def fresh_url(database_url, tmp_path):
    """An empty database of the run's kind, for the migration tests."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
    else:
        with postgres_schema("vo_mig_") as url:
            yield url


@contextlib.contextmanager
def postgres_schema(prefix: str):
    """A PostgreSQL schema of its own, dropped afterwards; yields the URL whose connections work in it."""
    schema = prefix + secrets.token_hex(4)
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"CREATE SCHEMA {schema}")
    base = PG_ADMIN_URL.replace("postgresql://", "postgresql+psycopg://", 1)
    try:
        yield f"{base}?options=-csearch_path%3D{schema}"
    finally:
        with psycopg.connect(PG_ADMIN_URL, autocommit=True) as conn:
            conn.execute(f"DROP SCHEMA {schema} CASCADE")


@pytest.fixture
def empty_database_url(database_url, tmp_path):
    """Another empty database of the run's kind, for a migration test to fill at an earlier revision."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'migrate.db'}"
        return
    with postgres_schema("vo_mig_") as url:
        yield url


@contextlib.contextmanager
def empty_database(database_url: str, folder, prefix: str):
    """A database nobody has migrated, of the same kind as this run's: a SQLite file in folder, or a
    PostgreSQL schema of its own (named with prefix)."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{folder / 'empty.db'}"
        return
    with postgres_schema(prefix) as url:
        yield url


@pytest.fixture(scope="session")
def lti_config_path(tmp_path_factory):
    path = tmp_path_factory.mktemp("conf") / "lti_config.json"
    path.write_text("{}")
    return path


@pytest.fixture(scope="session")
def app(database_url, lti_config_path, tmp_path_factory):
    """The tool, built by its factory on the test database, migrated with the real migrations."""
    os.environ["LTI_TOOL_INSTANCE"] = str(tmp_path_factory.mktemp("instance"))
    app = create_app({
        "TESTING": True,
        "SECRET_KEY": "test-secret-" + secrets.token_hex(8),
        "SQLALCHEMY_DATABASE_URI": database_url,
        "LTI_CONFIG": str(lti_config_path),
    })
    with app.app_context():
        from flask_migrate import upgrade
        upgrade(directory=app.extensions["migrate"].directory)
    yield app
    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def tool_url(app):
    """The tool served over HTTP on 127.0.0.1."""
    with serve(app) as url:
        yield url


@contextlib.contextmanager
def demo_lms(app, tool_url: str, school: str, client: str, deployment_id: str, host: str = "127.0.0.1"):
    """A demo LMS served on host with a school of its own, registered with the tool as an admin would.

    Yields the LMS with school_id, platform_id and port set. Its path is its own: a port freed by an
    earlier LMS and reused here must not give its key set's address (which the tool caches, and
    refetches for an unknown key at most once a minute) to an LMS with other keys.
    """
    from lti_tool.demo.platform import DemoLMS
    from lti_tool.demo.views import create_lms_app
    from tests.support.servers import reserve_port
    port, tag = reserve_port(), secrets.token_hex(3)
    lms = DemoLMS(issuer=f"http://{host}:{port}/lms-{tag}", tool_base_url=tool_url,
                  client_id=f"{client}-{tag}", deployment_id=deployment_id, school_name=school)
    with serve(create_lms_app(lms), port=port):
        with app.app_context():
            platform = register_lms(lms, school)
            lms.school_id, lms.platform_id, lms.port = platform.deployments[0].school_id, platform.id, port
        yield lms


@pytest.fixture(scope="session")
def lms(app, tool_url):
    """The demo LMS as an independent server on 127.0.0.1, registered with the tool."""
    with demo_lms(app, tool_url, "Test school", "client", "dep-1") as lms:
        yield lms


@pytest.fixture(scope="session")
def other_lms(app, tool_url):
    """A second LMS for a second school: the tenant next door."""
    with demo_lms(app, tool_url, "Other school", "other", "dep-9") as lms:
        yield lms


@pytest.fixture(scope="module")
def school_lms(app, tool_url):
    """A demo LMS with a school of its own for this test module, so that what the module publishes
    or acknowledges (a code, a gate) never reaches the tests of other modules."""
    with demo_lms(app, tool_url, "School " + secrets.token_hex(3), "own", "dep-own") as lms:
        yield lms


def register_lms(lms, school: str):
    """Register an LMS with the tool the way `lti-tool platforms add` does."""
    from lti_tool.platforms import operations
    platform = operations.add_platform(
        issuer=lms.issuer, client_id=lms.client_id, auth_login_url=lms.auth_url,
        auth_token_url=lms.token_url, key_set_url=lms.jwks_url)
    operations.add_deployment(platform, lms.deployment_id, school)
    db.session.commit()
    return platform


@pytest.fixture(autouse=True)
def _no_task_thread_left_running():
    """A test stops every background task thread it started. One left behind runs on with its
    database gone, failing each round; its tracebacks, formatted while another thread compiles,
    met a CPython 3.11 race ("AST constructor recursion depth mismatch") in unrelated tests."""
    before = set(threading.enumerate())
    yield
    left = [t.name for t in threading.enumerate()
            if t not in before and t.name.startswith("task-") and t.is_alive()]
    assert not left, f"background task threads left running: {left}"


@pytest.fixture(autouse=True)
def _reset_lms(request):
    """Undo what a test changed on the shared demo LMS (failure injection, paging)."""
    yield
    for name in ("lms", "other_lms", "school_lms"):
        if name in request.fixturenames:
            lms = request.getfixturevalue(name)
            lms.fail_rate = 0.0
            lms.nrps_page_size = 100


@pytest.fixture
def browser(tool_url):
    """A cookie-keeping HTTP client that plays the user's browser."""
    return Browser(tool_url)


@pytest.fixture
def cli(app):
    """`lti-tool …` in this process, on the test app: cli("platforms", "list", input="y\\n")."""
    from lti_tool.cli import main
    runner = app.test_cli_runner()
    return lambda *args, input=None: runner.invoke(main, list(args), input=input)


@pytest.fixture
def db_session(app):
    """An app context and its session, for looking at what the tool stored."""
    with app.app_context():
        yield db.session
        db.session.rollback()


def write_config(path, data: dict) -> None:
    path.write_text(json.dumps(data))


@pytest.fixture
def sql(db_session):
    return lambda statement, **params: db_session.execute(text(statement), params)


def pytest_xdist_make_scheduler(config, log):
    """xdist's loadscope (a module's tests in one process), with every browser test in one scope: the
    Chromium tests run one at a time, as a person clicks, while the other processes run the rest."""
    from xdist.scheduler import LoadScopeScheduling

    class Scheduling(LoadScopeScheduling):
        def _split_scope(self, nodeid):
            return "tests/browser" if nodeid.startswith("tests/browser/") else super()._split_scope(nodeid)

    return Scheduling(config, log)
