"""Launch validation: pylti1p3 for the protocol, plus the checks it leaves out.

pylti1p3 2.0.0 never uses a nonce up, does not require exp, iat or target_link_uri, ignores azp,
only looks at aud[0], and raises bare Exceptions for some bad tokens. This subclass closes those.
"""
from datetime import timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _, refresh

import jwt
from flask import current_app, g, request
from marshmallow import ValidationError
from pylti1p3.contrib.flask import FlaskMessageLaunch
from pylti1p3.exception import LtiException
from sqlalchemy.exc import SQLAlchemyError

from ..db import utcnow
from ..errors import LaunchRefused
from ..extensions import db
from ..platforms.models import Deployment, Platform
from . import jwks_cache, login_state
from .login_state import LoginState
from .schemas import StorageProofSchema
from .stored import LTI, Stored, keys_of, sign_in_query, use_up_statement

ALGORITHMS = ["RS256", "RS384", "RS512"]


class StorageProofNeeded(LaunchRefused):
    """No state cookie, but the login left its secret in the platform's storage: the launch's page
    reads it there (static/js/platform_storage.js) and sends the launch again with it."""

    def __init__(self, login: LoginState, platform_origin: str):
        super().__init__("The sign-in's secret is in the LMS's platform storage.", status=200)
        self.login, self.platform_origin = login, platform_origin


class NoStateCookie(LaunchRefused):
    """The browser did not send back the state cookie: usually third-party cookies are blocked."""

    def __init__(self, login: LoginState | None):
        super().__init__(
            "Your browser did not keep the sign-in cookie of this tool inside the LMS page.",
            hint=_("Open the tool in a new window to continue. LMS administrators: this happens when "
                 "a browser blocks third-party cookies; a new-window launch always works."),
            status=401)
        self.login = login


