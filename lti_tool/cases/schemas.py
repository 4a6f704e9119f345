"""Validating the coordinator's forms and API bodies, and what the API shows of a case.

Role-scoped: a queue row (CaseSummaryOut) holds no content at all; the case itself (CaseOut) with
its details, notes and messages exists only for coordinators. No schema has a field for the
reporter's sealed link or lookup hash, and a pseudonymous reporter shows only as their pseudonym.
"""
from datetime import datetime, timezone

from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, RAISE, Schema, ValidationError, fields, post_load, pre_load, validate

from ..db import MAX_ID
from ..reports.models import CATEGORIES, STATUSES
from ..reports.schemas import ReportIn
from .audit import AUDIT_ACTIONS
from .closing import UNANSWERED_REASONS
from .operations import MAX_BODY, MAX_STEP_NOTE, OUTCOMES
from .protocol import STEPS
from .queries import Cursor

ENTRY_SOURCES = ("phone", "in_person", "email", "other")
STEP_STATES = ("done", "not_applicable", "open")


def _without_blanks(data: dict, keep=("csrf_token", "lt")) -> dict:
    """Form fields left empty mean "not given"; the CSRF and launch token fields are checked elsewhere."""
    return {key: value for key, value in data.items() if key not in keep and value not in ("", None)}


class CursorField(fields.Field):
    """The queue's keyset cursor as it travels in a link: urgent_microseconds_id.

    It carries the created_at it orders by, which for a pseudonymous report is already the start
    of its part of the day: never a finer time than the page shows.
    """

    def _deserialize(self, value, attr, data, **kwargs):
        try:
            urgent, micros, ident = str(value).split("_")
            if urgent not in ("0", "1") or not 1 <= int(ident) <= MAX_ID:
                raise ValueError
            return Cursor(urgent == "1", datetime.fromtimestamp(int(micros) / 1_000_000, timezone.utc), int(ident))
        except (ValueError, OverflowError, OSError):
            raise ValidationError(_l("This page link is not valid; start from the first page."))

    def _serialize(self, value, attr, obj, **kwargs):
        return value.encode() if value else None


class AssigneeFilter(fields.Field):
    """me, none, any, or a coordinator's user id."""

    def _deserialize(self, value, attr, data, **kwargs):
        if value in ("me", "none", "any"):
            return value
        try:
            user_id = int(value)
        except (TypeError, ValueError):
            user_id = None
        if user_id is None or not 1 <= user_id <= MAX_ID:
            raise ValidationError(_l("Choose me, nobody, anyone or a coordinator."))
        return user_id


class QueueFilterSchema(Schema):
    """The queue's filters, from the page's query string or the API's."""

    class Meta:
        unknown = RAISE

    status = fields.String(load_default="open", validate=validate.OneOf(("open", "all") + STATUSES))
    category = fields.String(load_default=None, validate=validate.OneOf(CATEGORIES))
    assignee = AssigneeFilter(load_default="any")
    age = fields.String(load_default=None, validate=validate.OneOf(("day", "week", "month", "older")))
    overdue = fields.Boolean(load_default=False)
    q = fields.String(load_default=None, validate=validate.Length(max=40))
    after = CursorField(load_default=None)
    limit = fields.Integer(load_default=25, strict=False, validate=validate.Range(min=1, max=100))

    @pre_load
    def _blanks(self, data, **kwargs):
        return _without_blanks(dict(data))


class _Form(Schema):
    class Meta:
        unknown = RAISE

    @pre_load
    def _blanks(self, data, **kwargs):
        return _without_blanks(dict(data))


class StatusSchema(_Form):
    status = fields.String(required=True, validate=validate.OneOf(("acknowledged", "in_progress")))


class AssignSchema(Schema):
    """Whom to give the case to; an empty choice (or null) is nobody."""

    class Meta:
        unknown = RAISE

    assignee_id = fields.Integer(required=True, allow_none=True, strict=False,
                                 validate=validate.Range(min=1, max=MAX_ID))

    @pre_load
    def _nobody(self, data, **kwargs):
        data = {k: v for k, v in dict(data).items() if k not in ("csrf_token", "lt")}
        if data.get("assignee_id") == "":
            data["assignee_id"] = None
        return data


class TextSchema(_Form):
    body = fields.String(required=True, validate=validate.Length(
        min=1, max=MAX_BODY, error=_l("Write between 1 and %(max)s characters.", max=MAX_BODY)))

    @post_load
    def _strip(self, data, **kwargs):
        data["body"] = data["body"].strip().replace("\r\n", "\n")
        if not data["body"]:
            raise ValidationError(_l("Write something first."), "body")
        return data


