"""Delivering the outbox: claim due scores, send them to the LMS, retry with backoff, lose none.

A batch is claimed in one short transaction (`FOR UPDATE SKIP LOCKED` on PostgreSQL, so workers in
other processes take other rows): the claim leases the rows by moving their next attempt past the
time a batch can take, and counts the attempt. The LMS is then called with no transaction open,
and the outcomes are written in a second transaction. A worker that dies mid-batch leaves its
rows pending; they fall due again when the lease runs out. A row is sent with the timestamp fixed
when it was queued, so sending it twice leaves the LMS as sending it once, and a row is never sent
once a newer score for the same line item and user exists: it is marked superseded instead.
"""
import contextlib
import logging
import random
import threading
import time
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

import requests
from flask import current_app
from sqlalchemy import and_, exists, or_, select, update
from sqlalchemy.orm import aliased

from ..courses.models import User
from ..db import utcnow
from ..extensions import db
from ..hooks import Hook
from ..platforms.models import Deployment, Platform
from . import ags
from .models import Placement, ScoreDelivery
from .operations import TAG

# Asked with a placement: the language of the launch that placed it (None: not known). The launches
# are the LTI layer's, above this one.
PLACEMENT_LOCALE = Hook("gradebook.placement_locale")

log = logging.getLogger(__name__)
SUPERSEDED = ScoreDelivery.SUPERSEDED
LABELS = {"nl": "Gedragscode", "en": "Code of conduct"}
_sqlite_line_items = threading.Lock()   # SQLite has no row locks: one creator per process
LINE_ITEM_RETRY_SECONDS = 300


@dataclass(frozen=True)
class PlatformRef:
    id: int
    client_id: str
    auth_token_url: str
    auth_audience: str | None


@dataclass(frozen=True)
class PlacementRef:
    id: int
    school_id: int
    course_id: int
    resource_link_id: str
    lineitems_url: str | None
    lineitem_url: str | None
    scopes: frozenset
    platform: PlatformRef
    deployed: bool  # the platform has a deployment at the placement's school


@dataclass(frozen=True)
class Claimed:
    id: int
    school_id: int
    placement_id: int
    user_sub: str
    score_given: float
    activity_progress: str
    grading_progress: str
    scored_at: datetime
    attempts: int


@dataclass
class Result:
    """What one batch (or a run of batches) did."""
    claimed: int = 0
    delivered: int = 0
    retrying: int = 0
    failed: int = 0
    superseded: int = 0
    errors: list[str] = field(default_factory=list)

    def add(self, other: "Result") -> "Result":
        return Result(*(getattr(self, n) + getattr(other, n) for n in
                        ("claimed", "delivered", "retrying", "failed", "superseded", "errors")))


def settings() -> dict:
    config = current_app.config
    return {"batch": config["GRADEBOOK_BATCH_SIZE"], "lease": config["GRADEBOOK_LEASE_SECONDS"],
            "max_attempts": config["GRADEBOOK_MAX_ATTEMPTS"],
            "base": config["GRADEBOOK_BACKOFF_SECONDS"], "cap": config["GRADEBOOK_BACKOFF_CAP_SECONDS"],
            "timeout": config["LTI_HTTP_TIMEOUT"]}


def deliver_due(max_seconds: float | None = None) -> Result:
    """Deliver batches until nothing is due (or max_seconds passed); create missing line items."""
    conf = settings()
    total = Result()
    started = time.monotonic()
    with requests.Session() as http:
        client = ags.Client(http, conf["timeout"])
        resolve_missing_line_items(client)
        while True:
            result = deliver_batch(client, conf)
            total = total.add(result)
            if result.claimed == 0 or (max_seconds is not None and time.monotonic() - started > max_seconds):
                return total


