"""Everything a coordinator sees of one case, gathered once for the page and the API alike."""
from dataclasses import dataclass, field

from flask_babel import gettext as _

from ..reports import queries as reports
from ..reports.models import NAMED
from . import operations, protocol, queries, timeliness


@dataclass
class CaseFile:
    report: object
    reporter: str
    details: dict
    deadlines: list
    steps: list = field(default_factory=list)
    messages: list = field(default_factory=list)
    notes: list = field(default_factory=list)
    timeline: list = field(default_factory=list)

    @property
    def overdue(self) -> bool:
        return any(d.state == timeliness.OVERDUE for d in self.deadlines)


def reporter_label(report) -> str:
    """A named reporter's name; otherwise only the pseudonym (nobody at the school learns more)."""
    if report.identity == NAMED and report.reporter is not None:
        return report.reporter.display_name
    return _("Pseudonym %(pseudonym)s", pseudonym=report.pseudonym) if report.pseudonym else _("Unknown")


def build(report, settings) -> CaseFile:
    """Unseal the case's details, notes and messages; list its steps, deadlines and timeline."""
    purged = report.purged_at is not None
    label = reporter_label(report) if not purged else _("Removed")
    done = queries.checklist(report)
    messages = [] if purged else reports.messages(report)
    notes = [] if purged else queries.notes(report)
    people = queries.users_by_id([m.author_user_id for m in messages] + [n.author_user_id for n in notes]
                                 + [e.done_by_id for e in done.values()])
    required = set(protocol.required_to_close(report))
    steps = [_step(step, report, done.get(step), people, required)
             for step in protocol.steps_for(report.category, report.staff_suspect or report.about_staff)]
    return CaseFile(
        report=report, reporter=label,
        details={} if purged else reports.details(report),
        deadlines=timeliness.deadlines(report, settings),
        steps=steps,
        messages=[{"id": m.id, "author_role": m.author_role, "created_at": m.created_at,
                   "coarse": report.coarse_time and m.author_role == m.REPORTER,
                   "author": people[m.author_user_id].display_name
                   if m.author_role == m.COORDINATOR and m.author_user_id in people else None,
                   "body": reports.message_body(m)} for m in messages],
        notes=[{"id": n.id, "created_at": n.created_at, "body": operations.note_body(n),
                "author": people[n.author_user_id].display_name if n.author_user_id in people else None}
               for n in notes],
        timeline=queries.timeline(report, label),
    )


def _step(step: str, report, entry, people: dict, required: set) -> dict:
    """One protocol step as the page and the API show it: open, done or not applicable, and its note."""
    return {"step": step, "title": protocol.step_title(step), "help": protocol.step_help(step, report.category),
            "required_to_close": step in required,
            "done_by": people[entry.done_by_id].display_name if entry and entry.done_by_id in people else None,
            "done_at": entry.done_at if entry else None, "done": entry is not None,
            "state": entry.state if entry else "open",
            "note": operations.step_note(entry) if entry else None}


def as_dict(casefile: CaseFile) -> dict:
    """The shape CaseOut dumps."""
    report = casefile.report
    data = summary(report, casefile.deadlines)
    data.update({"reporter": casefile.reporter, "identity": report.identity,
                 "reporter_is_affected": report.reporter_is_affected, "details": casefile.details,
                 "outcome": report.outcome, "rule_key": report.rule_key, "ladder_step": report.ladder_step,
                 "purged_at": report.purged_at, "checklist": casefile.steps, "messages": casefile.messages,
                 "notes": casefile.notes})
    return data


def summary(report, deadlines) -> dict:
    """The shape CaseSummaryOut dumps: no content."""
    return {name: getattr(report, name) for name in (
        "id", "reference", "category", "source", "urgent", "spreading_now", "status", "assignee_id",
        "staff_suspect", "legal_hold", "not_genuine", "created_at", "closed_at", "incident_id", "coarse_time")} | {
        "assignee": report.assignee.display_name if report.assignee else None, "deadlines": deadlines, "overdue": any(d.state == timeliness.OVERDUE for d in deadlines)}