class StepSchema(_Form):
    """A protocol step: done, not applicable or open again, with an optional note.

    The case page's buttons send state; the API and the incident page may send done as before.
    """

    step = fields.String(required=True, validate=validate.OneOf(STEPS))
    done = fields.Boolean(load_default=None)
    state = fields.String(load_default=None, validate=validate.OneOf(
        STEP_STATES, error=_l("Choose done, not applicable or open again.")))
    note = fields.String(load_default=None, validate=validate.Length(
        max=MAX_STEP_NOTE, error=_l("Write at most %(max)s characters.", max=MAX_STEP_NOTE)))

    @post_load
    def _state(self, data, **kwargs):
        state, done = data.pop("state"), data.pop("done")
        if state is None and done is None:
            raise ValidationError(_l("Choose done, not applicable or open again."), "state")
        if state is None:
            state = "done" if done else "open"
        return {**data, "done": state != "open", "not_applicable": state == "not_applicable"}


class FlagSchema(_Form):
    value = fields.Boolean(required=True)


def _closing_fields():
    """The closing message to the reporter (required) and, when their last message has no answer,
    why the case may close anyway."""
    return {
        "message": fields.String(required=True, validate=validate.Length(
            min=1, max=MAX_BODY, error=_l("Write between 1 and %(max)s characters.", max=MAX_BODY)),
            error_messages={"required": _l("Write a closing message to the reporter.")}),
        "unanswered_reason": fields.String(load_default=None, validate=validate.OneOf(
            UNANSWERED_REASONS, error=_l("Choose why the case can close without an answer."))),
    }


class CloseSchema(Schema.from_dict(_closing_fields())):
    """How a case ends. The form sends the rule and step as one choice, "rule-key:step"."""

    class Meta:
        unknown = RAISE

    outcome = fields.String(required=True, validate=validate.OneOf(OUTCOMES, error=_l("Choose an outcome.")))
    rule_key = fields.String(load_default=None, validate=validate.Length(max=60))
    ladder_step = fields.Integer(load_default=None, strict=False, validate=validate.Range(min=0, max=20))
    # The second step: closing although protocol steps are still open (operations.OpenSteps).
    confirm_open_steps = fields.Boolean(load_default=False)

    @pre_load
    def _rule_choice(self, data, **kwargs):
        data = _without_blanks(dict(data))
        choice = data.pop("rule", None)
        if choice:
            key, _, step = choice.rpartition(":")
            data["rule_key"], data["ladder_step"] = key or choice, step if key else None
        return data


_WHOLE_NUMBER = {"required": _l("Fill in a number."), "invalid": _l("Fill in a whole number.")}


class SettingsSchema(_Form):
    """A school's targets and retention."""

    first_response_hours = fields.Integer(required=True, strict=False, error_messages=_WHOLE_NUMBER,
                                          validate=validate.Range(min=1, max=168, error=_l(
                                              "Between 1 and 168 hours; weekend hours do not count (120 is a whole week).")))
    urgent_response_minutes = fields.Integer(required=True, strict=False, error_messages=_WHOLE_NUMBER,
                                             validate=validate.Range(min=5, max=1440, error=_l(
                                                 "Between 5 minutes and 24 hours (1440 minutes).")))
    retention_months = fields.Integer(required=True, strict=False, error_messages=_WHOLE_NUMBER,
                                      validate=validate.Range(min=1, max=120, error=_l(
                                          "Between 1 and 120 months.")))
    # Optional, so a form or client from before this setting keeps working (the stored value stays).
    reporter_reopen_days = fields.Integer(strict=False, error_messages=_WHOLE_NUMBER,
                                          validate=validate.Range(min=0, max=365, error=_l(
                                              "Between 0 and 365 days (0: a reporter cannot reopen).")))


class EntrySchema(ReportIn):
    """A report a coordinator enters for someone who reported by phone, in person or by e-mail:
    the reporter's fields (the same limits, validated again by create_report) and how it arrived."""

    source = fields.String(required=True, validate=validate.OneOf(ENTRY_SOURCES))


def form_to_entry(form) -> dict:
    """The entry form as EntrySchema data: checkboxes and radio buttons become booleans."""
    data = {key: value for key, value in form.items()
            if key not in ("csrf_token", "lt", "affected", "spreading_now", "identity")}
    data["spreading_now"] = form.get("spreading_now") in ("yes", "true", "on", "1")
    data["reporter_is_affected"] = {"yes": True, "no": False}.get(form.get("affected"))
    return data


# --- what the API shows -----------------------------------------------------------------------------

class CaseDeadlineOut(Schema):
    kind = fields.String()
    due = fields.DateTime()
    done_at = fields.DateTime(allow_none=True)
    state = fields.String(metadata={"enum": ["done", "late", "open", "overdue", "missed"]})


