"""School pages: coordinators, and who acknowledged the code per course and school-wide."""
from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext as _
from marshmallow import ValidationError

from ..errors import ValidationFailed
from ..security import SCHOOL_ADMIN, STAFF, roles_required
from . import export, operations, overview, queries, roster
from .labels import Words
from .models import RosterSync
from .schemas import CoordinatorChangeSchema, DeputySchema, OverviewFilterSchema

bp = Blueprint("school", __name__, url_prefix="/school")


@bp.context_processor
def _helpers():
    return {"words": Words(), "format_datetime": format_datetime, "STATES": overview.STATES,
            "ROLES": overview.ROLES, "ROSTER_OK": RosterSync.OK}


@bp.route("/coordinators", methods=["GET"])
@roles_required(SCHOOL_ADMIN)
def coordinators():
    """List the school's staff and coordinators."""
    members = queries.school_members(g.launch.school_id)
    return render_template("courses/coordinators.html", members=members,
                           **operations.DEPUTY.ask(g.launch.school_id))


@bp.route("/deputy", methods=["POST"])
@roles_required(SCHOOL_ADMIN)
def change_deputy():
    """Name the staff member who handles reports that keep every coordinator away, or nobody."""
    try:
        data = DeputySchema().load(request.form.to_dict())
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)
    member = queries.school_member(g.launch.school_id, data["member_id"]) if data["member_id"] else None
    operations.NAME_DEPUTY.send(g.member, member)
    flash(_("%(name)s is now the deputy.", name=member.user.display_name) if member
          else _("The school has no deputy now."))
    return redirect(url_for("school.coordinators"), 303)


@bp.route("/coordinators", methods=["POST"])
@roles_required(SCHOOL_ADMIN)
def change_coordinator():
    """Designate or undesignate one member of the school as coordinator."""
    try:
        data = CoordinatorChangeSchema().load(request.form.to_dict())
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)
    member = queries.school_member(g.launch.school_id, data["member_id"])
    operations.set_coordinator(g.member, member, data["is_coordinator"])
    flash(_("%(name)s is now a coordinator.", name=member.user.display_name) if data["is_coordinator"]
          else _("%(name)s is no longer a coordinator.", name=member.user.display_name))
    return redirect(url_for("school.coordinators"))


def load_filters(data) -> dict:
    """The overview's role and status filters; anything but a known value is a 400."""
    try:
        return OverviewFilterSchema().load(data.to_dict())
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)


def overview_of(course_id: int) -> overview.CourseOverview:
    """The overview of a course this launch may oversee, with the request's filters; the roster read first when old.

    The page, its CSV and the API all answer with it.
    """
    course = queries.overseeable_course(g.launch, course_id)
    filters = load_filters(request.args)
    roster.refresh_if_stale(course)
    return overview.course_overview(course, **filters)


@bp.route("/courses/<int:course_id>/overview", methods=["GET"])
@roles_required(STAFF, SCHOOL_ADMIN)
def course_overview(course_id: int):
    """A course's members and where each stands with the code."""
    return render_template("courses/overview.html", view=overview_of(course_id))


@bp.route("/courses/<int:course_id>/overview.csv", methods=["GET"])
@roles_required(STAFF, SCHOOL_ADMIN)
def course_overview_csv(course_id: int):
    """The same overview, with the same filters, as a CSV download."""
    return csv_response(overview_of(course_id))


def csv_response(view) -> Response:
    return Response(export.overview_csv(view), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{export.filename(view)}"',
        "Cache-Control": "no-store"})


@bp.route("/courses/<int:course_id>/roster", methods=["POST"])
@roles_required(STAFF, SCHOOL_ADMIN)
def refresh_roster(course_id: int):
    """Read the course's roster from the LMS now, then show the overview with the same filters."""
    course = queries.overseeable_course(g.launch, course_id)
    filters = load_filters(request.form)
    record = roster.sync(course)
    if record.status == RosterSync.OK:
        flash(_("The roster was read from the LMS: %(count)s members.", count=record.member_count))
    return redirect(url_for("school.course_overview", course_id=course.id, **filters), 303)


@bp.route("/overview", methods=["GET"])
@roles_required(SCHOOL_ADMIN)
def school_overview():
    """The school's students and staff: in total and per course, each course linking to its overview."""
    return render_template("courses/school_overview.html",
                           view=overview.school_overview(g.launch.school_id))
