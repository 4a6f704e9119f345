"""The code as its reader sees it: read, answer the check, acknowledge; re-read any time."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..errors import ValidationFailed
from ..security import launched, with_selector
from ..transactions import reads_only
from . import operations, queries
from .gate import safe_next
from .schemas import AcknowledgeSchema, ReadQuerySchema, form_to_acknowledgement

bp = Blueprint("acknowledgements", __name__, url_prefix="/code")


def _actor() -> operations.Actor:
    launch = g.launch
    return operations.Actor(launch.school_id, launch.user_id, launch.role, launch.course_id)


def _page(locale: str, next_url: str | None, *, status: int = 200, check=None, form=None):
    launch = g.launch
    state = queries.status(launch.school_id, launch.user_id, launch.role)
    return render_template(
        "acknowledgements/code.html", status=state, version=state.current, locale=locale,
        next_url=next_url, check=check, form=form or {},
        history=queries.history(launch.school_id, launch.user_id)), status


@bp.route("", methods=["GET"])
@launched
def read():
    """Show the person's current code, their standing with it, and (when due) the acknowledgement form."""
    try:
        args = ReadQuerySchema().load(request.args.to_dict())
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)
    return _page(args["lang"] or g.launch.locale, safe_next(args["next"]))


@bp.route("/view")
@reads_only
def view():
    """The code in read-only form: where "leave quickly" goes, so it must say nothing of reporting.

    With a launch it shows the school's published code for the person (no status, no form, no
    history); without one (the browser refused the session, or it was opened from history) a
    general page. Either way it looks like an ordinary visit to the code of conduct.
    """
    from ..conduct import queries as conduct
    from ..security import STUDENT, current_launch
    launch = current_launch()
    version = locale = None
    if launch is not None:
        audience = "student" if launch.role == STUDENT else "staff"
        version = conduct.current_version(launch.school_id, audience)
        locale = launch.locale if launch.locale in ("nl", "en") else "nl"
    # Without a launch the same calm page answers 401, like every address of the tool opened
    # outside its launch (a copied link shows nothing, and says to open the tool from the LMS).
    return render_template("acknowledgements/view.html", version=version, locale=locale, neutral=True), \
        200 if launch is not None else 401


@bp.route("/acknowledge", methods=["POST"])
@launched
def acknowledge():
    """Record the acknowledgement, then continue where the person was going."""
    raw = form_to_acknowledgement(request.form)
    try:
        data = AcknowledgeSchema().load(raw)
    except ValidationError as exc:
        if set(exc.messages) <= {"confirm", "answers"}:
            return _page(raw.get("locale") if raw.get("locale") in ("nl", "en") else g.launch.locale,
                         safe_next(raw.get("next")), status=400, form=request.form,
                         check={"message": _("Tick the box to confirm that you read the code."),
                                "wrong": [], "rules": []})
        raise ValidationFailed(exc.messages)
    try:
        operations.acknowledge(_actor(), data["version_id"], data["answers"], data["locale"])
    except operations.CheckFailed as failed:
        return _page(data["locale"], safe_next(data["next"]), status=422, form=request.form,
                     check={"message": failed.message, "wrong": failed.wrong, "rules": failed.rules})
    flash(_("Thank you. Your acknowledgement is recorded."))
    next_url = safe_next(data["next"])
    if next_url:
        return redirect(with_selector(next_url), 303)
    return redirect(url_for("acknowledgements.read"), 303)