class VeiligMessageLaunch(FlaskMessageLaunch):
    """A message launch that is refused unless every check passes; failures raise LaunchRefused."""

    _login: LoginState | None = None
    _stored: Stored | None = None
    _client_id: str | None = None
    _deployment: Deployment | None = None

    # --- state and nonce, bound to the browser and used at most once -------------------------
    def validate_state(self):
        """Read the signed state, and use its nonce up; refuse a second use and a foreign browser.

        The nonce is used up before the other checks so that a replay is told so from any
        browser; any refusal rolls the request back, so only an accepted launch uses it up.
        """
        login = login_state.read(self._get_request_param("state"))
        if login is None:
            raise LaunchRefused(_("This sign-in has expired or is unknown. Open the tool again from the LMS."),
                                hint=_("The LMS must return the state it received at login."))
        # The sign-in's platform, the deployment the (not yet verified) token names and the rows the
        # launch may update come in the same query (see stored.py): the registration and deployment
        # checks below find them there instead of querying again (DbToolConf.seed_platform and
        # seed_deployment), and so does complete_launch once every check has passed.
        keys = keys_of(self._jwt["body"])
        use_up = {"used_nonce": login.nonce, "used_until": utcnow() + timedelta(seconds=login_state.lifetime())}
        dialect = db.session.get_bind().dialect.name
        found = db.session.execute(sign_in_query(dialect), {
            "sign_in_platform": login.platform_id, **use_up, **keys._asdict()}).first()
        if found is None:  # removed since the sign-in
            raise LaunchRefused(_("This LMS is not registered with the tool."))
        platform, deployment, used_up = found[0], found[1], found[-1]
        if used_up is None:  # not PostgreSQL: the query could not use it up
            used_up = db.session.execute(use_up_statement(dialect), use_up).rowcount == 1
        if not used_up:
            raise LaunchRefused(_("This launch was already used. Open the tool again from the LMS."))
        if not login_state.held_by_browser(login, self._cookie_service.get_cookie(login.browser)):
            self._check_platform_storage(login, platform)
        self._login, self._stored = login, Stored(*found[2:-1])
        self._tool_config.seed_platform(platform)
        if keys.deployment_id is not None:
            self._tool_config.seed_deployment(platform, keys.deployment_id, deployment)
        return self

    def _check_platform_storage(self, login: LoginState, platform: Platform) -> None:
        """Without the state cookie, the secret may come from the LMS's platform storage instead."""
        if login_state.storage_target(login) is None:
            raise NoStateCookie(login)
        try:
            proof = StorageProofSchema().load(request.form.to_dict())["lti_storage_value"]
        except ValidationError:
            proof = None
        if proof is None:
            parts = urlsplit(platform.auth_login_url)  # the origin the platform's storage answers from
            raise StorageProofNeeded(login, f"{parts.scheme}://{parts.netloc}")
        if not login_state.held_by_browser(login, proof):
            raise NoStateCookie(login)

    def validate_jwt_format(self):
        id_token = self._get_request_param("id_token") or ""
        if len(id_token.encode()) > current_app.config["LTI_MAX_ID_TOKEN_BYTES"]:
            raise LaunchRefused(_("The launch token is too large."), status=413)
        super().validate_jwt_format()
        if not isinstance(self._jwt.get("header"), dict) or not isinstance(self._jwt.get("body"), dict):
            raise LaunchRefused(_("The launch token is not a valid JWT."))
        return self

    def validate_nonce(self):
        nonce = self._jwt["body"].get("nonce")
        if not isinstance(nonce, str) or nonce != self._login.nonce:
            raise LaunchRefused(_("The launch token does not belong to this sign-in (nonce)."))
        return self

    # --- audience and authorised party -------------------------------------------------------
    def get_client_id(self):
        if self._client_id:
            return self._client_id
        aud = self._get_jwt_body().get("aud")
        return aud[0] if isinstance(aud, list) and aud else aud

    def validate_registration(self):
        body = self._jwt["body"]
        aud = body.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if not audiences or not all(isinstance(a, str) for a in audiences):
            raise LaunchRefused(_("The launch token has no valid audience (aud)."))
        iss = body.get("iss")
        if not isinstance(iss, str) or not iss:
            raise LaunchRefused(_("The launch token has no issuer (iss)."))
        registration = None
        for candidate in audiences:
            registration = self._tool_config.find_registration_by_params(iss, candidate)
            if registration:
                self._client_id = candidate
                break
        if registration is None:
            raise LaunchRefused(_("This LMS is not registered with the tool."),
                                hint=_("Register issuer %(iss)s with client id %(client)s.", iss=iss,
                                       client=audiences[0]))
        if registration.platform_id != self._login.platform_id:
            raise LaunchRefused(_("The launch token comes from another platform than the sign-in."))
        azp = body.get("azp")
        if (len(audiences) > 1 or azp is not None) and azp != self._client_id:
            raise LaunchRefused(_("The launch token's authorised party (azp) is not this tool."))
        self._registration = registration
        return self

    # --- signature, expiry and issued-at -----------------------------------------------------
    def get_public_key(self):
        header = self._jwt.get("header", {})
        kid, alg = header.get("kid"), header.get("alg")
        if not isinstance(kid, str) or not kid:
            raise LaunchRefused(_("The launch token names no key (kid)."))
        if alg not in ALGORITHMS:
            raise LaunchRefused(_("The launch token is not signed with RSA."),
                                hint=_("LTI 1.3 requires RS256."))
        try:
            found = jwks_cache.find_public_key(self._registration.get_key_set_url(), kid)
        except (ValueError, TypeError, KeyError) as exc:
            raise LaunchRefused(_("The LMS publishes a key that is not a valid RSA key.")) from exc
        if found is None or found[0].get("alg", alg) != alg:
            raise LaunchRefused(_("The launch token is signed with a key the LMS does not publish."),
                                hint=_("Check the platform's public keyset URL in the registration."))
        return found[1], alg

    def validate_jwt_signature(self):
        public_key, alg = self.get_public_key()
        try:
            jwt.decode(
                self._get_id_token(), public_key, algorithms=[alg], audience=self._client_id,
                issuer=self._registration.get_issuer(),
                leeway=current_app.config["LTI_CLOCK_SKEW_SECONDS"],
                options={"require": ["exp", "iat", "iss", "aud", "sub", "nonce"]},
            )
        except jwt.ExpiredSignatureError as exc:
            raise LaunchRefused(_("The launch token has expired. Open the tool again from the LMS."),
                                hint=_("Check that the LMS server's clock is right.")) from exc
        except jwt.ImmatureSignatureError as exc:
            raise LaunchRefused(_("The launch token was issued in the future."),
                                hint=_("Check that the LMS server's clock is right.")) from exc
        except jwt.InvalidTokenError as exc:
            raise LaunchRefused(_("The launch token is not valid: %(reason)s.", reason=exc)) from exc
        return self

    def validate_deployment(self):
        deployment_id = keys_of(self._jwt["body"]).deployment_id
        if deployment_id is None:
            raise LaunchRefused(_("The launch names no deployment (deployment_id)."))
        deployment = self._tool_config.find_deployment_row(self._registration.platform, deployment_id)
        if deployment is None:
            raise LaunchRefused(_("This deployment of the tool is not registered."),
                                hint=_("Add deployment %(id)s for this platform in the tool.", id=deployment_id))
        if deployment.school_id is None:
            g.page_locale = launch_locale(self._jwt["body"])  # the page is the reader's, no launch yet
            refresh()
            raise NotYetConnected(
                _("Your school is not yet connected to Veilig Online."),
                hint=_("This LMS's deployment %(id)s waits for its school: run `lti-tool deployments add "
                       "--platform %(platform)s --deployment-id %(id)s --school \"…\"`.",
                       id=deployment_id, platform=deployment.platform_id),
                status=403)
        self._deployment = deployment
        return self

    # --- message ------------------------------------------------------------------------------
    def validate_message(self):
        super().validate_message()
        body = self._jwt["body"]
        target = body.get(LTI + "target_link_uri")
        if not isinstance(target, str) or not target:
            raise LaunchRefused(_("The launch names no target (target_link_uri)."))
        if not points_at_this_tool(target):
            raise LaunchRefused(_("The launch's target_link_uri points at another tool."),
                                hint=_("Check the tool URL in the LMS's registration."))
        roles = body.get(LTI + "roles")
        if not isinstance(roles, list) or not all(isinstance(r, str) for r in roles):
            raise LaunchRefused(_("The launch's roles claim is not a list of roles."))
        return self

    def save_launch_data(self):
        # Launches live in our own table (sessions.py), not in pylti1p3's session storage.
        return self

    def validate(self):
        """Run every check; turn any failure of pylti1p3 into a LaunchRefused.

        pylti1p3's checks in its own order but for the token's format, which comes first: the state
        check's query then finds the deployment the token names along with the sign-in.
        """
        if request.content_type and not request.content_type.startswith(
                ("application/x-www-form-urlencoded", "multipart/form-data")):
            raise LaunchRefused(_("A launch must be a form post."), status=415)
        self._validated = True  # as pylti1p3 does: the checks read the body through _get_jwt_body()
        try:
            (self.validate_jwt_format().validate_state().validate_nonce().validate_registration()
             .validate_jwt_signature().validate_deployment().validate_message())
        except BaseException as exc:
            self._validated = False
            if isinstance(exc, (LaunchRefused, SQLAlchemyError)) or not isinstance(exc, Exception):
                raise  # a database out of reach is no bad launch: errors.py answers 503, try again
            if isinstance(exc, LtiException):
                raise LaunchRefused(_("The launch is not valid: %(reason)s.", reason=exc)) from exc
            raise LaunchRefused(_("The launch is not valid.")) from exc  # pylti1p3 raises bare Exceptions
        return self

    @property
    def login(self) -> LoginState | None:
        """The sign-in the launch completes, as its signed state tells it."""
        return self._login

    @property
    def platform(self) -> Platform:
        """The platform the validated launch comes from (found once, during validation)."""
        return self._registration.platform

    @property
    def stored(self) -> Stored:
        """The rows the validated launch may update, as they were stored (read with the sign-in)."""
        return self._stored

    @property
    def deployment(self) -> Deployment:
        """The validated launch's deployment, with its school (found once, during validation)."""
        return self._deployment


class NotYetConnected(LaunchRefused):
    """A launch through a deployment that waits for its school: a calm page of its own, in the reader's language."""

    code = "school_not_connected"
    template = "lti/not_connected.html"


def launch_locale(body: dict) -> str:
    """The launch's language: Dutch unless the LMS asks for English."""
    presentation = body.get(LTI + "launch_presentation")
    raw = presentation.get("locale") if isinstance(presentation, dict) else None
    raw = raw or body.get("locale")
    if isinstance(raw, str) and raw.lower().startswith("en"):
        return "en"
    return "nl"


def points_at_this_tool(url: str) -> bool:
    """True when url is on this tool's origin (as the proxy-aware request sees it)."""
    try:
        parts = urlsplit(url)
    except ValueError:
        return False
    here = urlsplit(request.host_url)
    return (parts.scheme, parts.netloc) == (here.scheme, here.netloc) and \
        parts.path.startswith(request.script_root or "/")

