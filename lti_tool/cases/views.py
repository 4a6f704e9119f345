"""The coordinator's pages: the queue, a case and everything done to it, entering a report.

Thin views: parse with a schema, load the case within the launch's school (404 otherwise), call
one operation, redirect back. Only designated coordinators of the school reach these pages.
"""
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import format_datetime, gettext as _
from marshmallow import ValidationError

from .. import coarse_time
from ..errors import AppError, ValidationFailed, flatten
from ..imagesafe import ImagesRefused, cleaned
from ..reports.models import CATEGORIES, STATUSES
from ..security import roles_required
from . import casefile, closing, exclusions, from_mail, labels, operations, protocol, queries, timeliness  # noqa: F401
from .blueprint import bp, load
from .labels import setting_label
from .schemas import (ENTRY_SOURCES, AssignSchema, CloseSchema, EntrySchema, FlagSchema, NotGenuineSchema,
                      QueueFilterSchema, StatusSchema, StepSchema, TextSchema, form_to_entry)

# The school's coordinators, and its deputy for the reports that keep every coordinator away.
coordinators_only = exclusions.handlers_only
enterers = roles_required(coordinator=True)


@bp.context_processor
def _helpers():
    return {"category_label": labels.category_label, "status_label": labels.status_label,
            "source_label": labels.source_label, "outcome_label": labels.outcome_label,
            "action_label": labels.action_label, "step_title": protocol.step_title,
            "format_datetime": format_datetime, "CATEGORIES": CATEGORIES, "STATUSES": STATUSES,
            "OVERDUE": timeliness.OVERDUE, "deadline_label": labels.deadline_label, "field_label": field_label,
            "rule_text": labels.rule_text, "event_detail": labels.event_detail, "entry_label": entry_label,
            "setting_label": setting_label, "when": coarse_time.shown,
            "due_when": coarse_time.due_shown}


def entry_label(name: str) -> str:
    return {"source": _("How it reached you"), "category": _("What kind of incident"),
            "what_happened": _("What happened"), "holders": _("Who has it"), "platform": _("Platform"), "link": _("Link"), "handle": _("Account"),
            "when": _("When"), "involved": _("Who is involved"), "spreading_now": _("Spreading now"),
            "reporter_is_affected": _("The person affected")}.get(name, name)


def field_label(key: str) -> str:
    """Words for the keys of a report's details; an unknown key is shown as itself, made readable."""
    known = {"what_happened": _("What happened"), "platform": _("Platform"), "link": _("Link"),
             "handle": _("Account"), "when": _("When"), "involved": _("Who is involved"),
             "holders": _("Who has the images, or where they were shared")}
    return known.get(key, str(key).replace("_", " ").capitalize())


def actor() -> operations.Actor:
    return operations.Actor(g.launch.school_id, g.launch.user_id)


@bp.route("")
@coordinators_only
def queue():
    """The school's open cases, urgent first; filters; one page at a time."""
    filters = load(QueueFilterSchema(), request.args.to_dict())
    settings = queries.settings_for(g.launch.school_id)
    page = queries.queue(g.launch.school_id, filters, g.launch.user_id, settings)
    rows = [(report, timeliness.deadlines(report, settings)) for report in page.cases]
    unread = queries.unread_from_reporters(g.launch.school_id, [report.id for report in page.cases])
    return render_template("cases/queue.html", rows=rows, page=page, filters=filters, unread=unread,
                           coordinators=queries.coordinators(g.launch.school_id))


@bp.route("/<int:report_id>")
@coordinators_only
def show(report_id):
    """One case: details, deadlines, checklist, messages, notes, timeline; the view is audited."""
    report = queries.case(g.launch.school_id, report_id)
    operations.view(report, actor())
    return _case_page(report)


