"""Cases for the coordinator tests: reports made with the real create_report, coordinators designated
the way a school admin does it (SchoolMember.is_coordinator), pages read in English."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from lti_tool.courses.models import SchoolMember, User
from lti_tool.extensions import db
from lti_tool.reports.models import Report
from tests.support.pages import launch as _launch


def launch(browser, lms, user_key: str):
    """Launch as user_key in English; return (page, launch token)."""
    return _launch(browser, lms, user_key, locale="en")


def member(db_session, lms, user_key: str) -> SchoolMember:
    db_session.expire_all()
    return db_session.scalars(select(SchoolMember).join(User).where(
        User.sub == lms.users[user_key].sub, User.issuer == lms.issuer)).one()


def user_id(db_session, lms, user_key: str) -> int:
    return member(db_session, lms, user_key).user_id


def designate(db_session, lms, user_key: str, value: bool = True) -> SchoolMember:
    """Make a launched member of the school a coordinator, as a school admin would."""
    found = member(db_session, lms, user_key)
    found.is_coordinator = value
    db_session.commit()
    return found


def coordinator_token(browser, db_session, lms, user_key: str = "coordinator") -> str:
    """Launch as user_key, designate them and return their launch token."""
    _, token = launch(browser, lms, user_key)
    designate(db_session, lms, user_key)
    return token


def make_case(app, school_id: int, *, category: str = "cyberbullying", what: str = "Mean comments under a photo.",
              spreading_now: bool = False, reporter_user_id: int | None = None, identity: str = "pseudonymous",
              age: timedelta | None = None, **columns) -> Report:
    """A report filed with the real create_report, then aged or changed column by column; committed."""
    from lti_tool.reports.operations import create_report
    with app.test_request_context():
        report = create_report(school_id, {"category": category, "what_happened": what,
                                           "platform": "Instagram", "handle": "@someone",
                                           "spreading_now": spreading_now, "identity": identity},
                               reporter_user_id=reporter_user_id)
        if age is not None:  # shown and exact time alike (a pseudonymous report's differ)
            report.created_at, report.received_at = report.created_at - age, report.received_at - age
        for name, value in columns.items():
            setattr(report, name, value)
        db.session.commit()
        db.session.refresh(report)
        db.session.expunge(report)
        return report


@pytest.fixture
def case_factory(app):
    return lambda school_id, **kw: make_case(app, school_id, **kw)
