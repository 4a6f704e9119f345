"""Scores reach the LMS from the outbox: reliably, once in effect, in order, each school to its own LMS."""
import threading
from datetime import timedelta

import pytest
from sqlalchemy import select, update

from lti_tool.db import utcnow
from lti_tool.demo.views import create_lms_app
from lti_tool.gradebook import operations
from lti_tool.gradebook.models import Placement, ScoreDelivery
from lti_tool.platforms.models import AccessToken
from tests.gradebook.conftest import (acknowledge, item_id, launch, make_due, placement_of, publish,
                                      rows_for, user_of)
from tests.support.servers import serve

SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


@pytest.fixture
def course(browser, gb_lms, link, db_session, deliver):
    """A new major version (nobody has acknowledged it), the code placed at link with its column
    made, and two students in the course."""
    version = publish(db_session, gb_lms.school_id)
    db_session.commit()
    launch(browser, gb_lms, "teacher", link)
    for student in ("student", "student2"):
        launch(browser, gb_lms, student, link)
    deliver()
    placement = placement_of(db_session, gb_lms, link)
    assert placement.lineitem_url and rows_for(db_session, placement) == []
    return placement, version


def _score(lms, placement, key: str) -> dict | None:
    return lms.scores[item_id(placement)].get(lms.users[key].sub)


def _posts(lms, placement, key: str) -> list[dict]:
    return [s for s in lms.score_log
            if s["line_item"] == item_id(placement) and s["userId"] == lms.users[key].sub]


def test_an_acknowledgement_sends_1_completed_fully_graded(course, gb_lms, db_session, deliver):
    placement, version = course
    ack = acknowledge(db_session, user_of(db_session, gb_lms, "student"), version)
    result = deliver()
    assert result.delivered >= 1
    score = _score(gb_lms, placement, "student")
    assert score["scoreGiven"] == 1 and score["scoreMaximum"] == 1
    assert score["activityProgress"] == "Completed" and score["gradingProgress"] == "FullyGraded"
    assert score["timestamp"] == ack.acknowledged_at.isoformat(timespec="microseconds")
    row, = rows_for(db_session, placement)
    assert row.status == "delivered" and row.attempts == 1 and row.delivered_at is not None
    assert _score(gb_lms, placement, "student2") is None


def test_a_staff_code_acknowledgement_sends_nothing(course, gb_lms, db_session):
    placement, _ = course
    staff_version = publish(db_session, gb_lms.school_id, audience="staff")
    db_session.commit()
    acknowledge(db_session, user_of(db_session, gb_lms, "teacher"), staff_version)
    assert rows_for(db_session, placement) == []


def test_an_lms_answering_5xx_keeps_rows_pending_with_backoff_until_it_recovers(course, gb_lms, db_session,
                                                                              deliver):
    placement, version = course
    acknowledge(db_session, user_of(db_session, gb_lms, "student"), version)
    gb_lms.fail_rate = 1.0
    deliver()
    row, = rows_for(db_session, placement)
    first_wait = row.next_attempt_at - utcnow()
    assert row.status == "pending" and row.attempts == 1 and "503" in row.last_error
    assert timedelta(seconds=4) < first_wait <= timedelta(seconds=10)
    assert deliver().claimed == 0  # not due yet: backing off
    make_due(db_session, placement)
    deliver()
    row, = rows_for(db_session, placement)
    assert row.status == "pending" and row.attempts == 2
    assert timedelta(seconds=9) < row.next_attempt_at - utcnow() <= timedelta(seconds=20)
    gb_lms.fail_rate = 0.0
    make_due(db_session, placement)
    deliver()
    row, = rows_for(db_session, placement)
    assert row.status == "delivered" and row.attempts == 3 and row.last_error is None
    assert _score(gb_lms, placement, "student")["scoreGiven"] == 1


def test_after_the_last_attempt_a_row_is_failed_but_kept(course, gb_lms, db_session, deliver, app):
    placement, version = course
    acknowledge(db_session, user_of(db_session, gb_lms, "student"), version)
    last = app.config["GRADEBOOK_MAX_ATTEMPTS"]
    db_session.execute(update(ScoreDelivery).where(ScoreDelivery.placement_id == placement.id)
                       .values(attempts=last - 1))
    db_session.commit()
    gb_lms.fail_rate = 1.0
    deliver()
    row, = rows_for(db_session, placement)
    assert row.status == "failed" and row.attempts == last
    assert row.last_error.startswith(f"gave up after {last} attempts") and "503" in row.last_error