def _case_page(report, *, close_form=None, problem=None, status: int = 200, text_problem: dict | None = None):
    """The case page; after a refused closing, with the coordinator's closing text and the problem;
    after a refused note or message, with its text back (any image or encoded file cut out)."""
    settings = queries.settings_for(g.launch.school_id)
    from ..reports import queries as reports
    return render_template("cases/case.html", case=casefile.build(report, settings),
                           coordinators=queries.coordinators(g.launch.school_id),
                           rules=operations.rule_choices(g.launch.school_id, operations.case_audience(report)),
                           outcomes=operations.OUTCOMES, open_steps=getattr(problem, "steps", None),
                           closing_templates=closing.templates_for(report, settings.reporter_reopen_days),
                           reporter_language=closing.reporter_locale(report),
                           unanswered=report.purged_at is None and reports.unanswered(report),
                           unanswered_reasons=closing.UNANSWERED_REASONS, reason_label=closing.reason_label,
                           close_form=close_form or {}, problem=problem, text_problem=text_problem,
                           errors=getattr(problem, "errors", None) or {},
                           excluded=exclusions.excluded_users(report)), status


def _text_refused(report, which: str, problem: AppError, field: str = "body"):
    """The case again with the refused note or message in its box, any image or encoded file cut out."""
    body, changed = cleaned(request.form.get(field, ""))
    errors = None if isinstance(problem, ImagesRefused) else getattr(problem, "errors", None)
    message = " ".join(msg for _path, msg in flatten(errors)) if errors else problem.message
    if changed:
        message += " " + _("We took a picture, file or encoded image out of the text. Check what is left.")
    return _case_page(report, text_problem={"which": which, "message": message, "body": body},
                      status=problem.status)


def _done(report, message: str, anchor: str | None = None):
    flash(message)
    return redirect(url_for("cases.show", report_id=report.id, _anchor=anchor), 303)


@bp.route("/<int:report_id>/status", methods=["POST"])
@coordinators_only
def status(report_id):
    report = queries.case(g.launch.school_id, report_id)
    data = load(StatusSchema(), request.form.to_dict())
    operations.change_status(report, actor(), data["status"])
    return _done(report, _("The case is now: %(status)s.", status=labels.status_label(report.status)))


@bp.route("/<int:report_id>/assign", methods=["POST"])
@coordinators_only
def assign(report_id):
    report = queries.case(g.launch.school_id, report_id)
    data = load(AssignSchema(), request.form.to_dict())
    operations.assign(report, actor(), data["assignee_id"])
    return _done(report, _("Assigned to %(name)s.", name=report.assignee.display_name) if report.assignee
                 else _("The case is assigned to nobody."))


@bp.route("/<int:report_id>/notes", methods=["POST"])
@coordinators_only
def add_note(report_id):
    report = queries.case(g.launch.school_id, report_id)
    try:
        data = load(TextSchema(), request.form.to_dict())
        operations.add_note(report, actor(), data["body"])
    except (ValidationFailed, ImagesRefused) as problem:
        return _text_refused(report, "note", problem)
    return _done(report, _("The note is saved. The reporter does not see it."), "notes")


@bp.route("/<int:report_id>/messages", methods=["POST"])
@coordinators_only
def send_message(report_id):
    report = queries.case(g.launch.school_id, report_id)
    try:
        data = load(TextSchema(), request.form.to_dict())
        operations.send_message(report, actor(), data["body"])
    except (ValidationFailed, ImagesRefused) as problem:
        return _text_refused(report, "message", problem)
    return _done(report, _("Your message is sent to the reporter."), "messages")


@bp.route("/<int:report_id>/steps", methods=["POST"])
@coordinators_only
def check_step(report_id):
    """Done, not applicable or open again, with the step's note; a refused note comes back in its box."""
    report = queries.case(g.launch.school_id, report_id)
    step = request.form.get("step", "")
    try:
        data = load(StepSchema(), request.form.to_dict())
        operations.check_step(report, actor(), data["step"], data["done"], not_applicable=data["not_applicable"],
                              note=data["note"])
    except (ValidationFailed, ImagesRefused) as problem:
        if step not in protocol.STEPS:
            raise
        return _text_refused(report, f"step:{step}", problem, field="note")
    title = protocol.step_title(data["step"])
    if data["not_applicable"]:
        message = _("Marked not applicable: %(step)s.", step=title)
    elif data["done"]:
        message = _("Checked off: %(step)s.", step=title)
    else:
        message = _("Open again: %(step)s.", step=title)
    return _done(report, message, f"step-{data['step']}")


