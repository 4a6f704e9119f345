"""Everything the tool holds about one person, as sections a zip carries as HTML and as JSON (AVG art. 15).

Each feature's part is one section function in SECTIONS: a feature that stores more about a
person adds its own. A school's archive holds only reports filed under the person's own name: a
pseudonymous report never goes into it, because the school would learn who made it. The reporter
downloads their own reports, pseudonymous ones too, in their own session (reporter_sections).
"""
import io
import json
import zipfile
from dataclasses import asdict, dataclass, field
from datetime import datetime

from flask import render_template
from flask_babel import format_datetime, gettext as _
from sqlalchemy import select

from ..acknowledgements.models import Acknowledgement
from ..cases import labels
from ..conduct.models import ConductCode, ConductVersion
from ..courses.models import Course, CourseMember, SchoolMember, User
from ..extensions import db
from ..reports import queries as reports
from ..reports.models import NAMED, Report, ReportMessage
from ..security import scoped


@dataclass
class Section:
    """One part of the archive: a title, and rows of (label, value) pairs."""

    key: str
    title: str
    rows: list[dict] = field(default_factory=list)
    note: str | None = None


def _json_value(value):
    """Moments as ISO 8601 in the JSON (the page shows them as a Dutch school writes dates)."""
    return value.isoformat(timespec="minutes") if isinstance(value, datetime) else str(value)


def _readable(moment: datetime) -> str:
    """A moment as a Dutch school writes it on a page (6 december 2026, 14:05), in the reader's language."""
    return format_datetime(moment, "d MMMM y, HH:mm")


def _author(role: str) -> str:
    return {ReportMessage.REPORTER: _("Reporter"), ReportMessage.COORDINATOR: _("Coordinator")}.get(role, role)


def _role(role: str) -> str:
    return {"student": _("Pupil"), "staff": _("Staff"), "school_admin": _("School admin")}.get(role, role)


def profile(member: SchoolMember) -> Section:
    user = db.session.get(User, member.user_id)
    return Section("profile", _("Profile"), [{
        _("Name"): user.name, _("E-mail address"): user.email, _("Language"): user.locale,
        _("LMS"): user.issuer, _("LMS user id"): user.sub, _("Known since"): user.created_at}])


def membership(member: SchoolMember) -> Section:
    return Section("membership", _("Membership of the school"), [{
        _("Role"): _role(member.role), _("Coordinator"): member.is_coordinator,
        _("First seen"): member.created_at, _("Last opened the tool"): member.last_launch_at}])


def courses(member: SchoolMember) -> Section:
    rows = db.session.execute(scoped(select(Course.title, Course.label, Course.context_id, CourseMember.role,
                                            CourseMember.lms_status, CourseMember.roster_seen_at)
                                     .join(CourseMember, CourseMember.course_id == Course.id), Course,
                                     member.school_id).where(CourseMember.user_id == member.user_id)
                              .order_by(Course.id))
    return Section("courses", _("Courses"), [{
        _("Course"): title or label or context_id, _("Role"): _role(role), _("Status in the LMS"): status,
        _("Last in a roster read"): seen} for title, label, context_id, role, status, seen in rows])


def acknowledgements(member: SchoolMember) -> Section:
    rows = db.session.execute(scoped(select(ConductCode.audience, ConductVersion.number, Acknowledgement.epoch,
                                            Acknowledgement.locale, Acknowledgement.check_passed,
                                            Acknowledgement.acknowledged_at), Acknowledgement, member.school_id)
                              .join(ConductVersion, ConductVersion.id == Acknowledgement.version_id)
                              .join(ConductCode, ConductCode.id == Acknowledgement.code_id)
                              .where(Acknowledgement.user_id == member.user_id)
                              .order_by(Acknowledgement.acknowledged_at))
    return Section("acknowledgements", _("Acknowledgements of the code of conduct"), [{
        _("Code"): _role(audience), _("Version"): number, _("Language"): locale,
        _("Understanding check passed"): passed, _("Acknowledged at"): at}
        for audience, number, _epoch, locale, passed, at in rows])


