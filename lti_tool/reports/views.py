"""The reporter's pages: the form, the receipt, "My reports" and the thread with the coordinator."""
from flask import Blueprint, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from ..cases.models import CaseSettings
from ..errors import AppError, ValidationFailed, render_error
from ..extensions import db
from ..security import launched
from . import operations, queries
from .imagesafe import ImagesRefused, image_in, refuse_files, refuse_images, without_images
from .models import CATEGORIES, CLOSED, SEXUAL_IMAGES, URGENT_CATEGORIES
from .schemas import TEXT_FIELDS, MessageIn, form_to_report

bp = Blueprint("reports", __name__, url_prefix="/reports")
# Fields that carry signed tokens, checked by their own code rather than read as words.
_TOKENS = ("csrf_token", "lt", "submission")
# Categories whose evidence is a picture or a video: the form asks who has it and where it went.
IMAGE_CATEGORIES = ("sexual_images", "fight_video", "unwanted_images")


def _form_page(category: str | None, *, form=None, problem: AppError | None = None, status: int = 200):
    """The report form, blank or filled in again with what was sent, and a new one-time token."""
    launch = g.launch
    known = category in CATEGORIES
    errors = dict(getattr(problem, "errors", None) or {})
    if form is not None and isinstance(problem, ImagesRefused):
        form = _without_images(form, errors)
    return render_template(
        "reports/new.html", category=category if known else None, categories=CATEGORIES,
        image_categories=IMAGE_CATEGORIES, urgent_categories=URGENT_CATEGORIES, form=form or {},
        problem=problem, errors=errors, images_refused=isinstance(problem, ImagesRefused),
        submission=operations.new_submission(launch.school_id, launch.user_id)), status


def _without_images(form, errors: dict) -> dict:
    """A refused form's fields for the page: the words come back, a picture or file never does."""
    cleaned = {}
    for key, value in form.items():
        if image_in(value):
            value = without_images(value)
            if key in TEXT_FIELDS:
                errors[key] = [_("We took a picture, file or encoded image out of this field. "
                                 "Check what is left and describe the rest in words.")]
        cleaned[key] = value
    return cleaned


@bp.route("/new")
@launched
def new():
    """Step 1: what kind of incident; step 2 (with ?category=): the form for that kind."""
    category = request.args.get("category")
    if category is not None and category not in CATEGORIES:
        category = None
    return _form_page(category)


@bp.route("", methods=["POST"])
@launched
def submit():
    """File the report once; send the reporter to the receipt, or back to the form filled in."""
    launch = g.launch
    form = request.form
    data = form_to_report(form)
    try:
        refuse_files(request.files)
        refuse_images({key: value for key, value in form.items() if key not in _TOKENS})
        report, _new = operations.submit(launch.school_id, launch.user_id, data, form.get("submission"))
    except (ValidationFailed, ImagesRefused, operations.SubmissionInvalid, operations.RateLimited,
            operations.AlreadySent) as problem:
        return _form_page(form.get("category"), form=form, problem=problem, status=problem.status)
    return redirect(url_for("reports.receipt", reference=report.reference), 303)


@bp.errorhandler(RequestEntityTooLarge)
def _too_large(exc):
    """A report too large to read (an attached file, most likely): say why; nothing was read or kept."""
    message = _("What you sent is too large to read, so nothing was saved. Reports take no pictures or files: "
                "describe what you saw in words and give the link or account name instead.")
    if g.get("launch") is None:
        return render_error(413, "request_entity_too_large", message)
    return _form_page(None, problem=AppError(message, status=413), status=413)


def _response_times(school_id: int) -> CaseSettings:
    """The school's promised first-response times (defaults until the school sets its own)."""
    return db.session.get(CaseSettings, school_id) or CaseSettings(first_response_hours=24,
                                                                   urgent_response_minutes=60)


@bp.route("/<reference>/receipt")
@launched
def receipt(reference: str):
    """Proof of having reported: the reference and what happens next."""
    launch = g.launch
    report = queries.my_report(launch.school_id, launch.user_id, reference)
    return render_template("reports/receipt.html", report=report,
                           settings=_response_times(launch.school_id))


@bp.route("/mine")
@launched
def mine():
    """The person's own reports with their status and unread answers."""
    launch = g.launch
    return render_template("reports/mine.html",
                           reports=queries.my_reports(launch.school_id, launch.user_id),
                           unread=queries.unread_counts(launch.school_id, launch.user_id))


def _report_page(report, *, reply_form=None, problem: AppError | None = None, status: int = 200):
    """One report with its thread and the reply form (filled in again after a problem)."""
    thread = [(message, queries.message_body(message)) for message in queries.messages(report)]
    return render_template("reports/show.html", report=report, details=queries.details(report),
                           thread=thread, closed=report.status == CLOSED, reply_form=reply_form or {},
                           problem=problem, errors=getattr(problem, "errors", None) or {},
                           sexual_images=report.category == SEXUAL_IMAGES), status


@bp.route("/<reference>")
@launched
def show(reference: str):
    """One of the person's reports: what they sent, its status, the thread; marks answers read."""
    launch = g.launch
    report = queries.my_report(launch.school_id, launch.user_id, reference)
    page = _report_page(report)
    operations.mark_read(report)
    return page


@bp.route("/<reference>/messages", methods=["POST"])
@launched
def reply(reference: str):
    """The reporter answers the coordinator; on a problem the text comes back."""
    launch = g.launch
    report = queries.my_report(launch.school_id, launch.user_id, reference)
    data = {key: value for key, value in request.form.items() if key not in ("csrf_token", "lt")}
    try:
        refuse_files(request.files)
        refuse_images(data)
        try:
            body = MessageIn().load(data)["body"]
        except ValidationError as exc:
            raise ValidationFailed(exc.messages)
        operations.reply(report, body, launch.user_id)
    except AppError as problem:
        form = _without_images(request.form, {}) if isinstance(problem, ImagesRefused) else request.form
        return _report_page(report, reply_form=form, problem=problem, status=problem.status)
    return redirect(url_for("reports.show", reference=report.reference, _anchor="thread-end"), 303)
