"""Privacy pages: the school's terms, access and erasure requests, the reporter's own download, the statement."""
from flask import Blueprint, Response, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..db import utcnow
from ..errors import FormErrors, ValidationFailed
from ..security import SCHOOL_ADMIN, launched, roles_required
from . import archive, catalogue, operations, queries, terms
from .schemas import EraseSchema, PersonSearchSchema, PrivacySettingsSchema

bp = Blueprint("privacy", __name__, url_prefix="/privacy")


def _load(schema, data) -> dict:
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)


def _settings_page(form=None, errors=None, status: int = 200):
    school_id = g.launch.school_id
    return render_template("privacy/settings.html", settings=terms.settings_for(school_id),
                           terms=catalogue.terms_in_effect(school_id), data=catalogue.DATA,
                           form=form or {}, errors=errors), status


@bp.route("/", methods=["GET"])
@roles_required(SCHOOL_ADMIN)
def settings():
    """Every retention term in effect and every category of data with its term; the school's own terms."""
    return _settings_page()


@bp.route("/", methods=["POST"])
@roles_required(SCHOOL_ADMIN)
def save_settings():
    """Change the terms the school owns; anything out of bounds is refused with the page and its reasons."""
    try:
        data = PrivacySettingsSchema().load(request.form.to_dict())
    except ValidationError as exc:
        return _settings_page(request.form, FormErrors(exc.messages, _settings_place), 400)
    operations.save_settings(g.launch.school_id, g.launch.user_id, data)
    flash(_("The privacy settings are saved."))
    return redirect(url_for("privacy.settings"), 303)


def _settings_place(path: str) -> tuple[str, str]:
    field = path.split(".")[0]
    return field, catalogue.setting_label(field)


@bp.route("/people", methods=["GET"])
@roles_required(SCHOOL_ADMIN)
def people():
    """Find the person an access or erasure request is about."""
    args = _load(PersonSearchSchema(), request.args.to_dict())
    return render_template("privacy/people.html", q=args["q"], limit=queries.LIMIT,
                           people=queries.find_people(g.launch.school_id, args["q"]))


@bp.route("/people/<int:member_id>", methods=["GET"])
@roles_required(SCHOOL_ADMIN)
def person(member_id: int):
    """What the tool holds about one person, with the download and the erasure."""
    member = queries.person(g.launch.school_id, member_id)
    return render_template("privacy/person.html", member=member, sections=archive.person_sections(member),
                           errors=None)


@bp.route("/people/<int:member_id>/archive.zip", methods=["GET"])
@roles_required(SCHOOL_ADMIN)
def person_archive(member_id: int):
    """Everything the tool holds about one person, as a zip (an access request); audited."""
    member = queries.person(g.launch.school_id, member_id)
    sections = operations.export_person(g.launch.user_id, member)
    body = archive.to_zip(sections, title=_("Data held by Veilig Online"), generated_at=utcnow())
    return _zip(body, f"veilig-online-{member.id}.zip")


@bp.route("/people/<int:member_id>/erase", methods=["POST"])
@roles_required(SCHOOL_ADMIN)
def erase(member_id: int):
    """Erase a person on their request, as a leaver is: nothing changes when a case still holds them."""
    member = queries.person(g.launch.school_id, member_id)
    try:
        EraseSchema().load(request.form.to_dict())
    except ValidationError as exc:
        return render_template("privacy/person.html", member=member, sections=archive.person_sections(member),
                               errors=FormErrors(exc.messages, lambda path: ("confirm", _("Confirmation")))), 400
    operations.erase_on_request(g.member, member, utcnow())
    flash(_("The person's data is erased. Their acknowledgements remain only in the school's figures."))
    return redirect(url_for("privacy.people"), 303)


@bp.route("/mine.zip", methods=["GET"])
@launched
def my_reports():
    """The reporter's own reports, pseudonymous ones too: they are the reporter in their own session."""
    launch = g.launch
    body = archive.to_zip(operations.export_own_reports(launch.school_id, launch.user_id),
                          title=_("My reports"), generated_at=utcnow())
    return _zip(body, "mijn-meldingen.zip" if str(launch.locale).startswith("nl") else "my-reports.zip")


@bp.route("/statement", methods=["GET"])
def statement():
    """What happens with your data, for a pupil of twelve. Open to anyone, launch or not: the report form
    opens it in a new tab (the form keeps its text), where a browser without cookies has no launch.
    With a launch it gives the school's own terms, without one the defaults."""
    launch = g.get("launch")
    return render_template("privacy/statement.html", term={
        t.key: t.value for t in catalogue.terms_in_effect(launch.school_id if launch else None)})


def _zip(body: bytes, filename: str) -> Response:
    return Response(body, mimetype="application/zip", headers={
        "Content-Disposition": f'attachment; filename="{filename}"', "Cache-Control": "no-store"})
