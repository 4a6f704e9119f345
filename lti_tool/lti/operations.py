"""The two halves of an LTI launch: starting the OIDC login, and turning a valid launch into a session."""
import secrets
import time
from typing import NamedTuple
from urllib.parse import urlencode

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import delete, select

from ..cases import audit
from ..courses import operations as courses
from ..db import utcnow
from ..errors import LaunchRefused
from ..extensions import db
from ..gradebook import operations as gradebook
from ..security import app_role, scoped
from . import login_state, sessions
from .login_state import LoginState
from .models import LaunchSession, LinkPurpose, UsedNonce
from .queries import link_purpose
from .stored import keys_of
from .tool_conf import DbToolConf
from .validation import LTI, launch_locale, points_at_this_tool

LTI_DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"


def tool_conf() -> DbToolConf:
    return DbToolConf(current_app.config["LTI_CONFIG"])


def begin_login(params: dict, redirect_uri: str) -> tuple[str, LoginState]:
    """The LMS's authentication URL for a new login, and the login (state, nonce, browser id).

    Nothing is stored: the state is signed (login_state.py). A platform this process found within
    LTI_LOGIN_TARGET_SECONDS is not looked up again; whether it is still active is checked by
    the launch, which every login must pass through.
    """
    if not points_at_this_tool(params["target_link_uri"]):
        raise LaunchRefused(_("The login's target_link_uri points at another tool."),
                            hint=_("Check the tool URL in the LMS's registration."))
    issuer, client_id = params["iss"], params.get("client_id")
    platform = _remembered_target(issuer, client_id) or _look_up_target(issuer, client_id)
    if platform is None:
        raise LaunchRefused(
            _("This LMS is not registered with the tool (or is waiting for approval)."),
            hint=_("Register issuer %(iss)s (client id %(client)s) with `lti-tool platforms add`, "
                   "or approve its dynamic registration.", iss=issuer, client=client_id or "?"))
    state, login = login_state.issue(
        platform.id, {k: v for k, v in params.items() if v is not None and k != "new_window"})
    auth = {
        "scope": "openid", "response_type": "id_token", "response_mode": "form_post",
        "prompt": "none", "client_id": platform.client_id, "redirect_uri": redirect_uri,
        "state": state, "nonce": login.nonce, "login_hint": params["login_hint"],
    }
    if params.get("lti_message_hint"):
        auth["lti_message_hint"] = params["lti_message_hint"]
    separator = "&" if "?" in platform.auth_login_url else "?"
    return platform.auth_login_url + separator + urlencode(auth), login


class LoginTarget(NamedTuple):
    """What a login needs of its platform: where to send the browser, and the platform's id."""

    id: int
    client_id: str
    auth_login_url: str


def _targets() -> dict:
    return current_app.extensions.setdefault("lti_login_targets", {})


def _remembered_target(issuer: str, client_id: str | None) -> LoginTarget | None:
    """The platform this process found for issuer and client id, if within LTI_LOGIN_TARGET_SECONDS.

    Only its id and login address are remembered. A platform removed or suspended meanwhile may
    still get a login for that long, but not a launch (see begin_login); a changed login address
    is seen within that time.
    """
    found = _targets().get((issuer, client_id or None))
    return found[1] if found is not None and found[0] > time.monotonic() else None


def _look_up_target(issuer: str, client_id: str | None) -> LoginTarget | None:
    """The active platform for a login, from the database (or lti_config.json); remembered when found."""
    key = (issuer, client_id or None)
    platform = tool_conf().find_platform(issuer, client_id)
    if platform is None:
        _targets().pop(key, None)
        return None
    target = LoginTarget(platform.id, platform.client_id, platform.auth_login_url)
    _targets()[key] = (time.monotonic() + current_app.config["LTI_LOGIN_TARGET_SECONDS"], target)
    return target


def _sweep_expired() -> None:
    """Now and then (one launch in 50), delete used nonces and launches that can no longer be used."""
    if secrets.randbelow(50):
        return
    now = utcnow()
    db.session.execute(delete(UsedNonce).where(UsedNonce.expires_at < now))
    db.session.execute(delete(LaunchSession).where(LaunchSession.expires_at < now))


