"""Validating the exception forms and API bodies, and what each reader sees of an exception.

Role-scoped: a teacher's and a pupil's view (MarkOut) holds the kind and the period only; the
register's view (ExceptionOut) adds who granted it and the short note, for those who keep it.
"""
from datetime import date, timedelta

from flask_babel import lazy_gettext as _l
from marshmallow import (EXCLUDE, Schema, ValidationError, fields, pre_load, validate,
                         validates_schema)

from ..db import MAX_ID
from .models import KINDS, NOTE_MAX

# How far back a start may lie: a few days, to record an exception agreed last week, never a year.
BACKDATE_DAYS = 7
# The longest an exception lasts: one school year; the next year it is granted again.
MAX_DAYS = 365
# How far ahead a start may lie.
AHEAD_DAYS = 365
_DATE = {"required": _l("Fill in a date."), "invalid": _l("Fill in a date as dd-mm-yyyy.")}


def _without_blanks(data) -> dict:
    """Form fields left empty mean "not given"; the CSRF and launch tokens are checked elsewhere."""
    if not isinstance(data, dict):
        return data
    return {key: value for key, value in data.items() if key not in ("csrf_token", "lt") and value not in ("", None)}


class ExceptionIn(Schema):
    """A new or changed exception, checked against today (the school's date).

    kept_start: a changed exception's stored start, which may lie further back than a new one's.
    """

    class Meta:
        unknown = EXCLUDE

    def __init__(self, *, today: date | None = None, kept_start: date | None = None, **kwargs):
        super().__init__(**kwargs)
        self.today, self.kept_start = today or date.today(), kept_start

    pupil_id = fields.Integer(required=True, strict=False,
                              validate=validate.Range(min=1, max=MAX_ID, error=_l("Choose a pupil.")),
                              error_messages={"required": _l("Choose a pupil."), "invalid": _l("Choose a pupil.")})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS, error=_l("Choose the kind of exception.")),
                         error_messages={"required": _l("Choose the kind of exception.")})
    course_id = fields.Integer(load_default=None, allow_none=True, strict=False,
                               validate=validate.Range(min=1, max=MAX_ID, error=_l(
                                   "Choose a course from the list, or every lesson.")),
                               error_messages={"invalid": _l("Choose a course from the list, or every lesson.")})
    starts_on = fields.Date(required=True, error_messages=_DATE)
    ends_on = fields.Date(required=True, error_messages=_DATE)
    note = fields.String(load_default=None, allow_none=True, validate=validate.Length(
        max=NOTE_MAX, error=_l("Write at most %(max)s characters.", max=NOTE_MAX)))

    @pre_load
    def _blanks(self, data, **kwargs):
        data = _without_blanks(data)
        if isinstance(data, dict) and isinstance(data.get("note"), str):
            data["note"] = data["note"].strip() or None
        return data

    @validates_schema
    def _period(self, data, **kwargs):
        today = self.today
        starts, ends = data.get("starts_on"), data.get("ends_on")
        errors: dict = {}
        if starts is not None and starts < today - timedelta(days=BACKDATE_DAYS) \
                and starts != self.kept_start:
            errors["starts_on"] = [_l("The start may lie at most %(days)s days back.", days=BACKDATE_DAYS)]
        elif starts is not None and starts > today + timedelta(days=AHEAD_DAYS):
            errors["starts_on"] = [_l("The start may lie at most a year ahead.")]
        if starts is not None and ends is not None:
            if ends < starts:
                errors["ends_on"] = [_l("The end comes on or after the start.")]
            elif (ends - starts).days >= MAX_DAYS:
                errors["ends_on"] = [_l("An exception lasts at most one school year (365 days); grant a new one "
                                        "next school year.")]
        if ends is not None and ends < today and "ends_on" not in errors:
            errors["ends_on"] = [_l("The end lies in the past; use “End now” to end an exception.")]
        if errors:
            raise ValidationError(errors)


class SettingsIn(Schema):
    """Who grants exceptions at the school, and how many days ahead a granter hears that one ends."""

    class Meta:
        unknown = EXCLUDE

    school_admins_grant = fields.Boolean(load_default=False)
    coordinators_grant = fields.Boolean(load_default=False)
    mentors_grant = fields.Boolean(load_default=False)
    reminder_days = fields.Integer(required=True, strict=False, validate=validate.Range(
        min=1, max=60, error=_l("Between 1 and 60 days.")),
        error_messages={"required": _l("Fill in a number."), "invalid": _l("Fill in a whole number.")})

    @validates_schema(skip_on_field_errors=False)
    def _someone_grants(self, data, **kwargs):
        if not any(data.get(name) for name in ("school_admins_grant", "coordinators_grant", "mentors_grant")):
            raise ValidationError({"grantors": [_l("Choose at least one role that grants exceptions.")]})


class RegisterFilter(Schema):
    """The register's view: what holds now and is coming (the default), or what ended."""

    class Meta:
        unknown = EXCLUDE

    show = fields.String(load_default="current", validate=validate.OneOf(
        ("current", "past"), error=_l("Choose current or past.")))


def settings_form(form) -> dict:
    """The settings form as SettingsIn data: a checkbox is sent only when ticked."""
    data = {name: name in form for name in ("school_admins_grant", "coordinators_grant", "mentors_grant")}
    if form.get("reminder_days", "") != "":
        data["reminder_days"] = form.get("reminder_days")
    return data


# --- output ---------------------------------------------------------------------------------------

class MarkOut(Schema):
    """What a teacher and the pupil see: that there is an exception, its kind and its period."""

    kind = fields.String(metadata={"enum": list(KINDS)})
    starts_on = fields.Date()
    ends_on = fields.Date()
    course_id = fields.Integer(allow_none=True, metadata={"description": "only in this course's lessons; null: all"})


class ExceptionOut(MarkOut):
    """An exception in the register, for those who keep it."""

    id = fields.Integer()
    pupil_id = fields.Integer()
    pupil_name = fields.String()
    course_title = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    state = fields.String(metadata={"enum": ["current", "upcoming", "ended", "expired"]})
    granted_by = fields.String(allow_none=True)
    granted_at = fields.DateTime()
    ended_at = fields.DateTime(allow_none=True)


class RegisterOut(Schema):
    exceptions = fields.List(fields.Nested(ExceptionOut))


class MineOut(Schema):
    exceptions = fields.List(fields.Nested(MarkOut), metadata={"description": "current and upcoming"})


class SettingsOut(Schema):
    school_admins_grant = fields.Boolean()
    coordinators_grant = fields.Boolean()
    mentors_grant = fields.Boolean()
    reminder_days = fields.Integer()
