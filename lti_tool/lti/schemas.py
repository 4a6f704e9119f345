"""Marshmallow schemas for the LTI endpoints' input."""
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, fields, validate

from ..security import LINK_PURPOSES

_url = validate.Length(max=2000)


class LoginSchema(Schema):
    """Third-party initiated login parameters (LTI 1.3 core, 5.1.1.1)."""

    class Meta:
        unknown = EXCLUDE

    iss = fields.String(required=True, validate=validate.Length(min=1, max=500))
    login_hint = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    target_link_uri = fields.String(required=True, validate=validate.Length(min=1, max=2000))
    client_id = fields.String(load_default=None, validate=validate.Length(max=255))
    lti_message_hint = fields.String(load_default=None, validate=validate.Length(max=4000))
    lti_deployment_id = fields.String(load_default=None, validate=validate.Length(max=255))
    new_window = fields.String(load_default=None, validate=validate.Length(max=5))
    # LTI client-side platform storage (lti-cs-oidc): the frame that keeps the login's secret.
    lti_storage_target = fields.String(load_default=None, validate=validate.Regexp(r"^[A-Za-z0-9_.-]{1,100}$"))


class StorageProofSchema(Schema):
    """What the launch's platform-storage page sends back: the secret the login left there."""

    class Meta:
        unknown = EXCLUDE

    lti_storage_value = fields.String(load_default=None, validate=validate.Length(max=100))


class DeepLinkChoiceSchema(Schema):
    class Meta:
        unknown = EXCLUDE

    items = fields.List(fields.String(validate=validate.OneOf(["code", "report"])),
                        required=True, validate=validate.Length(min=1, max=2))


class LinkPurposeSchema(Schema):
    """A teacher's answer to \"what is this link for?\"."""

    class Meta:
        unknown = EXCLUDE

    purpose = fields.String(required=True, validate=validate.OneOf(
        LINK_PURPOSES, error=_l("Choose what this link is for.")),
        error_messages={"required": _l("Choose what this link is for.")})
