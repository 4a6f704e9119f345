"""An independent LTI 1.3 platform for tests: lti1p3platform's core behind a small Flask adapter."""
# The demo LMS and the tool were written by the same hands; this platform was not. Its claims,
# signatures and checks come from lti1p3platform, so a misreading of the spec shared by the tool
# and the demo LMS shows up here. Only the HTTP plumbing and the checks lti1p3platform leaves out
# (redirect_uri, client assertion aud/iss/jti, deep-linking aud/iss/data) are ours.
from __future__ import annotations

import json
import secrets
import threading
from dataclasses import dataclass, field

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from flask import Flask, Response, jsonify, render_template_string, request

# Core modules only: lti1p3platform.framework imports Django/FastAPI and pkg_resources.
from lti1p3platform import exceptions as lti_errors
from lti1p3platform.ltiplatform import LTI1P3PlatformConfAbstract
from lti1p3platform.membership import Context
from lti1p3platform.message_launch import LTIAdvantageMessageLaunchAbstract
from lti1p3platform.oidc_login import OIDCLoginAbstract
from lti1p3platform.registration import Registration
from lti1p3platform.request import Request, TRequest
from lti1p3platform.service_connector import NamesRoleProvisioningService

LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
LEARNER = [LIS + "membership#Learner"]
INSTRUCTOR = [LIS + "membership#Instructor"]
DEFAULT_CONTEXT = {"id": "ctx-independent-1", "title": "Klas 3C Mediawijsheid", "label": "3C-MW"}

# The same markup as lti1p3platform's own launch.html, which we cannot import (pkg_resources).
_LAUNCH_FORM = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>LTI Tool Launch</title></head><body>
<form method="POST" action="{{ launch_url }}" id="form">
<input type="hidden" name="id_token" value="{{ id_token }}">
<input type="hidden" name="state" value="{{ state }}">
</form>
<script>document.getElementById("form").submit();</script>
</body></html>"""


@dataclass
class PlatformUser:
    """Who the platform launches; the test chooses sub and roles, and name and email or none."""

    sub: str
    roles: list[str]
    name: str | None = None
    email: str | None = None


@dataclass
class _PendingLaunch:
    """What the platform will launch once the tool's auth request names this lti_message_hint."""

    user: PlatformUser
    message_type: str
    context: dict | None
    resource_link_id: str
    dl_data: dict = field(default_factory=dict)


