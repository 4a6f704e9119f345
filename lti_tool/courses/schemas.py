"""Input and output of the school pages and the courses API."""
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, fields, pre_load, validate

from ..db import MAX_ID
from .grants import COORDINATOR, GRANTABLE
from .overview import ROLES, STATES


class RoleChangeSchema(Schema):
    """Grant or take back a role the school gives: school admin or coordinator."""

    class Meta:
        unknown = EXCLUDE

    member_id = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=MAX_ID))
    role = fields.String(required=True, validate=validate.OneOf(GRANTABLE, error=_l("Choose school admin or coordinator.")))
    granted = fields.Boolean(required=True)


class CoordinatorChangeSchema(Schema):
    """The coordinator form's earlier shape (is_coordinator), read as a RoleChangeSchema for the coordinator role."""

    class Meta:
        unknown = EXCLUDE

    member_id = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=MAX_ID))
    granted = fields.Boolean(required=True, data_key="is_coordinator")
    role = fields.Constant(COORDINATOR)


class DeputySchema(Schema):
    """The school's deputy for reports that keep every coordinator away; empty: nobody."""

    class Meta:
        unknown = EXCLUDE

    member_id = fields.Integer(required=True, allow_none=True, strict=False,
                               validate=validate.Range(min=1, max=MAX_ID))

    @pre_load
    def _empty_is_none(self, data, **kwargs):
        if isinstance(data, dict) and data.get("member_id") == "":
            return {**data, "member_id": None}
        return data


class OverviewFilterSchema(Schema):
    """The overview's filters (query string or refresh form); empty means all, anything else is refused."""

    class Meta:
        unknown = EXCLUDE  # the launch token and the CSRF token travel alongside

    role = fields.String(load_default=None, allow_none=True, metadata={"description": "role in the course"},
                         validate=validate.OneOf(ROLES, error=_l("Choose a role from the list.")))
    status = fields.String(load_default=None, allow_none=True,
                           validate=validate.OneOf(STATES, error=_l("Choose a status from the list.")))

    @pre_load
    def _blank_is_all(self, data, **kwargs):
        return {key: (None if value == "" else value) for key, value in data.items()}


# --- output (the API) ------------------------------------------------------------------------------
# Teachers and school admins see the same fields: a name, a role and a standing. No e-mail
# addresses, and nothing of reports or cases, ever.

class PhoneMarkOut(Schema):
    """A phone exception that holds today in the course: its kind and until when, nothing more."""

    kind = fields.String(metadata={"enum": ["medical", "lesson", "other"]})
    ends_on = fields.Date()


class OverviewMemberOut(Schema):
    user_id = fields.Integer()
    name = fields.String()
    role = fields.String(metadata={"enum": list(ROLES)})
    launched = fields.Boolean(metadata={"description": "has opened the tool at least once"})
    state = fields.String(metadata={"enum": list(STATES)})
    current_version = fields.Integer(allow_none=True)
    due_date = fields.Date(allow_none=True)
    acknowledged_version = fields.Integer(allow_none=True)
    acknowledged_at = fields.DateTime(allow_none=True)
    phone_exceptions = fields.List(fields.Nested(PhoneMarkOut), metadata={
        "description": "phone exceptions that hold today in this course's lessons"})
    new_this_year = fields.Boolean(metadata={"description": "first seen after the school year's first day"})


class RosterOut(Schema):
    status = fields.String(allow_none=True, metadata={"enum": ["ok", "unavailable", "failed", None]})
    message = fields.String(allow_none=True, metadata={"description": (
        "why the roster could not be read: no_service, unreachable, timeout, token_refused, "
        "http:<status>, loop, too_many_pages, too_many_members, too_large, not_a_roster, "
        "other_course or other_server")})
    member_count = fields.Integer(allow_none=True)
    synced_at = fields.DateTime(allow_none=True)
    attempted_at = fields.DateTime(allow_none=True)


class CourseOut(Schema):
    id = fields.Integer()
    title = fields.String(allow_none=True)
    label = fields.String(allow_none=True)


class CountsOut(Schema):
    total = fields.Integer()
    percent_acknowledged = fields.Integer()
    acknowledged = fields.Integer()
    outdated = fields.Integer()
    not_yet = fields.Integer()
    overdue = fields.Integer()
    no_code = fields.Integer()


class CourseOverviewOut(Schema):
    course = fields.Nested(CourseOut)
    roster = fields.Nested(RosterOut)
    filters = fields.Nested(OverviewFilterSchema)
    counts = fields.Nested(CountsOut, metadata={"description": "everyone matching the role filter"})
    members = fields.List(fields.Nested(OverviewMemberOut),
                          metadata={"description": "matching both filters, by name"})


def member_data(row) -> dict:
    status = row.status
    return {"user_id": row.user_id, "name": row.name, "role": row.role, "launched": row.launched,
            "state": row.state, "current_version": status.current.number if status.current else None,
            "due_date": status.due_date, "new_this_year": status.new_this_year,
            "acknowledged_version": status.latest.version.number if status.latest else None,
            "acknowledged_at": status.latest.acknowledged_at if status.latest else None,
            "phone_exceptions": [{"kind": p.kind, "ends_on": p.ends_on} for p in row.phone]}


def course_overview_data(view) -> dict:
    """The CourseOverview as the API shows it."""
    roster = view.roster
    return {
        "course": view.course,
        "roster": {name: getattr(roster, name, None)
                   for name in ("status", "message", "member_count", "synced_at", "attempted_at")},
        "filters": {"role": view.role, "status": view.status},
        "counts": {"total": view.tally.total, "percent_acknowledged": view.tally.percent, **view.tally.counts},
        "members": [member_data(row) for row in view.rows],
    }