def deliver_batch(client: ags.Client, conf: dict) -> Result:
    """Claim one batch of due scores, send them, record what happened; two short transactions."""
    rows, placements, superseded = _claim(conf["batch"], conf["lease"])
    result = Result(claimed=len(rows) + superseded, superseded=superseded)
    if not rows:
        return result
    outcomes = _send(client, rows, placements, conf)
    db.session.execute(update(ScoreDelivery), outcomes)
    db.session.commit()
    for outcome in outcomes:
        if outcome["status"] == ScoreDelivery.DELIVERED:
            result.delivered += 1
        elif outcome["status"] == ScoreDelivery.FAILED:
            result.failed += 1
            result.errors.append(outcome["last_error"])
        else:
            result.retrying += 1
            result.errors.append(outcome["last_error"])
    return result


# --- claiming ------------------------------------------------------------------------------------------

def _claim(batch: int, lease: float) -> tuple[list[Claimed], dict[int, PlacementRef], int]:
    """Lease up to batch due rows; mark the ones a newer score makes moot; commit."""
    now = utcnow()
    due = (select(ScoreDelivery.id)
           .where(ScoreDelivery.status == ScoreDelivery.PENDING, ScoreDelivery.next_attempt_at <= now)
           .order_by(ScoreDelivery.next_attempt_at, ScoreDelivery.id).limit(batch)
           .with_for_update(skip_locked=True))
    ids = list(db.session.scalars(
        update(ScoreDelivery).where(ScoreDelivery.id.in_(due.scalar_subquery()))
        .values(next_attempt_at=now + timedelta(seconds=lease), attempts=ScoreDelivery.attempts + 1)
        .returning(ScoreDelivery.id).execution_options(synchronize_session=False)))
    if not ids:
        db.session.commit()
        return [], {}, 0
    newer = aliased(ScoreDelivery)
    moot = list(db.session.scalars(select(ScoreDelivery.id).where(
        ScoreDelivery.id.in_(ids),
        exists().where(newer.placement_id == ScoreDelivery.placement_id,
                       newer.user_id == ScoreDelivery.user_id,
                       newer.status.in_([ScoreDelivery.PENDING, ScoreDelivery.DELIVERED]),
                       or_(newer.scored_at > ScoreDelivery.scored_at,
                           and_(newer.scored_at == ScoreDelivery.scored_at, newer.id > ScoreDelivery.id))))))
    if moot:
        db.session.execute(update(ScoreDelivery).where(ScoreDelivery.id.in_(moot)).values(
            status=SUPERSEDED, last_error="superseded by a newer score; not sent")
            .execution_options(synchronize_session=False))
    live = [i for i in ids if i not in set(moot)]
    rows = [Claimed(r.id, r.school_id, r.placement_id, sub, r.score_given, r.activity_progress,
                    r.grading_progress, r.scored_at, r.attempts)
            for r, sub in db.session.execute(
                select(ScoreDelivery, User.sub).join(User, User.id == ScoreDelivery.user_id)
                .where(ScoreDelivery.id.in_(live)).order_by(ScoreDelivery.scored_at, ScoreDelivery.id)
                .execution_options(populate_existing=True))]
    placements = _placements({r.placement_id for r in rows})
    db.session.commit()
    return rows, placements, len(moot)


def _placements(ids: set[int]) -> dict[int, PlacementRef]:
    if not ids:
        return {}
    deployed = exists().where(Deployment.platform_id == Placement.platform_id,
                              Deployment.school_id == Placement.school_id)
    query = (select(Placement, Platform, deployed).join(Platform, Platform.id == Placement.platform_id)
             .where(Placement.id.in_(ids)).execution_options(populate_existing=True))
    return {p.id: _ref(p, platform, is_deployed) for p, platform, is_deployed in db.session.execute(query)}


def _ref(p: Placement, platform: Platform, is_deployed: bool) -> PlacementRef:
    return PlacementRef(
        p.id, p.school_id, p.course_id, p.resource_link_id, p.lineitems_url, p.lineitem_url,
        frozenset((p.scopes or "").split()),
        PlatformRef(platform.id, platform.client_id, platform.auth_token_url, platform.auth_audience),
        bool(is_deployed) and platform.is_active)


