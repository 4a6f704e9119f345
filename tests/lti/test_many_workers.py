"""The tool under gunicorn with several worker processes: a replayed launch is refused on every worker."""
import os
import re
import secrets
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests

from tests.conftest import demo_lms
from tests.support.browser import Browser, form_of, launched
from tests.lti.test_bad_launches import _already_used
from tests.support.servers import gunicorn

WORKERS = 3


@pytest.fixture(scope="module")
def tool_under_gunicorn(app, database_url, lti_config_path, tmp_path_factory):
    """The tool as production runs it: gunicorn, several workers, on this run's database."""
    folder = tmp_path_factory.mktemp("gunicorn")
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": app.config["SECRET_KEY"],
           "LTI_TOOL_INSTANCE": str(folder / "instance"), "LTI_CONFIG": str(lti_config_path),
           "LTI_TOOL_ENV": "development", "GRADEBOOK_DELIVERY": "off", "MAIL_DELIVERY": "off",
           "CASES_PURGE": "off"}
    for name in ("PROXY_COUNT", "FORCE_HTTPS", "BIND", "WEB_CONCURRENCY"):
        env.pop(name, None)
    log = folder / "gunicorn.log"
    with gunicorn(env, WORKERS, str(log)) as url:
        yield url, log


@pytest.fixture(scope="module")
def lms_for_gunicorn(app, tool_under_gunicorn):
    url, _ = tool_under_gunicorn
    with demo_lms(app, url, "Workers school " + secrets.token_hex(3), "gw", "dep-gw") as lms:
        yield lms


def _workers(log_path, path: str, status: str) -> list[str]:
    return re.findall(rf"worker=<?(\d+)>? POST {re.escape(path)} {status}", log_path.read_text(errors="replace"))


def test_a_replayed_launch_is_refused_on_every_worker(tool_under_gunicorn, lms_for_gunicorn):
    url, log = tool_under_gunicorn
    browser = Browser(url)
    auth = browser.start_login(lms_for_gunicorn.login_initiation_url("student"))
    page = browser.http.get(auth["_location"], timeout=30)
    action, fields = form_of(page.text)
    first = browser.post(action, data=fields)
    assert launched(first), first.text[:500]
    refused_before = len(_workers(log, "/lti/launch", "400"))

    def replay(_):
        return requests.post(action, data=fields, cookies=browser.http.cookies, timeout=30,
                             headers={"Connection": "close"}, allow_redirects=False)

    refusing: set[str] = set()
    with ThreadPoolExecutor(WORKERS * 2) as pool:  # at once, so that several workers are busy
        for _ in range(5):
            for answer in pool.map(replay, range(WORKERS * 2)):
                assert answer.status_code == 400 and _already_used(answer.text), answer.text[:500]
            refusing = set(_workers(log, "/lti/launch", "400")[refused_before:])
            if len(refusing) >= 2:
                break
    assert len(refusing) >= 2, f"the replays all landed on one worker: {refusing}"


def test_launches_work_on_any_worker(tool_under_gunicorn, lms_for_gunicorn):
    url, log = tool_under_gunicorn
    for user in ("student2", "student3", "teacher", "admin"):
        browser = Browser(url)
        home = browser.follow(browser.launch(lms_for_gunicorn, user))
        assert home.status_code == 200 and "/lti/" not in home.url
    assert len(_workers(log, "/lti/launch", "200")) >= 4
