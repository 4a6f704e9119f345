"""Schools of their own for the privacy tests (each counts its people), people launched for real,
acknowledgements made by the real operation, reports by the real create_report."""
import pytest
from sqlalchemy import distinct, func, select

from lti_tool.acknowledgements import operations as acknowledging
from lti_tool.acknowledgements.models import Acknowledgement
from lti_tool.courses.models import CourseMember, SchoolMember, User
from lti_tool.extensions import db
from lti_tool.reports.models import Report
from tests.cases.conftest import make_case
from tests.courses.conftest import fresh_lms, launch, make_lms, school_of, user_of  # noqa: F401
from tests.support.pages import publish_defaults

CHECK = {"student": [1, 1, 1], "staff": []}


@pytest.fixture
def school(app, db_session, fresh_lms):
    """A fresh school with its codes published; yields (lms, school id)."""
    school_id = school_of(db_session, fresh_lms).id
    publish_defaults(app, school_id)
    return fresh_lms, school_id


def acknowledge(app, db_session, lms, user_key: str) -> None:
    """The person acknowledges the current code of their audience, as the gate's form would."""
    from lti_tool.conduct import queries as conduct
    user = user_of(db_session, lms, user_key)
    member = db_session.scalars(select(SchoolMember).where(SchoolMember.user_id == user.id)).one()
    audience = conduct.audience_for(member.role)
    with app.test_request_context():
        version = conduct.current_versions(member.school_id)[audience]
        acknowledging.acknowledge(acknowledging.Actor(member.school_id, user.id, member.role, None),
                                  version.id, CHECK[audience], "nl")
        db.session.commit()


def people(browser, app, db_session, lms, *user_keys, acknowledged=True) -> dict[str, int]:
    """Launch these people (and acknowledge their code); return {user key: user id}."""
    ids = {}
    for key in user_keys:
        launch(browser.__class__(browser.tool_url), lms, key)
        if acknowledged:
            acknowledge(app, db_session, lms, key)
        ids[key] = user_of(db_session, lms, key).id
    return ids


def report_by(app, school_id: int, user_id: int, *, identity: str, **columns) -> Report:
    return make_case(app, school_id, reporter_user_id=user_id, identity=identity, **columns)


def counts(db_session, school_id: int) -> dict:
    """What the school holds, as numbers: people with a name, members, memberships, acknowledgements."""
    db_session.expire_all()

    def n(query):
        return db_session.scalar(select(func.count()).select_from(query.subquery()))

    members = select(SchoolMember.user_id).where(SchoolMember.school_id == school_id)
    return {
        "named_users": n(select(User.id).where(User.id.in_(
            select(Acknowledgement.user_id).where(Acknowledgement.school_id == school_id)), User.name.is_not(None))),
        "school_members": n(members),
        "course_members": n(select(CourseMember.id).where(CourseMember.user_id.in_(
            select(Acknowledgement.user_id).where(Acknowledgement.school_id == school_id)))),
        "acknowledgements": n(select(Acknowledgement.id).where(Acknowledgement.school_id == school_id)),
    }


def ack_figures(db_session, school_id: int) -> tuple[list, list]:
    """The school's acknowledgement figures: per version, language and check result; and the people who
    acknowledged each code (the yearly report counts distinct people per audience)."""
    per_version = sorted(db_session.execute(
        select(Acknowledgement.version_id, Acknowledgement.locale, Acknowledgement.check_passed,
               func.count()).where(Acknowledgement.school_id == school_id)
        .group_by(Acknowledgement.version_id, Acknowledgement.locale, Acknowledgement.check_passed)).all())
    people = sorted(db_session.execute(
        select(Acknowledgement.code_id, func.count(distinct(Acknowledgement.user_id)))
        .where(Acknowledgement.school_id == school_id).group_by(Acknowledgement.code_id)).all())
    return per_version, people


def member_id_of(db_session, user_id: int) -> int:
    """The person's membership id at their school (the id the privacy pages use)."""
    db_session.expire_all()
    return db_session.scalars(select(SchoolMember.id).where(SchoolMember.user_id == user_id)).one()


@pytest.fixture
def pupil(app, browser, db_session, school):
    """A pupil who acknowledged the code and filed one named and one pseudonymous report; the admin's token."""
    lms, school_id = school
    ids = people(browser, app, db_session, lms, "student")
    named = report_by(app, school_id, ids["student"], identity="named", what="Named: mean comments in the group chat.")
    hidden = report_by(app, school_id, ids["student"], identity="pseudonymous", what="Pseudonymous: a fake account.")
    admin = launch(browser, lms, "admin")  # in English
    return {"lms": lms, "school_id": school_id, "user_id": ids["student"], "named": named, "hidden": hidden,
            "admin": admin, "member_id": member_id_of(db_session, ids["student"])}
