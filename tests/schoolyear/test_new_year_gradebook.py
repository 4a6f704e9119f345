"""The gradebook follows the new school year: last year's 1 is cleared once, through the outbox, and a
pupil who acknowledges again gets their 1 back. The school next door keeps its scores."""
import requests
from sqlalchemy import select

from lti_tool.extensions import db
from lti_tool.gradebook.models import ScoreDelivery
from lti_tool.schoolyear import tasks
from lti_tool.schoolcalendar.models import SchoolYearSettings
from lti_tool.db import utcnow
from tests.gradebook.conftest import (_reset_gradebook_lms, deliver, gb_lms, gb_other_lms, item_id,  # noqa: F401
                                      launch as launch_only, link, placement_of)
from tests.support.pages import launch, publish_defaults


def _no_check(content: dict, audience: str) -> dict:
    return {**content, "questions": []}


def _acknowledge(tool_url, token, version_id):
    return requests.post(f"{tool_url}/api/v1/me/acknowledgements", headers={"X-Launch-Token": token},
                         json={"version_id": version_id, "answers": [], "confirm": True}, timeout=30)


def _run(app, task):
    with app.app_context():
        try:
            return task()
        finally:
            db.session.remove()


def _score(lms, placement, key):
    score = lms.scores[item_id(placement)][lms.users[key].sub]
    return score.get("scoreGiven"), score["activityProgress"]


def test_a_new_school_year_clears_last_years_scores_once(app, browser, tool_url, gb_lms, gb_other_lms, link,
                                                         db_session, deliver):
    versions = publish_defaults(app, gb_lms.school_id, edit=_no_check)
    launch_only(browser, gb_lms, "teacher", link)
    _, token = launch(browser, gb_lms, "student4", link=link)
    deliver()
    placement = placement_of(db_session, gb_lms, link)
    assert _acknowledge(tool_url, token, versions["student"]).status_code == 201
    deliver()
    assert _score(gb_lms, placement, "student4") == (1, "Completed")

    # The school's year starts today: the acknowledgement above belongs to the year before.
    today = utcnow().date()
    for lms in (gb_lms, gb_other_lms):
        db_session.merge(SchoolYearSettings(school_id=lms.school_id, first_day=today, yearly=lms is gb_lms,
                                            newcomer_days=14, teacher_digest=False, staff_reminders=False))
    db_session.commit()
    before = db_session.scalar(select(db.func.count()).select_from(ScoreDelivery))
    assert _run(app, tasks.start_school_years)["queued"] >= 1
    assert _run(app, tasks.start_school_years)["queued"] == 0, "the task may run twice: one reset per year"
    resets = db_session.scalars(select(ScoreDelivery).where(ScoreDelivery.id > 0).order_by(ScoreDelivery.id)
                                ).all()[before:]
    assert {r.school_id for r in resets} == {gb_lms.school_id}, "the school next door is untouched"
    deliver()
    assert _score(gb_lms, placement, "student4") == (None, "Initialized")

    assert _acknowledge(tool_url, token, versions["student"]).status_code == 201
    deliver()
    assert _score(gb_lms, placement, "student4") == (1, "Completed")
    assert _run(app, tasks.start_school_years)["queued"] == 0, "acknowledged again this year: no reset"