class CaseSummaryOut(Schema):
    """A queue row: what a case is and where it stands, without any of its content."""

    class Meta:
        unknown = EXCLUDE

    id = fields.Integer()
    reference = fields.String()
    category = fields.String()
    source = fields.String()
    urgent = fields.Boolean()
    spreading_now = fields.Boolean()
    status = fields.String()
    assignee_id = fields.Integer(allow_none=True)
    assignee = fields.String(allow_none=True, metadata={"description": "the coordinator it is assigned to"})
    staff_suspect = fields.Boolean()
    incident_id = fields.Integer(allow_none=True, metadata={"description": "the incident it is linked into"})
    legal_hold = fields.Boolean()
    not_genuine = fields.Boolean()
    created_at = fields.DateTime(metadata={"description": "for a pseudonymous report, the start of its part of the day"})
    coarse_time = fields.Boolean(metadata={"description": "whether the reporter's times (the report, their messages, "
                                                          "the due times) are parts of the day"})
    closed_at = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    deadlines = fields.List(fields.Nested(CaseDeadlineOut))


class QueueOut(Schema):
    cases = fields.List(fields.Nested(CaseSummaryOut))
    next = fields.String(allow_none=True, metadata={"description": "pass as `after` for the next page"})


class CaseMessageOut(Schema):
    id = fields.Integer()
    author_role = fields.String(metadata={"enum": ["reporter", "coordinator"]})
    author = fields.String(allow_none=True, metadata={"description": "the coordinator; never the reporter"})
    body = fields.String()
    created_at = fields.DateTime()


class CaseNoteOut(Schema):
    id = fields.Integer()
    author = fields.String(allow_none=True)
    body = fields.String()
    created_at = fields.DateTime()


class CaseStepOut(Schema):
    step = fields.String()
    title = fields.String()
    required_to_close = fields.Boolean()
    done_by = fields.String(allow_none=True)
    done_at = fields.DateTime(allow_none=True)
    state = fields.String()  # open, done or not_applicable
    note = fields.String(allow_none=True)


class CaseOut(CaseSummaryOut):
    """A case as its coordinators see it: content included. There is no schema for anyone else."""

    reporter = fields.String(metadata={"description": "the name of a named reporter, else the pseudonym"})
    identity = fields.String(metadata={"enum": ["named", "pseudonymous"]})
    reporter_is_affected = fields.Boolean(allow_none=True)
    details = fields.Dict()
    outcome = fields.String(allow_none=True)
    rule_key = fields.String(allow_none=True)
    ladder_step = fields.Integer(allow_none=True)
    purged_at = fields.DateTime(allow_none=True)
    checklist = fields.List(fields.Nested(CaseStepOut))
    messages = fields.List(fields.Nested(CaseMessageOut))
    notes = fields.List(fields.Nested(CaseNoteOut))


class ConfirmSchema(_Form):
    """A deliberate step needs its box ticked."""

    confirm = fields.Boolean(required=True, validate=validate.Equal(
        True, error=_l("Tick the box to confirm.")))


class NotGenuineSchema(ConfirmSchema, Schema.from_dict(_closing_fields())):
    """Marking a report not genuine closes it: the box ticked, and a closing message to the reporter."""


_REFERENCE_CHARS = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-")


def _reference_like(value: str) -> None:
    """A case reference (VO-7K3M-Q9PX): letters, digits and dashes, checked without a pattern engine."""
    if not 1 <= len(value) <= 20 or not set(value) <= _REFERENCE_CHARS:
        raise ValidationError(_l("A case reference has letters, digits and dashes only, like VO-7K3M-Q9PX."))


class AuditFilterSchema(_Form):
    """The audit log's filters: person, case reference, kind and a date range (in the school's days)."""

    before = fields.Integer(load_default=None, strict=False, validate=validate.Range(min=1, max=MAX_ID))
    person = fields.Integer(load_default=None, strict=False, validate=validate.Range(min=1, max=MAX_ID),
                            error_messages={"invalid": _l("Choose a person from the list.")})
    case = fields.String(load_default=None, validate=_reference_like)
    action = fields.String(load_default=None, validate=validate.OneOf(
        AUDIT_ACTIONS, error=_l("Choose a kind of event from the list.")))
    date_from = fields.Date(load_default=None, error_messages={"invalid": _l("Fill in a date, e.g. 07-12-2026.")})
    date_to = fields.Date(load_default=None, error_messages={"invalid": _l("Fill in a date, e.g. 07-12-2026.")})

    @pre_load
    def _dates(self, data, **kwargs):
        """Accept the date field's ISO value and the Dutch dd-mm-jjjj a person may type."""
        data = dict(data)
        for name in ("date_from", "date_to"):
            value = str(data.get(name) or "").strip()
            day, _sep, rest = value.partition("-")
            if len(day) in (1, 2) and rest.count("-") == 1:
                month, _sep, year = rest.partition("-")
                if day.isdigit() and month.isdigit() and year.isdigit() and len(year) == 4:
                    data[name] = f"{year}-{int(month):02d}-{int(day):02d}"
        return data

    @post_load
    def _range(self, data, **kwargs):
        if data["date_from"] and data["date_to"] and data["date_from"] > data["date_to"]:
            raise ValidationError(_l("The end date comes before the start date."), "date_to")
        if data["case"]:
            data["case"] = data["case"].upper()
        return data
