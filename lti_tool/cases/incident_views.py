"""The incident pages: link reports into one incident, see them side by side, work them together.

On the cases blueprint; the same checks as a case (coordinators, or the deputy for their reports),
and an incident is as unknown as a made-up id to anyone who may not handle every one of its reports.
"""
from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import gettext as _, ngettext

from ..errors import AppError
from ..reports import queries as reports
from . import casefile, incidents, operations, protocol, queries, timeliness
from .incident_schemas import LinkSchema, UnlinkSchema
from .schemas import CloseSchema, StepSchema, TextSchema
from .views import actor, bp, coordinators_only, load


def _incident(incident_id: int):
    return incidents.incident(g.launch.school_id, incident_id, g.launch.user_id)


def _done(found, message: str, anchor: str | None = None):
    flash(message)
    return redirect(url_for("cases.incident", incident_id=found.id, _anchor=anchor), 303)


def side_by_side(found) -> list[dict]:
    """Each report of the incident with what it says, for the page and the API."""
    settings = queries.settings_for(found.school_id)
    rows = []
    for report in incidents.reports_of(found):
        deadlines = timeliness.deadlines(report, settings)
        rows.append(casefile.summary(report, deadlines) | {
            "reporter": casefile.reporter_label(report) if report.purged_at is None else _("Removed"),
            "details": {} if report.purged_at is not None else reports.details(report)})
    return rows


@bp.route("/<int:report_id>/incident", methods=["POST"])
@coordinators_only
def link_case(report_id):
    """Link this case with the reports named: into its incident, or into a new one."""
    report = queries.case(g.launch.school_id, report_id)
    data = load(LinkSchema(), request.form.to_dict())
    others = incidents.resolve(g.launch.school_id, g.launch.user_id, report_ids=data["report_ids"],
                               references=data["references"])
    if report.incident_id is not None:
        found = incidents.incident(g.launch.school_id, report.incident_id, g.launch.user_id)
        incidents.link(found, actor(), others)
    else:
        found = incidents.create(actor(), [report] + [r for r in others if r.id != report.id])
    return _done(found, _("The reports are linked into one incident."))


@bp.route("/incidents/<int:incident_id>")
@coordinators_only
def incident(incident_id):
    """An incident: its reports side by side, the shared checklist, closing and one message to every reporter."""
    found = _incident(incident_id)
    for report in incidents.reports_of(found):
        operations.view(report, actor())  # each report's view is audited, as on its own page
    return _incident_page(found)


def _incident_page(found, *, close_form=None, problem=None, status: int = 200):
    """The incident page; after a refused closing, with the coordinator's choices and text kept and
    the problem (open steps: a second step that closes anyway) above the form."""
    return render_template("cases/incident.html", incident=found, rows=side_by_side(found),
                           steps=incidents.steps(found),
                           rules=operations.rule_choices(g.launch.school_id, incidents.audience(found)),
                           outcomes=operations.OUTCOMES, step_help=protocol.step_help,
                           close_form=close_form or {}, problem=problem,
                           open_steps=getattr(problem, "steps", None),
                           errors=getattr(problem, "errors", None) or {}), status


@bp.route("/incidents/<int:incident_id>/reports", methods=["POST"])
@coordinators_only
def link_more(incident_id):
    found = _incident(incident_id)
    data = load(LinkSchema(), request.form.to_dict())
    incidents.link(found, actor(), incidents.resolve(g.launch.school_id, g.launch.user_id,
                                                     report_ids=data["report_ids"], references=data["references"]))
    return _done(found, _("The reports are linked into this incident."))


@bp.route("/incidents/<int:incident_id>/unlink", methods=["POST"])
@coordinators_only
def unlink(incident_id):
    found = _incident(incident_id)
    data = load(UnlinkSchema(), request.form.to_dict())
    report = incidents.unlink(found, actor(), data["report_id"])
    return _done(found, _("%(reference)s is no longer part of this incident.", reference=report.reference))


@bp.route("/incidents/<int:incident_id>/steps", methods=["POST"])
@coordinators_only
def incident_step(incident_id):
    found = _incident(incident_id)
    data = load(StepSchema(), request.form.to_dict())
    count = incidents.check_step(found, actor(), data["step"], data["done"])
    title = protocol.step_title(data["step"])
    return _done(found, ngettext("Checked off on %(num)s report: %(step)s.", "Checked off on %(num)s reports: %(step)s.",
                                 count, step=title) if data["done"]
                 else ngettext("Open again on %(num)s report: %(step)s.", "Open again on %(num)s reports: %(step)s.",
                               count, step=title), "checklist")


@bp.route("/incidents/<int:incident_id>/close", methods=["POST"])
@coordinators_only
def incident_close(incident_id):
    """Close every open report; a refusal gives the page back with the choices and text kept."""
    found = _incident(incident_id)
    try:
        data = load(CloseSchema(), request.form.to_dict())
        count = incidents.close(found, actor(), data["outcome"], data["rule_key"], data["ladder_step"],
                                message=data["message"], unanswered_reason=data["unanswered_reason"],
                                open_steps_confirmed=data["confirm_open_steps"])
    except AppError as problem:  # refused before anything was written; the answer's 4xx rolls back
        return _incident_page(found, close_form=request.form, problem=problem, status=problem.status)
    return _done(found, ngettext("%(num)s report of the incident is closed.", "%(num)s reports of the incident are closed.",
                                 count))


@bp.route("/incidents/<int:incident_id>/messages", methods=["POST"])
@coordinators_only
def incident_message(incident_id):
    found = _incident(incident_id)
    data = load(TextSchema(), request.form.to_dict())
    count = incidents.send_message(found, actor(), data["body"])
    return _done(found, ngettext("Your message is posted in the thread of the report.",
                                 "Your message is posted in the thread of each of the %(num)s reports; no reporter "
                                 "sees the others.", count), "message")
