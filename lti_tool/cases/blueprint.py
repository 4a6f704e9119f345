"""The coordinator's blueprint, shared by the case pages (views.py) and the school's figures (dashboard.py)."""
from flask import Blueprint
from marshmallow import ValidationError

from ..errors import ValidationFailed
from ..security import roles_required

bp = Blueprint("cases", __name__, url_prefix="/cases")
coordinators_only = roles_required(coordinator=True)


def load(schema, data) -> dict:
    """The schema's data, or a 400 that names the problems."""
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)
