"""A school with something in every feature: launches, codes, acknowledgements, cases with notes and messages."""
import secrets

import pytest
from sqlalchemy import select

from lti_tool.courses.models import SchoolMember, User
from lti_tool.extensions import db
from tests.cases.conftest import make_case
from tests.conftest import demo_lms
from tests.support.browser import Browser
from tests.support.pages import launch, publish_defaults

STUDENT_SAYS = "Iemand zet foto's van mij op een nepaccount."
NOTE = "Gesprek met de mentor van 2B gehad."


@pytest.fixture
def leaving(app, tool_url):
    """A school of its own for one test, with an LMS that launches its people."""
    with demo_lms(app, tool_url, "Leaving " + secrets.token_hex(3), "leave", "dep-leave") as lms:
        yield lms


def _user_id(lms, key: str) -> int:
    return db.session.scalars(select(User.id).where(User.issuer == lms.issuer, User.sub == lms.users[key].sub)).one()


def fill_school(app, tool_url, lms, *, legal_hold: bool = False) -> dict:
    """Everything a school builds up: people launched, codes published and acknowledged, a named and a
    pseudonymous case with a note and messages. Returns the ids it made."""
    for key in ("student", "student2", "teacher", "admin"):
        launch(Browser(tool_url), lms, key)
    versions = publish_defaults(app, lms.school_id)
    from lti_tool.acknowledgements import operations as acks
    from lti_tool.cases import operations as cases
    from lti_tool.conduct.models import ConductVersion
    from lti_tool.reports import operations as reports
    from lti_tool.reports.models import Report, ReportMessage
    with app.test_request_context():
        student, teacher = _user_id(lms, "student"), _user_id(lms, "teacher")
        coordinator = db.session.scalars(select(SchoolMember).where(
            SchoolMember.school_id == lms.school_id, SchoolMember.user_id == teacher)).one()
        coordinator.is_coordinator = True
        version = db.session.get(ConductVersion, versions["student"])
        answers = [q["answer"] for q in version.content.get("questions", [])]
        acks.acknowledge(acks.Actor(lms.school_id, student, "student", None), version.id, answers, "nl")
        staff = db.session.get(ConductVersion, versions["staff"])
        acks.acknowledge(acks.Actor(lms.school_id, teacher, "staff", None), staff.id,
                         [q["answer"] for q in staff.content.get("questions", [])], "nl")
        db.session.commit()
    named = make_case(app, lms.school_id, what=STUDENT_SAYS, identity="named", reporter_user_id=student)
    hidden = make_case(app, lms.school_id, what="Er gaat een filmpje rond van de ruzie.", legal_hold=legal_hold)
    with app.test_request_context():
        actor = cases.Actor(lms.school_id, teacher)
        for case in (named, hidden):
            report = db.session.get(Report, case.id)
            cases.add_note(report, actor, NOTE)
            reports.post_message(report, ReportMessage.REPORTER, "Het staat nog steeds online.")
            cases.send_message(report, actor, "We hebben het platform gevraagd het te verwijderen.")
        db.session.commit()
    return {"named": named.id, "pseudonymous": hidden.id, "student": student, "teacher": teacher,
            "pseudonym": hidden.pseudonym, "reference": hidden.reference}
