"""Authoring the code (school admins and coordinators): drafts, previews, publishing, history, differences."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError

from ..errors import Conflict, FormErrors, NotFound, ValidationFailed
from ..imagesafe import ImagesRefused, cleaned
from ..security import SCHOOL_ADMIN, roles_required
from . import diff, operations, queries
from .models import AUDIENCES, DRAFT, MAJOR
from .rendering import missing_in, shown_locale
from .schemas import (DiffSchema, DraftSchema, DueDateSchema, PublishSchema, ReadSchema, draft_error_place,
                      form_to_draft, new_rule_key, publish_error_place)

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
                           due_date=draft.due_date, errors=_missing(draft.content), state="todo")


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
    then = request.form.get("then")
    try:
        data = DraftSchema().load(raw)
        operations.save_draft(draft, data, g.launch.user_id)
    except (ValidationError, ImagesRefused, ValidationFailed) as problem:
        # The author's text comes back as typed (any image cut out), with the problems listed; nothing is stored.
        content, changed = cleaned(raw["content"])
        messages = _messages(problem)
        for path in sorted(changed):
            messages[f"content.{path}"] = [_("We took a picture, file or encoded image out of this text. "
                                             "Check what is left.")]
        if isinstance(problem, ImagesRefused):
            messages[f"content.{problem.field}"] = [problem.message] + messages.get(f"content.{problem.field}", [])
        return render_template("conduct/edit.html", version=draft, content=content,
                               due_date=raw.get("due_date"), errors=FormErrors(messages, draft_error_place)), \
            422 if isinstance(problem, ImagesRefused) else 400
    if then == "publish" and operations.missing_texts(draft.content):
        # Saved, but not publishable: the editor says so beside each text that needs filling in.
        return render_template("conduct/edit.html", version=draft, content=draft.content, due_date=draft.due_date,
                               errors=_missing(draft.content), state="not_publishable"), 422
    flash(_("Draft saved."))
    if then == "preview":
        return redirect(url_for("conduct.preview", version_id=draft.id), 303)
    if then == "publish":
        return redirect(url_for("conduct.publish_form", version_id=draft.id), 303)
    return redirect(url_for("conduct.edit", audience=audience), 303)


def _messages(problem: Exception) -> dict:
    """A refused draft's messages by DraftSchema path (an image's own message is added by the caller)."""
    if isinstance(problem, ValidationError):
        return dict(problem.messages)
    if isinstance(problem, ValidationFailed):  # a text over the image check's length limit
        return {f"content.{path}": messages for path, messages in problem.errors.items()}
    return {}


def _missing(content: dict) -> FormErrors | None:
    """What keeps a draft from being published, beside the texts concerned; None when nothing does."""
    words = {"nl": _("Dutch is required in every text."),
             "en": _("Fill in the English too, or leave every English field empty.")}
    missing = operations.missing_texts(content)
    return FormErrors({path: [words[path.rsplit(".", 1)[1]]] for path in missing},
                      draft_error_place) if missing else None


def _blank() -> dict:
    return {"nl": "", "en": ""}


@bp.route("/versions/<int:version_id>/preview")
@authors
def preview(version_id):
    """Show a version as its readers see it, in either language; a draft with its edit and publish buttons."""
    version = queries.version(g.launch.school_id, version_id)
    args = _load(ReadSchema(), {k: v for k, v in request.args.items() if k != "lt"})
    wanted = args["lang"] or g.launch.locale
    return render_template("conduct/preview.html", version=version, wanted=wanted,
                           locale=shown_locale(version.content, wanted),
                           untranslated=missing_in(version.content, wanted) if wanted != "nl" else [],
                           todo=_missing(version.content) if version.status == DRAFT else None)


@bp.route("/versions/<int:version_id>/publish", methods=["GET"])
@authors
def publish_form(version_id):
    """The first step of publishing: minor or major, the deadline, what changed."""
    version = _draft(version_id)
    return _publish_page(version, {"change": "", "due_date": version.due_date or "", "note_nl": "", "note_en": ""})


@bp.route("/versions/<int:version_id>/publish", methods=["POST"])
@authors
def publish(version_id):
    """Check the choices and show what publishing means (how many must acknowledge); publish once confirmed.

    Any problem brings the form back with the author's choices kept and each message beside its field.
    """
    version = _draft(version_id)
    form = _form()
    kept = {name: form.get(name, "") for name in ("change", "due_date", "note_nl", "note_en")}
    if not operations.current_of(version):
        form.setdefault("change", MAJOR)  # the first version asks everyone: there is no choice to make
    try:
        data = PublishSchema().load({k: v for k, v in form.items() if k != "back"})
        if form.get("back"):  # "change my choices" on the confirmation page
            return _publish_page(version, kept)
        preflight = operations.publish_problems(version, data["change"], data["note"])
        if preflight:
            raise ValidationFailed(preflight)
        operations.check_note(data["note"])
        if not data["confirmed"]:
            return _publish_page(version, kept, confirm=data)
        operations.publish(version, data["change"], data["due_date"], g.launch.user_id, data["note"])
    except ValidationError as exc:
        return _publish_page(version, kept, errors=exc.messages), 400
    except ValidationFailed as exc:
        return _publish_page(version, kept, errors=exc.errors), 400
    except ImagesRefused as exc:
        return _publish_page(version, kept, errors={exc.field: [exc.message]}), 422
    flash(_("Version %(n)s is published.", n=version.number))
    return redirect(url_for("conduct.index", _anchor=version.audience), 303)


def _draft(version_id: int):
    """This school's version, which must still be a draft to be published."""
    version = queries.version(g.launch.school_id, version_id)
    if version.status != DRAFT:
        raise Conflict(_("Version %(n)s is already published; edit the draft instead.", n=version.number))
    return version


def _publish_page(version, values: dict, *, errors: dict | None = None, confirm: dict | None = None):
    """The publish form, or (confirm) the confirmation of what it will do, counted from the school's people."""
    current = operations.current_of(version)
    change = (confirm or values).get("change") or (MAJOR if current is None else "")
    reach = operations.REACH.ask(g.launch.school_id, version.audience, change) if confirm else None
    problems = FormErrors(errors, publish_error_place) if errors else None
    return render_template("conduct/publish.html", version=version, current=current, values=values,
                           errors=problems, confirm=confirm, reach=reach,
                           changed=current is None or operations.text_changed(current.content, version.content),
                           todo=_missing(version.content))


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
    """What changed between any two versions of a code, word by word in the text readers see."""
    args = _load(DiffSchema(), {k: v for k, v in request.args.items() if k != "lt"})
    old = queries.version(g.launch.school_id, args["old"])
    new = queries.version(g.launch.school_id, args["new"])
    if old.code_id != new.code_id or old.audience != _audience(audience):
        raise NotFound(_("These versions are not of the same code."))
    marked, changes = diff.compare(old.content, new.content, args["lang"], whole=args["whole"])
    return render_template("conduct/diff.html", old=old, new=new, lang=args["lang"], whole=args["whole"], marked=marked,
                           changes=changes, versions=queries.versions(g.launch.school_id, audience))


def _form() -> dict:
    return {k: v for k, v in request.form.items() if k not in ("csrf_token", "lt", "ls")}

