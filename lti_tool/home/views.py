"""The first page after a launch, and the public landing page for LMS administrators."""
from flask import Blueprint, redirect, render_template, request, url_for

from ..reports.queries import unread_counts
from ..security import current_launch
from ..transactions import reads_only

bp = Blueprint("home", __name__)


@bp.route("/")
@reads_only
def index():
    """Show the launched user where to go; without a launch, show how to register the tool."""
    launch = current_launch()
    if launch is None:
        return render_template("home/landing.html", endpoints=endpoints())
    return first_page(launch)


def first_page(launch, *, address: str | None = None):
    """The launched user's start page; also what a launch answers with (see lti.views.launch).

    address is the page's own address when it answers another one's request (the launch's POST):
    the page then takes that address in the browser's history, so reloading it reloads the page.
    """
    # A "Report an incident" link in the LMS opens the report form (?view=home: the start page).
    if ((launch.claims or {}).get("custom") or {}).get("placement") == "report" \
            and request.args.get("view") != "home":
        return redirect(url_for("reports.new"), 303)
    unread = sum(unread_counts(launch.school_id, launch.user_id).values())
    return render_template("home/index.html", launch=launch, unread_answers=unread, page_address=address)


def endpoints() -> dict:
    """The URLs an LMS administrator pastes into the LMS."""
    return {
        "tool_url": url_for("home.index", _external=True),
        "login_url": url_for("lti.login", _external=True),
        "redirect_url": url_for("lti.launch", _external=True),
        "jwks_url": url_for("lti.jwks", _external=True),
        "registration_url": url_for("registration.register", _external=True),
    }
