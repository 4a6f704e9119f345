"""Input schemas of the school pages."""
from marshmallow import EXCLUDE, Schema, fields


class CoordinatorChangeSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    member_id = fields.Integer(required=True, strict=False)
    is_coordinator = fields.Boolean(required=True)
