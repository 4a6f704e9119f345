"""The school year settings form: every field checked here before anything is stored."""
from datetime import date

from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, fields, pre_load, validate

MAX_NEWCOMER_DAYS = 120
_FLAGS = ("yearly", "teacher_digest", "staff_reminders")


class SettingsSchema(Schema):
    """A school's first day, whether everyone acknowledges again each year, newcomers' days, the e-mails."""

    class Meta:
        unknown = RAISE

    first_day = fields.Date(required=True, error_messages={
        "required": _l("Fill in the first day of the school year."),
        "invalid": _l("Fill in a date, such as 31-08-2026 (day-month-year).")},
        validate=validate.Range(min=date(2000, 1, 1), max=date(2100, 12, 31),
                                error=_l("Fill in a date between 2000 and 2100.")))
    yearly = fields.Boolean(load_default=False)
    newcomer_days = fields.Integer(required=True, strict=False, error_messages={
        "required": _l("Fill in a number."), "invalid": _l("Fill in a whole number.")},
        validate=validate.Range(min=1, max=MAX_NEWCOMER_DAYS, error=_l("Between 1 and 120 days.")))
    teacher_digest = fields.Boolean(load_default=False)
    staff_reminders = fields.Boolean(load_default=False)

    @pre_load
    def _form(self, data, **kwargs):
        """Leave the tokens to their own checks; a ticked box sends "on", an unticked one nothing;
        a date as Dutch schools write it (31-08-2026) is taken as well as the browser's 2026-08-31."""
        data = {key: value for key, value in dict(data).items() if key not in ("csrf_token", "lt", "ls")}
        for flag in _FLAGS:
            if data.get(flag) == "on":
                data[flag] = True
        day = data.get("first_day")
        if isinstance(day, str):
            day = day.strip()
            parts = day.split("-")
            if len(parts) == 3 and len(parts[2]) == 4 and parts[0].isdigit() and parts[1].isdigit():
                day = f"{parts[2]}-{parts[1].zfill(2)}-{parts[0].zfill(2)}"
            data["first_day"] = day or None
        if data.get("newcomer_days") == "":
            data.pop("newcomer_days")
        if data.get("first_day") is None:
            data.pop("first_day", None)
        return data
