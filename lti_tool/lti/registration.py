"""LTI Dynamic Registration (as Moodle 4.x uses it): the LMS opens this page, we register, it waits.

The registration is stored as pending; a tool administrator approves it with
`lti-tool platforms approve ID` before any launch from it is accepted.
"""
from urllib.parse import urlsplit

import requests
from flask import Blueprint, current_app, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

from ..errors import AppError, ValidationFailed
from ..extensions import csrf
from ..platforms import operations as platforms
from ..platforms.models import Platform

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

    issuer = fields.Url(required=True, require_tld=False)
    authorization_endpoint = fields.Url(required=True, require_tld=False)
    token_endpoint = fields.Url(required=True, require_tld=False)
    jwks_uri = fields.Url(required=True, require_tld=False)
    registration_endpoint = fields.Url(required=True, require_tld=False)
    platform_configuration = fields.Dict(data_key=PLATFORM_CONF, load_default=dict)


class RegistrationResponseSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    client_id = fields.String(required=True, validate=validate.Length(min=1, max=255))
    tool_configuration = fields.Dict(data_key=TOOL_CONF, load_default=dict)


def _get_json(url: str, token: str | None) -> dict:
    headers = {"Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        resp = requests.get(url, headers=headers, timeout=current_app.config["LTI_HTTP_TIMEOUT"])
        resp.raise_for_status()
        data = resp.json()
    except (requests.RequestException, ValueError):
        raise AppError(_("The LMS's OpenID configuration could not be read from %(url)s.", url=url),
                       status=400)
    if not isinstance(data, dict):
        raise AppError(_("The LMS's OpenID configuration is not a JSON object."), status=400)
    return data


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


def register(openid_url: str, token: str | None) -> Platform:
    """Read the platform's configuration, post ours, and store the result as pending."""
    try:
        conf = OpenIdConfigurationSchema().load(_get_json(openid_url, token))
    except ValidationError as exc:
        raise ValidationFailed(exc.messages, _("The LMS's OpenID configuration is incomplete."))
    if not openid_url.startswith(conf["issuer"].rstrip("/")):
        raise AppError(_("The OpenID configuration does not belong to the issuer it names."), status=400)
    headers = {"Content-Type": "application/json", "Accept": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    try:
        resp = requests.post(conf["registration_endpoint"], json=tool_registration_document(
            conf["platform_configuration"]), headers=headers,
            timeout=current_app.config["LTI_HTTP_TIMEOUT"])
        resp.raise_for_status()
        answer = RegistrationResponseSchema().load(resp.json())
    except (requests.RequestException, ValueError, ValidationError):
        raise AppError(_("The LMS did not accept the registration."), status=400)
    platform = platforms.add_platform(
        issuer=conf["issuer"], client_id=answer["client_id"],
        auth_login_url=conf["authorization_endpoint"], auth_token_url=conf["token_endpoint"],
        key_set_url=conf["jwks_uri"], name=conf["platform_configuration"].get("product_family_code"),
        source="dynamic", status=Platform.PENDING)
    deployment_id = answer["tool_configuration"].get("deployment_id")
    if deployment_id:
        platforms.add_deployment(platform, str(deployment_id), f"{conf['issuer']} (pending)")
    return platform


@bp.route("/register", methods=["GET"], endpoint="register")
@csrf.exempt
def register_view():
    """The URL an LMS administrator pastes into the LMS for dynamic registration."""
    try:
        args = RegistrationRequestSchema().load(request.args.to_dict())
    except ValidationError as exc:
        raise ValidationFailed(exc.messages, _("Open this address from the LMS's tool registration."))
    platform = register(args["openid_configuration"], args["registration_token"])
    return render_template("lti/registered.html", platform=platform)

