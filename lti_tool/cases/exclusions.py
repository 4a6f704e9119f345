"""Keeping a report away from a coordinator, and the school's deputy who steps in when none is left.

A reporter may exclude one of the school's coordinators from their report (a report about that
person, a conflict of interest). The excluded coordinator is never notified of it and never finds
it: not in the queue, the API, the counts or the case page (404, as for an unknown id). The other
coordinators handle it; where none is left, the school's deputy does (a staff member the school
admin names, who handles only such reports). Excluding the last coordinator of a school without a
deputy is refused with a message, so that no report ever reaches nobody.
"""
from flask_babel import gettext as _
from sqlalchemy import and_, exists, false, func, select

from ..courses.models import SchoolMember, User
from ..db import MAX_ID, utcnow
from ..errors import Conflict, Forbidden, ValidationFailed
from ..extensions import db
from ..reports.models import Report
from ..security import SCHOOL_ADMIN, STUDENT, roles_required
from . import audit
from .models import ReportExclusion, SchoolDeputy

FIELD = "exclude_coordinator_id"


def deputy_of(school_id: int) -> SchoolDeputy | None:
    return db.session.get(SchoolDeputy, school_id)


def _is_coordinator(school_id: int, user_id: int) -> bool:
    return bool(db.session.scalar(select(SchoolMember.is_coordinator).where(
        SchoolMember.school_id == school_id, SchoolMember.user_id == user_id)))


def is_deputy(school_id: int, user_id: int) -> bool:
    deputy = deputy_of(school_id)
    return deputy is not None and deputy.user_id == user_id


def coordinator_choices(school_id: int) -> list[dict]:
    """The school's coordinators by name, for the reporter who wants to keep one away (staff names are no secret)."""
    rows = db.session.execute(
        select(User.id, User.name, User.email).join(SchoolMember, SchoolMember.user_id == User.id)
        .where(SchoolMember.school_id == school_id, SchoolMember.is_coordinator.is_(True))
        .order_by(User.name, User.id))
    return [{"id": uid, "name": name or email or f"#{uid}"} for uid, name, email in rows]


def _excluded(user_id) -> object:
    """The report (in the outer query) keeps this user away."""
    # Correlated to the report (and member) of every enclosing query, however deeply nested.
    return (select(ReportExclusion.id).where(ReportExclusion.report_id == Report.id, ReportExclusion.user_id == user_id)
            .correlate_except(ReportExclusion).exists())


def _no_coordinator_left() -> object:
    """Every coordinator of the report's school is kept away from the report (in the outer query)."""
    return ~exists(select(SchoolMember.id).where(
        SchoolMember.school_id == Report.school_id, SchoolMember.is_coordinator.is_(True),
        ~_excluded(SchoolMember.user_id)))


def visible_condition(school_id: int, user_id: int):
    """The reports of the school this user may handle: a coordinator all but those that exclude them;
    the deputy only those that exclude every coordinator; anyone else none."""
    if _is_coordinator(school_id, user_id):
        return ~_excluded(user_id)
    if is_deputy(school_id, user_id):
        return and_(exists(select(ReportExclusion.id).where(ReportExclusion.report_id == Report.id)),
                    _no_coordinator_left())
    return false()


def hidden_condition(school_id: int, user_id: int):
    """The reports kept away from this user, to leave out of anything they count."""
    return _excluded(user_id)


def may_handle(report: Report, user_id: int) -> bool:
    return bool(db.session.scalar(select(func.count()).select_from(Report).where(
        Report.id == report.id, Report.school_id == report.school_id,
        visible_condition(report.school_id, user_id))))


def is_deputy_launch(launch) -> bool:
    """The launch's user is the school's deputy (see security.roles_required's also)."""
    return is_deputy(launch.school_id, launch.user_id)


# The school's coordinators, and its deputy; which cases each sees is decided per query (visible_condition).
handlers_only = roles_required(coordinator=True, also=is_deputy_launch)


def check(school_id: int, user_id: int | None) -> None:
    """Refuse an exclusion that names no coordinator of the school, or that would leave the report with nobody."""
    if user_id is None:
        return
    if not 0 < user_id <= MAX_ID or not _is_coordinator(school_id, user_id):
        raise ValidationFailed({FIELD: [_("Choose one of the school's coordinators, or nobody.")]})
    others = db.session.scalar(select(func.count()).select_from(SchoolMember).where(
        SchoolMember.school_id == school_id, SchoolMember.is_coordinator.is_(True),
        SchoolMember.user_id != user_id))
    deputy = deputy_of(school_id)
    if not others and (deputy is None or deputy.user_id == user_id):
        raise ValidationFailed({FIELD: [_(
            "This person is the only one at your school who handles reports, so the report would reach "
            "nobody. Your text is still here: send it without keeping them away, or talk to a mentor or "
            "another adult you trust. You can also call the Kindertelefoon (0800-0432). In immediate "
            "danger, call 112.")]},
            message=_("Your report is not sent yet."))


def exclude(report: Report, user_id: int) -> ReportExclusion:
    """Store that the report keeps this coordinator away (checked with check() first)."""
    row = ReportExclusion(school_id=report.school_id, report_id=report.id, user_id=user_id)
    db.session.add(row)
    kept_away = db.session.get(User, user_id)
    # The reporter's choice, on the record without the reporter (no actor; its time as the report's).
    audit.record(report.school_id, None, "coordinator_excluded", report.id,
                 kept_away.display_name if kept_away else None)
    db.session.flush()
    return row


