"""What the tool counts as it goes, for Prometheus (served by metrics.py): launches, latency, job failures.

Every label comes from a small fixed set (an outcome, a reason, a Flask endpoint name, a task's
name): never a school, a user, an address with ids, or anything anyone wrote. Under gunicorn the
counts of all workers are added up through PROMETHEUS_MULTIPROC_DIR (see deploy/gunicorn.conf.py).
"""
import time

from flask import Flask, g, request
from prometheus_client import Counter, Histogram

# Why a launch was refused, by where the refusal came from (lti_tool.lti.* modules).
REASONS = {
    "lti_tool.lti.views": "incomplete_request",
    "lti_tool.lti.validation": "invalid_token",
    "lti_tool.lti.operations": "unknown_platform",
    "lti_tool.lti.jwks_cache": "platform_keys",
}
NO_STATE_COOKIE, OTHER = "no_state_cookie", "other"
LAUNCH_ENDPOINTS = {"lti.launch"}

LAUNCHES = Counter("vo_launches_total", "LTI launches, accepted or refused, with the refusal's reason.",
                   ["outcome", "reason"])
REQUEST_SECONDS = Histogram("vo_request_duration_seconds", "Time to answer a request, per Flask endpoint.",
                            ["endpoint"], buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30))
JOB_FAILURES = Counter("vo_job_failures_total", "Rounds of a background task that raised.", ["task"])


def refused(exc: Exception) -> None:
    """Remember why this request's launch was refused (errors.py calls it for every AppError)."""
    g.refusal = exc


def reason(exc: Exception | None) -> str:
    """The refusal's reason label: the module the exception was raised in, mapped to a fixed set."""
    if exc is None:
        return OTHER
    if type(exc).__name__ == "NoStateCookie":
        return NO_STATE_COOKIE
    tb, module = exc.__traceback__, None
    while tb is not None:
        module = tb.tb_frame.f_globals.get("__name__", module)
        tb = tb.tb_next
    return REASONS.get(module, OTHER)


def _start() -> None:
    g.request_started = time.perf_counter()


def _observe(response):
    started = g.get("request_started")
    endpoint = request.endpoint or "unmatched"
    if started is not None:
        REQUEST_SECONDS.labels(endpoint=endpoint).observe(time.perf_counter() - started)
    if endpoint in LAUNCH_ENDPOINTS and request.method == "POST":
        if response.status_code < 400:
            LAUNCHES.labels(outcome="accepted", reason="").inc()
        else:
            why = NO_STATE_COOKIE if response.status_code == 401 and g.get("refusal") is None else reason(g.get("refusal"))
            LAUNCHES.labels(outcome="refused", reason=why).inc()
    return response


def init_app(app: Flask) -> None:
    """Time every request from its first hook, and count launches as they are answered."""
    app.before_request_funcs.setdefault(None, []).insert(0, _start)
    app.after_request(_observe)