# --- sending -------------------------------------------------------------------------------------------

def _send(client: ags.Client, rows: list[Claimed], placements: dict[int, PlacementRef],
          conf: dict) -> list[dict]:
    """Post each row's score; return the outcome of each as the values to store."""
    outcomes, unreachable = [], set()
    by_placement: dict[int, list[Claimed]] = {}
    for row in rows:
        by_placement.setdefault(row.placement_id, []).append(row)
    for placement_id, group in by_placement.items():
        placement = placements.get(placement_id)
        try:
            placement = _ready(client, placement, group[0])
        except ags.ServiceFailure as failure:
            outcomes += [_outcome(row, conf, failure) for row in group]
            if failure.unreachable and placement is not None:
                unreachable.add(placement.platform.id)
            continue
        for row in group:
            if placement.platform.id in unreachable:
                outcomes.append(_outcome(row, conf, ags.ServiceFailure(
                    "not tried: the LMS was unreachable a moment ago", transient=True)))
                continue
            try:
                client.post_score(placement.platform, placement.lineitem_url, score_body(row))
            except ags.ServiceFailure as failure:
                outcomes.append(_outcome(row, conf, failure))
                if failure.unreachable:
                    unreachable.add(placement.platform.id)
            except Exception as exc:  # noqa: BLE001  (a bug must not cost the rest of the batch)
                log.exception("gradebook: delivering score %s failed", row.id)
                outcomes.append(_outcome(row, conf, ags.ServiceFailure(
                    f"unexpected {type(exc).__name__}: {exc}", transient=True)))
            else:
                outcomes.append(_outcome(row, conf, None))
    return outcomes


def _ready(client: ags.Client, placement: PlacementRef | None, row: Claimed) -> PlacementRef:
    """The placement with its line item, after the checks that keep each school to its own LMS."""
    if placement is None or placement.school_id != row.school_id or not placement.deployed:
        raise ags.ServiceFailure("refused: the placement's LMS does not serve this score's school",
                                 transient=False)
    if ags.SCORE_SCOPE not in placement.scopes:
        raise ags.ServiceFailure("the LMS did not grant the tool the AGS score scope at launch",
                                 transient=False)
    if placement.lineitem_url:
        return placement
    return replace(placement, lineitem_url=resolve_line_item(client, placement))


def score_body(row: Claimed) -> dict:
    """The AGS score for a row; a reset carries no scoreGiven, which clears the result (§3.4.4)."""
    body = {"userId": row.user_sub, "activityProgress": row.activity_progress,
            "gradingProgress": row.grading_progress,
            "timestamp": row.scored_at.isoformat(timespec="microseconds")}
    if row.grading_progress != "NotReady":
        body.update(scoreGiven=row.score_given, scoreMaximum=1)
    return body


def _outcome(row: Claimed, conf: dict, failure: ags.ServiceFailure | None) -> dict:
    now = utcnow()
    if failure is None:
        return {"id": row.id, "status": ScoreDelivery.DELIVERED, "delivered_at": now,
                "last_error": None, "next_attempt_at": now}
    if failure.transient and row.attempts < conf["max_attempts"]:
        delay = max(backoff(row.attempts, conf["base"], conf["cap"]), failure.retry_after or 0)
        return {"id": row.id, "status": ScoreDelivery.PENDING, "delivered_at": None,
                "last_error": failure.message, "next_attempt_at": now + timedelta(seconds=delay)}
    reason = failure.message if not failure.transient else \
        f"gave up after {row.attempts} attempts: {failure.message}"
    return {"id": row.id, "status": ScoreDelivery.FAILED, "delivered_at": None,
            "last_error": reason[:500], "next_attempt_at": now}


