"""The school year settings page: the school admin's, like the other school settings."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..errors import FormErrors
from ..security import SCHOOL_ADMIN, roles_required
from ..schoolcalendar import queries
from . import operations
from .schemas import MAX_NEWCOMER_DAYS, SettingsSchema

bp = Blueprint("schoolyear", __name__, url_prefix="/school/year")


def field_label(name: str) -> str:
    """The form's label of a field, for the page and for the error summary."""
    return {"first_day": _("First day of the school year"),
            "yearly": _("Everyone acknowledges the code again each school year"),
            "newcomer_days": _("Days to acknowledge for newcomers and at the start of the year"),
            "teacher_digest": _("Weekly e-mail to teachers and mentors with their courses' counts"),
            "staff_reminders": _("Weekly reminder to staff who still have to acknowledge their code")}.get(name, name)


def _place(path: str) -> tuple[str, str]:
    field = path.split(".")[0]
    if field in SettingsSchema().fields:
        return field, field_label(field)
    return "", _("School year")


def _page(form=None, errors=None, status: int = 200):
    school_id = g.launch.school_id
    return render_template("schoolyear/settings.html", settings=queries.form_defaults(school_id),
                           configured=queries.settings_of(school_id) is not None,
                           year=queries.school_year(school_id), label=field_label,
                           max_days=MAX_NEWCOMER_DAYS, form=form, errors=errors), status


@bp.route("", methods=["GET"])
@roles_required(SCHOOL_ADMIN)
def settings():
    """The school's first day, acknowledging again each year, newcomers' days and the weekly e-mails."""
    return _page()


@bp.route("", methods=["POST"])
@roles_required(SCHOOL_ADMIN)
def save_settings():
    try:
        data = SettingsSchema().load(request.form.to_dict())
    except ValidationError as exc:
        return _page(request.form, FormErrors(exc.messages, _place), 400)
    operations.save_settings(g.launch.school_id, g.launch.user_id, data)
    flash(_("The school year settings are saved."))
    return redirect(url_for("schoolyear.settings"), 303)
