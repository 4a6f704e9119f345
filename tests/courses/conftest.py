"""Fresh LMSs and schools for the overview tests, and the code-of-conduct rows they need.

Each overview test counts people, so each gets demo LMSs of its own (a school of its own unless
told otherwise) rather than the session's shared `lms`, whose school other tests fill.
"""
import contextlib
import secrets
from datetime import date

import pytest
from sqlalchemy import select

from lti_tool.acknowledgements.models import Acknowledgement
from lti_tool.conduct.models import PUBLISHED, RETIRED, ConductCode, ConductVersion
from lti_tool.courses.models import Course, CourseMember, SchoolMember, User
from lti_tool.db import utcnow
from lti_tool.demo.platform import DemoLMS
from lti_tool.demo.views import create_lms_app
from lti_tool.platforms.models import School
from tests.conftest import register_lms
from tests.support.browser import launch_token_of
from tests.support.servers import reserve_port, serve


@pytest.fixture
def make_lms(app, tool_url):
    """make_lms(school=None, course_id=None): a new demo LMS registered for a (new) school."""
    with contextlib.ExitStack() as stack:
        def make(school: str | None = None, course_id: str | None = None) -> DemoLMS:
            port = reserve_port()
            suffix = secrets.token_hex(3)
            # A path of its own: a port can come round again, and the tool caches key sets by URL.
            lms = DemoLMS(issuer=f"http://127.0.0.1:{port}/lms-{suffix}", tool_base_url=tool_url,
                          client_id="c-" + suffix, deployment_id="dep-" + suffix,
                          school_name=school or "School " + suffix)
            if course_id:
                lms.course_id = course_id
            stack.enter_context(serve(create_lms_app(lms), port=port))
            with app.app_context():
                register_lms(lms, lms.school_name)
            return lms
        yield make


@pytest.fixture
def fresh_lms(make_lms):
    """One fresh LMS with its course, for a school of its own."""
    return make_lms()


def launch(browser, lms, user_key: str, **kw) -> str:
    """Launch as user_key (in English unless told) through every LTI step; return the tab's launch token."""
    kw.setdefault("locale", "en-GB")
    page = browser.follow(browser.launch(lms, user_key, **kw))
    assert page.status_code == 200, page.text
    return launch_token_of(page.text)


def school_of(db_session, lms) -> School:
    return db_session.scalars(select(School).where(School.name == lms.school_name)).one()


def course_of(db_session, lms) -> Course:
    return db_session.scalars(select(Course).join(School).where(
        School.name == lms.school_name, Course.context_id == lms.course_id)).one()


def user_of(db_session, lms, user_key: str) -> User:
    return db_session.scalars(select(User).where(
        User.issuer == lms.issuer, User.sub == lms.users[user_key].sub)).one()


def school_member(db_session, lms, user_key: str) -> SchoolMember:
    return db_session.scalars(select(SchoolMember).where(
        SchoolMember.user_id == user_of(db_session, lms, user_key).id,
        SchoolMember.school_id == school_of(db_session, lms).id)).one()


def course_member(db_session, lms, user_key: str) -> CourseMember:
    return db_session.scalars(select(CourseMember).where(
        CourseMember.user_id == user_of(db_session, lms, user_key).id,
        CourseMember.course_id == course_of(db_session, lms).id)).one()


def publish(db_session, school_id: int, audience: str, number: int = 1, epoch: int = 1,
            due_date: date | None = None) -> ConductVersion:
    """Publish version `number` of the audience's code (retiring the one before), as the lead's flow does."""
    code = db_session.scalars(select(ConductCode).where(
        ConductCode.school_id == school_id, ConductCode.audience == audience)).first()
    if code is None:
        code = ConductCode(school_id=school_id, audience=audience)
        db_session.add(code)
        db_session.flush()
    for old in db_session.scalars(select(ConductVersion).where(
            ConductVersion.code_id == code.id, ConductVersion.status == PUBLISHED)):
        old.status, old.retired_at = RETIRED, utcnow()
    version = ConductVersion(school_id=school_id, code_id=code.id, number=number, status=PUBLISHED,
                             change="major", epoch=epoch, content={}, due_date=due_date,
                             published_at=utcnow())
    db_session.add(version)
    db_session.commit()
    return version


def acknowledge(db_session, school_id: int, user_id: int, version: ConductVersion) -> Acknowledgement:
    ack = Acknowledgement(school_id=school_id, user_id=user_id, code_id=version.code_id,
                          version_id=version.id, epoch=version.epoch, locale="nl")
    db_session.add(ack)
    db_session.commit()
    return ack
