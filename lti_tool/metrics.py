"""GET /metrics: Prometheus's view of the tool, for the operators' monitoring only.

Reachable with the configured bearer token (METRICS_TOKEN) or from the configured addresses
(METRICS_ALLOW, CIDRs); 404 when neither is configured, 403 for anyone else. Besides what
telemetry.py counts, each scrape reads the outboxes' backlog and oldest age and the open cases
from the database (and, with Redis, RQ's failed jobs): totals only, never per school, never a name
or any content.
"""
import hmac
import ipaddress
import os

from flask import Blueprint, Response, abort, current_app, request
from prometheus_client import CONTENT_TYPE_LATEST, REGISTRY, CollectorRegistry, generate_latest, multiprocess
from prometheus_client.core import GaugeMetricFamily
from sqlalchemy import func, select

from .cases.models import MailMessage
from .db import utcnow
from .extensions import db
from .gradebook.models import ScoreDelivery
from .reports.models import CLOSED, Report
from .tasks import failed_jobs
from .transactions import reads_only

bp = Blueprint("metrics", __name__)
OUTBOXES = {"scores": ScoreDelivery, "mail": MailMessage}


class DatabaseCollector:
    """Gauges read at each scrape: per outbox its backlog, oldest pending age and failures; open cases."""

    def collect(self):
        backlog = GaugeMetricFamily("vo_outbox_backlog", "Rows waiting in an outbox.", labels=["outbox"])
        age = GaugeMetricFamily("vo_outbox_oldest_pending_age_seconds",
                                "Age of the oldest row waiting in an outbox (0 when none waits).", labels=["outbox"])
        failed = GaugeMetricFamily("vo_outbox_failed", "Rows an outbox gave up on.", labels=["outbox"])
        now = utcnow()
        for name, model in OUTBOXES.items():
            waiting, oldest = db.session.execute(
                select(func.count(), func.min(model.created_at)).where(model.status == model.PENDING)).one()
            backlog.add_metric([name], waiting)
            age.add_metric([name], (now - oldest).total_seconds() if oldest is not None else 0.0)
            failed.add_metric([name], db.session.scalar(
                select(func.count()).select_from(model).where(model.status == model.FAILED)))
        open_cases = GaugeMetricFamily("vo_open_cases", "Cases not closed, in all schools together.")
        open_cases.add_metric([], db.session.scalar(
            select(func.count()).select_from(Report).where(Report.status != CLOSED)))
        yield from (backlog, age, failed, open_cases)
        in_registry = failed_jobs()
        if in_registry is not None:  # with Redis: jobs whose retries are used up
            jobs = GaugeMetricFamily("vo_jobs_failed", "Jobs in RQ's failed registry.")
            jobs.add_metric([], in_registry)
            yield jobs


def _let_in() -> None:
    """404 unless configured; 403 unless the bearer token or the caller's address is allowed."""
    token, allow = current_app.config["METRICS_TOKEN"], current_app.config["METRICS_ALLOW"]
    if not token and not allow:
        abort(404)
    given = request.headers.get("Authorization", "")
    if token and hmac.compare_digest(given.encode(), f"Bearer {token}".encode()):
        return
    try:
        address = ipaddress.ip_address(request.remote_addr or "")
    except ValueError:
        abort(403)
    if any(address in ipaddress.ip_network(cidr.strip(), strict=False) for cidr in allow.split(",") if cidr.strip()):
        return
    abort(403)


def _registry():
    """Every worker's counts under gunicorn (PROMETHEUS_MULTIPROC_DIR), this process's otherwise."""
    if os.environ.get("PROMETHEUS_MULTIPROC_DIR"):
        registry = CollectorRegistry()
        multiprocess.MultiProcessCollector(registry)
        return registry
    return REGISTRY


@bp.route("/metrics")
@reads_only
def metrics():
    _let_in()
    registry = CollectorRegistry()
    body = generate_latest(_registry()) + generate_latest(_with(registry, DatabaseCollector()))
    return Response(body, mimetype=CONTENT_TYPE_LATEST, headers={"Cache-Control": "no-store"})


def _with(registry: CollectorRegistry, collector) -> CollectorRegistry:
    registry.register(collector)
    return registry
