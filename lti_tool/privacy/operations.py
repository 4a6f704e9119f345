"""Anonymising a person at one school (a leaver, or on request) and saving the school's terms.

Anonymising removes what names the person: their membership of the school and its courses, their
launches and pending scores, mail to their address, the deputy designation, and the sealed link
from a pseudonymous report to them; when no other school knows them, their name, e-mail, language
and LMS ids go too (the user row stays, empty, so that what points at it still adds up). Their
acknowledgements stay, pointing at that empty row: the school's figures do not change, and no
name, address or LMS id is left to tie them to anyone. Their reports follow the case retention.
"""
import secrets

from flask_babel import gettext as _
from sqlalchemy import delete, select, update

from .. import sealing
from ..cases import audit
from ..cases.models import MailMessage, SchoolDeputy
from ..courses.models import Course, CourseMember, SchoolMember, User
from ..errors import Conflict
from ..extensions import db
from ..gradebook.models import ScoreDelivery
from ..lti.models import LaunchSession
from ..reports.models import Report
from . import archive
from .holds import held_by_cases
from .models import PrivacySettings

LEAVER, REQUEST = "leaver", "request"
ERASED_ISSUER = "erased"


def anonymise(school_id: int, user_id: int, *, actor_id: int | None, reason: str, now) -> None:
    """Forget who this person is at this school (see the module's docstring); flush, never commit."""
    email = db.session.scalar(select(User.email).where(User.id == user_id))
    db.session.execute(update(Report).where(
        Report.school_id == school_id, Report.reporter_lookup.in_(sealing.lookups(school_id, user_id)))
        .values(reporter_lookup=None, reporter_link=None).execution_options(synchronize_session=False))
    courses = select(Course.id).where(Course.school_id == school_id)
    for statement in (
        delete(CourseMember).where(CourseMember.user_id == user_id, CourseMember.course_id.in_(courses)),
        delete(SchoolMember).where(SchoolMember.user_id == user_id, SchoolMember.school_id == school_id),
        delete(LaunchSession).where(LaunchSession.user_id == user_id, LaunchSession.school_id == school_id),
        delete(ScoreDelivery).where(ScoreDelivery.user_id == user_id, ScoreDelivery.school_id == school_id,
                                    ScoreDelivery.status != ScoreDelivery.DELIVERED),
        delete(SchoolDeputy).where(SchoolDeputy.user_id == user_id, SchoolDeputy.school_id == school_id),
        *([delete(MailMessage).where(MailMessage.school_id == school_id, MailMessage.to_address == email)]
          if email else []),
    ):
        db.session.execute(statement.execution_options(synchronize_session=False))
    if db.session.scalar(select(SchoolMember.id).where(SchoolMember.user_id == user_id).limit(1)) is None:
        db.session.execute(update(User).where(User.id == user_id).values(
            name=None, email=None, locale=None, issuer=ERASED_ISSUER, sub=secrets.token_hex(16), updated_at=now)
            .execution_options(synchronize_session=False))
    audit.record(school_id, actor_id, "person_anonymised", detail=reason)
    db.session.flush()
    db.session.expire_all()  # rows loaded before these statements no longer say what the database does


def erase_on_request(actor: SchoolMember, member: SchoolMember, now) -> None:
    """Erase a person of the actor's school on their request (AVG art. 17): as a leaver, unless a case holds them."""
    if member.school_id != actor.school_id:  # the view found the member in the actor's school already
        raise Conflict(_("This person is not a member of your school."))
    if member.user_id == actor.user_id:
        raise Conflict(_("You cannot erase yourself while you use the tool. Ask another school admin."))
    if held_by_cases(member.school_id, [member.user_id]):
        raise Conflict(_("A report of this person is still open or on legal hold. Their data stays until "
                         "the case is closed and the hold lifted; then erase it again."))
    anonymise(member.school_id, member.user_id, actor_id=actor.user_id, reason=REQUEST, now=now)


def save_settings(school_id: int, actor_id: int, data: dict) -> PrivacySettings:
    """Store the school's terms (validated by PrivacySettingsSchema) and audit the change."""
    settings = db.session.get(PrivacySettings, school_id) or PrivacySettings(school_id=school_id)
    settings.pupil_years = data["pupil_years"]
    settings.staff_months = data["staff_months"]
    settings.updated_by_id = actor_id
    db.session.add(settings)
    audit.record(school_id, actor_id, "privacy_settings_changed",
                 detail=f"pupil_years={settings.pupil_years} staff_months={settings.staff_months}")
    db.session.flush()
    return settings


def export_person(actor_id: int, member: SchoolMember) -> list:
    """The archive's sections for an access request; audited, and on each named report's own log too."""
    audit.record(member.school_id, actor_id, "access_request_exported")
    for report_id in archive.named_report_ids(member):
        audit.record(member.school_id, actor_id, "access_request_exported", report_id)
    return archive.person_sections(member)


def export_own_reports(school_id: int, user_id: int) -> list:
    """A reporter's download of their own reports: logged per report as the reporter's doing (no name,
    and on a pseudonymous report only the part of the day), as their viewing is."""
    sections = archive.reporter_sections(school_id, user_id)
    for report_id in archive.own_report_ids(school_id, user_id):
        audit.record(school_id, user_id, "reporter_exported", report_id)
    return sections
