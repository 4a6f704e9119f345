"""Input and output of incidents: which reports to link or unlink, and what a coordinator sees of one.

Coordinators only: an incident's reports come with their details, as on a case page. No field for a
reporter's sealed link or lookup; a pseudonymous reporter shows only as their pseudonym.
"""
import re

from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, ValidationError, fields, post_load, pre_load, validate

from ..db import MAX_ID
from .schemas import CaseSummaryOut, _without_blanks

MAX_REFERENCES_TEXT = 4000
_SEPARATORS = re.compile(r"[\s,;]+")


class LinkSchema(Schema):
    """Reports to link: references as typed (page), or ids (API); at least one."""

    class Meta:
        unknown = RAISE

    references = fields.String(load_default="", validate=validate.Length(max=MAX_REFERENCES_TEXT),
                               metadata={"description": "references such as VO-7K3M-Q9PX, separated by spaces or commas"})
    report_ids = fields.List(fields.Integer(strict=False, validate=validate.Range(min=1, max=MAX_ID)),
                             load_default=list, validate=validate.Length(max=200))

    @pre_load
    def _blanks(self, data, **kwargs):
        return _without_blanks(dict(data)) if isinstance(data, dict) else data

    @post_load
    def _split(self, data, **kwargs):
        data["references"] = [part for part in _SEPARATORS.split(data["references"]) if part][:200]
        if not data["references"] and not data["report_ids"]:
            raise ValidationError(_l("Name the reports to link, by reference."), "references")
        return data


class UnlinkSchema(Schema):
    class Meta:
        unknown = RAISE

    report_id = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=MAX_ID))

    @pre_load
    def _blanks(self, data, **kwargs):
        return _without_blanks(dict(data)) if isinstance(data, dict) else data


class IncidentStepOut(Schema):
    step = fields.String()
    title = fields.String()
    done = fields.Boolean(metadata={"description": "checked off on every report it applies to"})
    required_to_close = fields.Boolean()


class IncidentReportOut(CaseSummaryOut):
    reporter = fields.String(metadata={"description": "a named reporter's name, otherwise the pseudonym"})
    details = fields.Dict()


class IncidentOut(Schema):
    id = fields.Integer()
    created_at = fields.DateTime()
    reports = fields.List(fields.Nested(IncidentReportOut))
    checklist = fields.List(fields.Nested(IncidentStepOut))


class IncidentDoneOut(Schema):
    incident = fields.Nested(IncidentOut)
    reports_changed = fields.Integer(metadata={"description": "how many reports the action reached"})
