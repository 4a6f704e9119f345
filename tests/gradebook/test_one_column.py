"""One gradebook column per course: however many links to the code a teacher adds (Moodle made one
"Code of conduct" column per link, so the course total counted the code three times)."""
import secrets

from sqlalchemy import func, select

from lti_tool.demo.platform import ResourceLink
from lti_tool.gradebook.models import Placement, ScoreDelivery
from tests.gradebook.conftest import acknowledge, item_id, launch, placement_of, publish, user_of

TAG = "veilig-online-code"


def _columns(lms) -> list[dict]:
    return [item for item in lms.find_line_items({}, lms.course_id) if item.get("tag") == TAG]


def _another_code_link(lms) -> str:
    link_id = "gb-more-" + secrets.token_hex(3)
    lms.links[link_id] = ResourceLink(link_id, "Gedragscode (herhaald)", {"placement": "code"})
    return link_id


def test_three_links_to_the_code_make_one_column_and_one_score(browser, gb_lms, link, db_session, deliver):
    others = [_another_code_link(gb_lms), _another_code_link(gb_lms)]
    for each in [link, *others]:
        launch(browser, gb_lms, "teacher", each)
        launch(browser, gb_lms, "student", each)
        deliver()
    assert len(_columns(gb_lms)) == 1
    course_placements = db_session.scalar(select(func.count()).select_from(Placement).where(
        Placement.school_id == gb_lms.school_id, Placement.course_id == placement_of(db_session, gb_lms, link).course_id))
    assert course_placements == 1

    student = user_of(db_session, gb_lms, "student")
    acknowledge(db_session, student, publish(db_session, gb_lms.school_id))
    queued = db_session.scalar(select(func.count()).select_from(ScoreDelivery).where(
        ScoreDelivery.user_id == student.id, ScoreDelivery.school_id == gb_lms.school_id,
        ScoreDelivery.placement_id == placement_of(db_session, gb_lms, link).id))
    assert queued == 1
    deliver()
    column = _columns(gb_lms)[0]
    assert gb_lms.scores[column["id"].rsplit("/", 1)[1]][gb_lms.users["student"].sub]["scoreGiven"] == 1


def test_a_column_another_link_made_earlier_is_found_by_its_tag_not_made_again(
        browser, gb_lms, link, db_session, deliver):
    """A course whose column was made for a link the tool no longer knows (an older install, a
    restored backup) gets no second column: the tag finds it, whichever link it was made for."""
    earlier = gb_lms.create_line_item({"label": "Gedragscode", "scoreMaximum": 1, "tag": TAG, "resourceId": TAG,
                                       "resourceLinkId": "a-link-deleted-long-ago"})
    launch(browser, gb_lms, "teacher", link)
    deliver()
    assert [c["id"] for c in _columns(gb_lms)] == [earlier["id"]]
    assert item_id(placement_of(db_session, gb_lms, link)) == earlier["id"].rsplit("/", 1)[1]


def test_the_column_of_another_course_is_never_taken(browser, gb_lms, link, db_session, deliver):
    launch(browser, gb_lms, "teacher", link)
    deliver()
    first = placement_of(db_session, gb_lms, link).lineitem_url
    gb_lms.course_id = "course-next-" + secrets.token_hex(3)  # the same teacher's next course
    other = _another_code_link(gb_lms)
    launch(browser, gb_lms, "teacher", other)
    deliver()
    second = placement_of(db_session, gb_lms, other)
    assert second.lineitem_url and second.lineitem_url != first
