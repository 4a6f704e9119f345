"""The first page after a launch, and the public landing page for LMS administrators."""
from flask import Blueprint, render_template, request, url_for

from ..security import current_launch
from ..transactions import reads_only
from .start import start_page

bp = Blueprint("home", __name__)


@bp.route("/")
@reads_only
def index():
    """Show the launched user where to go; without a launch, show how to register the tool."""
    launch = current_launch()
    if launch is None:
        return render_template("home/landing.html", endpoints=endpoints())
    return start_page(launch, request.full_path)


def endpoints() -> dict:
    """The URLs an LMS administrator pastes into the LMS."""
    return {
        "tool_url": url_for("home.index", _external=True),
        "login_url": url_for("lti.login", _external=True),
        "redirect_url": url_for("lti.launch", _external=True),
        "jwks_url": url_for("lti.jwks", _external=True),
        "registration_url": url_for("registration.register", _external=True),
    }
