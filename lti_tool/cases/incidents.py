"""Many reports, one incident: linking reports, and working them together.

A fight video reported by fifteen pupils is one incident. A coordinator links the reports; the
incident's checklist and closing apply to every report in it (each report keeps its own record,
so its reporter's view, the deadlines and the statistics stay per report), and one message is
posted into each report's own thread: no reporter learns who else reported, or how many.

Every check comes before any change, so a refused link (another school's report, a removed case,
a report that keeps the coordinator away) leaves nothing half-saved; the request commits once.
An incident is shown only to someone who may handle every one of its reports.
"""
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..reports.models import CLOSED, Report
from ..security import scoped
from . import audit, exclusions, operations, protocol, queries
from .models import ChecklistEntry, Incident

MAX_LINKED = 200


def incident(school_id: int, incident_id: int, viewer_id: int) -> Incident:
    """One incident of this school that the viewer may handle in full; otherwise as unknown as a made-up id."""
    found = db.session.scalars(scoped(select(Incident), Incident, school_id).where(Incident.id == incident_id)).first()
    if found is None or _hidden_reports(found, viewer_id):
        raise NotFound(_("There is no such incident at this school."))
    return found


def _hidden_reports(found: Incident, viewer_id: int) -> int:
    return db.session.scalar(
        scoped(select(func.count()).select_from(Report), Report, found.school_id)
        .where(Report.incident_id == found.id, ~exclusions.visible_condition(found.school_id, viewer_id)))


def reports_of(found: Incident) -> list[Report]:
    """The incident's reports, oldest first."""
    return list(db.session.scalars(scoped(select(Report), Report, found.school_id)
                                   .where(Report.incident_id == found.id)
                                   .order_by(Report.created_at, Report.id)))


def resolve(school_id: int, viewer_id: int, *, report_ids=(), references=()) -> list[Report]:
    """The reports named by id or reference, all of this school and all the viewer's to handle.

    Anything not found (another school's, a made-up one, one that keeps the viewer away) is
    refused with the names as given, and none of the rest is used.
    """
    wanted_ids = list(dict.fromkeys(report_ids))
    found: dict[int, Report] = {}
    missing: list[str] = []
    visible = exclusions.visible_condition(school_id, viewer_id)
    if wanted_ids:
        rows = db.session.scalars(scoped(select(Report), Report, school_id)
                                  .where(Report.id.in_(wanted_ids), visible))
        found.update({report.id: report for report in rows})
        missing += [f"#{i}" for i in wanted_ids if i not in found]
    for text in dict.fromkeys(references):
        candidates = queries.reference_candidates(text)
        report = db.session.scalars(scoped(select(Report), Report, school_id)
                                    .where(Report.reference.in_(candidates), visible)).first() if candidates else None
        if report is None:
            missing.append(text)
        else:
            found[report.id] = report
    if missing:
        raise ValidationFailed({"reports": [_("No case of this school has this reference or number: %(which)s.",
                                              which=", ".join(missing))]},
                               message=_("Nothing was linked."))
    return list(found.values())


def _check_linkable(reports: list[Report], target: Incident | None) -> None:
    for report in reports:
        if report.purged_at is not None:
            raise Conflict(_("%(reference)s was removed after the retention period and cannot be linked. "
                             "Nothing was linked.", reference=report.reference))
        if report.incident_id is not None and (target is None or report.incident_id != target.id):
            raise Conflict(_("%(reference)s is already part of another incident; unlink it there first. "
                             "Nothing was linked.", reference=report.reference))


def create(actor: operations.Actor, reports: list[Report]) -> Incident:
    """Link two or more reports into a new incident."""
    if len(reports) < 2:
        raise ValidationFailed({"reports": [_("Name at least two reports to link into one incident.")]},
                               message=_("Nothing was linked."))
    if len(reports) > MAX_LINKED:
        raise ValidationFailed({"reports": [_("Link at most %(n)s reports at a time.", n=MAX_LINKED)]})
    _check_linkable(reports, None)
    found = Incident(school_id=actor.school_id, created_by_id=actor.user_id)
    db.session.add(found)
    db.session.flush()
    _attach(found, actor, reports)
    return found


def link(found: Incident, actor: operations.Actor, reports: list[Report]) -> Incident:
    """Add reports to an incident (one already in it stays)."""
    if not reports:
        raise ValidationFailed({"reports": [_("Name a report to link.")]})
    _check_linkable(reports, found)
    if len(reports) + len(reports_of(found)) > MAX_LINKED:
        raise ValidationFailed({"reports": [_("Link at most %(n)s reports at a time.", n=MAX_LINKED)]})
    _attach(found, actor, [r for r in reports if r.incident_id != found.id])
    return found


