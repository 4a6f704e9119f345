"""Launch sessions: what a launch established, found again by cookie or by a signed launch token.

Inside an LMS iframe the browser may refuse every cookie. The tool's own links and forms then
carry a short-lived signed token (`lt`) naming the launch, so navigation keeps working; with
working cookies the session cookie names it as well. Referrer-Policy keeps the token out of
referrers, and the log filter in logging_setup keeps it out of logs.
"""
import secrets
from datetime import timedelta
from functools import cache

from flask import current_app, g, request, session
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy import and_, bindparam, insert, select
from sqlalchemy.orm import joinedload, make_transient_to_detached

from ..courses.models import SchoolMember
from ..db import utcnow
from ..extensions import db
from .models import LaunchSession

TOKEN_PARAM = "lt"
TOKEN_HEADER = "X-Launch-Token"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="launch-token")


def make_token(launch: LaunchSession) -> str:
    return _serializer().dumps(launch.id)


def read_token(token: str) -> str | None:
    try:
        return _serializer().loads(token, max_age=current_app.config["LTI_LAUNCH_TOKEN_SECONDS"])
    except (BadSignature, TypeError, ValueError):
        return None


def start(*, member: SchoolMember | None = None, **fields) -> LaunchSession:
    """Store a new launch and make it this browser's current one.

    member is the launch's school member when the caller has it at hand (complete_launch just
    upserted it), so it is not read back.
    """
    lifetime = timedelta(seconds=current_app.config["LTI_LAUNCH_TOKEN_SECONDS"])
    now = utcnow()
    values = dict(fields, id=secrets.token_urlsafe(24), expires_at=now + lifetime, created_at=now)
    # A plain INSERT, then the object as if loaded: the unit of work would cost more than the row.
    db.session.execute(_insert_launch(), values)
    launch = LaunchSession(**values)
    make_transient_to_detached(launch)
    db.session.add(launch)
    session["launch_id"] = launch.id
    if member is None or (member.school_id, member.user_id) != (launch.school_id, launch.user_id):
        member = _member_of(launch)
    _activate(launch, member)
    return launch


def _member_of(launch: LaunchSession) -> SchoolMember | None:
    return db.session.scalars(select(SchoolMember).where(
        SchoolMember.school_id == launch.school_id,
        SchoolMember.user_id == launch.user_id)).first()


def _activate(launch: LaunchSession, member: SchoolMember | None, token: str | None = None) -> None:
    """Make launch the request's; token is the valid one the request carried, else a new one is signed."""
    g.launch = launch
    g.launch_token = token or make_token(launch)
    g.member = member


@cache
def _insert_launch():
    return insert(LaunchSession.__table__)


@cache
def _launch_with_member():
    """Built once: every request runs it, and building it costs more CPU than the database takes."""
    return (select(LaunchSession, SchoolMember)
            .options(joinedload(LaunchSession.user), joinedload(LaunchSession.school),
                     joinedload(LaunchSession.course))
            .outerjoin(SchoolMember, and_(SchoolMember.school_id == LaunchSession.school_id,
                                          SchoolMember.user_id == LaunchSession.user_id))
            .where(LaunchSession.id == bindparam("launch_id")))


def load_current() -> None:
    """Find this request's launch: the token first (it names this tab's launch), else the cookie.

    One query reads the launch with what every page shows of it (user, school, course) and the
    user's school membership, instead of one query for each.
    """
    token = request.headers.get(TOKEN_HEADER) or request.args.get(TOKEN_PARAM)
    if token is None and request.method == "POST" and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        token = request.form.get(TOKEN_PARAM)
    launch_id = read_token(token) if token else session.get("launch_id")
    if not launch_id:
        return
    row = db.session.execute(_launch_with_member(), {"launch_id": launch_id}).first()
    if row is not None and row[0].expires_at > utcnow():
        _activate(row[0], row[1], token)