def complete_launch(launch, platform_id: int) -> LaunchSession:
    """Upsert the user, school member, course and membership of a validated launch; start a session."""
    body = launch.get_launch_data()
    # The platform and deployment (with its school) that validation found: not looked up again.
    platform, deployment = launch.platform, launch.deployment
    if platform.id != platform_id:
        raise LaunchRefused(_("The launch token comes from another platform than the sign-in."))
    _sweep_expired()
    school = deployment.school
    lti_roles = body.get(LTI + "roles", [])
    role = app_role(lti_roles)
    locale = launch_locale(body)
    # What the sign-in's query found already stored (see stored.py), for the same keys.
    keys, stored = keys_of(body), launch.stored
    sub, context_id, context = keys.sub, keys.context_id, body.get(LTI + "context")
    user = courses.upsert_user(platform.issuer, sub, name=_str(body.get("name")) or
                               " ".join(filter(None, [_str(body.get("given_name")),
                                                      _str(body.get("family_name"))])) or None,
                               email=_str(body.get("email")), locale=locale, stored=stored.user)
    member = courses.upsert_school_member(school, user, role, stored=stored.member)
    course, same_course = None, False
    if context_id is not None:
        course = courses.upsert_course(school, context_id, stored.course, title=_str(context.get("title")),
                                       label=_str(context.get("label")))
        # Rows read for another course (one inserted meanwhile by a racing launch) do not count.
        same_course = stored.course is not None and stored.course.id == course.id
        courses.upsert_course_member(course, user, lti_roles, role,
                                     stored=stored.course_member if same_course else None)
        courses.record_roster_service(course, platform.id, body.get(NRPS_CLAIM),
                                      stored.roster if same_course else None)
    claims = {
        "resource_link": body.get(LTI + "resource_link"),
        "custom": body.get(LTI + "custom"),
        "launch_presentation": body.get(LTI + "launch_presentation"),
        "ags": body.get(AGS_CLAIM),
        "nrps": body.get(NRPS_CLAIM),
        "deep_linking_settings": body.get(LTI_DL + "deep_linking_settings"),
        "target_link_uri": body.get(LTI + "target_link_uri"),
    }
    if body[LTI + "message_type"] == "LtiResourceLinkRequest":
        claims["purpose"] = link_purpose(school.id, platform.id, claims["resource_link"], claims["custom"])
    launch_session = sessions.start(
        platform_id=platform.id, school_id=school.id, user_id=user.id,
        course_id=course.id if course else None, deployment_id=deployment.deployment_id,
        message_type=body[LTI + "message_type"], role=role, lti_roles=lti_roles,
        claims=claims, locale=locale, member=member)
    gradebook.record_placement(launch_session, stored.placement if same_course else None)  # the code's gradebook column; no LMS call here
    return launch_session


def _str(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None


def choose_link_purpose(launch_session: LaunchSession, purpose: str, user_id: int) -> LinkPurpose:
    """Store what a link added without content is for, as the launching teacher says (flushes).

    The answer holds for everyone who opens the link from then on; choosing the code places it in
    the course's gradebook column (one per course, see gradebook.record_placement). The launch
    carries the new purpose at once, and the school's audit log records who decided.
    """
    link = (launch_session.claims or {}).get("resource_link") or {}
    link_id = link.get("id") if isinstance(link, dict) else None
    if not isinstance(link_id, str) or not link_id.strip():
        raise LaunchRefused(_("This page belongs to a link in your course. Open the tool from that link."))
    keys = {"platform_id": launch_session.platform_id, "resource_link_id": link_id[:255]}
    row = db.session.scalars(scoped(select(LinkPurpose), LinkPurpose, launch_session.school_id)
                             .filter_by(**keys)).first()
    if row is None:
        row = LinkPurpose(**keys, school_id=launch_session.school_id, course_id=launch_session.course_id)
        db.session.add(row)
    row.purpose, row.chosen_by_id, row.chosen_at = purpose, user_id, utcnow()
    launch_session.claims = {**(launch_session.claims or {}), "purpose": purpose}
    audit.record(launch_session.school_id, user_id, "link_purpose_set", detail=purpose)
    db.session.flush()
    if purpose == LinkPurpose.CODE:
        gradebook.record_placement(launch_session, None)
    return row
