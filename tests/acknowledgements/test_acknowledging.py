"""Students and staff read their code, pass the check and acknowledge; the gate never loses their way."""
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from lti_tool.acknowledgements.models import Acknowledgement
from lti_tool.courses.models import User
from tests.support.browser import form_of, text_of
from tests.support.pages import launch, publish_defaults


@pytest.fixture(scope="module")
def codes(app, school_lms):
    """Both default codes published at this module's school (students get a 3-question check)."""
    return publish_defaults(app, school_lms.school_id)


def _acks(db_session, lms, user_key):
    db_session.expire_all()
    return list(db_session.scalars(select(Acknowledgement).join(User, User.id == Acknowledgement.user_id).where(
        User.sub == lms.users[user_key].sub, User.issuer == lms.issuer)))


def _next_of(url: str) -> str:
    from urllib.parse import parse_qs, urlsplit
    return parse_qs(urlsplit(url).query)["next"][0]


def _answer(fields: dict, answers: list[int]) -> dict:
    return {**fields, **{f"answer-{n}": str(a) for n, a in enumerate(answers)}, "confirm": "true"}


def test_a_student_sees_the_code_at_launch_passes_the_check_and_goes_on_where_they_were_going(
        browser, school_lms, codes, db_session):
    page, token = launch(browser, school_lms, "student3")
    assert "/code?" in page.url and _next_of(page.url) == "/"
    assert "Gedragscode telefoon en social media voor leerlingen" in page.text
    assert "Wat er gebeurt als je je niet aan deze regel houdt" in page.text
    action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
    done = browser.post(action, data=_answer(fields, [1, 1, 1]))
    assert done.status_code == 303
    assert done.headers["Location"].startswith("/?ls=") and "lt=" not in done.headers["Location"]
    home = browser.follow(done)
    assert home.status_code == 200 and "Welkom" in home.text
    [ack] = _acks(db_session, school_lms, "student3")
    assert (ack.version_id, ack.locale, ack.check_passed) == (codes["student"], "nl", True)
    assert ack.course_id is not None and ack.acknowledged_at is not None
    again, _ = launch(browser, school_lms, "student3")
    assert "/code" in again.url and "Je hebt deze gedragscode bevestigd op" in again.text, \
        "no gate once acknowledged: the code's link shows the code with the acknowledgement"
    assert 'name="confirm"' not in again.text
    reread = browser.get("/code", token=token)
    assert "Je hebt deze code" in reread.text or "acknowledged" in reread.text
    assert "form" not in reread.text.split("Gedragscode telefoon")[1].split("Versie")[0] or "/code/acknowledge" not in reread.text


def test_a_wrong_answer_shows_the_rule_and_asks_again_storing_nothing(browser, school_lms, codes, db_session):
    page, token = launch(browser, school_lms, "student4", locale="en")
    action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
    resp = browser.post(action, data=_answer(fields, [1, 0, 1]))
    assert resp.status_code == 422
    text = text_of(resp.text)
    assert "Not every answer is right yet" in text
    assert "Read the rule “Sharing and forwarding” again" in text
    assert 'class="rule highlight" id="rule-sharing-forwarding"' in resp.text
    assert 'value="1" required\n          checked' in resp.text or "checked" in resp.text, "answers stay filled in"
    assert _acks(db_session, school_lms, "student4") == []
    missing_confirm = browser.post(action, data={**_answer(fields, [1, 1, 1]), "confirm": ""})
    assert missing_confirm.status_code == 400 and "Tick the box" in missing_confirm.text
    assert _acks(db_session, school_lms, "student4") == []
    ok = browser.post(action, data=_answer(fields, [1, 1, 1]))
    assert ok.status_code == 303
    [ack] = _acks(db_session, school_lms, "student4")
    assert ack.locale == "en" and ack.check_passed is True


