"""Input and output of acknowledging: the form, the API body, and what a person's status looks like."""
from flask_babel import lazy_gettext as _l
from marshmallow import RAISE, Schema, fields, pre_load, validate

from ..conduct.models import LOCALES
from ..db import MAX_ID
from ..conduct.schemas import MAX_QUESTIONS


class AcknowledgeSchema(Schema):
    """An acknowledgement as sent: which version, the check's answers, the language read.

    There is no user field: the person is always the launch's user, and any other field is refused.
    """

    class Meta:
        unknown = RAISE

    version_id = fields.Integer(required=True, strict=False, validate=validate.Range(min=1, max=MAX_ID))
    answers = fields.List(fields.Integer(allow_none=True, strict=False), load_default=list,
                          validate=validate.Length(max=MAX_QUESTIONS))
    locale = fields.String(load_default="nl", validate=validate.OneOf(LOCALES))
    confirm = fields.Boolean(required=True, validate=validate.Equal(
        True, error=_l("Tick the box to confirm that you read the code.")))
    next = fields.String(load_default=None, validate=validate.Length(max=2000))


def form_to_acknowledgement(form) -> dict:
    """Gather answer-0 … answer-4 into a list; leave CSRF and launch-token fields to their own checks."""
    data = {key: value for key, value in form.items()
            if key not in ("csrf_token", "lt") and not key.startswith("answer-")}
    data.setdefault("confirm", "false")
    answers = []
    for n in range(MAX_QUESTIONS):
        value = form.get(f"answer-{n}")
        answers.append(value if value not in (None, "") else None)
    while answers and answers[-1] is None:
        answers.pop()
    data["answers"] = answers
    return data


class ReadQuerySchema(Schema):
    class Meta:
        unknown = RAISE

    lang = fields.String(load_default=None, validate=validate.OneOf(LOCALES))
    next = fields.String(load_default=None, validate=validate.Length(max=2000))

    @pre_load
    def _drop_token(self, data, **kwargs):
        return {key: value for key, value in data.items() if key != "lt"}


class AcknowledgementOut(Schema):
    id = fields.Integer()
    version = fields.Function(lambda ack: ack.version.number)
    version_id = fields.Integer()
    locale = fields.String()
    acknowledged_at = fields.DateTime()
    check_passed = fields.Boolean(allow_none=True)
    course_id = fields.Integer(allow_none=True)


class StatusOut(Schema):
    """A person's own standing; nobody else's is ever in it."""

    state = fields.String(metadata={"enum": ["acknowledged", "outdated", "not_yet", "overdue", "no_code"]})
    audience = fields.String()
    current_version = fields.Function(lambda s: s.current.number if s.current else None, allow_none=True)
    current_version_id = fields.Function(lambda s: s.current.id if s.current else None, allow_none=True)
    due_date = fields.Date(allow_none=True)
    acknowledgement = fields.Function(
        lambda s: AcknowledgementOut().dump(s.latest) if s.latest else None, allow_none=True)
