"""The register's pages: the list, granting, changing and ending an exception, the settings, the CSV.

Thin views: parse with a schema, load the exception within the launch's school (404 otherwise),
call one operation, redirect. A refused form comes back with its values and a message beside each field.
"""
from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..errors import FormErrors, ValidationFailed
from ..imagesafe import ImagesRefused, cleaned, refuse_files
from ..security import SCHOOL_ADMIN, roles_required
from . import access, export, operations, queries
from .labels import day, kind_label, state_label
from .models import KINDS
from .schemas import RegisterFilter, SettingsIn, settings_form

bp = Blueprint("exceptions", __name__, url_prefix="/exceptions")
csv_readers = roles_required(SCHOOL_ADMIN, coordinator=True)


@bp.context_processor
def _helpers():
    return {"kind_label": kind_label, "state_label": state_label, "day": day, "KINDS": KINDS,
            "today": queries.today()}


def actor() -> operations.Actor:
    return operations.Actor(g.launch.school_id, g.launch.user_id)


@bp.route("", methods=["GET"])
@access.readers_only
def register():
    """The school's exceptions that hold or are coming, or (show=past) those that ended."""
    try:
        show = RegisterFilter().load(request.args.to_dict())["show"]
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)
    return render_template("exceptions/register.html", rows=queries.register(g.launch.school_id, show), show=show,
                           may_grant=access.may_grant(g.launch), settings=queries.settings_for(g.launch.school_id),
                           may_export=g.launch.role == SCHOOL_ADMIN or bool(g.member and g.member.is_coordinator))


def field_place(path: str) -> tuple[str, str]:
    """The form's field id and label for an error path."""
    field = path.split(".")[0]
    labels = {"pupil_id": _("Pupil"), "kind": _("Kind of exception"), "course_id": _("Where it applies"),
              "starts_on": _("From"), "ends_on": _("Until (inclusive)"), "note": _("Note")}
    return (field, labels[field]) if field in labels else ("", _("Phone exception"))


def _form_page(form: dict, *, row=None, problem=None, status: int = 200):
    """The grant or change form, with a refused form's values and its problems beside the fields."""
    errors = None
    if isinstance(problem, ImagesRefused):
        errors = FormErrors({"note": [problem.message]}, field_place)
    elif problem is not None:
        errors = FormErrors(problem.errors, field_place)
    school_id = g.launch.school_id
    return render_template("exceptions/form.html", form=form, row=row, errors=errors,
                           pupils=queries.pupils(school_id), courses=queries.courses(school_id)), status


def _submitted() -> dict:
    refuse_files(request.files)
    return {key: value for key, value in request.form.to_dict().items() if key not in ("csrf_token", "lt")}


def _refused(form: dict, exc, row=None):
    """The form again: any picture cut out of the note, the rest as the granter wrote it."""
    note = cleaned(form.get("note", ""))[0]
    return _form_page({**form, "note": note}, row=row, problem=exc, status=exc.status)


@bp.route("/new", methods=["GET"])
@access.granters_only
def new():
    """The grant form; pupil_id and course_id in the address fill it in (from a course overview).

    Opened from a course, that course's roster is read first when old, so its pupils are in the
    list even before they opened the tool.
    """
    if g.launch.course is not None:
        from ..courses import roster
        roster.refresh_if_stale(g.launch.course)
    prefill = {key: request.args.get(key, "") for key in ("pupil_id", "course_id")}
    return _form_page({**prefill, "starts_on": queries.today().isoformat()})


@bp.route("/new", methods=["POST"])
@access.granters_only
def grant():
    form = _submitted()
    try:
        row = operations.grant(actor(), operations.load(form))
    except (ValidationFailed, ImagesRefused) as exc:
        return _refused(form, exc)
    flash(_("The exception for %(name)s is saved.", name=row.pupil.display_name))
    return redirect(url_for("exceptions.register"), 303)


def _as_form(row) -> dict:
    return {"pupil_id": str(row.pupil_id), "kind": row.kind, "course_id": str(row.course_id or ""),
            "starts_on": row.starts_on.isoformat(), "ends_on": row.ends_on.isoformat(), "note": row.note or ""}


@bp.route("/<int:exception_id>/edit", methods=["GET"])
@access.granters_only
def edit(exception_id: int):
    row = queries.exception(g.launch.school_id, exception_id)
    return _form_page(_as_form(row), row=row)


@bp.route("/<int:exception_id>/edit", methods=["POST"])
@access.granters_only
def change(exception_id: int):
    row = queries.exception(g.launch.school_id, exception_id)
    form = _submitted()
    try:
        operations.change(actor(), row, operations.load(form, kept_start=row.starts_on))
    except (ValidationFailed, ImagesRefused) as exc:
        return _refused(form, exc, row)
    flash(_("The exception for %(name)s is changed.", name=row.pupil.display_name))
    return redirect(url_for("exceptions.register"), 303)


@bp.route("/<int:exception_id>/end", methods=["POST"])
@access.granters_only
def end(exception_id: int):
    """End an exception now; it stays in the register under Ended."""
    row = queries.exception(g.launch.school_id, exception_id)
    operations.end(actor(), row)
    flash(_("The exception for %(name)s has ended.", name=row.pupil.display_name))
    return redirect(url_for("exceptions.register"), 303)


@bp.route("/register.csv", methods=["GET"])
@csv_readers
def register_csv():
    """Every exception of the school as a CSV for Excel; the download is audited."""
    operations.exported(actor())
    return Response(export.register_csv(queries.everything(g.launch.school_id)), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{export.filename(g.launch.school.name)}"',
        "Cache-Control": "no-store"})


@bp.route("/settings", methods=["GET"])
@access.admins_only
def settings():
    return render_template("exceptions/settings.html", settings=queries.settings_for(g.launch.school_id),
                           form=None, errors=None)


@bp.route("/settings", methods=["POST"])
@access.admins_only
def save_settings():
    """Who grants exceptions at this school, and how long ahead granters hear that one ends."""
    try:
        data = SettingsIn().load(settings_form(request.form))
    except ValidationError as exc:
        return render_template("exceptions/settings.html", settings=queries.settings_for(g.launch.school_id),
                               form=request.form, errors=FormErrors(exc.messages, settings_place)), 400
    operations.save_settings(actor(), data)
    flash(_("The settings are saved."))
    return redirect(url_for("exceptions.register"), 303)


def settings_place(path: str) -> tuple[str, str]:
    field = path.split(".")[0]
    if field == "reminder_days":
        return field, _("Reminder before the end, in days")
    return "school_admins_grant", _("Who grants exceptions")
