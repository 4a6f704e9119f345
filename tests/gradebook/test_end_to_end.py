"""The issue end to end: acknowledging through the tool's API posts 1, a major version resets it."""
import requests
from sqlalchemy import select

from lti_tool.gradebook.models import ScoreDelivery
from tests.gradebook.conftest import item_id, launch as launch_only, placement_of
from tests.support.pages import launch, publish_defaults


def _no_check(content: dict, audience: str) -> dict:
    return {**content, "questions": []}


def test_acknowledging_posts_1_and_a_major_version_resets_it(app, browser, tool_url, gb_lms, link,
                                                            db_session, deliver):
    versions = publish_defaults(app, gb_lms.school_id, edit=_no_check)
    launch_only(browser, gb_lms, "teacher", link)
    _, token = launch(browser, gb_lms, "student4", link=link)
    deliver()  # the column is made
    placement = placement_of(db_session, gb_lms, link)
    sub = gb_lms.users["student4"].sub

    done = requests.post(f"{tool_url}/api/v1/me/acknowledgements", headers={"X-Launch-Token": token},
                         json={"version_id": versions["student"], "answers": [], "confirm": True},
                         timeout=30)
    assert done.status_code == 201, done.text
    deliver()
    score = gb_lms.scores[item_id(placement)][sub]
    assert (score["scoreGiven"], score["activityProgress"], score["gradingProgress"]) == \
        (1, "Completed", "FullyGraded")

    publish_defaults(app, gb_lms.school_id, change="minor", audiences=("student",), edit=_no_check)
    assert db_session.scalars(select(ScoreDelivery).where(
        ScoreDelivery.placement_id == placement.id, ScoreDelivery.status == "pending")).all() == []

    publish_defaults(app, gb_lms.school_id, change="major", audiences=("student",), edit=_no_check)
    deliver()
    score = gb_lms.scores[item_id(placement)][sub]
    assert (score["activityProgress"], score["gradingProgress"]) == ("Initialized", "NotReady")
    assert "scoreGiven" not in score
