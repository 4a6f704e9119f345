"""GET /metrics: Prometheus's view, for whoever holds the token or calls from an allowed address;
launches, latency per endpoint, the outboxes and open cases, job failures; never a school or a user.
Logs as JSON lines with LOG_FORMAT=json, redacted like the text ones."""
import json
import logging
import re

import pytest

from lti_tool.logging_setup import JsonLines, RedactTokens
from lti_tool.telemetry import JOB_FAILURES
from tests.support.browser import launched

TOKEN = "scrape-" + "x" * 24


@pytest.fixture
def scrape(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", TOKEN)
    monkeypatch.setitem(app.config, "METRICS_ALLOW", "")
    client = app.test_client()
    return lambda token=TOKEN: client.get("/metrics", headers={"Authorization": f"Bearer {token}"} if token else {})


def _value(body: str, name: str, **labels) -> float:
    wanted = ",".join(f'{k}="{v}"' for k, v in labels.items())
    found = re.search(rf"^{re.escape(name)}\{{{re.escape(wanted)}\}} (\S+)$" if labels else rf"^{re.escape(name)} (\S+)$",
                      body, re.M)
    return float(found.group(1)) if found else 0.0


def test_metrics_are_no_page_until_configured(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "")
    monkeypatch.setitem(app.config, "METRICS_ALLOW", "")
    assert app.test_client().get("/metrics").status_code == 404


def test_a_caller_without_the_token_is_refused(scrape):
    assert scrape(token=None).status_code == 403
    assert scrape(token="guess").status_code == 403
    assert scrape().status_code == 200


def test_an_allowed_address_needs_no_token_and_another_is_refused(app, monkeypatch):
    monkeypatch.setitem(app.config, "METRICS_TOKEN", "")
    monkeypatch.setitem(app.config, "METRICS_ALLOW", "10.0.0.0/8, 127.0.0.1/32")
    assert app.test_client().get("/metrics").status_code == 200  # the test client calls from 127.0.0.1
    monkeypatch.setitem(app.config, "METRICS_ALLOW", "10.0.0.0/8")
    assert app.test_client().get("/metrics").status_code == 403


def test_a_scrape_counts_launches_per_reason_latency_per_endpoint_outboxes_and_open_cases(
        scrape, browser, lms):
    before = scrape().text
    assert launched(browser.launch(lms, "student"))
    assert browser.post("/lti/launch", data={"state": "x"}).status_code == 400  # no id_token
    JOB_FAILURES.labels(task="send_mail").inc(0)  # a task that never failed shows as 0
    answer = scrape()
    assert answer.status_code == 200 and answer.headers["Content-Type"].startswith("text/plain")
    body = answer.text
    assert _value(body, "vo_launches_total", outcome="accepted", reason="") \
        == _value(before, "vo_launches_total", outcome="accepted", reason="") + 1
    assert _value(body, "vo_launches_total", outcome="refused", reason="incomplete_request") \
        == _value(before, "vo_launches_total", outcome="refused", reason="incomplete_request") + 1
    assert _value(body, "vo_request_duration_seconds_count", endpoint="lti.launch") >= 2
    for outbox in ("scores", "mail"):
        assert f'vo_outbox_backlog{{outbox="{outbox}"}}' in body
        assert f'vo_outbox_oldest_pending_age_seconds{{outbox="{outbox}"}}' in body
    assert re.search(r"^vo_open_cases \d", body, re.M)
    assert 'vo_job_failures_total{task="send_mail"}' in body


def test_no_label_names_a_school_a_user_or_an_address_with_ids(scrape, browser, lms):
    assert launched(browser.launch(lms, "student"))
    browser.get("/cases/12345")
    body = scrape().text
    for secret in (lms.school_name, lms.users["student"].name, lms.users["student"].sub, "12345"):
        assert secret not in body
    endpoints = set(re.findall(r'endpoint="([^"]*)"', body))
    assert endpoints and all(re.fullmatch(r"[a-z_]+(\.[a-z_]+)?", e) for e in endpoints), endpoints
    reasons = set(re.findall(r'reason="([^"]*)"', body))
    assert reasons <= {"", "incomplete_request", "invalid_token", "unknown_platform", "platform_keys",
                       "no_state_cookie", "other"}


def test_json_log_lines_are_redacted_like_text_ones():
    record = logging.LogRecord("werkzeug", logging.INFO, __file__, 1,
                               '"GET /home?lt=eyJsecret.token&view=home HTTP/1.1" 200 id_token=abc.def', (), None)
    RedactTokens().filter(record)
    line = json.loads(JsonLines().format(record))
    assert line["level"] == "INFO" and line["logger"] == "werkzeug" and line["time"].endswith("+00:00")
    assert "eyJsecret" not in line["message"] and "abc.def" not in line["message"]
    assert "lt=[redacted]" in line["message"] and "id_token=[redacted]" in line["message"]
    unfiltered = logging.LogRecord("lti_tool.x", logging.ERROR, __file__, 1, "failed for lt=%s", ("tok123",), None)
    assert "tok123" not in JsonLines().format(unfiltered)  # the formatter redacts on its own too


def test_log_format_json_makes_the_tool_log_json_lines(tmp_path, monkeypatch, capfd):
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    monkeypatch.setenv("LOG_FORMAT", "json")
    from lti_tool import create_app
    root = logging.getLogger()
    handlers = list(root.handlers)
    try:
        create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "TESTING": True})
        logging.getLogger("lti_tool.cases.mail").warning("mail #%s failed for lt=%s", 7, "secret-token")
        err = capfd.readouterr().err.strip().splitlines()[-1]
    finally:
        for handler in set(root.handlers) - set(handlers):
            root.removeHandler(handler)
    line = json.loads(err)
    assert line["logger"] == "lti_tool.cases.mail" and line["message"] == "mail #7 failed for lt=[redacted]"


def test_with_a_multiprocess_directory_the_workers_counts_add_up(tmp_path):
    """As under gunicorn (PROMETHEUS_MULTIPROC_DIR): two worker processes count, a third answers the scrape."""
    import os
    import subprocess
    import sys
    env = {**os.environ, "PROMETHEUS_MULTIPROC_DIR": str(tmp_path)}
    count = "from lti_tool.telemetry import LAUNCHES; LAUNCHES.labels(outcome='accepted', reason='').inc()"
    for _ in range(2):
        subprocess.run([sys.executable, "-c", count], env=env, check=True, timeout=60)
    scrape = ("from prometheus_client import generate_latest; from lti_tool.metrics import _registry; "
              "print(generate_latest(_registry()).decode())")
    body = subprocess.run([sys.executable, "-c", scrape], env=env, check=True, timeout=60,
                          capture_output=True, text=True).stdout
    assert _value(body, "vo_launches_total", outcome="accepted", reason="") == 2
