"""Authoring the code (school admins and coordinators): drafts, previews, publishing, history, differences."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..errors import FormErrors, NotFound, ValidationFailed
from ..imagesafe import ImagesRefused, cleaned
from ..security import SCHOOL_ADMIN, roles_required
from . import diff, operations, queries
from .models import AUDIENCES
from .schemas import (DiffSchema, DraftSchema, DueDateSchema, PublishSchema, ReadSchema, draft_error_place,
                      form_to_draft, new_rule_key)

bp = Blueprint("conduct", __name__, url_prefix="/conduct")
authors = roles_required(SCHOOL_ADMIN, coordinator=True)


def _audience(audience: str) -> str:
    if audience not in AUDIENCES:
        raise NotFound(_("There is no such code."))
    return audience


def _load(schema, data: dict, message: str | None = None) -> dict:
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages, message)


@bp.route("")
@authors
def index():
    """Both codes of the school: the current version, the draft, the history."""
    operations.ensure_codes(g.launch.school_id)
    codes = {audience: queries.versions(g.launch.school_id, audience) for audience in AUDIENCES}
    return render_template("conduct/index.html", codes=codes)


@bp.route("/<audience>/draft", methods=["GET"])
@authors
def edit(audience):
    """The editor of the code's draft (made from the current version when there is none)."""
    draft = operations.draft_of(g.launch.school_id, _audience(audience), g.launch.user_id)
    return render_template("conduct/edit.html", version=draft, content=draft.content,
                           due_date=draft.due_date, errors=None)


@bp.route("/<audience>/draft", methods=["POST"])
@authors
def save(audience):
    """Save the draft. "Add a rule/question" stores nothing: it shows the typed text with an empty one added."""
    draft = operations.draft_of(g.launch.school_id, _audience(audience), g.launch.user_id)
    raw = form_to_draft(request.form)
    adding = request.form.get("add")
    if adding in ("rule", "question"):
        content = raw["content"]
        if adding == "rule":
            content["rules"].append({"key": new_rule_key(content), "title": _blank(), "body": _blank(),
                                     "ladder": [_blank()]})
        else:
            content["questions"].append({"prompt": _blank(), "options": [_blank(), _blank()], "answer": 0,
                                         "rule": (content["rules"] or [{"key": ""}])[0]["key"]})
        return render_template("conduct/edit.html", version=draft, content=cleaned(content)[0],
                               due_date=raw.get("due_date"), errors=None)
    try:
        data = DraftSchema().load(raw)
        operations.save_draft(draft, data, g.launch.user_id)
    except (ValidationError, ImagesRefused) as problem:
        # The author's text comes back as typed (any image cut out), with the problems listed; nothing is stored.
        content, changed = cleaned(raw["content"])
        messages = dict(problem.messages) if isinstance(problem, ValidationError) else {}
        for path in sorted(changed):
            messages[f"content.{path}"] = [_("We took a picture, file or encoded image out of this text. "
                                             "Check what is left.")]
        if isinstance(problem, ImagesRefused):
            messages[f"content.{problem.field}"] = [problem.message] + messages.get(f"content.{problem.field}", [])
        return render_template("conduct/edit.html", version=draft, content=content,
                               due_date=raw.get("due_date"), errors=FormErrors(messages, draft_error_place)), \
            422 if isinstance(problem, ImagesRefused) else 400
    flash(_("Draft saved."))
    return redirect(url_for("conduct.edit", audience=audience), 303)


def _blank() -> dict:
    return {"nl": "", "en": ""}


@bp.route("/versions/<int:version_id>/preview")
@authors
def preview(version_id):
    """Show a version as its readers see it, in either language."""
    version = queries.version(g.launch.school_id, version_id)
    args = _load(ReadSchema(), {k: v for k, v in request.args.items() if k != "lt"})
    locale = args["lang"] or g.launch.locale
    return render_template("conduct/preview.html", version=version, locale=locale)


@bp.route("/versions/<int:version_id>/publish", methods=["POST"])
@authors
def publish(version_id):
    version = queries.version(g.launch.school_id, version_id)
    data = _load(PublishSchema(), _form(), _("Say whether the change is minor or major."))
    operations.publish(version, data["change"], data["due_date"], g.launch.user_id)
    flash(_("Version %(n)s is published.", n=version.number))
    return redirect(url_for("conduct.index"), 303)


@bp.route("/versions/<int:version_id>/due-date", methods=["POST"])
@authors
def due_date(version_id):
    version = queries.version(g.launch.school_id, version_id)
    data = _load(DueDateSchema(), _form())
    operations.set_due_date(version, data["due_date"])
    flash(_("The deadline is saved."))
    return redirect(url_for("conduct.index"), 303)


@bp.route("/versions/<int:version_id>/discard", methods=["POST"])
@authors
def discard(version_id):
    version = queries.version(g.launch.school_id, version_id)
    audience = version.audience
    operations.discard_draft(version)
    flash(_("The draft is discarded."))
    return redirect(url_for("conduct.index", _anchor=audience), 303)


@bp.route("/<audience>/diff")
@authors
def compare(audience):
    """What changed between two versions of a code, line by line."""
    args = _load(DiffSchema(), {k: v for k, v in request.args.items() if k != "lt"})
    old = queries.version(g.launch.school_id, args["old"])
    new = queries.version(g.launch.school_id, args["new"])
    if old.code_id != new.code_id or old.audience != _audience(audience):
        raise NotFound(_("These versions are not of the same code."))
    return render_template("conduct/diff.html", old=old, new=new, lang=args["lang"],
                           lines=diff.compare(old.content, new.content, args["lang"]),
                           versions=queries.versions(g.launch.school_id, audience))


def _form() -> dict:
    return {k: v for k, v in request.form.items() if k not in ("csrf_token", "lt")}

