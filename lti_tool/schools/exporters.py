"""What a leaving school takes along, one exporter per feature; add one here for a new feature.

Each exporter names the tables it covers and turns the school's rows into one file of the archive.
A table with a school_id that no exporter covers and that is not set aside below is exported
column by column (binary, i.e. sealed, columns left out), so a new feature's data is never left
behind unnoticed. Nothing here shows who made a pseudonymous report.
"""
import csv
import io
import json
from dataclasses import dataclass
from typing import Callable

from sqlalchemy import LargeBinary, or_, select

from ..acknowledgements.models import Acknowledgement
from ..conduct.models import ConductCode, ConductVersion
from ..spreadsheet import safe_cell
from ..courses.models import Course, CourseMember, SchoolMember, User
from ..extensions import db
from ..reports.models import Report

# Tables with a school's rows that the archive leaves out on purpose, and why.
SET_ASIDE = {
    "lti_launches": "sign-in sessions that expire within hours",
    "gradebook_placements": "the LMS's own gradebook holds the scores",
    "gradebook_outbox": "the LMS's own gradebook holds the scores",
    "roster_syncs": "bookkeeping of roster reads; the roster is in course_members",
    "mail_outbox": "content-free notifications, sent or waiting",
    "reports": "exported as case summaries (contents only with --with-report-contents)",
    "report_messages": "report contents: only with --with-report-contents",
    "case_notes": "report contents: only with --with-report-contents",
    "case_checklist": "part of a case's handling, summarised in case summaries",
    "report_exclusions": "whom a reporter kept away from a report: it would point at the reporter",
}


@dataclass(frozen=True)
class Exporter:
    """One file of the archive: its name, the tables it covers, and how it is made for a school."""

    filename: str
    tables: tuple[str, ...]
    make: Callable[[int], tuple[str, int]]  # school id -> (file content, number of records)


def csv_text(header: list[str], rows) -> tuple[str, int]:
    """CSV with a BOM (spreadsheets then read UTF-8), every cell safe from formula injection."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([safe_cell(_plain(value)) for value in row])
        count += 1
    return "\ufeff" + out.getvalue(), count


def _plain(value):
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _people(school_id: int):
    in_courses = select(CourseMember.user_id).join(Course).where(Course.school_id == school_id)
    members = select(SchoolMember.user_id).where(SchoolMember.school_id == school_id)
    return db.session.execute(
        select(User.id, User.sub, User.name, User.email, SchoolMember.role, SchoolMember.is_coordinator,
               SchoolMember.last_launch_at)
        .outerjoin(SchoolMember, (SchoolMember.user_id == User.id) & (SchoolMember.school_id == school_id))
        .where(or_(User.id.in_(members), User.id.in_(in_courses))).order_by(User.id))


def people(school_id: int):
    return csv_text(["user_id", "lms_user_id", "name", "email", "role", "coordinator", "last_launch_at"],
                    _people(school_id))


def courses(school_id: int):
    return csv_text(["course_id", "lms_context_id", "title", "label", "user_id", "role", "lms_status"],
                    db.session.execute(
                        select(Course.id, Course.context_id, Course.title, Course.label, CourseMember.user_id,
                               CourseMember.role, CourseMember.lms_status)
                        .outerjoin(CourseMember, CourseMember.course_id == Course.id)
                        .where(Course.school_id == school_id).order_by(Course.id, CourseMember.user_id)))


def codes(school_id: int):
    """Every code with every version (drafts and retired ones too), its text in both languages."""
    result = []
    for code in db.session.scalars(select(ConductCode).where(ConductCode.school_id == school_id)
                                   .order_by(ConductCode.id)):
        versions = db.session.scalars(select(ConductVersion).where(
            ConductVersion.school_id == school_id, ConductVersion.code_id == code.id).order_by(ConductVersion.number))
        result.append({"code_id": code.id, "audience": code.audience, "versions": [
            {"version": v.number, "status": v.status, "change": v.change, "epoch": v.epoch,
             "due_date": _plain(v.due_date), "published_at": _plain(v.published_at),
             "retired_at": _plain(v.retired_at), "content": v.content} for v in versions]})
    return json.dumps(result, ensure_ascii=False, indent=2), sum(len(c["versions"]) for c in result)


def acknowledgements(school_id: int):
    return csv_text(
        ["user_id", "lms_user_id", "name", "audience", "version", "epoch", "language", "course_id", "check_passed",
         "acknowledged_at"],
        db.session.execute(
            select(Acknowledgement.user_id, User.sub, User.name, ConductCode.audience, ConductVersion.number,
                   Acknowledgement.epoch, Acknowledgement.locale, Acknowledgement.course_id,
                   Acknowledgement.check_passed, Acknowledgement.acknowledged_at)
            .join(User, User.id == Acknowledgement.user_id)
            .join(ConductVersion, ConductVersion.id == Acknowledgement.version_id)
            .join(ConductCode, ConductCode.id == Acknowledgement.code_id)
            .where(Acknowledgement.school_id == school_id)
            .order_by(Acknowledgement.acknowledged_at, Acknowledgement.id)))


def case_summaries(school_id: int):
    """One line per case without any content or person: no reporter, pseudonym, receipt or assignee.

    Dates only: a pseudonymous report's time of day could point at its reporter.
    """
    rows = db.session.execute(
        select(Report.id, Report.category, Report.source, Report.status, Report.urgent, Report.spreading_now,
               Report.staff_suspect, Report.not_genuine, Report.legal_hold, Report.incident_id, Report.outcome,
               Report.rule_key, Report.ladder_step, Report.created_at, Report.closed_at, Report.purged_at)
        .where(Report.school_id == school_id).order_by(Report.created_at, Report.id))
    return csv_text(
        ["case_id", "category", "source", "status", "urgent", "spreading_at_report", "staff_suspect",
         "not_genuine", "legal_hold", "incident_id", "outcome", "rule_broken", "ladder_step", "reported_on",
         "closed_on", "contents_purged_on"],
        ([*row[:13], *(moment.date() if moment else None for moment in row[13:])] for row in rows))


EXPORTERS = [
    Exporter("people.csv", ("school_members", "users"), people),
    Exporter("courses.csv", ("courses", "course_members"), courses),
    Exporter("codes.json", ("conduct_codes", "conduct_versions"), codes),
    Exporter("acknowledgements.csv", ("acknowledgements",), acknowledgements),
    Exporter("case_summaries.csv", ("reports",), case_summaries),
]


def _table_rows(table):
    def make(school_id: int):
        columns = [c for c in table.columns if not isinstance(c.type, LargeBinary)]
        return csv_text([c.name for c in columns],
                        db.session.execute(select(*columns).where(table.c.school_id == school_id)
                                           .order_by(*table.primary_key.columns)))
    return make


def every_exporter() -> list[Exporter]:
    """The named exporters, then one per table of a school's rows that nothing else covers."""
    covered = {name for exporter in EXPORTERS for name in exporter.tables} | set(SET_ASIDE)
    rest = [Exporter(f"{table.name}.csv", (table.name,), _table_rows(table))
            for table in db.metadata.sorted_tables
            if "school_id" in table.columns and table.name not in covered]
    return EXPORTERS + rest
