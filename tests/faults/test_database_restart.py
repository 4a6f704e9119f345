"""PostgreSQL restarted under load: errors only while it is away (a 503 "try again", never a 500 or a
dropped connection), every worker back within seconds, and no acknowledgement that was answered
with success is missing afterwards.

The restart is of a private cluster started for this test, never of the shared server.
"""
import itertools
import secrets
import threading
import time
from dataclasses import dataclass
from urllib.parse import parse_qs, urljoin, urlsplit

import pytest
from sqlalchemy import select

from lti_tool import create_app
from lti_tool.acknowledgements.models import Acknowledgement
from lti_tool.courses.models import User
from lti_tool.demo.platform import LEARNER, DemoUser
from lti_tool.extensions import db
from tests.conftest import register_lms
from tests.support.browser import Browser, at_its_address, continues, form_of, launch_token_of
from tests.support.faults import StoppableLMS, tool_env
from tests.support.pages import publish_defaults
from tests.support.postgres import private_postgres
from tests.support.servers import gunicorn

OUTAGE_SECONDS = 2
# After the restart each worker may meet its dead pooled connection once, then connects afresh.
RECOVERY_SECONDS = 3


@dataclass
class Call:
    kind: str
    started: float
    ended: float
    status: int | None  # None: no answer at all (a dropped connection, a timeout)
    body: str = ""
    retry_after: str | None = None

    @property
    def ok(self) -> bool:
        # 409 "already acknowledged": a retry after an acknowledgement whose answer was lost.
        return self.status in (200, 201, 302, 303) or (self.status == 409 and "acknowledge" in self.kind)


class Load:
    """Client threads that launch new students, have them acknowledge, and ask the API for their status."""

    def __init__(self, url: str, lms):
        self.url, self.lms = url, lms
        self.calls: list[Call] = []
        self.acknowledged: list[str] = []   # students whose acknowledgement was answered with success
        self.gave_up: list[str] = []        # students whose acknowledgement never succeeded
        self.crashed: list[BaseException] = []
        self.stop = threading.Event()
        self._students = itertools.count()
        self._lock = threading.Lock()

    def call(self, kind: str, send, *args, **kw):
        started = time.monotonic()
        try:
            resp = send(*args, **kw)
        except Exception as exc:  # noqa: BLE001 - any failure to answer is what the test looks for
            self._record(Call(kind, started, time.monotonic(), None, repr(exc)))
            return None
        self._record(Call(kind, started, time.monotonic(), resp.status_code, resp.text[:2000],
                          resp.headers.get("Retry-After")))
        return resp

    def _record(self, call: Call) -> None:
        with self._lock:
            self.calls.append(call)

    def run(self, api: bool | None) -> None:
        try:
            self._run(api)
        except BaseException as exc:  # the test fails on it, instead of a client going quiet
            self.crashed.append(exc)
            raise

    def _run(self, api: bool | None) -> None:
        """Launch new students; keep a few launched ones waiting, so that some acknowledge in the
        outage (through the API when api, with the page's form when not, never when None: a client
        that only launches, so that launches meet the outage while the others retry)."""
        ready = []
        while not self.stop.is_set():
            key = f"load-{next(self._students)}"
            self.lms.users[key] = DemoUser(key, f"load-sub-{key}", "Leerling", key, [LEARNER])
            launched = self.launch(Browser(self.url), key)
            if launched is not None and api is not None:
                ready.append(launched)
            if ready and (len(ready) > 3 or launched is None):
                self.acknowledge(*ready.pop(0), api=api)

    def acknowledge(self, key: str, browser: Browser, page, api: bool) -> None:
        """Acknowledge with the page's form (or through the API), retrying after a 503 as the
        answer asks; then ask the API for the standing."""
        action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
        token = launch_token_of(page.text)
        for _attempt in range(60):
            if api:
                resp = self.call("acknowledge (API)", browser.post, "/api/v1/me/acknowledgements",
                                 headers={"X-Launch-Token": token},
                                 json={"version_id": int(fields["version_id"]), "answers": [], "confirm": True})
            else:
                resp = self.call("acknowledge", browser.post, action, data={**fields, "confirm": "true"})
            if resp is not None and resp.status_code in (201, 303, 409):  # 409: a retry after success
                with self._lock:
                    self.acknowledged.append(key)
                break
            time.sleep(0.25)
        else:
            self.gave_up.append(key)
            return
        self.call("status (API)", browser.get, "/api/v1/me/status", headers={"X-Launch-Token": token})

    def launch(self, browser: Browser, key: str):
        """Every step of an LTI launch; the code's page, or None when a step met the outage."""
        resp = self.call("login", browser.get, self.lms.login_initiation_url(key, locale="en"))
        if resp is None or resp.status_code != 302:
            return None
        auth = browser.http.get(resp.headers["Location"], timeout=30)  # the LMS's side
        action, fields = form_of(auth.text)
        resp = self.call("launch", browser.post, action, data=fields)
        # A redirect, or the launch's continue page (it posts on, carrying the token): followed.
        while resp is not None and (resp.status_code in (302, 303) or continues(resp)):
            if continues(resp):
                to, fields = form_of(resp.text, "form[data-autosubmit]")
                resp = self.call("page", browser.post, urljoin(resp.url, to), data=fields)
            else:
                resp = self.call("page", browser.get, urljoin(resp.url, resp.headers["Location"]))
        return (key, browser, at_its_address(resp)) if resp is not None and resp.status_code == 200 else None