def _report_rows(found) -> list[dict]:
    rows = []
    for report in found:
        thread = [{_("From"): _author(message.author_role), _("At"): message.created_at,
                   _("Message"): reports.message_body(message)} for message in reports.messages(report)]
        rows.append({_("Reference"): report.reference, _("Category"): labels.category_label(report.category),
                     _("Status"): labels.status_label(report.status),
                     _("Reported at"): report.created_at, _("Under own name"): report.identity == NAMED,
                     _("What was reported"): reports.details(report), _("Messages"): thread})
    return rows


def _named(member: SchoolMember):
    """The reports this person filed under their own name (a pseudonymous one never matches)."""
    return scoped(select(Report), Report, member.school_id).where(
        Report.identity == NAMED, Report.reporter_user_id == member.user_id, Report.purged_at.is_(None))


def named_report_ids(member: SchoolMember) -> list[int]:
    return list(db.session.scalars(_named(member).with_only_columns(Report.id)))


def own_report_ids(school_id: int, user_id: int) -> list[int]:
    return [report.id for report in reports.my_reports(school_id, user_id)]


def named_reports(member: SchoolMember) -> Section:
    found = db.session.scalars(_named(member).order_by(Report.id))
    return Section("reports", _("Reports filed under their own name"), _report_rows(found),
                   note=_("Reports made under a made-up name are not in this archive: the school cannot "
                          "know who made them. The reporter can download those themselves under My reports."))


PHONE_EXCEPTIONS = "phone_exceptions"


def phone_exceptions(member: SchoolMember) -> Section | None:
    """The pupil's phone exceptions (kind and period, never a diagnosis), where the tool keeps that register.

    The register is a feature of its own (lti_tool/exceptions) that may not be installed with this one:
    its table is read from the metadata, and without it the archive has no such section.
    """
    table = db.metadata.tables.get(PHONE_EXCEPTIONS)
    if table is None:
        return None
    rows = db.session.execute(select(table.c.kind, table.c.starts_on, table.c.ends_on, table.c.note,
                                     table.c.ended_at).where(table.c.school_id == member.school_id,
                                                             table.c.pupil_id == member.user_id)
                              .order_by(table.c.starts_on))
    return Section(PHONE_EXCEPTIONS, _("Phone exceptions"), [{
        _("Kind"): kind, _("From"): starts_on.isoformat(), _("Until"): ends_on.isoformat(), _("Note"): note,
        _("Ended early"): ended_at} for kind, starts_on, ends_on, note, ended_at in rows])


# The archive a school admin produces for one person: one function per feature's data (None: not kept here).
SECTIONS = [profile, membership, courses, acknowledgements, phone_exceptions, named_reports]


def person_sections(member: SchoolMember) -> list[Section]:
    return [found for found in (section(member) for section in SECTIONS) if found is not None]


def reporter_sections(school_id: int, user_id: int) -> list[Section]:
    """A reporter's own reports, under their name or not: for their own session only."""
    return [Section("reports", _("My reports"), _report_rows(reports.my_reports(school_id, user_id)))]


def as_json(sections: list[Section], generated_at) -> dict:
    """The archive as plain JSON values (moments as ISO 8601): the zip's data.json and the API's answer."""
    data = {"generated_at": generated_at, "sections": [asdict(s) for s in sections]}
    return json.loads(json.dumps(data, ensure_ascii=False, default=_json_value))


def to_zip(sections: list[Section], *, title: str, generated_at) -> bytes:
    """A zip with the same content twice: a page to read (HTML) and a file for machines (JSON)."""
    data = {"title": title, **as_json(sections, generated_at)}
    page = render_template("privacy/archive.html", title=title, generated_at=generated_at, sections=sections,
                           when=_readable)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("data.html", page)
        archive.writestr("data.json", json.dumps(data, ensure_ascii=False, indent=2))
    return buffer.getvalue()
