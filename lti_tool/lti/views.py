"""The LTI endpoints: login, launch (redirect URI), the tool's JWKS, and deep linking."""
from urllib.parse import urlencode, urlsplit

from flask import Blueprint, jsonify, make_response, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from pylti1p3.contrib.flask import FlaskRequest

from ..errors import LaunchRefused, ValidationFailed
from ..extensions import csrf, db
from ..home.start import start_page
from ..platforms import keys
from ..security import STAFF, SCHOOL_ADMIN, current_launch, roles_required
from . import deep_linking, login_state, operations, sessions
from .cookies import FrameCookieService
from .schemas import DeepLinkChoiceSchema, LoginSchema
from .validation import NoStateCookie, StorageProofNeeded, VeiligMessageLaunch

bp = Blueprint("lti", __name__, url_prefix="/lti")
# Built once: a schema keeps no state between loads, and every launch's login loads one.
_login_schema = LoginSchema()


def _params() -> dict:
    return request.args if request.method == "GET" else request.form


@bp.route("/login", methods=["GET", "POST"])
@csrf.exempt
def login():
    """Third-party initiated login: send the browser to the LMS with a signed state and a nonce."""
    try:
        params = _login_schema.load(dict(_params().items()))
    except ValidationError as exc:
        raise LaunchRefused(_("The login request from the LMS is incomplete."),
                            hint=_("Missing or invalid: %(fields)s.", fields=", ".join(sorted(exc.messages))))
    url, login = operations.begin_login(params, url_for("lti.launch", _external=True))
    if login_state.storage_target(login) and not params.get("new_window"):
        # The LMS offers platform storage: the page leaves the login's secret there, then goes on
        # to the LMS. The cookie is set too, for a browser that keeps it.
        response = make_response(render_template(
            "lti/platform_storage.html", mode="put", target=login_state.storage_target(login),
            origin=_origin(url), key=login_state.storage_key(login), value=login.secret, next_url=url))
    else:
        response = redirect(url)
    response.set_cookie(login_state.cookie_name(login), login.secret, max_age=login_state.lifetime(),
                        path="/", secure=True, httponly=True, samesite="None", partitioned=True)
    return response


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


@bp.route("/launch", methods=["POST"])
@csrf.exempt
def launch():
    """The redirect URI: validate the id_token and start a session (or a deep-linking choice)."""
    if "id_token" not in request.form:
        if request.form.get("error"):
            raise LaunchRefused(_("The LMS refused the sign-in: %(error)s.",
                                  error=request.form.get("error_description") or request.form["error"]))
        raise LaunchRefused(_("The launch carries no id_token."),
                            hint=_("The LMS must post the id_token to this address."))
    message = VeiligMessageLaunch(FlaskRequest(), operations.tool_conf(),
                                  cookie_service=FrameCookieService(FlaskRequest()))
    try:
        message.validate()
    except StorageProofNeeded as exc:
        # Nothing of this attempt is kept (the nonce stays unused): the page asks the LMS's platform
        # storage for the login's secret and sends the launch again with it.
        db.session.rollback()
        login = exc.login
        target = login_state.storage_target(login)
        return render_template(
            "lti/platform_storage.html", mode="get", target=target, key=login_state.storage_key(login),
            origin=exc.platform_origin, action=url_for("lti.launch"),
            fields={"id_token": request.form.get("id_token", ""), "state": request.form.get("state", "")},
            new_window=_new_window(login))
    except NoStateCookie as exc:
        return render_template("lti/new_window.html", error=exc, new_window=_new_window(exc.login)), 401
    session = operations.complete_launch(message, message.login.platform_id)
    if session.message_type == "LtiDeepLinkingRequest":
        return redirect(url_for("lti.deep_link"))
    # The launch answers with its start page (or the gate's redirect to the code) instead of a
    # redirect to it: on a phone inside the LMS that is one round trip less before anything shows.
    home = url_for("home.index")
    return start_page(session, home, address=home, launching=True)


def _new_window(login) -> str | None:
    """The login again, first-party in a new window, where the state cookie works."""
    if login is None:
        return None
    return url_for("lti.login", _external=True) + "?" + urlencode(dict(login.login_params, new_window="1"))


@bp.route("/leave", methods=["POST"])
def leave():
    """"Leave quickly" ends this tab's launch, so Back shows no report page, only "open the tool from
    your course". Sent by static/js/quick_exit.js as the page goes (the launch token is its proof)."""
    launch = current_launch()
    if launch is not None:
        sessions.end(launch)
    return "", 204


@bp.route("/jwks")
def jwks():
    """The tool's public keys, as {"keys": [...]}."""
    response = jsonify(keys.jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


@bp.route("/deep-link", methods=["GET", "POST"])
@roles_required(STAFF, SCHOOL_ADMIN)
def deep_link():
    """Let a teacher choose what to place in the course, and answer the LMS with signed items."""
    launch = deep_linking.require_deep_link_launch()
    if request.method == "GET":
        return render_template("lti/deep_link.html", settings=launch.claims["deep_linking_settings"])
    try:
        choice = DeepLinkChoiceSchema().load({"items": request.form.getlist("items")})
    except ValidationError as exc:
        raise ValidationFailed(exc.messages, _("Choose at least one item to add."))
    return_url, token = deep_linking.response_for(launch, choice["items"])
    return render_template("lti/autosubmit.html", action=return_url, fields={"JWT": token})
