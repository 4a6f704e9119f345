"""The reporter's pages: the form, the receipt, "My reports" and the thread with the coordinator."""
from flask import Blueprint, flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from .. import coarse_time
from ..errors import AppError, ValidationFailed, render_error
from ..imagesafe import ImagesRefused, refuse_files, without_images
from ..security import launched
from . import operations, queries
from .models import CATEGORIES, CLOSED, SEXUAL_IMAGES, URGENT_CATEGORIES, ReportMessage
from .schemas import TEXT_FIELDS, MessageIn, ReopenIn, SpreadingIn, form_to_reopen, form_to_report

bp = Blueprint("reports", __name__, url_prefix="/reports")
# A time as the school may see it: the part of the day for what a pseudonymous reporter did.
bp.add_app_template_global(coarse_time.shown, "when")


@bp.after_request
def _no_trace(response):
    """A reporter's pages are never kept by the browser: Back after "leave quickly" fetches anew."""
    response.headers["Cache-Control"] = "no-store"
    return response


# Categories whose evidence is a picture or a video: the form asks who has it and where it went.
IMAGE_CATEGORIES = ("sexual_images", "fight_video", "unwanted_images")


def _form_page(category: str | None, *, form=None, problem: AppError | None = None, status: int = 200):
    """The report form, blank or filled in again with what was sent, and a new one-time token."""
    launch = g.launch
    known = category in CATEGORIES
    errors = dict(getattr(problem, "errors", None) or {})
    if form is not None:
        form = _without_images(form, errors)
    return render_template(
        "reports/new.html", category=category if known else None, categories=CATEGORIES,
        image_categories=IMAGE_CATEGORIES, urgent_categories=URGENT_CATEGORIES, form=form or {},
        problem=problem, errors=errors, images_refused=isinstance(problem, ImagesRefused),
        submission=operations.new_submission(launch.school_id, launch.user_id),
        coordinators=operations.COORDINATORS.ask(launch.school_id)), status


def _without_images(form, errors: dict) -> dict:
    """A refused form's fields for the page: the words come back, a picture or file never does."""
    cleaned = {}
    for key, value in form.items():
        kept = without_images(value)
        if kept != value:
            value = kept
            if key in TEXT_FIELDS or key == "body":
                errors[key] = [_("We took a picture, file or encoded image out of this field. "
                                 "Check what is left and describe the rest in words.")]
        cleaned[key] = value
    return cleaned


@bp.route("/new", methods=["GET", "POST"])
@launched
def new():
    """Step 1: what kind of incident; step 2: the form for that kind, chosen by a posted button
    (so the kind stays out of the address and history) or, for old links, by ?category=."""
    category = request.form.get("category") if request.method == "POST" else request.args.get("category")
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


def _response_times(school_id: int):
    """The school's promised first-response times (defaults until the school sets its own)."""
    return operations.SETTINGS.ask(school_id)


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
    """The person's own reports with where each stands for them and unread answers."""
    launch = g.launch
    reports = queries.my_reports(launch.school_id, launch.user_id)
    times = queries.last_message_times(launch.school_id, [report.id for report in reports])
    return render_template("reports/mine.html", reports=reports, times=times, progress=queries.progress,
                           unread=queries.unread_counts(launch.school_id, launch.user_id))


def _report_page(report, *, reply_form=None, reopen_form=None, problem: AppError | None = None,
                 status: int = 200, errors=None):
    """One report with its thread and the reply form (filled in again after a problem)."""
    messages = queries.messages(report)
    thread = [(message, queries.message_body(message)) for message in messages]
    times = queries.last_message_times(report.school_id, [report.id])[report.id]
    return render_template("reports/show.html", report=report, details=queries.details(report),
                           thread=thread, closed=report.status == CLOSED, reply_form=reply_form or {},
                           reopen_form=reopen_form or {}, progress=queries.progress(report, times),
                           last_answer_at=times.get(ReportMessage.COORDINATOR),
                           can_reopen=operations.can_reopen(report),
                           reopen_days=operations.reopen_days(report.school_id),
                           problem=problem, errors=errors or getattr(problem, "errors", None) or {},
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


def _fields(form) -> dict:
    """A form's own fields, without the tokens that are checked elsewhere."""
    return {key: value for key, value in form.items() if key not in ("csrf_token", "lt")}


def _load(schema, data) -> dict:
    try:
        return schema.load(data)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages)


@bp.route("/<reference>/messages", methods=["POST"])
@launched
def reply(reference: str):
    """The reporter answers the coordinator; on a problem the text comes back."""
    launch = g.launch
    report = queries.my_report(launch.school_id, launch.user_id, reference)
    data = _fields(request.form)
    try:
        refuse_files(request.files)
        body = _load(MessageIn(), data)["body"]
        operations.reply(report, body, launch.user_id)
    except AppError as problem:
        errors = dict(getattr(problem, "errors", None) or {})
        form = _without_images(request.form, errors)
        return _report_page(report, reply_form=form, problem=problem, status=problem.status, errors=errors)
    return redirect(url_for("reports.show", reference=report.reference, _anchor="thread-end"), 303)


@bp.route("/<reference>/reopen", methods=["POST"])
@launched
def reopen(reference: str):
    """"It started again": the reporter adds to their closed report once, which reopens it."""
    launch = g.launch
    report = queries.my_report(launch.school_id, launch.user_id, reference)
    try:
        refuse_files(request.files)
        data = _load(ReopenIn(), form_to_reopen(request.form))
        operations.reopen_by_reporter(report, data["body"], data["spreading_now"])
    except AppError as problem:
        errors = dict(getattr(problem, "errors", None) or {})
        form = _without_images(request.form, errors)
        return _report_page(report, reopen_form=form, problem=problem, status=problem.status, errors=errors)
    flash(_("Your report is open again. The coordinators have been told that there is news."))
    return redirect(url_for("reports.show", reference=report.reference, _anchor="thread-end"), 303)


@bp.route("/<reference>/spreading", methods=["POST"])
@launched
def spreading(reference: str):
    """"It is spreading again": the case becomes urgent and the coordinators are told (no content)."""
    launch = g.launch
    report = queries.my_report(launch.school_id, launch.user_id, reference)
    _load(SpreadingIn(), _fields(request.form))
    operations.mark_spreading_again(report)
    flash(_("Thank you. Your report is urgent again and the coordinators have been told."))
    return redirect(url_for("reports.show", reference=report.reference), 303)
