"""Validation of platform registrations, whichever way they arrive."""
from marshmallow import EXCLUDE, Schema, fields, validate


class PlatformSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    _url = {"require_tld": False, "schemes": {"http", "https"}, "validate": validate.Length(max=1000)}
    issuer = fields.String(required=True, validate=validate.Length(min=1, max=500))
    client_id = fields.String(required=True, validate=validate.Length(min=1, max=255))
    auth_login_url = fields.Url(required=True, **_url)
    auth_token_url = fields.Url(required=True, **_url)
    key_set_url = fields.Url(required=True, **_url)
    auth_audience = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=1000))
    name = fields.String(load_default=None, allow_none=True, validate=validate.Length(max=200))
    deployment_ids = fields.List(fields.String(validate=validate.Length(min=1, max=255)),
                                 required=True, validate=validate.Length(min=1))
    school = fields.String(required=True, validate=validate.Length(min=1, max=200))
