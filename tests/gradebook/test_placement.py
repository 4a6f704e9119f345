"""Where the code sits in a gradebook: recorded at launch without an LMS call, its column made once."""
from sqlalchemy import func, select, update

from lti_tool.gradebook.models import Placement, ScoreDelivery
from tests.gradebook.conftest import acknowledge, item_id, launch, placement_of, publish, user_of
from tests.support.browser import launched

AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
SCORE_SCOPE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"


def _lms_calls(lms) -> tuple:
    return lms.token_requests, len(lms.line_items), len(lms.score_log)


def _column(lms, link: str) -> list[dict]:
    return [i for i in lms.line_items.values()
            if i.get("resourceLinkId") == link and i.get("tag") == "veilig-online-code"]


def test_a_code_launch_records_the_placement_without_calling_the_lms(browser, gb_lms, link, db_session):
    before = _lms_calls(gb_lms)
    launch(browser, gb_lms, "teacher", link)
    assert _lms_calls(gb_lms) == before  # no token, no line item, no score during the launch
    placement = placement_of(db_session, gb_lms, link)
    assert placement.lineitems_url == gb_lms.lineitems_url and placement.lineitem_url is None
    assert SCORE_SCOPE in placement.scopes.split()
    assert placement.platform_id == gb_lms.platform_id


def test_a_second_launch_keeps_one_placement(browser, gb_lms, link, db_session):
    launch(browser, gb_lms, "teacher", link)
    launch(browser, gb_lms, "student", link)
    count = db_session.scalar(select(func.count()).select_from(Placement).where(
        Placement.school_id == gb_lms.school_id, Placement.resource_link_id == link))
    assert count == 1


def test_the_report_link_is_not_a_placement(browser, gb_lms, db_session):
    launch(browser, gb_lms, "teacher", "report")
    assert db_session.scalars(select(Placement).where(
        Placement.school_id == gb_lms.school_id, Placement.resource_link_id == "report")).first() is None


def test_a_launch_without_ags_records_nothing(browser, gb_lms, link, db_session):
    auth = browser.start_login(gb_lms.login_initiation_url("teacher", link=link))
    claims = gb_lms.id_token_claims("teacher", auth["nonce"], link=link)
    del claims[AGS_CLAIM]
    assert launched(browser.post_id_token(gb_lms.sign(claims), auth["state"]))
    assert db_session.scalars(select(Placement).where(
        Placement.school_id == gb_lms.school_id, Placement.resource_link_id == link)).first() is None


def test_the_worker_creates_the_column_once(browser, gb_lms, link, db_session, deliver):
    launch(browser, gb_lms, "teacher", link)
    deliver()
    columns = _column(gb_lms, link)
    assert len(columns) == 1
    assert columns[0]["label"] == "Gedragscode" and columns[0]["scoreMaximum"] == 1
    assert columns[0]["resourceId"] == "veilig-online-code"
    assert placement_of(db_session, gb_lms, link).lineitem_url == columns[0]["id"]
    launch(browser, gb_lms, "teacher", link)
    deliver()
    assert len(_column(gb_lms, link)) == 1


def test_a_forgotten_column_is_found_again_not_duplicated(browser, gb_lms, link, db_session, deliver):
    launch(browser, gb_lms, "teacher", link)
    deliver()
    placement = placement_of(db_session, gb_lms, link)
    url = placement.lineitem_url
    db_session.execute(update(Placement).where(Placement.id == placement.id).values(lineitem_url=None))
    db_session.commit()
    deliver()
    assert len(_column(gb_lms, link)) == 1
    assert placement_of(db_session, gb_lms, link).lineitem_url == url


def test_the_column_is_named_in_the_language_of_the_placing_launch(browser, gb_lms, link, deliver):
    launch(browser, gb_lms, "teacher", link, locale="en-GB")
    deliver()
    assert [c["label"] for c in _column(gb_lms, link)] == ["Code of conduct"]


def test_a_deep_linked_placement_uses_the_lms_line_item(browser, gb_lms, link, db_session, deliver):
    item = gb_lms.create_line_item({"label": "Gedragscode", "scoreMaximum": 1, "tag": "veilig-online-code",
                                    "resourceId": "veilig-online-code", "resourceLinkId": link})
    gb_lms.links[link].line_item_id = item["id"].rsplit("/", 1)[1]
    launch(browser, gb_lms, "teacher", link)
    assert placement_of(db_session, gb_lms, link).lineitem_url == item["id"]
    requests_before = gb_lms.token_requests
    deliver()
    assert len(_column(gb_lms, link)) == 1 and gb_lms.token_requests == requests_before


def test_a_new_placement_scores_students_who_already_acknowledged(browser, gb_lms, link, db_session,
                                                                  deliver):
    launch(browser, gb_lms, "student2", "report")  # in the course before the code is placed
    version = publish(db_session, gb_lms.school_id)
    db_session.commit()
    student = user_of(db_session, gb_lms, "student2")
    acknowledge(db_session, student, version)
    launch(browser, gb_lms, "teacher", link)
    placement = placement_of(db_session, gb_lms, link)
    queued = db_session.scalars(select(ScoreDelivery).where(ScoreDelivery.placement_id == placement.id,
                                                            ScoreDelivery.user_id == student.id)).all()
    assert [(r.score_given, r.activity_progress, r.grading_progress) for r in queued] == \
        [(1.0, "Completed", "FullyGraded")]
    launch(browser, gb_lms, "student2", link)  # a known placement: nothing is queued again
    assert db_session.scalars(select(func.count()).select_from(ScoreDelivery).where(
        ScoreDelivery.placement_id == placement.id)).one() == 1
    deliver()
    score = gb_lms.scores[item_id(placement_of(db_session, gb_lms, link))][gb_lms.users["student2"].sub]
    assert score["scoreGiven"] == 1 and score["gradingProgress"] == "FullyGraded"
