"""The courses API: a course's acknowledgement overview and its CSV export. Same operations as the pages."""
from flask import jsonify

from ..api import bp
from ..api.spec import document
from ..security import SCHOOL_ADMIN, STAFF, roles_required
from .schemas import CourseOverviewOut, OverviewFilterSchema, course_overview_data
from .views import csv_response, overview_of


@bp.route("/courses/<int:course_id>/overview")
@roles_required(STAFF, SCHOOL_ADMIN)
def courses_overview(course_id: int):
    """A course's members and their standing with the code, with counts; filters as on the page."""
    return jsonify(CourseOverviewOut().dump(course_overview_data(overview_of(course_id))))


@bp.route("/courses/<int:course_id>/overview.csv")
@roles_required(STAFF, SCHOOL_ADMIN)
def courses_overview_csv(course_id: int):
    """The same overview as a CSV file."""
    return csv_response(overview_of(course_id))


_parameters = [
    {"in": "path", "name": "course_id", "required": True, "schema": {"type": "integer"}},
    {"in": "query", "schema": OverviewFilterSchema},
]
_refusals = {
    "400": {"description": "a filter is not one of the allowed values"},
    "401": {"description": "no launch token"},
    "403": {"description": "not staff in this course, nor a school admin of its school"},
    "404": {"description": "no such course at this school"},
}
document("/courses/{course_id}/overview", {"get": {
    "summary": "A course's acknowledgement overview",
    "description": "Reads the roster from the LMS first when it is older than a few minutes; "
                   "`roster.status` says whether that worked.",
    "parameters": _parameters,
    "responses": {"200": {"content": {"application/json": {"schema": "CourseOverview"}}}, **_refusals}}},
    {"CourseOverview": CourseOverviewOut})
document("/courses/{course_id}/overview.csv", {"get": {
    "summary": "A course's acknowledgement overview as CSV",
    "parameters": _parameters,
    "responses": {"200": {"content": {"text/csv": {"schema": {"type": "string"}}}}, **_refusals}}})
