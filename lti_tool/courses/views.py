"""School pages: coordinators, and who acknowledged the code per course and school-wide."""
from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext as _
from marshmallow import ValidationError

from .. import spreadsheet
from ..errors import ValidationFailed
from ..schoolcalendar import queries as schoolyear
from ..security import SCHOOL_ADMIN, STAFF, roles_required
from . import export, grants, operations, overview, queries, roster
from .labels import Words
from .models import RosterSync
from .schemas import CoordinatorChangeSchema, DeputySchema, OverviewFilterSchema, RoleChangeSchema

bp = Blueprint("school", __name__, url_prefix="/school")


@bp.context_processor
def _helpers():
    return {"words": Words(), "format_datetime": format_datetime, "STATES": overview.STATES,
            "ROLES": overview.ROLES, "ROSTER_OK": RosterSync.OK}


@bp.route("/coordinators", methods=["GET"])
@roles_required(SCHOOL_ADMIN)
def coordinators():
    """The school's staff with the roles the school grants them (coordinator, school admin), and the deputy."""
    members = queries.school_staff(g.launch.school_id)
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


@bp.route("/roles", methods=["POST"])
@roles_required(SCHOOL_ADMIN)
def change_role():
    """Grant or take back a member's school admin or coordinator role; it counts from their next request."""
    return _change(RoleChangeSchema)


@bp.route("/coordinators", methods=["POST"])
@roles_required(SCHOOL_ADMIN)
def change_coordinator():
    """The coordinator form's earlier address (member_id, is_coordinator): the same change as /roles."""
    return _change(CoordinatorChangeSchema)


def _change(schema):
    try:
        data = schema().load(request.form.to_dict())
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)
    member = queries.school_member(g.launch.school_id, data["member_id"])
    grants.change(g.member, member, data["role"], data["granted"])
    flash(_MESSAGES[(data["role"], data["granted"])]() % {"name": member.user.display_name})
    return redirect(url_for("school.coordinators"), 303)


_MESSAGES = {
    (grants.COORDINATOR, True): lambda: _("%(name)s is now a coordinator."),
    (grants.COORDINATOR, False): lambda: _("%(name)s is no longer a coordinator."),
    (SCHOOL_ADMIN, True): lambda: _("%(name)s is now a school admin."),
    (SCHOOL_ADMIN, False): lambda: _("%(name)s is no longer a school admin."),
}


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
    return render_template("courses/overview.html", view=overview_of(course_id),
                           school_year=schoolyear.school_year(g.launch.school_id))


@bp.route("/courses/<int:course_id>/overview.csv", methods=["GET"])
@roles_required(STAFF, SCHOOL_ADMIN)
def course_overview_csv(course_id: int):
    """The same overview, with the same filters, as a CSV download."""
    return csv_response(overview_of(course_id))


def csv_response(view) -> Response:
    return spreadsheet.download(export.overview_csv(view), export.filename(view))


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