def backoff(attempts: int, base: float, cap: float) -> float:
    """Seconds to wait after the attempts-th failure: exponential, capped, with jitter."""
    delay = min(cap, base * 2 ** max(attempts - 1, 0))
    return delay / 2 + random.random() * delay / 2


# --- line items ----------------------------------------------------------------------------------------

def resolve_line_item(client: ags.Client, placement: PlacementRef) -> str:
    """Find or create the placement's line item, one worker at a time; store and commit its URL."""
    if not placement.lineitems_url:
        raise ags.ServiceFailure("the LMS gave neither a line item nor a line items URL", transient=False)
    if ags.LINEITEM_SCOPE not in placement.scopes:
        raise ags.ServiceFailure("the LMS gave no line item and no right to create one (lineitem scope)",
                                 transient=False)
    client.token(placement.platform, (ags.LINEITEM_SCOPE,))  # before the row lock: it may commit
    postgres = db.session.get_bind().dialect.name == "postgresql"
    lock = _sqlite_line_items if not postgres else contextlib.nullcontext()
    with lock:
        # FOR NO KEY UPDATE: outbox inserts that reference the placement are not held up.
        row = db.session.scalars(select(Placement).where(Placement.id == placement.id)
                                 .with_for_update(skip_locked=True, key_share=True)
                                 .execution_options(populate_existing=True)).first()
        if row is None:
            db.session.rollback()
            raise ags.ServiceFailure("another worker is creating this line item", transient=True)
        if row.lineitem_url:
            url = row.lineitem_url
            db.session.commit()
            return url
        try:
            url = client.find_or_create_line_item(placement.platform, placement.lineitems_url,
                                                  placement.resource_link_id, _label(row), TAG)
        except BaseException:
            db.session.rollback()
            raise
        row.lineitem_url = url[:1000]
        db.session.commit()
        log.info("gradebook: placement %s uses line item %s", placement.id, url)
        return url


def resolve_missing_line_items(client: ags.Client, limit: int = 10) -> None:
    """Create the column of new placements before their first score (retried every few minutes).

    Newest first, and an LMS that cannot be reached is not asked again in the same run, so
    placements in LMSs that went away never keep a new course waiting for its column.
    """
    now = time.monotonic()
    # placement id -> monotonic time of the last attempt, per app (ids are per database)
    tried: dict[int, float] = current_app.extensions.setdefault("gradebook_line_item_tried", {})
    query = (select(Placement, Platform, exists().where(Deployment.platform_id == Placement.platform_id,
                                                        Deployment.school_id == Placement.school_id))
             .join(Platform, Platform.id == Placement.platform_id)
             .where(Placement.lineitem_url.is_(None), Placement.lineitems_url.is_not(None))
             .order_by(Placement.id.desc()).limit(limit * 5).execution_options(populate_existing=True))
    refs = [_ref(p, platform, deployed) for p, platform, deployed in db.session.execute(query)]
    db.session.commit()
    todo = [r for r in refs if r.deployed and ags.LINEITEM_SCOPE in r.scopes
            and now - tried.get(r.id, -LINE_ITEM_RETRY_SECONDS) >= LINE_ITEM_RETRY_SECONDS]
    unreachable: set[int] = set()
    for ref in todo[:limit]:
        if ref.platform.id in unreachable:
            continue
        tried[ref.id] = now
        try:
            resolve_line_item(client, ref)
        except ags.ServiceFailure as failure:
            if failure.unreachable:
                unreachable.add(ref.platform.id)
            log.warning("gradebook: no line item yet for placement %s: %s", ref.id, failure.message)
        else:
            tried.pop(ref.id, None)


def _label(placement: Placement) -> str:
    """The column's name in the language of the launch that placed the code (Dutch by default)."""
    return LABELS.get(PLACEMENT_LOCALE.ask(placement) or "nl", LABELS["nl"])