def test_staff_acknowledge_the_staff_code_and_the_gate_remembers_the_page(browser, school_lms, codes, db_session):
    page, token = launch(browser, school_lms, "teacher")
    assert "Gedragscode telefoon en social media voor medewerkers" in page.text
    # Someone following a link deep into the tool is sent to the code first, then on to that link.
    gated = browser.get("/?tab=2", token=token)
    assert gated.status_code == 303 and _next_of(gated.headers["Location"]) == "/?tab=2"
    page = browser.follow(gated)
    action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
    assert fields["next"] == "/?tab=2"
    done = browser.post(action, data={**fields, "confirm": "true"})
    assert done.status_code == 303 and done.headers["Location"].startswith("/?tab=2&ls=")
    [ack] = _acks(db_session, school_lms, "teacher")
    assert ack.version_id == codes["staff"] and ack.check_passed is None


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"])
def test_the_gate_never_sends_anyone_to_another_site(browser, school_lms, codes, target):
    page, token = launch(browser, school_lms, "student2")
    form_page = browser.get("/code", token=token, params={"next": target})
    action, fields = form_of(form_page.text, "form[action*='/code/acknowledge']")
    assert "next" not in fields
    resp = browser.post(action, data={**_answer(fields, [0, 0, 0]), "next": target})
    assert resp.status_code == 422  # wrong answers: nothing stored, and still no foreign next
    assert target not in resp.text


def test_acknowledging_twice_a_forged_version_or_for_someone_else_is_refused(
        app, browser, school_lms, other_lms, codes, db_session):
    page, token = launch(browser, school_lms, "student")
    action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
    good = _answer(fields, [1, 1, 1])
    for forged, status in (({"version_id": "999999"}, 404), ({"version_id": "abc"}, 400),
                           ({"version_id": str(codes["staff"])}, 409), ({"user_id": "1"}, 400),
                           ({"locale": "fr"}, 400)):
        resp = browser.post(action, data={**good, **forged})
        assert resp.status_code == status, (forged, resp.text)
    assert _acks(db_session, school_lms, "student") == []
    assert browser.post(action, data=good).status_code == 303
    twice = browser.post(action, data=good)
    assert twice.status_code == 409 and "al bevestigd" in twice.text
    assert len(_acks(db_session, school_lms, "student")) == 1
    # A version of another school is as unknown as a made-up one.
    other_codes = publish_defaults(app, other_lms.school_id if hasattr(other_lms, "school_id") else _school_of(app, other_lms))
    _, other_token = launch(browser, other_lms, "student")
    resp = browser.post("/code/acknowledge", token=other_token, data={**good, "version_id": str(codes["student"])})
    assert resp.status_code == 404
    assert other_codes


def _school_of(app, lms):
    from lti_tool.platforms import operations
    with app.app_context():
        return operations.find_platform(lms.issuer, lms.client_id).deployments[0].school_id


def test_a_retired_version_cannot_be_acknowledged_and_a_major_version_asks_again(app, browser, school_lms, codes, db_session):
    page, token = launch(browser, school_lms, "student")
    assert "Je hebt deze gedragscode bevestigd op" in page.text, "acknowledged in the test before"
    minor = publish_defaults(app, school_lms.school_id, audiences=("student",), change="minor")
    page, _ = launch(browser, school_lms, "student")
    assert "Je hebt deze gedragscode bevestigd op" in page.text and "(versie 1)" in page.text, \
        "a minor change asks nobody again"
    major = publish_defaults(app, school_lms.school_id, audiences=("student",), change="major",
                             due_date=date.today() - timedelta(days=1))
    page, token = launch(browser, school_lms, "student")
    assert "/code?" in page.url
    text = text_of(page.text)
    assert "De code is veranderd sinds je hem bevestigde" in text
    assert "Deze datum is voorbij" in text
    action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
    retired = browser.post(action, data={**_answer(fields, [1, 1, 1]), "version_id": str(minor["student"])})
    assert retired.status_code == 409
    assert browser.post(action, data=_answer(fields, [1, 1, 1])).status_code == 303
    epochs = sorted(a.epoch for a in _acks(db_session, school_lms, "student"))
    assert epochs == [1, 2] and major


def test_acknowledgements_are_append_only(app, school_lms, codes, db_session):
    ack = db_session.scalars(select(Acknowledgement).where(
        Acknowledgement.school_id == school_lms.school_id)).first()
    ack.locale = "en"
    with pytest.raises(ValueError):
        db_session.flush()
    db_session.rollback()
    db_session.delete(db_session.get(Acknowledgement, ack.id))
    with pytest.raises(ValueError):
        db_session.flush()
    db_session.rollback()


def test_school_admins_are_not_stopped_by_the_gate_and_anyone_can_reread(browser, school_lms, codes):
    page, token = launch(browser, school_lms, "admin")
    assert "Welkom" in page.text
    code = browser.get("/code?lang=en", token=token)
    assert code.status_code == 200 and "Code of conduct on phones and social media for staff" in code.text
    assert browser.get("/code?lang=xx", token=token).status_code == 400
    assert type(browser)(browser.tool_url).get("/code").status_code == 401, "no launch, no code"
