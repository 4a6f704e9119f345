"""Launch sessions: what a launch established, found again by cookie or by launch token, never by address.

A session is never in a URL: an address copied from the address bar or from a link, opened in
another browser, acts as nobody. Two things name a launch:

- the session cookie (SameSite=None; Secure; Partitioned; HttpOnly) lists the launches started in
  this browser, the most recent last. The tool's links carry a launch *selector* (`ls`) that only
  picks one of the cookie's launches for this tab (two courses in two tabs); alone it opens nothing;
- the launch token: signed, timestamped, signed anew for every page, and sent only in a request's
  body (the `lt` field of every form) or in its `X-Launch-Token` header (the API, scripts). A query
  string is never read for it. Where the browser refuses every cookie inside the LMS frame, the
  page's script turns links into POSTs that carry it (see navigation.py).

Where the cookie and a token disagree (the token names a launch this browser did not start), the
request acts as nobody. A token older than LTI_TOKEN_SECONDS is accepted only together with a
cookie that names its launch, so a form left open for long never loses its text to the clock in a
browser that keeps cookies.
"""
import hashlib
import hmac
import secrets
from base64 import urlsafe_b64encode
from datetime import timedelta
from functools import cache

from flask import current_app, g, request, session
from werkzeug.datastructures import ImmutableMultiDict
from itsdangerous import BadData, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import and_, bindparam, insert, select, update
from sqlalchemy.orm import joinedload, make_transient_to_detached
from sqlalchemy.orm.attributes import set_committed_value

from ..courses.models import SchoolMember
from ..db import utcnow
from ..extensions import db
from ..security import effective_role
from ..security import SELECTOR_PARAM, TOKEN_FIELD, TOKEN_HEADER, with_selector  # noqa: F401  (with_selector: also here)
from .models import LaunchSession

COOKIE_LAUNCHES = "launches"     # the session cookie's list of this browser's launch ids
MAX_COOKIE_LAUNCHES = 8
# Set beside the session cookie and readable by the page's script: whether this browser keeps the
# tool's cookies in this frame (if not, navigation carries the token in POST bodies).
PROBE_COOKIE = "vo_cookies"
# How a request found its launch: with the cookie (a token it carried agreeing), by a token alone
# (a browser that keeps no cookies here), or as the launch itself.
BY_COOKIE, BY_TOKEN, BY_LAUNCH = "cookie", "token", "launch"


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="launch-token")


def make_token(launch: LaunchSession) -> str:
    return _serializer().dumps(launch.id)


def read_token(token: str, *, cookie_launches=()) -> str | None:
    """The launch id a token names: within its lifetime, or older when the cookie names it too."""
    if not isinstance(token, str) or len(token) > 300:
        return None
    serializer = _serializer()
    try:
        return serializer.loads(token, max_age=current_app.config["LTI_TOKEN_SECONDS"])
    except SignatureExpired as expired:
        launch_id = expired.payload
        try:
            launch_id = serializer.load_payload(launch_id)
        except BadData:
            return None
        return launch_id if launch_id in cookie_launches else None
    except (BadData, TypeError, ValueError):
        return None


def selector(launch_id: str) -> str:
    """The tab's pick among the cookie's launches: derived from the launch id, useless without the cookie."""
    digest = hmac.new(current_app.config["SECRET_KEY"].encode(), b"launch-selector:" + launch_id.encode(),
                      hashlib.sha256).digest()
    return urlsafe_b64encode(digest[:9]).decode()


def start(*, member: SchoolMember | None = None, **fields) -> LaunchSession:
    """Store a new launch and add it to this browser's cookie.

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
    earlier = [i for i in session.get(COOKIE_LAUNCHES) or [] if isinstance(i, str)]
    session[COOKIE_LAUNCHES] = (earlier + [launch.id])[-MAX_COOKIE_LAUNCHES:]
    session.pop("launch_id", None)  # the cookie's shape before launches were listed
    if member is None or (member.school_id, member.user_id) != (launch.school_id, launch.user_id):
        member = _member_of(launch)
    _activate(launch, member, BY_LAUNCH)
    return launch


def _member_of(launch: LaunchSession) -> SchoolMember | None:
    return db.session.scalars(select(SchoolMember).where(
        SchoolMember.school_id == launch.school_id,
        SchoolMember.user_id == launch.user_id)).first()


def _activate(launch: LaunchSession, member: SchoolMember | None, by: str) -> None:
    """Make launch the request's, with a freshly signed token for this answer's forms and scripts.

    The launch keeps the role its LTI roles gave; what the school granted since (or took back) is
    laid over it for this request only, so a grant or revocation counts from the next request on.
    """
    if member is not None:
        role = effective_role(launch.role, member.granted_role)
        if role != launch.role:
            set_committed_value(launch, "role", role)  # this request's view; the stored row stays the LMS's
    g.launch = launch
    g.launch_by = by
    g.launch_token = make_token(launch)
    g.launch_selector = selector(launch.id)
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


def _token_sent() -> str | None:
    """The token of the request's header or form body; never of its address."""
    token = request.headers.get(TOKEN_HEADER)
    if token is None and request.method == "POST" and request.mimetype in (
            "application/x-www-form-urlencoded", "multipart/form-data"):
        token = request.form.get(TOKEN_FIELD)
    return token or None


def cookie_launches() -> list[str]:
    launches = session.get(COOKIE_LAUNCHES)
    return [i for i in launches if isinstance(i, str)] if isinstance(launches, list) else []


def _chosen_by_selector(launches: list[str], wanted: str | None) -> str | None:
    """The cookie's launch the address's selector picks; the most recent without one; None for a stranger's."""
    if not wanted:
        return launches[-1] if launches else None
    return next((i for i in reversed(launches) if hmac.compare_digest(selector(i), wanted)), None)


def load_current() -> None:
    """Find this request's launch: a token sent in the body or a header, else the cookie.

    One query reads the launch with what every page shows of it (user, school, course) and the
    user's school membership, instead of one query for each.
    """
    wanted = _take_selector()
    launches = cookie_launches()
    token = _token_sent()
    if token is not None:
        launch_id = read_token(token, cookie_launches=launches)
        if launch_id is not None and launches and launch_id not in launches:
            launch_id = None  # the cookie and the token disagree: someone else's token
        by = BY_COOKIE if launches else BY_TOKEN
    else:
        launch_id, by = _chosen_by_selector(launches, wanted), BY_COOKIE
    if not launch_id:
        return
    row = db.session.execute(_launch_with_member(), {"launch_id": launch_id}).first()
    if row is not None and row[0].expires_at > utcnow():
        _activate(row[0], row[1], by)
        # A valid token in the body or a header: no other site could have sent it (the CSRF proof).
        g.token_sent = token is not None


def _take_selector() -> str | None:
    """The address's selector, taken out of request.args with any launch token a stale link carries:
    they are this module's, and views and their schemas see the rest of the query string only."""
    args = request.args
    wanted = args.get(SELECTOR_PARAM)
    if wanted is not None or TOKEN_FIELD in args:
        request.__dict__["args"] = ImmutableMultiDict(  # request.args is a cached property
            [(key, value) for key, value in args.items(multi=True) if key not in (SELECTOR_PARAM, TOKEN_FIELD)])
    return wanted


def end(launch: LaunchSession) -> None:
    """End a launch now: no token or cookie opens it again (what "leave quickly" asks for)."""
    db.session.execute(update(LaunchSession).where(LaunchSession.id == launch.id).values(expires_at=utcnow()))
    session[COOKIE_LAUNCHES] = [i for i in cookie_launches() if i != launch.id]
