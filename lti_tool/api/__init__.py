"""The JSON API (/api/v1): the same operations as the pages, for scripts and the LMS frame.

Requests name their launch in the X-Launch-Token header (never a cookie), so no other site can
make a browser call it: CSRF checks are therefore exempt here and nowhere else.
"""
from flask import Blueprint, g, jsonify, request
from flask_babel import gettext as _

from ..errors import AppError, NotAuthenticated
from ..extensions import csrf
from ..security import TOKEN_HEADER
from .spec import spec

bp = Blueprint("api", __name__, url_prefix="/api/v1")
csrf.exempt(bp)


@bp.before_request
def _header_token_only():
    """Only the launch token header authenticates the API; a cookie alone is not enough."""
    if request.endpoint == "api.openapi":
        return
    if not request.headers.get(TOKEN_HEADER) or g.get("launch") is None:
        raise NotAuthenticated(_("Send the launch token in the X-Launch-Token header."))


def json_object() -> dict:
    """The request's JSON object ({} without a body, so the schema names what is missing); other JSON is a 400."""
    body = request.get_json(silent=True)
    if body is None:
        return {}
    if not isinstance(body, dict):
        raise AppError(_("The body must be a JSON object."))
    return body


@bp.route("/openapi.json")
def openapi():
    """The OpenAPI document of this API, built from the marshmallow schemas."""
    return jsonify(spec().to_dict())
