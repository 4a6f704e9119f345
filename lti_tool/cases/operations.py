"""Working a case: status, assignment, notes, messages, the checklist, closing, settings.

Every operation takes an explicit actor (the coordinator, from the launch), flushes and never
commits; each change is appended to the audit log. The first thing a coordinator does with a new
case (anything but reading it) is its first response; moving it past "new" or writing to the
reporter acknowledges the report to the reporter; a message once the case is in progress, or the
closing, is the reporter's feedback.
"""
from dataclasses import dataclass

from flask_babel import gettext as _, ngettext
from sqlalchemy import delete, update

from .. import sealing
from ..db import insert_missing, utcnow
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..imagesafe import refuse_images
from ..reports.models import ACKNOWLEDGED, CLOSED, IN_PROGRESS, Report, ReportMessage
from . import audit, closing, protocol, queries
from .models import CaseNote, CaseSettings, ChecklistEntry

NOTE_FIELD = "case_note.body"
STEP_NOTE_FIELD = "case_checklist.note"
MAX_STEP_NOTE = 1000  # a protocol step's note, in characters
NOT_GENUINE = "not_genuine"
OUTCOMES = ("resolved", "sanctioned", "referred", "no_action", "withdrawn")
MAX_BODY = 5000  # a note or a message, in characters


@dataclass(frozen=True)
class Actor:
    """Who acts: taken from the launch, never from the request body."""

    school_id: int
    user_id: int


def _writable(report: Report) -> None:
    if report.purged_at is not None:
        raise Conflict(_("The contents of this case were removed after the retention period; it can no longer change."))


def _responded(report: Report, now=None) -> None:
    if report.first_response_at is None:
        report.first_response_at = now or utcnow()


def _acknowledged(report: Report, now=None) -> None:
    if report.reporter_acknowledged_at is None:
        report.reporter_acknowledged_at = now or utcnow()


def view(report: Report, actor: Actor) -> None:
    """Record that the actor opened the case, and that its reporter messages are read."""
    audit.record(actor.school_id, actor.user_id, "case_viewed", report.id)
    db.session.execute(update(ReportMessage).where(
        ReportMessage.school_id == report.school_id, ReportMessage.report_id == report.id,
        ReportMessage.author_role == ReportMessage.REPORTER, ReportMessage.read_by_school_at.is_(None))
        .values(read_by_school_at=utcnow()))


def change_status(report: Report, actor: Actor, status: str) -> Report:
    """Move an open case to acknowledged or in progress (closing and reopening have their own steps)."""
    _writable(report)
    if report.status == CLOSED:
        raise Conflict(_("This case is closed; reopen it first."))
    if status not in (ACKNOWLEDGED, IN_PROGRESS):
        raise ValidationFailed({"status": [_("Choose acknowledged or in progress.")]})
    if status == report.status:
        return report
    now = utcnow()
    previous, report.status = report.status, status
    _responded(report, now)
    _acknowledged(report, now)
    audit.record(actor.school_id, actor.user_id, "status_changed", report.id, f"{previous}→{status}")
    db.session.flush()
    return report


def assign(report: Report, actor: Actor, assignee_id: int | None) -> Report:
    """Give the case to one of the school's coordinators, or to nobody."""
    _writable(report)
    assignee = None
    if assignee_id is not None:
        if not queries.is_coordinator_of(report.school_id, assignee_id):
            raise ValidationFailed({"assignee_id": [_("Choose one of this school's coordinators.")]})
        from . import exclusions
        if not exclusions.may_handle(report, assignee_id):
            raise ValidationFailed({"assignee_id": [_("The reporter asked that this coordinator does not see "
                                                      "this report. Choose another coordinator.")]})
        assignee = queries.users_by_id([assignee_id])[assignee_id]
    if report.assignee_id == assignee_id:
        return report
    report.assignee = assignee
    _responded(report)
    audit.record(actor.school_id, actor.user_id, "assigned", report.id,
                 assignee.display_name if assignee else "—")
    db.session.flush()
    return report


