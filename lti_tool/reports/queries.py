"""The reporter's own reports, found by the keyed lookup hash; nobody else's. Unsealing lives here too."""
from functools import cache

from sqlalchemy import bindparam, func, select

from .. import sealing
from ..errors import NotFound
from ..extensions import db
from ..security import scoped
from .models import Report, ReportMessage

# The field names that bind sealed values to their column (see sealing.py); the same for every reader.
DETAILS_FIELD = "report.details"
LINK_FIELD = "report.reporter_link"
MESSAGE_FIELD = "report_message.body"


def details(report: Report) -> dict:
    """The report's sealed details as a dict (what, platform, link, handle, when, involved, holders)."""
    return sealing.unseal(report.details, report.school_id, DETAILS_FIELD) or {}


def message_body(message: ReportMessage) -> str:
    """A message's text, unsealed."""
    return sealing.unseal(message.body, message.school_id, MESSAGE_FIELD) or ""


def _mine(school_id: int, user_id: int):
    """Reports of this school whose lookup hash names this user (under any configured key)."""
    return _with_lookups(school_id, sealing.lookups(school_id, user_id))


def _with_lookups(school_id, lookups):
    """Reports of this school, not purged, under one of these lookup hashes (values or bound parameters)."""
    return scoped(select(Report), Report, school_id).where(
        Report.reporter_lookup.in_(lookups), Report.purged_at.is_(None))


def my_reports(school_id: int, user_id: int) -> list[Report]:
    """The user's reports at this school, newest first."""
    return list(db.session.scalars(_mine(school_id, user_id).order_by(Report.created_at.desc(),
                                                                     Report.id.desc())))


def my_report(school_id: int, user_id: int, reference: str) -> Report:
    """One of the user's reports by its reference; NotFound unless it is theirs (same as a made-up one)."""
    from flask_babel import gettext as _
    report = db.session.scalars(_mine(school_id, user_id).where(
        Report.reference == (reference or "").strip().upper()[:20])).first()
    if report is None:
        raise NotFound(_("There is no report with this reference among your reports."))
    return report


def messages(report: Report) -> list[ReportMessage]:
    """The report's thread, oldest first."""
    return list(db.session.scalars(
        scoped(select(ReportMessage), ReportMessage, report.school_id)
        .where(ReportMessage.report_id == report.id)
        .order_by(ReportMessage.created_at, ReportMessage.id)))


def unread_counts(school_id: int, user_id: int) -> dict[int, int]:
    """Per report of this user: how many coordinator messages they have not read yet."""
    rows = db.session.execute(_unread_query(), {"school_id": school_id,
                                                "lookups": sealing.lookups(school_id, user_id)})
    return {report_id: count for report_id, count in rows}


def unread_total(school_id: int, user_id: int) -> int:
    """How many coordinator messages this user has not read yet, over all their reports."""
    return db.session.scalar(select(unread_total_column()), unread_total_params(school_id, user_id))


@cache
def unread_total_column():
    """Built once: unread_total() as a column, to read along with another query (see home.views).

    Its parameters, named apart from any other query's, come from unread_total_params().
    """
    return _unread(bindparam("unread_school_id"), bindparam("unread_lookups", expanding=True),
                   func.count()).scalar_subquery().label("unread_answers")


def unread_total_params(school_id: int, user_id: int) -> dict:
    return {"unread_school_id": school_id, "unread_lookups": sealing.lookups(school_id, user_id)}


@cache
def _unread_query():
    """Built once: My reports asks on every visit, and building costs more CPU than running it."""
    return _unread(bindparam("school_id"), bindparam("lookups", expanding=True),
                   ReportMessage.report_id, func.count()).group_by(ReportMessage.report_id)


def _unread(school_id, lookups, *columns):
    """columns of the coordinator messages on the reports under these lookups that their reporter has
    not read yet (parameters as bound parameters)."""
    mine = _with_lookups(school_id, lookups).with_only_columns(Report.id).scalar_subquery()
    return (scoped(select(*columns), ReportMessage, school_id)
            .where(ReportMessage.report_id.in_(mine), ReportMessage.author_role == ReportMessage.COORDINATOR,
                   ReportMessage.read_by_reporter_at.is_(None)))


def reporter_recent_count(school_id: int, user_id: int, since) -> int:
    """How many reports this user filed at this school since a moment (the rate limit counts these)."""
    return db.session.scalar(
        scoped(select(func.count()).select_from(Report), Report, school_id)
        .where(Report.reporter_lookup.in_(sealing.lookups(school_id, user_id)),
               Report.created_at >= since)) or 0


def by_reference(reference: str) -> Report | None:
    """Any report with this reference (only to recognise a second submit of the same form)."""
    return db.session.scalars(select(Report).where(Report.reference == reference)).first()


def reporter_message_count(school_id: int, user_id: int, since) -> int:
    """Messages this user wrote as a reporter, on any of their reports at this school, since a moment."""
    return db.session.scalar(
        select(func.count()).select_from(ReportMessage)
        .join(Report, Report.id == ReportMessage.report_id)
        .where(Report.school_id == school_id, ReportMessage.school_id == school_id,
               Report.reporter_lookup.in_(sealing.lookups(school_id, user_id)),
               ReportMessage.author_role == ReportMessage.REPORTER,
               ReportMessage.created_at >= since)) or 0


def case_reporter_message_count(report: Report, since) -> int:
    """Messages the reporter wrote on this report since a moment."""
    return db.session.scalar(
        select(func.count()).select_from(ReportMessage)
        .where(ReportMessage.school_id == report.school_id, ReportMessage.report_id == report.id,
               ReportMessage.author_role == ReportMessage.REPORTER,
               ReportMessage.created_at >= since)) or 0


def has_unread_reporter_message(report: Report) -> bool:
    """Whether a reporter's message on this report waits unread by the coordinators."""
    return db.session.scalar(
        select(func.count()).select_from(ReportMessage)
        .where(ReportMessage.school_id == report.school_id, ReportMessage.report_id == report.id,
               ReportMessage.author_role == ReportMessage.REPORTER,
               ReportMessage.read_by_school_at.is_(None))) > 0
