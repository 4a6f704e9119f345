"""The demo LMS's web face: its course page, OIDC endpoint, JWKS, token, AGS, NRPS and registration.

Mounted at /demo inside the tool when `lti-tool demo` runs, or served on its own port in tests.
The tool still reaches it only over HTTP, as it would a real LMS.
"""
import os

from flask import Blueprint, Flask, current_app, jsonify, redirect, render_template, request, url_for

from .platform import AGS_SCOPES, NRPS_SCOPE, DemoLMS, ServiceError

bp = Blueprint("demo", __name__)

LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
LINEITEMS = "application/vnd.ims.lis.v2.lineitemcontainer+json"
SCORE = "application/vnd.ims.lis.v1.score+json"
RESULTS = "application/vnd.ims.lis.v2.resultcontainer+json"
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def lms() -> DemoLMS:
    return current_app.extensions["demo_lms"]


@bp.errorhandler(ServiceError)
def _service_error(exc: ServiceError):
    if request.endpoint in ("demo.auth", "demo.deep_link_return", "demo.launch"):
        return render_template("demo/problem.html", message=exc.message), exc.status
    return jsonify({"error": exc.message}), exc.status


# --- pages ----------------------------------------------------------------------------------------

@bp.route("/")
def index():
    """The course page: launch the tool as any of the course's people, and see the gradebook."""
    platform = lms()
    members = platform.members()
    grades = {item_id: platform.scores.get(item_id, {}) for item_id in platform.line_items}
    return render_template("demo/course.html", lms=platform, members=members, grades=grades,
                           people=[u for u in platform.users.values() if not u.key.startswith("bulk-")],
                           mailbox=current_app.extensions.get("demo_mailbox"))


@bp.route("/join", methods=["POST"])
def join():
    """A pupil joins the course later in the year (for the school year's own due dates)."""
    lms().add_newcomer()
    return redirect(url_for("demo.index"), 303)


@bp.route("/launch")
def launch():
    """Start a launch the way an LMS does: send the browser to the tool's login URL."""
    platform = lms()
    user, link = request.args.get("user", ""), request.args.get("link", "code")
    if user not in platform.users:
        raise ServiceError(400, "Choose a person to launch as.")
    locale = request.args.get("locale") if request.args.get("locale") in ("nl-NL", "en-GB") else None
    storage = request.args.get("storage") == "1"
    if link == "add":
        return redirect(platform.login_initiation_url(user, "LtiDeepLinkingRequest", locale=locale, storage=storage))
    if link not in platform.links:
        raise ServiceError(400, "This activity is not in the course.")
    return redirect(platform.login_initiation_url(user, link=link, locale=locale, storage=storage))


@bp.route("/auth", methods=["GET", "POST"])
def auth():
    """The OIDC authorization endpoint: answer with an id_token posted to the tool."""
    params = request.args if request.method == "GET" else request.form
    action, fields = lms().authorize(params.to_dict())
    return render_template("demo/post_to_tool.html", action=action, fields=fields)


@bp.route("/deep-link-return", methods=["POST"])
def deep_link_return():
    """Receive the tool's signed choice of items and place them in the course."""
    placed = lms().accept_deep_link_response(request.form.get("JWT", ""))
    return render_template("demo/placed.html", placed=placed)


# --- keys, tokens, registration -----------------------------------------------------------------

@bp.route("/jwks")
def jwks():
    return jsonify({"keys": [lms().public_jwk]})


@bp.route("/token", methods=["POST"])
def token():
    return jsonify(lms().issue_token(request.form.to_dict()))


@bp.route("/.well-known/openid-configuration")
def openid_configuration():
    return jsonify(lms().openid_configuration())


@bp.route("/register", methods=["POST"])
def register():
    document = request.get_json(silent=True)
    if document is None:
        raise ServiceError(400, "the registration must be a JSON object")
    return jsonify(lms().register_tool(request.headers.get("Authorization"), document))


# --- Assignment and Grade Services --------------------------------------------------------------

def _course(course_id: str) -> DemoLMS:
    platform = lms()
    if course_id != platform.course_id and course_id not in platform.item_course.values():
        raise ServiceError(404, "no such course")
    return platform


def _json_body(media_type: str) -> dict:
    if request.mimetype != media_type:
        raise ServiceError(415, f"expected {media_type}")
    body = request.get_json(force=True, silent=True)
    if not isinstance(body, dict):
        raise ServiceError(400, "the body must be a JSON object")
    return body