def add_note(report: Report, actor: Actor, body: str) -> CaseNote:
    """An internal note, sealed; the reporter never sees it. Like every text, it carries no image or file."""
    _writable(report)
    refuse_images(body, "body", limits={"body": MAX_BODY}, report=False)
    note = CaseNote(school_id=report.school_id, report_id=report.id, author_user_id=actor.user_id,
                    body=sealing.seal(body, report.school_id, NOTE_FIELD))
    db.session.add(note)
    _responded(report)
    audit.record(actor.school_id, actor.user_id, "note_added", report.id)
    db.session.flush()
    return note


def note_body(note: CaseNote) -> str:
    return sealing.unseal(note.body, note.school_id, NOTE_FIELD) or ""


def send_message(report: Report, actor: Actor, body: str) -> ReportMessage:
    """A message to the reporter, through the report's thread; a pseudonymous reporter stays unknown."""
    _writable(report)
    from ..reports import operations as reports
    message = reports.post_message(report, ReportMessage.COORDINATOR, body, actor.user_id)
    now = utcnow()
    _responded(report, now)
    if report.status == IN_PROGRESS and report.reporter_acknowledged_at is not None and report.feedback_at is None:
        report.feedback_at = now
    _acknowledged(report, now)
    audit.record(actor.school_id, actor.user_id, "message_sent", report.id)
    db.session.flush()
    return message


def check_step(report: Report, actor: Actor, step: str, done: bool, *, not_applicable: bool = False,
               note: str | None = None) -> None:
    """Check a protocol step off or mark it not applicable (who, when, an optional sealed note), or open it again.

    A step marked not applicable says why: a later reader (the Inspectorate, a court) must see the
    choice was made on purpose. The note is a text like any other: no image, no encoded file.
    """
    _writable(report)
    if step not in protocol.steps_for(report.category, report.staff_suspect or report.about_staff):
        raise ValidationFailed({"step": [_("This step does not apply to this case.")]})
    if report.status == CLOSED:
        raise Conflict(_("This case is closed; reopen it first."))
    note = (note or "").strip().replace("\r\n", "\n") or None
    if done and not_applicable and step in protocol.required_to_close(report):
        raise ValidationFailed({"state": [_("This step is required for this case; it cannot be marked not applicable.")]})
    if done and not_applicable and note is None:
        raise ValidationFailed({"note": [_("Say in a few words why this step does not apply.")]})
    if note is not None:
        refuse_images(note, "note", limits={"note": MAX_STEP_NOTE}, report=False)
    entries = ChecklistEntry.__table__
    where = (entries.c.school_id == report.school_id, entries.c.report_id == report.id, entries.c.step == step)
    if done:
        state = ChecklistEntry.NOT_APPLICABLE if not_applicable else ChecklistEntry.DONE
        sealed = sealing.seal(note, report.school_id, STEP_NOTE_FIELD) if note else None
        now = utcnow()
        insert_missing(db.session, ChecklistEntry, school_id=report.school_id, report_id=report.id,
                       step=step, done_by_id=actor.user_id, done_at=now, state=state, note=sealed)
        db.session.execute(update(entries).where(*where).values(state=state, note=sealed, done_by_id=actor.user_id,
                                                                done_at=now))
        action = "step_not_applicable" if not_applicable else "step_checked"
    else:
        db.session.execute(delete(entries).where(*where))
        action = "step_unchecked"
    _responded(report)
    audit.record(actor.school_id, actor.user_id, action, report.id, step)
    db.session.flush()
    db.session.expire_all()


def step_note(entry: ChecklistEntry) -> str:
    return sealing.unseal(entry.note, entry.school_id, STEP_NOTE_FIELD) if entry.note else ""


def open_steps(report: Report) -> list[str]:
    """The protocol steps of the case nobody has checked off or marked not applicable yet."""
    dealt_with = queries.checklist(report)
    return [step for step in protocol.steps_for(report.category, report.staff_suspect or report.about_staff)
            if step not in dealt_with]


def set_staff_suspect(report: Report, actor: Actor, value: bool) -> Report:
    """Mark that a staff member is suspected of a sexual offence against a student: the board track."""
    _writable(report)
    if report.staff_suspect != value:
        if report.status == CLOSED:
            raise Conflict(_("This case is closed; reopen it first."))
        report.staff_suspect = value
        _responded(report)
        audit.record(actor.school_id, actor.user_id, "staff_suspect_set" if value else "staff_suspect_cleared",
                     report.id)
        db.session.flush()
    return report


