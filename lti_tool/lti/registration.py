"""LTI Dynamic Registration (as Moodle 4.x uses it): the LMS opens this page, we register, it waits.

The registration is stored as pending; a tool administrator approves it with
`lti-tool platforms approve ID` before any launch from it is accepted. Anyone can open this page,
so it is rate-limited per source address and in total, at most LTI_REGISTRATION_MAX_PENDING
registrations wait at a time, pending ones reach no response header (headers.py), and the calls
it makes on the caller's word go only to public addresses on the issuer's own origin (outbound.py).
"""
from urllib.parse import urlsplit

import ipaddress

from flask import Blueprint, Flask, current_app, render_template, request, url_for
from flask_babel import gettext as _
from flask_limiter import Limiter
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ..errors import AppError, ValidationFailed
from ..extensions import csrf
from ..platforms import operations as platforms
from ..platforms.models import Platform
from . import outbound
from .addresses import same_origin

bp = Blueprint("registration", __name__, url_prefix="/lti")

PLATFORM_CONF = "https://purl.imsglobal.org/spec/lti-platform-configuration"
TOOL_CONF = "https://purl.imsglobal.org/spec/lti-tool-configuration"
SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
    "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly",
]


class RegistrationRequestSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    openid_configuration = fields.Url(required=True, require_tld=False, schemes={"http", "https"},
                                      validate=validate.Length(max=2000))
    registration_token = fields.String(load_default=None, validate=validate.Length(max=4000))


class OpenIdConfigurationSchema(Schema):
    """The parts of the platform's OpenID configuration that registration needs."""

    class Meta:
        unknown = EXCLUDE

    issuer = fields.Url(required=True, require_tld=False, validate=validate.Length(max=500))
    authorization_endpoint = fields.Url(required=True, require_tld=False, validate=validate.Length(max=1000))
    token_endpoint = fields.Url(required=True, require_tld=False, validate=validate.Length(max=1000))
    jwks_uri = fields.Url(required=True, require_tld=False, validate=validate.Length(max=1000))
    registration_endpoint = fields.Url(required=True, require_tld=False, validate=validate.Length(max=1000))
    platform_configuration = fields.Dict(data_key=PLATFORM_CONF, load_default=dict)


class RegistrationResponseSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    client_id = fields.String(required=True, validate=validate.Length(min=1, max=255))
    tool_configuration = fields.Dict(data_key=TOOL_CONF, load_default=dict)


def tool_registration_document(platform_conf: dict) -> dict:
    """The client registration we post to the LMS."""
    home = url_for("home.index", _external=True, _public=True)
    messages = [
        {"type": "LtiResourceLinkRequest", "target_link_uri": home, "label": "Veilig Online"},
        {"type": "LtiDeepLinkingRequest", "target_link_uri": home,
         "label": "Veilig Online", "placements": ["ContentArea"],
         "supported_types": ["ltiResourceLink"]},
    ]
    return {
        "application_type": "web",
        "response_types": ["id_token"],
        "grant_types": ["implicit", "client_credentials"],
        "initiate_login_uri": url_for("lti.login", _external=True, _public=True),
        "redirect_uris": [url_for("lti.launch", _external=True, _public=True)],
        "client_name": "Veilig Online",
        "jwks_uri": url_for("lti.jwks", _external=True, _public=True),
        "token_endpoint_auth_method": "private_key_jwt",
        "scope": " ".join(SCOPES),
        TOOL_CONF: {
            "domain": urlsplit(home).netloc,
            "target_link_uri": home,
            "claims": ["iss", "sub", "name", "given_name", "family_name", "email", "locale"],
            "messages": messages,
        },
    }


def _endpoints_on_issuer_origin(openid_url: str, conf: dict) -> None:
    """The configuration, and every endpoint it names, must be on the issuer's origin."""
    issuer = conf["issuer"]
    if not same_origin(openid_url, issuer):
        raise AppError(_("The OpenID configuration at %(url)s names the issuer %(iss)s, which is on another "
                         "site.", url=openid_url, iss=issuer), status=400)
    for key in ("authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint"):
        if not same_origin(conf[key], issuer):
            raise AppError(_("The OpenID configuration's %(key)s (%(url)s) is not on the issuer's site "
                             "%(iss)s.", key=key, url=conf[key], iss=issuer), status=400)


def register(openid_url: str, token: str | None) -> tuple[Platform, bool]:
    """Read the platform's configuration, post ours, store the result: (platform, whether updated).

    The registration token goes only to the registration endpoint, which must be on the issuer's
    origin like everything else the configuration names (see outbound.py for how calls are made).
    """
    document = outbound.fetch_json(openid_url)
    if not isinstance(document, dict):
        raise AppError(_("The LMS's OpenID configuration could not be read from %(url)s.", url=openid_url),
                       status=400)
    try:
        conf = OpenIdConfigurationSchema().load(document)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages, _("The LMS's OpenID configuration is incomplete."))
    _endpoints_on_issuer_origin(openid_url, conf)
    answer = outbound.fetch_json(conf["registration_endpoint"], method="POST", bearer=token,
                                 payload=tool_registration_document(conf["platform_configuration"]))
    try:
        answer = RegistrationResponseSchema().load(answer if isinstance(answer, dict) else {})
    except ValidationError:
        raise AppError(_("The LMS did not accept the registration."), status=400)
    deployment_id = answer["tool_configuration"].get("deployment_id")
    return platforms.record_dynamic_registration(
        issuer=conf["issuer"], client_id=answer["client_id"],
        auth_login_url=conf["authorization_endpoint"], auth_token_url=conf["token_endpoint"],
        key_set_url=conf["jwks_uri"], name=_product(conf["platform_configuration"]),
        deployment_id=str(deployment_id)[:255] if deployment_id else None,
        max_pending=current_app.config["LTI_REGISTRATION_MAX_PENDING"])


def _product(platform_conf: dict) -> str | None:
    product = platform_conf.get("product_family_code")
    return product[:200] if isinstance(product, str) and product else None


def source_address() -> str:
    """Whom the per-address limit counts: the client's address (after ProxyFix); IPv6 by its /64."""
    address = request.remote_addr or ""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 6:
        if ip.ipv4_mapped is not None:
            return str(ip.ipv4_mapped)
        return str(ipaddress.IPv6Network((ip, 64), strict=False))
    return str(ip)


def init_limits(app: Flask) -> Limiter:
    """Limit registration per source address and in total, with a limiter of this app's own.

    The counters live where RATELIMIT_STORAGE_URI says: each process's memory, or Redis when
    REDIS_URL is set (shared by all workers); a key holds an address only for its window.
    """
    limiter = Limiter(key_func=source_address, app=app)
    limiter.limit(lambda: current_app.config["LTI_REGISTRATION_RATE_PER_ADDRESS"],
                  scope="registration-per-address")(bp)
    limiter.limit(lambda: current_app.config["LTI_REGISTRATION_RATE_TOTAL"], key_func=lambda: "everyone",
                  scope="registration-total")(bp)
    app.extensions["registration_limiter"] = limiter
    return limiter


@bp.route("/register", methods=["GET"], endpoint="register")
@csrf.exempt
def register_view():
    """The URL an LMS administrator pastes into the LMS for dynamic registration (or pastes again: Update)."""
    try:
        args = RegistrationRequestSchema().load(request.args.to_dict())
    except ValidationError as exc:
        raise ValidationFailed(exc.messages, _("Open this address from the LMS's tool registration."))
    platform, updated = register(args["openid_configuration"], args["registration_token"])
    return render_template("lti/registered.html", platform=platform, updated=updated)