def excluded_users(report: Report) -> list[User]:
    return list(db.session.scalars(
        select(User).join(ReportExclusion, ReportExclusion.user_id == User.id)
        .where(ReportExclusion.school_id == report.school_id, ReportExclusion.report_id == report.id)
        .order_by(User.id)))


def addresses(school_id: int, report_id: int | None = None) -> list[str]:
    """Whom to tell about a report: its school's coordinators but those it keeps away, else the deputy."""
    query = (select(User.email).join(SchoolMember, SchoolMember.user_id == User.id)
             .where(SchoolMember.school_id == school_id, SchoolMember.is_coordinator.is_(True),
                    User.email.is_not(None), User.email != ""))
    if report_id is None:
        return sorted(set(db.session.scalars(query)))
    away = select(ReportExclusion.user_id).where(ReportExclusion.report_id == report_id)
    if not db.session.scalar(select(exists(away))):
        return sorted(set(db.session.scalars(query)))
    handlers = db.session.scalar(select(func.count()).select_from(SchoolMember).where(
        SchoolMember.school_id == school_id, SchoolMember.is_coordinator.is_(True),
        SchoolMember.user_id.not_in(away)))
    if handlers:
        return sorted(set(db.session.scalars(query.where(User.id.not_in(away)))))
    deputy = deputy_of(school_id)
    if deputy is None:
        return []
    email = db.session.scalar(select(User.email).where(User.id == deputy.user_id))
    return [email] if email else []


def handlers(school_id: int) -> list[tuple[str, int]]:
    """(e-mail, user id) of everyone who handles reports of the school: its coordinators and its deputy."""
    deputy = deputy_of(school_id)
    rows = db.session.execute(
        select(User.email, User.id).outerjoin(SchoolMember, and_(SchoolMember.user_id == User.id,
                                                                 SchoolMember.school_id == school_id))
        .where(User.email.is_not(None), User.email != "",
               SchoolMember.is_coordinator.is_(True) | (User.id == (deputy.user_id if deputy else None)))
        .order_by(User.id)).all()
    return [(email, uid) for email, uid in rows]


def deputy_page(school_id: int) -> dict:
    """What the school admin's coordinators page shows of the deputy: who it is, and whether one is needed."""
    deputy = deputy_of(school_id)
    return {"deputy_user_id": deputy.user_id if deputy else None, "needs_deputy": needs_deputy(school_id)}


def needs_deputy(school_id: int) -> bool:
    """A school with at most one coordinator and no deputy: a report that keeps its coordinator away could not be sent."""
    count = db.session.scalar(select(func.count()).select_from(SchoolMember).where(
        SchoolMember.school_id == school_id, SchoolMember.is_coordinator.is_(True)))
    return count <= 1 and deputy_of(school_id) is None


def _left_with_nobody(school_id: int, *, without_coordinator: int | None = None, without_deputy: bool = False) -> int:
    """Reports still kept (not removed) that would have nobody to handle them after a change."""
    coordinators = select(SchoolMember.id).where(
        SchoolMember.school_id == Report.school_id, SchoolMember.is_coordinator.is_(True), ~_excluded(SchoolMember.user_id))
    if without_coordinator is not None:
        coordinators = coordinators.where(SchoolMember.user_id != without_coordinator)
    deputy = deputy_of(school_id)
    if deputy is not None and not without_deputy and deputy.user_id != without_coordinator:
        return 0
    return db.session.scalar(select(func.count()).select_from(Report).where(
        Report.school_id == school_id, Report.purged_at.is_(None),
        exists(select(ReportExclusion.id).where(ReportExclusion.report_id == Report.id)), ~exists(coordinators)))


def before_undesignating(member: SchoolMember) -> None:
    """Refuse to take away the last coordinator a report may reach (with no deputy to step in)."""
    if member.is_coordinator and _left_with_nobody(member.school_id, without_coordinator=member.user_id):
        raise Conflict(_("%(name)s is the only one left who may see a report that keeps the other coordinators "
                         "away. Name a deputy first.", name=member.user.display_name))


def set_deputy(actor: SchoolMember, member: SchoolMember | None) -> SchoolDeputy | None:
    """Name a staff member of the school as its deputy (None: nobody); only a school admin of the school may."""
    if actor.acting_role != SCHOOL_ADMIN:
        raise Forbidden(_("Only a school admin of this school names the deputy."))
    if member is not None and (member.school_id != actor.school_id or member.role == STUDENT):
        raise ValidationFailed({"member_id": [_("Choose a staff member of this school.")]})
    current = deputy_of(actor.school_id)
    if member is None:
        if current is not None and _left_with_nobody(actor.school_id, without_deputy=True):
            raise Conflict(_("The deputy handles a report that keeps every coordinator away. Name another "
                             "deputy instead, or designate another coordinator first."))
        if current is not None:
            db.session.delete(current)
            audit.record(actor.school_id, actor.user_id, "deputy_removed")
            db.session.flush()
        return None
    if current is None:
        current = SchoolDeputy(school_id=actor.school_id, user_id=member.user_id)
        db.session.add(current)
    elif current.user_id == member.user_id:
        return current
    current.user_id, current.named_by_id, current.named_at = member.user_id, actor.user_id, utcnow()
    audit.record(actor.school_id, actor.user_id, "deputy_named", None, member.user.display_name)
    db.session.flush()
    return current