def set_legal_hold(report: Report, actor: Actor, value: bool) -> Report:
    """Keep (or stop keeping) the contents past the retention period."""
    _writable(report)
    if report.legal_hold != value:
        report.legal_hold = value
        audit.record(actor.school_id, actor.user_id, "legal_hold_set" if value else "legal_hold_lifted", report.id)
        db.session.flush()
    return report


def case_audience(report: Report) -> str:
    """Whose code a case is judged by: the staff code when it is about a staff member, else the students'."""
    return "staff" if report.about_staff or report.staff_suspect else "student"


def rule_choices(school_id: int, audience: str | None = None) -> list[dict]:
    """The rules of the school's published codes (students' first) with their consequences ladders;
    with an audience, only that code's rules (a student case is judged by the student code)."""
    from ..conduct import queries as conduct
    versions = conduct.current_versions(school_id)
    rules, seen = [], set()
    for audience in ((audience,) if audience else ("student", "staff")):
        version = versions.get(audience)
        for rule in (version.content.get("rules", []) if version else []):
            if rule["key"] not in seen:
                seen.add(rule["key"])
                rules.append({"audience": audience, "key": rule["key"], "title": rule["title"],
                              "ladder": rule.get("ladder", [])})
    return rules


def close(report: Report, actor: Actor, outcome: str, rule_key: str | None = None,
          ladder_step: int | None = None, *, message: str | None = None,
          unanswered_reason: str | None = None, open_steps_confirmed: bool = False) -> Report:
    """Close the case with its outcome, the rule broken and the step of its ladder applied, and a
    closing message to the reporter (required: a case never closes without a word to them).

    Protocol steps still open make it ask first (OpenSteps): closing past them must be a choice.
    """
    _writable(report)
    if report.status == CLOSED:
        raise Conflict(_("This case is already closed."))
    if outcome not in OUTCOMES:
        raise ValidationFailed({"outcome": [_("Choose an outcome.")]})
    _require_steps(report)
    if rule_key is not None:
        rule = next((r for r in rule_choices(report.school_id, case_audience(report)) if r["key"] == rule_key), None)
        if rule is None:
            raise ValidationFailed({"rule_key": [_("Choose a rule of the school's published code.")]})
        if ladder_step is None or not 0 <= ladder_step < len(rule["ladder"]):
            raise ValidationFailed({"ladder_step": [_("Choose a step of this rule's consequences ladder.")]})
    elif ladder_step is not None:
        raise ValidationFailed({"ladder_step": [_("A step of the ladder goes with a rule.")]})
    reason = _require_answer(report, unanswered_reason)
    if not (message or "").strip():  # a form error comes before the question about open steps
        raise ValidationFailed({"message": [_("Write a closing message to the reporter.")]})
    _confirm_open_steps(report, actor, open_steps_confirmed)
    sent = _closing_message(report, actor, message)
    _close(report, actor, outcome, rule_key, ladder_step, sent)
    audit.record(actor.school_id, actor.user_id, "case_closed", report.id,
                 f"{outcome}" + (f"; {rule_key} step {ladder_step + 1}" if rule_key else ""))
    _record_reason(report, actor, reason)
    db.session.flush()
    return report


def mark_not_genuine(report: Report, actor: Actor, *, message: str | None = None,
                     unanswered_reason: str | None = None) -> Report:
    """Close a false or prank report with a closing message; the reporter stays as unknown as before."""
    _writable(report)
    if report.status == CLOSED:
        raise Conflict(_("This case is already closed."))
    _require_steps(report)
    reason = _require_answer(report, unanswered_reason)
    sent = _closing_message(report, actor, message)
    report.not_genuine = True
    _close(report, actor, NOT_GENUINE, None, None, sent)
    audit.record(actor.school_id, actor.user_id, "marked_not_genuine", report.id)
    _record_reason(report, actor, reason)
    db.session.flush()
    return report


def _require_steps(report: Report) -> None:
    done = queries.checklist(report)
    missing = [step for step in protocol.required_to_close(report) if step not in done]
    if missing:
        raise Conflict(_("Check off \"%(step)s\" before closing: a staff member is suspected of a sexual "
                         "offence against a student.", step=protocol.step_title(missing[0])))