@bp.route("/<int:report_id>/staff-suspect", methods=["POST"])
@coordinators_only
def staff_suspect(report_id):
    report = queries.case(g.launch.school_id, report_id)
    data = load(FlagSchema(), request.form.to_dict())
    operations.set_staff_suspect(report, actor(), data["value"])
    return _done(report, _("The board and Inspectorate track is added to the checklist.") if data["value"]
                 else _("The board and Inspectorate track is removed."), "checklist")


@bp.route("/<int:report_id>/legal-hold", methods=["POST"])
@coordinators_only
def legal_hold(report_id):
    report = queries.case(g.launch.school_id, report_id)
    data = load(FlagSchema(), request.form.to_dict())
    operations.set_legal_hold(report, actor(), data["value"])
    return _done(report, _("Legal hold: the contents are kept past the retention period.") if data["value"]
                 else _("Legal hold lifted: the contents follow the retention period again."))


@bp.route("/<int:report_id>/close", methods=["POST"])
@coordinators_only
def close(report_id):
    """Close with an outcome and a closing message; a refusal gives the page back with the text kept."""
    report = queries.case(g.launch.school_id, report_id)
    try:
        data = load(CloseSchema(), request.form.to_dict())
        operations.close(report, actor(), data["outcome"], data["rule_key"], data["ladder_step"],
                         message=data["message"], unanswered_reason=data["unanswered_reason"],
                         open_steps_confirmed=data["confirm_open_steps"])
    except AppError as problem:  # refused before anything was written; the answer's 4xx rolls back
        return _case_page(report, close_form=request.form,
                          problem=problem, status=problem.status)
    return _done(report, _("The case is closed and your closing message is sent to the reporter."))


@bp.route("/<int:report_id>/not-genuine", methods=["POST"])
@coordinators_only
def not_genuine(report_id):
    report = queries.case(g.launch.school_id, report_id)
    try:
        data = load(NotGenuineSchema(), request.form.to_dict())
        operations.mark_not_genuine(report, actor(), message=data["message"],
                                    unanswered_reason=data["unanswered_reason"])
    except AppError as problem:  # refused before anything was written; the answer's 4xx rolls back
        return _case_page(report, close_form=request.form,
                          problem=problem, status=problem.status)
    return _done(report, _("Marked not genuine and closed. The reporter stays unknown."))


@bp.route("/<int:report_id>/reopen", methods=["POST"])
@coordinators_only
def reopen(report_id):
    report = queries.case(g.launch.school_id, report_id)
    operations.reopen(report, actor())
    return _done(report, _("The case is open again."))


@bp.route("/new", methods=["GET"])
@enterers
def new():
    """The form for a report that reached a coordinator by another way."""
    return render_template("cases/new.html", form={}, errors=None, sources=ENTRY_SOURCES, refused=None)


@bp.route("/new", methods=["POST"])
@enterers
def enter():
    try:
        data = EntrySchema().load(form_to_entry(request.form))
        source = data.pop("source")
        report = operations.enter_report(actor(), data, source)
    except (ValidationError, ValidationFailed, ImagesRefused) as problem:
        # What the coordinator typed comes back, without any image, with the problems listed; nothing is stored.
        form, changed = cleaned(request.form.to_dict())
        errors = dict(getattr(problem, "messages", None) or getattr(problem, "errors", None) or {})
        for field in changed:
            errors[field] = [_("We took a picture, file or encoded image out of this field. "
                               "Check what is left and describe the rest in words.")]
        if isinstance(problem, ImagesRefused) and not changed:
            errors[problem.field or "what_happened"] = [problem.message]
        refused = isinstance(problem, ImagesRefused)
        return render_template("cases/new.html", form=form, errors=errors, sources=ENTRY_SOURCES,
                               refused=problem.message if refused else None), 422 if refused else 400
    flash(_("The report is entered as %(reference)s.", reference=report.reference))
    return redirect(url_for("cases.show", report_id=report.id), 303)