@pytest.fixture
def tool_on_private_postgres(tmp_path, monkeypatch):
    """gunicorn on a migrated private cluster, an LMS registered, the codes published."""
    with private_postgres() as cluster:
        monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path / "instance"))
        config = tmp_path / "lti_config.json"
        config.write_text("{}")
        secret = "restart-" + secrets.token_hex(8)
        app = create_app({"TESTING": True, "SECRET_KEY": secret, "SQLALCHEMY_DATABASE_URI": cluster.url,
                          "LTI_CONFIG": str(config)})
        with app.app_context():
            from flask_migrate import upgrade
            upgrade(directory=app.extensions["migrate"].directory)
        env = tool_env(cluster.url, secret, tmp_path, config)
        with gunicorn(env, 3, str(tmp_path / "gunicorn.log")) as url:
            lms = StoppableLMS(url, "Restart school")
            lms.start()
            try:
                with app.app_context():
                    school_id = register_lms(lms.lms, lms.school).deployments[0].school_id
                publish_defaults(app, school_id, edit=lambda content, _: {**content, "questions": []})
                yield app, cluster, url, lms.lms
            finally:
                lms.stop()
                with app.app_context():
                    db.session.remove()
                    db.engine.dispose()


def test_a_database_restart_under_load_gives_503s_only_while_it_is_away_and_loses_nothing(
        tool_on_private_postgres):
    app, cluster, url, lms = tool_on_private_postgres
    load = Load(url, lms)
    clients = [threading.Thread(target=load.run, args=(api,)) for api in (False, True, None)]
    for client in clients:
        client.start()
    try:
        time.sleep(3)
        down = time.monotonic()
        cluster.stop("fast")
        time.sleep(OUTAGE_SECONDS)
        cluster.start()
        up = time.monotonic()
        time.sleep(RECOVERY_SECONDS + 3)
    finally:
        load.stop.set()
        for client in clients:
            client.join(timeout=120)

    assert load.crashed == []
    failed = [c for c in load.calls if not c.ok]
    assert [c for c in failed if c.ended < down] == [], "all went well before"
    kinds = {c.kind for c in failed}
    assert kinds & {"login", "launch", "page"} and {"acknowledge", "acknowledge (API)"} <= kinds, \
        "the outage met launches and acknowledgements (pages and API), or the test proves nothing"
    for call in failed:
        assert call.status == 503 and call.retry_after, f"{call.kind}: {call.status} {call.body[:300]}"
        assert ("cannot reach its database" in call.body or '"database_unavailable"' in call.body), call.body
        assert call.started < up + RECOVERY_SECONDS, f"{call.kind} failed {call.started - up:.1f}s after the restart"
    recovered = min(c.ended for c in load.calls if c.started > up and c.ok)
    assert recovered - up < RECOVERY_SECONDS, "back within seconds"
    late = [c for c in load.calls if c.started > up + RECOVERY_SECONDS]
    assert late and all(c.ok for c in late), "everything works again after it"

    assert load.gave_up == []
    with app.app_context():
        db.engine.dispose()  # this test's own connections died with the restart too
        stored = db.session.execute(select(User.sub, Acknowledgement.id).join(
            Acknowledgement, Acknowledgement.user_id == User.id).where(User.issuer == lms.issuer)).all()
    subs = [sub for sub, _ in stored]
    assert len(subs) == len(set(subs)), "one acknowledgement per person, retries included"
    assert {f"load-sub-{key}" for key in load.acknowledged} <= set(subs), "nothing answered with success is lost"