def test_an_lms_that_is_down_loses_nothing(browser, app, tool_url, db_session, deliver):
    from tests.gradebook.conftest import _school_lms
    from lti_tool.demo.platform import ResourceLink
    maker = _school_lms(app, tool_url, "Down school")
    lms = next(maker)
    lms.links["code"] = ResourceLink("code", "Gedragscode", {"placement": "code"})
    launch(browser, lms, "teacher", "code")
    launch(browser, lms, "student", "code")
    deliver()
    placement = placement_of(db_session, lms, "code")
    version = publish(db_session, lms.school_id)
    db_session.commit()
    acknowledge(db_session, user_of(db_session, lms, "student"), version)
    with pytest.raises(StopIteration):
        next(maker)  # the LMS's server stops
    deliver()
    row, = rows_for(db_session, placement)
    assert row.status == "pending" and "cannot connect" in row.last_error
    with serve(create_lms_app(lms), port=lms.port):  # back up, same address, same gradebook
        make_due(db_session, placement)
        deliver()
    row, = rows_for(db_session, placement)
    assert row.status == "delivered"
    assert _score(lms, placement, "student")["scoreGiven"] == 1


def test_delivering_twice_does_no_harm(course, gb_lms, db_session, deliver):
    placement, version = course
    acknowledge(db_session, user_of(db_session, gb_lms, "student"), version)
    deliver()
    first = dict(_score(gb_lms, placement, "student"))
    # A worker that sent the score but died before recording it: the row is sent again.
    db_session.execute(update(ScoreDelivery).where(ScoreDelivery.placement_id == placement.id)
                       .values(status="pending", next_attempt_at=utcnow()))
    db_session.commit()
    deliver()
    posts = _posts(gb_lms, placement, "student")
    assert len(posts) == 2 and posts[0] == posts[1]
    assert _score(gb_lms, placement, "student") == first


def test_an_older_score_is_never_sent_after_a_newer_one(course, gb_lms, db_session, deliver):
    placement, version = course
    student = user_of(db_session, gb_lms, "student")
    acknowledge(db_session, student, version)
    newer = publish(db_session, gb_lms.school_id)
    operations.reset_for_major(newer)
    db_session.commit()
    result = deliver()
    assert result.superseded >= 1
    rows = rows_for(db_session, placement)
    assert [(r.activity_progress, r.status) for r in rows] == \
        [("Completed", "superseded"), ("Initialized", "delivered")]
    assert [p["activityProgress"] for p in _posts(gb_lms, placement, "student")] == ["Initialized"]


def test_a_major_version_resets_the_scores_of_students_who_acknowledged(course, gb_lms, db_session,
                                                                        deliver):
    placement, version = course
    acknowledge(db_session, user_of(db_session, gb_lms, "student"), version)
    deliver()
    before = _score(gb_lms, placement, "student")
    newer = publish(db_session, gb_lms.school_id)
    assert operations.reset_for_major(newer) >= 1
    db_session.commit()
    resets = [r for r in rows_for(db_session, placement) if r.activity_progress == "Initialized"]
    # student2 never acknowledged, the teacher is staff: nothing to clear for them
    assert [r.user_id for r in resets] == [user_of(db_session, gb_lms, "student").id]
    deliver()
    score = _score(gb_lms, placement, "student")
    assert score["activityProgress"] == "Initialized" and score["gradingProgress"] == "NotReady"
    assert "scoreGiven" not in score  # AGS: no scoreGiven clears the result
    assert score["timestamp"] > before["timestamp"]
    assert _score(gb_lms, placement, "student2") is None


def test_a_minor_version_or_the_staff_code_resets_nothing(course, gb_lms, db_session):
    placement, version = course
    acknowledge(db_session, user_of(db_session, gb_lms, "student"), version)
    minor = publish(db_session, gb_lms.school_id, change="minor")
    staff = publish(db_session, gb_lms.school_id, audience="staff")
    staff_major = publish(db_session, gb_lms.school_id, audience="staff")
    assert operations.reset_for_major(minor) == 0
    assert operations.reset_for_major(staff) == 0 and operations.reset_for_major(staff_major) == 0
    db_session.rollback()


def test_the_access_token_is_reused_until_it_expires(course, gb_lms, db_session, deliver):
    placement, version = course
    acknowledge(db_session, user_of(db_session, gb_lms, "student"), version)
    deliver()
    requests_before = gb_lms.token_requests
    acknowledge(db_session, user_of(db_session, gb_lms, "student2"), version)
    deliver()  # a new worker round: the token comes from the database
    assert gb_lms.token_requests == requests_before
    token = db_session.scalars(select(AccessToken).where(
        AccessToken.platform_id == gb_lms.platform_id, AccessToken.scopes == SCORE_SCOPE)
        .execution_options(populate_existing=True)).one()
    token.expires_at = utcnow() + timedelta(seconds=30)  # within the last minute: not used any more
    db_session.commit()
    newer = publish(db_session, gb_lms.school_id)
    operations.reset_for_major(newer)
    db_session.commit()
    deliver()
    assert gb_lms.token_requests == requests_before + 1
    assert _score(gb_lms, placement, "student2")["activityProgress"] == "Initialized"