def _rsa_key_pair() -> tuple[str, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption()).decode()
    public = key.public_key().public_bytes(serialization.Encoding.PEM,
                                           serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    return private, public


class IndependentPlatform:
    """The platform's state: its key, its registration of the tool, and what the tool sent back."""

    def __init__(self, issuer: str, tool_url: str, client_id: str, deployment_id: str):
        self.issuer, self.tool_url = issuer, tool_url.rstrip("/")
        self.client_id, self.deployment_id = client_id, deployment_id
        self.private_key_pem, self.public_key_pem = _rsa_key_pair()
        self.pending: dict[str, _PendingLaunch] = {}
        self.contexts: dict[str, dict] = {}  # context id -> context, for NRPS
        self.members: dict[str, dict[str, dict]] = {}  # context id -> sub -> NRPS member
        self.resource_links: dict[str, set[str]] = {}  # context id -> resource link ids
        self.placed_items: list[dict] = []
        self.deep_link_responses: list[dict] = []  # verified claims of each accepted response
        self.issued_tokens: list[dict] = []
        self._used_jtis: set[str] = set()
        self._lock = threading.Lock()

    auth_url = property(lambda self: self.issuer + "/auth")
    token_url = property(lambda self: self.issuer + "/token")
    jwks_url = property(lambda self: self.issuer + "/jwks")
    deep_link_return_url = property(lambda self: self.issuer + "/deep-link-return")
    tool_redirect_uri = property(lambda self: self.tool_url + "/lti/launch")

    def memberships_url(self, context_id: str) -> str:
        return f"{self.issuer}/contexts/{context_id}/memberships"

    def conf(self) -> "PlatformConf":
        """A fresh platform config: lti1p3platform keeps per-request JWT state on it."""
        return PlatformConf(platform=self)

    def login_initiation_url(self, user: PlatformUser, message_type: str = "LtiResourceLinkRequest",
                             context: dict | None = DEFAULT_CONTEXT,
                             resource_link_id: str = "rl-independent-1") -> str:
        """Start a launch of user as a real platform would: the tool's login URL with the hints."""
        hint = secrets.token_urlsafe(12)
        pending = _PendingLaunch(user, message_type, context, resource_link_id)
        if message_type == "LtiDeepLinkingRequest":
            pending.dl_data = {"dl_request": hint}  # lti1p3platform's "data" is a dict
        with self._lock:
            self.pending[hint] = pending
            if context:  # launching someone into a course enrols them, as in a real LMS
                self.contexts[context["id"]] = context
                self.members.setdefault(context["id"], {})[user.sub] = {
                    "user_id": user.sub, "roles": user.roles, "status": "Active",
                    **({"name": user.name} if user.name else {}),
                    **({"email": user.email} if user.email else {})}
                self.resource_links.setdefault(context["id"], set()).add(resource_link_id)
        login = _LoginInitiation(None, self.conf())
        login.set_lti_message_hint(hint=hint)
        if message_type == "LtiDeepLinkingRequest":
            login.set_deeplinking_launch_url()
        return login.initiate_login(user.sub)

    def check_client_assertion(self, assertion: str) -> None:
        """What lti1p3platform leaves out of the client-credentials grant: iss, sub, aud, exp, jti."""
        claims = jwt.decode(assertion, options={"verify_signature": False})  # signature: already checked
        aud = claims.get("aud")
        audiences = aud if isinstance(aud, list) else [aud]
        if claims.get("iss") != self.client_id or claims.get("sub") != self.client_id:
            raise lti_errors.LtiException("client assertion iss/sub is not the client id")
        if self.token_url not in audiences:
            raise lti_errors.LtiException("client assertion aud is not the token endpoint")
        if "exp" not in claims or not claims.get("jti"):
            raise lti_errors.LtiException("client assertion has no exp or jti")
        with self._lock:
            if claims["jti"] in self._used_jtis:
                raise lti_errors.LtiException("client assertion jti already used")
            self._used_jtis.add(claims["jti"])


class PlatformConf(LTI1P3PlatformConfAbstract):
    """lti1p3platform's platform config, holding the one registration of the tool."""

    def init_platform_config(self, **kwargs) -> None:
        self.platform: IndependentPlatform = kwargs["platform"]

    def get_registration_by_params(self, **kwargs) -> Registration:
        p = self.platform
        return (Registration().set_iss(p.issuer).set_client_id(p.client_id)
                .set_deployment_id(p.deployment_id)
                .set_oidc_login_url(p.tool_url + "/lti/login")
                .set_launch_url(p.tool_url + "/")
                # The tool's dynamic registration names its home page for deep linking too.
                .set_deeplink_launch_url(p.tool_url + "/")
                .set_tool_key_set_url(p.tool_url + "/lti/jwks")
                .set_platform_private_key(p.private_key_pem)
                .set_platform_public_key(p.public_key_pem))


class FlaskPlatformRequest(Request):
    """lti1p3platform's request abstraction over Flask's request (its Django adapter, in Flask)."""

    def build_metadata(self, req) -> TRequest:
        return {"method": req.method, "form_data": req.form.to_dict(), "get_data": req.args.to_dict(),
                "headers": req.headers, "content_type": req.content_type, "path": req.path,
                "json": req.get_json(silent=True)}


class _LoginInitiation(OIDCLoginAbstract):
    """Third-party initiated login: lti1p3platform builds the URL, we hand it to the browser."""

    def set_lti_message_hint(self, **kwargs) -> None:
        self._lti_message_hint = kwargs["hint"]

    def get_redirect(self, url: str) -> str:
        return url


class FlaskMessageLaunch(LTIAdvantageMessageLaunchAbstract):
    """lti1p3platform's message launch, answering its auto-post form through Flask."""

    def render_launch_form(self, launch_data, **kwargs):
        return render_template_string(_LAUNCH_FORM, **launch_data)


class _Roster(NamesRoleProvisioningService):
    """lti1p3platform's NRPS handler over the platform's enrolments of one context."""

    def __init__(self, req, conf: PlatformConf, context: dict):
        super().__init__(req, conf, conf.platform.memberships_url(context["id"]))
        self.context = context

    def get_context_by_id(self) -> Context:
        return Context(id=self.context["id"], label=self.context.get("label", ""),
                       title=self.context.get("title", ""))

    def get_member_data_page(self, page=1, limit=None, role=None, since=None, **_):
        members = list(self.platform_config.platform.members.get(self.context["id"], {}).values())
        return {"content": [dict(m) for m in members], "has_next": False, "next": None}

    def is_resource_link_valid(self, context_id: str, resource_link_id: str) -> bool:
        return resource_link_id in self.platform_config.platform.resource_links.get(context_id, ())


def _oauth_error(error: str, description: str, status: int):
    response = jsonify(error=error, error_description=description)
    response.status_code = status
    return response


def create_platform_app(platform: IndependentPlatform) -> Flask:
    """The platform's HTTP face: JWKS, OIDC auth, token, deep-linking return and NRPS."""
    app = Flask(__name__)

    @app.get("/jwks")
    def jwks():
        """The platform's public key set."""
        conf = platform.conf()
        conf.get_registration()  # get_jwks() reads the registration it caches
        return jsonify(conf.get_jwks())

    @app.route("/auth", methods=["GET", "POST"])
    def authorize():
        """OIDC authorization endpoint: check the tool's auth request, answer a signed id_token."""
        params = request.values
        pending = platform.pending.get(params.get("lti_message_hint", ""))
        # lti1p3platform checks nonce, state and client_id only; the rest is the spec's and ours.
        problems = [name for name, ok in [
            ("lti_message_hint", pending is not None),
            ("login_hint", pending is not None and params.get("login_hint") == pending.user.sub),
            ("scope", params.get("scope") == "openid"),
            ("response_type", params.get("response_type") == "id_token"),
            ("redirect_uri", params.get("redirect_uri") == platform.tool_redirect_uri),
        ] if not ok]
        if problems:
            return f"Invalid authentication request: {', '.join(problems)}", 400
        launch = FlaskMessageLaunch(FlaskPlatformRequest(request), platform.conf())
        user = pending.user
        launch.set_user_data(user.sub, user.roles, full_name=user.name, email_address=user.email)
        launch.set_launch_presentation_claim(document_target="iframe")
        if pending.context:
            context = pending.context
            launch.set_launch_context_claim(
                context["id"], context_types=[LIS + "course#CourseOffering"],
                context_title=context.get("title"), context_label=context.get("label"))
            launch.set_nrps(platform.memberships_url(context["id"]))
        if pending.message_type == "LtiDeepLinkingRequest":
            launch.set_dl(platform.deep_link_return_url, title="Independent course",
                          accept_types={"ltiResourceLink"}, extra_data=pending.dl_data)
        else:
            launch.set_resource_link_claim(pending.resource_link_id, title="Veilig Online")
        try:
            return launch.lti_launch()
        except lti_errors.PreflightRequestValidationException:
            return "Invalid authentication request: nonce, state, redirect_uri or client_id", 400

    @app.post("/token")
    def token():
        """Client-credentials grant with a JWT client assertion, verified against the tool's JWKS."""
        conf = platform.conf()
        conf.get_registration()
        try:
            answer = conf.get_access_token(request.form.to_dict())
            platform.check_client_assertion(request.form["client_assertion"])
        except (lti_errors.MissingRequiredClaim, lti_errors.UnsupportedGrantType) as exc:
            return _oauth_error("invalid_request", repr(exc), 400)
        except (lti_errors.LtiException, lti_errors.InvalidKeySetUrl, jwt.InvalidTokenError) as exc:
            return _oauth_error("invalid_client", str(exc), 401)
        platform.issued_tokens.append(answer)
        response = jsonify(answer)
        response.headers["Cache-Control"] = "no-store"
        return response

    @app.post("/deep-link-return")
    def deep_link_return():
        """Accept the tool's signed deep-linking response and place its content items."""
        conf = platform.conf()
        conf.get_registration()
        token = request.form.get("JWT", "")
        try:
            items = conf.validate_deeplinking_resp({"JWT": token})
            # lti1p3platform skips aud and iss (verify_aud=False); the spec requires both.
            claims = jwt.decode(token, conf.get_tool_public_key(), algorithms=["RS256"],
                                audience=platform.issuer, issuer=platform.client_id)
        except (lti_errors.LtiException, lti_errors.LtiDeepLinkingResponseException,
                lti_errors.InvalidKeySetUrl, jwt.InvalidTokenError) as exc:
            return f"Deep-linking response refused: {exc!r}", 400
        if claims.get("https://purl.imsglobal.org/spec/lti/claim/deployment_id") != platform.deployment_id:
            return "Deep-linking response refused: deployment_id", 400
        data = claims.get("https://purl.imsglobal.org/spec/lti-dl/claim/data")
        if not isinstance(data, dict) or data.get("dl_request") not in platform.pending:
            return "Deep-linking response refused: data is not what the request sent", 400
        platform.deep_link_responses.append(claims)
        platform.placed_items.extend(items)
        return f"Placed {len(items)} item(s).", 200

    @app.get("/contexts/<context_id>/memberships")
    def memberships(context_id):
        """NRPS context membership, by lti1p3platform's handler (bearer token and scope checks)."""
        conf = platform.conf()
        conf.get_registration()
        if context_id not in platform.contexts:
            return jsonify(error="no such context"), 404
        service = _Roster(FlaskPlatformRequest(request), conf, platform.contexts[context_id])
        try:
            result = service.handle_resp(service.handle_get_members)
        except (lti_errors.LtiException, jwt.InvalidTokenError) as exc:
            # validate_token raises these itself instead of answering 401.
            return jsonify(error=str(exc)), 401
        if result.result is None:
            return jsonify(error=result.message), result.code
        return Response(json.dumps(result.result), status=result.code, mimetype=result.media_type)

    return app