@bp.route("/api/courses/<course_id>/lineitems", methods=["GET", "POST"])
def line_items(course_id):
    platform = _course(course_id)
    platform.maybe_fail()
    if request.method == "POST":
        platform.check_token(request.headers.get("Authorization"), AGS_SCOPES["lineitem"])
        item = platform.create_line_item(_json_body(LINEITEM), course_id)
        return jsonify(item), 201, {"Content-Type": LINEITEM}
    platform.check_token(request.headers.get("Authorization"), AGS_SCOPES["lineitem"],
                         AGS_SCOPES["lineitem.readonly"])
    items = platform.find_line_items(request.args.to_dict(), course_id)
    return jsonify(items), 200, {"Content-Type": LINEITEMS}


@bp.route("/api/courses/<course_id>/lineitems/<item_id>", methods=["GET", "PUT", "DELETE"])
def line_item(course_id, item_id):
    platform = _course(course_id)
    platform.maybe_fail()
    scopes = [AGS_SCOPES["lineitem"]] + ([AGS_SCOPES["lineitem.readonly"]] if request.method == "GET" else [])
    platform.check_token(request.headers.get("Authorization"), *scopes)
    if item_id not in platform.line_items:
        raise ServiceError(404, "no such line item")
    if request.method == "DELETE":
        platform.line_items.pop(item_id)
        return "", 204
    if request.method == "PUT":
        changes = _json_body(LINEITEM)
        platform.line_items[item_id].update({k: v for k, v in changes.items() if k in (
            "label", "scoreMaximum", "tag", "resourceId", "startDateTime", "endDateTime")})
    return jsonify(platform.line_items[item_id]), 200, {"Content-Type": LINEITEM}


@bp.route("/api/courses/<course_id>/lineitems/<item_id>/scores", methods=["POST"])
def scores(course_id, item_id):
    platform = _course(course_id)
    platform.maybe_fail()
    platform.check_token(request.headers.get("Authorization"), AGS_SCOPES["score"])
    platform.post_score(item_id, _json_body(SCORE))
    return "", 204


@bp.route("/api/courses/<course_id>/lineitems/<item_id>/results")
def results(course_id, item_id):
    platform = _course(course_id)
    platform.check_token(request.headers.get("Authorization"), AGS_SCOPES["result.readonly"])
    if item_id not in platform.line_items:
        raise ServiceError(404, "no such line item")
    maximum = platform.line_items[item_id]["scoreMaximum"]
    body = [{"id": f"{platform.line_item_url(item_id)}/results/{user}", "userId": user,
             "resultScore": score.get("scoreGiven"), "resultMaximum": maximum,
             "scoreOf": platform.line_item_url(item_id)}
            for user, score in platform.scores[item_id].items()]
    return jsonify(body), 200, {"Content-Type": RESULTS}


# --- Names and Role Provisioning Services -------------------------------------------------------

@bp.route("/api/courses/<course_id>/memberships")
def memberships(course_id):
    platform = _course(course_id)
    platform.check_token(request.headers.get("Authorization"), NRPS_SCOPE)
    try:
        page = max(1, int(request.args.get("page", "1")))
        limit = int(request.args["limit"]) if request.args.get("limit") else None
    except ValueError:
        raise ServiceError(400, "page and limit must be numbers")
    body, next_url = platform.memberships_page(page, limit, request.args.get("role"))
    headers = {"Content-Type": MEMBERSHIPS}
    if next_url:
        headers["Link"] = f'<{next_url}>; rel="next"'
    return jsonify(body), 200, headers


# --- wiring ------------------------------------------------------------------------------------

def register_demo(app: Flask) -> DemoLMS:
    """Mount the demo LMS at /demo inside the tool (demo mode only)."""
    from ..extensions import csrf
    base = (app.config.get("DEMO_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    platform = DemoLMS(issuer=base + "/demo", tool_base_url=base, client_id="veilig-online-demo",
                       deployment_id="1", school_name=DEMO_SCHOOL)
    app.extensions["demo_lms"] = platform
    csrf.exempt(bp)  # the LMS's endpoints are called by the tool, not by the tool's forms
    app.register_blueprint(bp, url_prefix="/demo")
    return platform


def create_lms_app(platform: DemoLMS) -> Flask:
    """Serve the LMS on its own, at the path of its issuer (as in tests)."""
    from urllib.parse import urlsplit

    from ..extensions import babel
    app = Flask("lti_tool.demo", template_folder=os.path.join(ROOT, "templates"),
                static_folder=os.path.join(ROOT, "lti_tool", "static"))
    app.config.update(BABEL_TRANSLATION_DIRECTORIES=os.path.join(ROOT, "lti_tool", "translations"),
                      BABEL_DEFAULT_LOCALE="nl")
    babel.init_app(app)
    app.extensions["demo_lms"] = platform
    app.register_blueprint(bp, url_prefix=urlsplit(platform.issuer).path or None)
    return app


DEMO_SCHOOL = "Demoschool De Linde"
