"""The yearly report's one input: which school year."""
from flask_babel import lazy_gettext as _l
from marshmallow import EXCLUDE, Schema, ValidationError, fields, validates

from . import years


class YearChoiceSchema(Schema):
    """?year=2025-2026; empty or absent is the current school year."""

    class Meta:
        unknown = EXCLUDE

    year = fields.String(load_default=None, validate=lambda value: len(value) <= 20)

    @validates("year")
    def _known_form(self, value, **_):
        if value and years.parse(value) is None:
            raise ValidationError(_l("Choose a school year such as 2025-2026."))