def test_a_refused_token_is_dropped_and_the_call_retried_once(course, gb_lms, db_session, deliver):
    placement, version = course
    acknowledge(db_session, user_of(db_session, gb_lms, "student"), version)
    deliver()
    db_session.execute(update(AccessToken).where(AccessToken.platform_id == gb_lms.platform_id)
                       .values(token="revoked", expires_at=utcnow() + timedelta(hours=1)))
    db_session.commit()
    requests_before = gb_lms.token_requests
    acknowledge(db_session, user_of(db_session, gb_lms, "student2"), version)
    deliver()
    assert gb_lms.token_requests == requests_before + 1
    assert _score(gb_lms, placement, "student2")["scoreGiven"] == 1
    assert db_session.scalars(select(AccessToken.token).where(
        AccessToken.platform_id == gb_lms.platform_id, AccessToken.scopes == SCORE_SCOPE)).one() != "revoked"


def test_a_4xx_other_than_401_or_429_fails_at_once_with_the_error(course, gb_lms, db_session, deliver):
    placement, version = course
    db_session.execute(update(Placement).where(Placement.id == placement.id)
                       .values(lineitem_url=gb_lms.line_item_url("no-such-item")))
    db_session.commit()
    acknowledge(db_session, user_of(db_session, gb_lms, "student"), version)
    deliver()
    row, = rows_for(db_session, placement)
    assert row.status == "failed" and row.attempts == 1
    assert row.last_error.startswith("404 from POST") and "no such line item" in row.last_error


def test_workers_running_at_once_send_each_score_once(course, gb_lms, db_session, app):
    placement, version = course
    gb_lms.add_students(30, prefix="gb-many")
    users = []
    from lti_tool.courses import operations as courses
    from lti_tool.courses.models import Course
    course_row = db_session.get(Course, placement.course_id)
    for n in range(30):
        user = courses.upsert_user(gb_lms.issuer, f"gb-many-sub-{n}")
        courses.upsert_course_member(course_row, user, [], "student")
        users.append(user.id)
    operations.enqueue(gb_lms.school_id, [(placement.id, u) for u in users], operations.ACKNOWLEDGED)
    db_session.commit()
    app.config["GRADEBOOK_BATCH_SIZE"] = 4
    try:
        def work():
            from lti_tool.extensions import db
            from lti_tool.gradebook.delivery import deliver_due
            with app.app_context():
                deliver_due()
                db.session.remove()
        threads = [threading.Thread(target=work) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
    finally:
        app.config["GRADEBOOK_BATCH_SIZE"] = 20
    rows = rows_for(db_session, placement)
    assert {r.status for r in rows} == {"delivered"} and {r.attempts for r in rows} == {1}
    posts = [s for s in gb_lms.score_log if s["line_item"] == item_id(placement)]
    assert len(posts) == 30 and len({p["userId"] for p in posts}) == 30


def test_a_school_never_reaches_another_schools_lms(course, gb_lms, gb_other_lms, browser, db_session,
                                                    deliver):
    placement, version = course
    launch(browser, gb_other_lms, "teacher", "code")
    deliver()
    other_placement = placement_of(db_session, gb_other_lms, "code")
    student = user_of(db_session, gb_lms, "student")
    # The same person listed in the other school's course: their acknowledgement here stays here.
    from lti_tool.courses.models import CourseMember
    db_session.add(CourseMember(course_id=other_placement.course_id, user_id=student.id, role="student",
                                lti_roles=""))
    db_session.commit()
    before = (gb_other_lms.token_requests, len(gb_other_lms.score_log))
    acknowledge(db_session, student, version)
    assert rows_for(db_session, other_placement) == []
    # A row that names one school and another school's placement is refused, not sent.
    operations.enqueue(gb_lms.school_id, [(other_placement.id, student.id)], operations.ACKNOWLEDGED)
    db_session.commit()
    deliver()
    forged, = rows_for(db_session, other_placement)
    assert forged.status == "failed" and forged.last_error.startswith("refused")
    assert (gb_other_lms.token_requests, len(gb_other_lms.score_log)) == before
    assert _score(gb_lms, placement, "student")["scoreGiven"] == 1
