"""Input of the start pages: a teacher's answer to "what is this link for?"."""
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, fields, validate

from ..lti.models import LinkPurpose


class LinkPurposeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    purpose = fields.String(required=True, validate=validate.OneOf(
        LinkPurpose.PURPOSES, error=_l("Choose what this link is for.")),
        error_messages={"required": _l("Choose what this link is for.")})
