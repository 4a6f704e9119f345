"""What the privacy pages accept: the school's terms, a search for a person, an erasure's confirmation."""
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, fields, validate

# The bounds of the school's own terms. Shorter would take a leaver's data before the school year
# after they left is over (an objection, a case still running about them); longer than two years
# after leaving is more than the sector's privacy rules for a pupil's or a staff member's file allow.
PUPIL_YEARS = (1, 2)
STAFF_MONTHS = (12, 24)
_WHOLE = {"invalid": _l("Enter a whole number.")}


class PrivacySettingsSchema(Schema):
    """The terms a school owns; every other term is fixed by the code and only shown."""

    class Meta:
        unknown = EXCLUDE  # the launch token and the CSRF token travel alongside

    pupil_years = fields.Integer(required=True, strict=False, error_messages=_WHOLE, validate=validate.Range(
        *PUPIL_YEARS, error=_l("Between 1 and 2 years after the end of the school year: shorter is less than "
                               "the law allows for a case that may still run, longer is more than it allows.")))
    staff_months = fields.Integer(required=True, strict=False, error_messages=_WHOLE, validate=validate.Range(
        *STAFF_MONTHS, error=_l("Between 12 and 24 months: shorter is less than the law allows for a case that "
                                "may still run, longer is more than it allows.")))


class PersonSearchSchema(Schema):
    """A part of a name or e-mail address; empty lists the first people by name."""

    class Meta:
        unknown = EXCLUDE

    q = fields.String(load_default="", validate=validate.Length(max=100, error=_l("At most 100 characters.")))


class EraseSchema(Schema):
    """An erasure must be confirmed on purpose: it cannot be undone."""

    class Meta:
        unknown = EXCLUDE

    confirm = fields.Boolean(required=True, truthy={"yes"}, falsy={"", "no"}, validate=validate.Equal(
        True, error=_l("Tick the box to confirm that this person's data may be erased.")),
        error_messages={"required": _l("Tick the box to confirm that this person's data may be erased.")})


class TermOut(Schema):
    """One retention term in effect at the school."""

    key = fields.String(required=True)
    label = fields.String(required=True)
    value = fields.String(required=True, metadata={"description": "the term in words, in the reader's language"})
    set_by = fields.String(required=True, metadata={"description": "school, cases or tool"})


class TermsOut(Schema):
    terms = fields.List(fields.Nested(TermOut), required=True)


class SectionOut(Schema):
    """One part of a person's archive: a feature's data as rows of label: value."""

    key = fields.String(required=True)
    title = fields.String(required=True)
    rows = fields.List(fields.Dict(keys=fields.String()), required=True)
    note = fields.String(allow_none=True)


class ArchiveOut(Schema):
    """Everything the tool holds about one person of the school (never a pseudonymous report)."""

    generated_at = fields.String(required=True)
    sections = fields.List(fields.Nested(SectionOut), required=True)