class OpenSteps(Conflict):
    """Steps of the protocol are still open: the coordinator confirms closing anyway, or goes back."""

    code = "open_steps"

    def __init__(self, steps: list[str]):
        super().__init__(ngettext("One step of the protocol is still open. Close the case anyway?",
                                  "%(num)s steps of the protocol are still open. Close the case anyway?",
                                  len(steps)))
        self.steps = steps


def _confirm_open_steps(report: Report, actor: Actor, confirmed: bool) -> None:
    steps = open_steps(report)
    if steps and not confirmed:
        raise OpenSteps(steps)
    if steps:
        audit.record(actor.school_id, actor.user_id, "closed_with_open_steps", report.id, ",".join(steps)[:200])


def _require_answer(report: Report, reason: str | None) -> str | None:
    """Refuse to close while the reporter's last message waits for an answer, unless a reason is given.

    Returns the reason that applies (None when nothing waits); it is audited as its key, never as text.
    """
    from ..reports import queries as reports
    if not reports.unanswered(report):
        return None
    if reason is None:
        raise Conflict(_("The reporter's last message has no answer yet. Answer it first, or choose why "
                         "the case can close without one."))
    if reason not in closing.UNANSWERED_REASONS:
        raise ValidationFailed({"unanswered_reason": [_("Choose why the case can close without an answer.")]})
    return reason


def _record_reason(report: Report, actor: Actor, reason: str | None) -> None:
    if reason is not None:
        audit.record(actor.school_id, actor.user_id, "closed_unanswered", report.id, reason)


def _closing_message(report: Report, actor: Actor, body: str | None) -> ReportMessage:
    """Post the closing message to the reporter's thread (validated like any message)."""
    if not (body or "").strip():
        raise ValidationFailed({"message": [_("Write a closing message to the reporter.")]})
    from ..reports import operations as reports
    message = reports.post_message(report, ReportMessage.COORDINATOR, body.strip().replace("\r\n", "\n"),
                                   actor.user_id)
    audit.record(actor.school_id, actor.user_id, "message_sent", report.id, "closing")
    return message


def _close(report: Report, actor: Actor, outcome, rule_key, ladder_step, message: ReportMessage | None) -> None:
    """Mark the case closed; the feedback deadline counts as met only when a message was sent."""
    now = utcnow()
    report.status, report.closed_at = CLOSED, now
    report.outcome, report.rule_key, report.ladder_step = outcome, rule_key, ladder_step
    _responded(report, now)
    _acknowledged(report, now)
    if message is not None and report.feedback_at is None:
        report.feedback_at = message.created_at


def reopen(report: Report, actor: Actor) -> Report:
    """Open a closed case again (in progress); its closing record is cleared until it closes again."""
    _writable(report)
    if report.status != CLOSED:
        raise Conflict(_("This case is not closed."))
    report.status, report.closed_at = IN_PROGRESS, None
    report.outcome = report.rule_key = report.ladder_step = None
    report.not_genuine = False
    audit.record(actor.school_id, actor.user_id, "case_reopened", report.id)
    db.session.flush()
    return report


def enter_report(actor: Actor, data: dict, source: str) -> Report:
    """A report that reached a coordinator by phone, in person, by e-mail or otherwise."""
    from ..reports import operations as reports
    report = reports.create_report(actor.school_id, data, reporter_user_id=None, source=source,
                                   entered_by_id=actor.user_id)
    audit.record(actor.school_id, actor.user_id, "report_entered", report.id, source)
    db.session.flush()
    return report


def save_settings(school_id: int, actor_id: int, data: dict) -> CaseSettings:
    """Store the school's targets and retention (validated by SettingsSchema)."""
    settings = db.session.get(CaseSettings, school_id)
    if settings is None:
        settings = CaseSettings(school_id=school_id)
        db.session.add(settings)
    changed = [name for name, value in data.items() if getattr(settings, name) != value]
    for name, value in data.items():
        setattr(settings, name, value)
    if changed:
        audit.record(school_id, actor_id, "settings_changed", None, ", ".join(sorted(changed)))
    db.session.flush()
    return settings

