"""Where the coordinators' e-mail links to: the queue, reached through a launch from the LMS.

The link carries no token and names no case. Opened in a browser where the tool is launched, it
goes straight to the queue; otherwise it asks to open the tool from the LMS and leaves a small
content-free cookie, so that the next launch of a coordinator in this browser lands on the queue.
"""
from flask import make_response, redirect, render_template, request, url_for

from ..security import current_launch
from ..transactions import reads_only
from .blueprint import bp
from .notifications import AFTER_LAUNCH_COOKIE, QUEUE, handles_cases


@bp.route("/from-mail")
@reads_only
def from_mail():
    """The e-mail's link: the queue after a launch; until then, how to open the tool from the LMS."""
    launch = current_launch()
    if launch is not None and handles_cases(launch):
        return redirect(url_for("cases.queue"), 303)
    response = make_response(render_template("cases/from_mail.html", launched=launch is not None))
    secure = request.is_secure
    response.set_cookie(AFTER_LAUNCH_COOKIE, QUEUE, max_age=3600, httponly=True, secure=secure,
                        samesite="None" if secure else "Lax", path="/")
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.after_request
def _forget_the_way_in(response):
    """The queue reached: the cookie from the e-mail's link has done its work (it leads only once)."""
    if request.endpoint == "cases.queue" and AFTER_LAUNCH_COOKIE in request.cookies and response.status_code == 200:
        response.delete_cookie(AFTER_LAUNCH_COOKIE, path="/")
    return response
