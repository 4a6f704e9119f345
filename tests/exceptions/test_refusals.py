"""Bad input to the grant form: a clear message beside the field, the right 4xx, and nothing stored."""
import pytest

from tests.courses.conftest import launch, user_of
from tests.support.browser import text_of
from tests.support.form_errors import assert_field_tied_to_message, summary_entries

from .conftest import count, day, grant_form, second_course

# A 1x1 PNG as a data URI: the tool never stores an image in any encoding.
PNG = ("data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGA"
       "hKmMIQAAAABJRU5ErkJggg==")


@pytest.mark.parametrize("fields, field, message", [
    ({"starts_on": day(-30)}, "starts_on", "The start may lie at most 7 days back."),
    ({"starts_on": day(400), "ends_on": day(401)}, "starts_on", "The start may lie at most a year ahead."),
    ({"starts_on": day(10), "ends_on": day(5)}, "ends_on", "The end comes on or after the start."),
    ({"ends_on": day(400)}, "ends_on", "An exception lasts at most one school year"),
    ({"starts_on": "31-02-2027"}, "starts_on", "Fill in a date as dd-mm-yyyy."),
    ({"ends_on": ""}, "ends_on", "Fill in a date."),
    ({"kind": "diagnosis"}, "kind", "Choose the kind of exception."),
    ({"pupil_id": ""}, "pupil_id", "Choose a pupil."),
    ({"pupil_id": "99999999999"}, "pupil_id", "Choose a pupil."),
    ({"note": "x" * 201}, "note", "Write at most 200 characters."),
])
def test_a_refused_form_says_why_beside_the_field_and_stores_nothing(browser, school, db_session, fields, field,
                                                                     message):
    data = {"pupil_id": school.ids["student"], **fields}
    resp = grant_form(browser, school.tokens["coordinator"], **data)
    assert resp.status_code == 400, resp.text
    assert any(entry_field == field and message in text for entry_field, text in summary_entries(resp.text))
    if field != "kind":
        assert_field_tied_to_message(resp.text, field, message)
    assert count(db_session, school.school_id) == 0


def test_the_refused_form_keeps_what_was_written(browser, school):
    resp = grant_form(browser, school.tokens["coordinator"], pupil_id=school.ids["student"], starts_on=day(-30),
                      note="Mag zijn telefoon op tafel leggen")
    assert 'value="Mag zijn telefoon op tafel leggen"' in resp.text
    assert f'value="{school.ids["student"]}" selected' in resp.text


@pytest.mark.parametrize("who", ["teacher", "admin"])
def test_only_a_pupil_of_this_school_gets_an_exception(browser, school, db_session, who):
    resp = grant_form(browser, school.tokens["coordinator"], pupil_id=school.ids[who])
    assert resp.status_code == 400 and "Choose a pupil of this school." in text_of(resp.text)
    assert count(db_session, school.school_id) == 0


def test_a_pupil_of_another_school_is_refused_like_an_unknown_one(browser, school, make_lms, db_session):
    elsewhere = make_lms()
    launch(browser, elsewhere, "student")
    stranger = user_of(db_session, elsewhere, "student").id
    resp = grant_form(browser, school.tokens["coordinator"], pupil_id=stranger)
    assert resp.status_code == 400 and "Choose a pupil of this school." in text_of(resp.text)
    assert count(db_session, school.school_id) == 0


def test_a_course_the_pupil_does_not_take_is_refused(browser, school, db_session):
    maths, _ = second_course(browser, school, db_session)
    resp = grant_form(browser, school.tokens["coordinator"], pupil_id=school.ids["student2"], course_id=maths.id)
    assert resp.status_code == 400
    assert_field_tied_to_message(resp.text, "course_id", "Choose a course this pupil takes, or every lesson.")


def test_an_overlapping_exception_of_the_same_kind_is_refused(browser, school, db_session):
    token = school.tokens["coordinator"]
    assert grant_form(browser, token, pupil_id=school.ids["student"], ends_on=day(60)).status_code == 303
    resp = grant_form(browser, token, pupil_id=school.ids["student"], starts_on=day(30), ends_on=day(90))
    assert resp.status_code == 400
    assert_field_tied_to_message(resp.text, "starts_on", "This pupil already has an exception of this kind")
    # Another kind at the same time is another need; after the first ends, the same kind is fine.
    assert grant_form(browser, token, pupil_id=school.ids["student"], kind="lesson").status_code == 303
    assert grant_form(browser, token, pupil_id=school.ids["student"], starts_on=day(61),
                      ends_on=day(100)).status_code == 303
    assert count(db_session, school.school_id) == 3


def test_a_note_with_a_picture_is_refused_and_the_picture_is_not_given_back(browser, school, db_session):
    resp = grant_form(browser, school.tokens["coordinator"], pupil_id=school.ids["student"],
                      note=f"zie foto {PNG}")
    assert resp.status_code == 422
    assert "cannot contain pictures" in text_of(resp.text) and "iVBORw0KGgo" not in resp.text
    assert count(db_session, school.school_id) == 0


def test_a_file_part_is_refused(browser, school, db_session):
    from tests.support.browser import form_of
    action, hidden = form_of(browser.get("/exceptions/new", token=school.tokens["coordinator"]).text, "form.editor")
    resp = browser.post(action, data={**hidden, "pupil_id": school.ids["student"], "kind": "medical",
                                      "starts_on": day(0), "ends_on": day(9)},
                        files={"scan": ("scan.png", b"\x89PNG\r\n\x1a\n" + b"0" * 64, "image/png")})
    assert resp.status_code == 422 and count(db_session, school.school_id) == 0


def test_dutch_readers_get_dutch_messages(browser, school, db_session):
    from tests.courses.conftest import launch as launch_as
    token = launch_as(browser, school.lms, "coordinator", locale="nl-NL")
    resp = grant_form(browser, token, pupil_id=school.ids["student"], starts_on=day(10), ends_on=day(5))
    assert resp.status_code == 400
    assert "Het einde ligt op of na het begin." in text_of(resp.text)
