"""Gradebook test set-up: LMSs with schools of their own, fresh links, codes, acknowledgements."""
import secrets

import pytest
from sqlalchemy import select, update

from lti_tool.acknowledgements.models import Acknowledgement
from lti_tool.conduct.models import ConductCode, ConductVersion
from lti_tool.courses.models import User
from lti_tool.db import utcnow
from lti_tool.demo.platform import ResourceLink
from lti_tool.extensions import db
from lti_tool.gradebook import operations
from lti_tool.gradebook.delivery import deliver_due
from lti_tool.gradebook.models import Placement, ScoreDelivery
from tests.conftest import demo_lms
from tests.support.browser import launched


def _school_lms(app, tool_url, name: str):
    with demo_lms(app, tool_url, f"{name} {secrets.token_hex(3)}", "gb", "dep-gb") as lms:
        yield lms


@pytest.fixture(scope="module")
def gb_lms(app, tool_url):
    """An LMS whose school belongs to this test module alone."""
    yield from _school_lms(app, tool_url, "Gradebook school")


@pytest.fixture(scope="module")
def gb_other_lms(app, tool_url):
    """A second LMS and school: the tenant next door."""
    yield from _school_lms(app, tool_url, "Neighbour school")


@pytest.fixture(autouse=True)
def _reset_gradebook_lms(request):
    yield
    for name in ("gb_lms", "gb_other_lms"):
        if name in request.fixturenames:
            request.getfixturevalue(name).fail_rate = 0.0


@pytest.fixture
def deliver(app):
    """Run the delivery worker once, in an app context (and a session) of its own."""
    def run(**kw):
        with app.app_context():
            try:
                return deliver_due(**kw)
            finally:
                db.session.remove()
    return run


@pytest.fixture
def link(gb_lms):
    """A new resource link for the code in a new course of the LMS (each test its own gradebook column:
    a course has one)."""
    link_id = "gb-" + secrets.token_hex(4)
    gb_lms.course_id = "course-" + link_id
    gb_lms.links[link_id] = ResourceLink(link_id, "Gedragscode", {"placement": "code"})
    return link_id


def launch(browser, lms, user: str, link: str, **kw) -> None:
    resp = browser.launch(lms, user, link=link, **kw)
    assert launched(resp), resp.text


def placement_of(session, lms, link: str) -> Placement:
    return session.scalars(select(Placement).where(
        Placement.school_id == lms.school_id, Placement.resource_link_id == link)
        .execution_options(populate_existing=True)).one()


def user_of(session, lms, key: str) -> User:
    return session.scalars(select(User).where(User.issuer == lms.issuer,
                                              User.sub == lms.users[key].sub)).one()


def publish(session, school_id: int, audience: str = "student", change: str = "major") -> ConductVersion:
    """Publish a new version of the school's code for the audience (epoch + 1 when major)."""
    code = session.scalars(select(ConductCode).where(ConductCode.school_id == school_id,
                                                     ConductCode.audience == audience)).first()
    if code is None:
        code = ConductCode(school_id=school_id, audience=audience)
        session.add(code)
        session.flush()
    previous = session.scalars(select(ConductVersion).where(
        ConductVersion.code_id == code.id, ConductVersion.status == "published")).first()
    number, epoch = (1, 1) if previous is None else (
        previous.number + 1, previous.epoch + (1 if change == "major" else 0))
    if previous is not None:
        session.execute(update(ConductVersion).where(ConductVersion.id == previous.id)
                        .values(status="retired", retired_at=utcnow()))
    version = ConductVersion(school_id=school_id, code_id=code.id, number=number, status="published",
                             change=change, epoch=epoch, content={}, published_at=utcnow())
    session.add(version)
    session.flush()
    return version


def acknowledge(session, user: User, version: ConductVersion) -> Acknowledgement:
    """What the acknowledge operation does: the record, then the scores, in one transaction."""
    ack = Acknowledgement(school_id=version.school_id, user_id=user.id, code_id=version.code_id,
                          version_id=version.id, epoch=version.epoch, locale="nl")
    session.add(ack)
    session.flush()
    operations.score_acknowledgement(ack)
    session.commit()
    return ack


def rows_for(session, placement: Placement) -> list[ScoreDelivery]:
    return list(session.scalars(select(ScoreDelivery).where(ScoreDelivery.placement_id == placement.id)
                                .order_by(ScoreDelivery.id).execution_options(populate_existing=True)))


def make_due(session, placement: Placement) -> None:
    """Let time pass: every pending row of the placement is due now."""
    session.execute(update(ScoreDelivery).where(ScoreDelivery.placement_id == placement.id,
                                                ScoreDelivery.status == "pending")
                    .values(next_attempt_at=utcnow()))
    session.commit()


def item_id(placement: Placement) -> str:
    return placement.lineitem_url.rsplit("/", 1)[1]