def _attach(found: Incident, actor: operations.Actor, reports: list[Report]) -> None:
    for report in reports:
        report.incident_id = found.id
        audit.record(actor.school_id, actor.user_id, "incident_linked", report.id, str(found.id))
    db.session.flush()


def unlink(found: Incident, actor: operations.Actor, report_id: int) -> Report:
    """Take one report out of the incident again; it goes on as a case of its own."""
    report = next((r for r in reports_of(found) if r.id == report_id), None)
    if report is None:
        raise NotFound(_("This report is not part of this incident."))
    report.incident_id = None
    audit.record(actor.school_id, actor.user_id, "incident_unlinked", report.id, str(found.id))
    db.session.flush()
    return report


def _working(found: Incident) -> list[Report]:
    """The reports the incident's actions reach: every one whose contents are still kept."""
    reports = [r for r in reports_of(found) if r.purged_at is None]
    if not reports:
        raise Conflict(_("This incident has no report left to work on."))
    return reports


def steps(found: Incident) -> list[dict]:
    """The shared checklist: every step that applies to one of its reports, done when done on all of them."""
    reports = reports_of(found)
    applies: dict[str, list[int]] = {}
    for report in reports:
        for step in protocol.steps_for(report.category, report.staff_suspect or report.about_staff):
            applies.setdefault(step, []).append(report.id)
    done = {}
    if reports:
        for entry in db.session.scalars(scoped(select(ChecklistEntry), ChecklistEntry, found.school_id)
                                        .where(ChecklistEntry.report_id.in_([r.id for r in reports]))):
            done.setdefault(entry.step, set()).add(entry.report_id)
    required = {step for r in reports for step in protocol.required_to_close(r)}
    return [{"step": step, "title": protocol.step_title(step), "done": set(applies[step]) <= done.get(step, set()),
             "required_to_close": step in required}
            for step in protocol.STEPS if step in applies]


def check_step(found: Incident, actor: operations.Actor, step: str, done: bool) -> int:
    """Check a step off (or open it again) on every open report of the incident it applies to; return how many."""
    reports = [r for r in _working(found) if r.status != CLOSED
               and step in protocol.steps_for(r.category, r.staff_suspect or r.about_staff)]
    if not reports:
        raise ValidationFailed({"step": [_("This step does not apply to any open report of this incident.")]})
    for report in reports:
        operations.check_step(report, actor, step, done)
    return len(reports)


def close(found: Incident, actor: operations.Actor, outcome: str, rule_key: str | None,
          ladder_step: int | None, *, message: str, unanswered_reason: str | None = None,
          open_steps_confirmed: bool = False) -> int:
    """Close every open report of the incident with one outcome and one closing message, posted into
    each report's own thread; one report that may not close yet stops them all."""
    reports = [r for r in _working(found) if r.status != CLOSED]
    if not reports:
        raise Conflict(_("Every report of this incident is closed already."))
    if not open_steps_confirmed:
        still_open = {step for report in reports for step in operations.open_steps(report)}
        if still_open:  # asked once for the incident, naming each step once
            raise operations.OpenSteps([step for step in protocol.STEPS if step in still_open])
    for report in reports:
        operations.close(report, actor, outcome, rule_key, ladder_step, message=message,
                         unanswered_reason=unanswered_reason, open_steps_confirmed=open_steps_confirmed)
    return len(reports)


def audience(found: Incident) -> str | None:
    """Whose code the incident's open reports are judged by, when they agree (None: both codes)."""
    audiences = {operations.case_audience(r) for r in reports_of(found) if r.status != CLOSED}
    return audiences.pop() if len(audiences) == 1 else None


def send_message(found: Incident, actor: operations.Actor, body: str) -> int:
    """Post one message into each report's own thread; each reporter reads only their own."""
    reports = _working(found)
    for report in reports:
        operations.send_message(report, actor, body)
    return len(reports)


def counts(school_id: int, since, hidden=None) -> tuple[int, int]:
    """Since a time: (incidents, reports linked into one), for the statistics; hidden reports left out."""
    query = scoped(select(func.count(func.distinct(Report.incident_id)), func.count(Report.incident_id)),
                   Report, school_id).where(Report.created_at >= since, Report.incident_id.is_not(None))
    if hidden is not None:
        query = query.where(~hidden)
    incidents, linked = db.session.execute(query).one()
    return incidents or 0, linked or 0
