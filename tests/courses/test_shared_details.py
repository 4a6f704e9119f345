"""Only what the LMS still shares: when its privacy settings stop sending a person's name or e-mail,
the tool forgets what it stored at their next launch or the next roster read, and shows them by an
id as the LMS does, never by a name it was once told."""
from lti_tool.demo.platform import LEARNER, DemoUser
from tests.courses.conftest import launch, user_of
from tests.courses.test_roster import _overview, _refresh
from tests.support.browser import text_of


def _moodle_pupil(lms) -> DemoUser:
    """A pupil whose LMS id is Moodle's kind: a short number."""
    lms.users["moodle"] = pupil = DemoUser("moodle", "1234", "Fatima", "Yilmaz", [LEARNER])
    return pupil


def test_a_launch_without_a_name_forgets_the_name_stored_before(browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "student")
    assert user_of(db_session, fresh_lms, "student").name == "Sanne de Vries"
    fresh_lms.shares_names = False
    launch(browser, fresh_lms, "student")
    db_session.expire_all()
    stored = user_of(db_session, fresh_lms, "student")
    assert stored.name is None
    assert stored.email == fresh_lms.users["student"].email  # still shared, so still known


def test_a_launch_without_an_email_forgets_the_address_and_keeps_the_shared_name(browser, fresh_lms, db_session):
    launch(browser, fresh_lms, "student")
    fresh_lms.shares_email = False
    launch(browser, fresh_lms, "student")
    db_session.expire_all()
    stored = user_of(db_session, fresh_lms, "student")
    assert (stored.name, stored.email) == ("Sanne de Vries", None)


def test_sharing_again_brings_the_name_back(browser, fresh_lms, db_session):
    fresh_lms.shares_names = fresh_lms.shares_email = False
    launch(browser, fresh_lms, "student")
    fresh_lms.shares_names = fresh_lms.shares_email = True
    launch(browser, fresh_lms, "student")
    db_session.expire_all()
    assert user_of(db_session, fresh_lms, "student").name == "Sanne de Vries"


def test_a_roster_without_names_forgets_them_and_the_overview_shows_the_lms_ids(browser, fresh_lms, db_session):
    pupil = _moodle_pupil(fresh_lms)
    token = launch(browser, fresh_lms, "teacher")
    page = _overview(browser, db_session, fresh_lms, token)
    assert "Noor El Amrani" in page.text and "Fatima Yilmaz" in page.text
    fresh_lms.shares_names = fresh_lms.shares_email = False
    refreshed = browser.follow(_refresh(browser, db_session, fresh_lms, token))
    assert refreshed.status_code == 200
    text = text_of(refreshed.text)
    for user in fresh_lms.users.values():
        if user.kind == "student":
            assert user.name not in text and user.email not in text
    db_session.expire_all()
    noor = user_of(db_session, fresh_lms, "student3")
    assert (noor.name, noor.email) == (None, None)
    assert f"User {pupil.sub}" in text  # Moodle's own number, as Moodle shows it
    assert f"User #{noor.id}" in text  # an opaque LMS id says nothing: the tool's number instead


def test_the_overview_in_dutch_says_gebruiker(browser, fresh_lms, db_session):
    _moodle_pupil(fresh_lms)
    fresh_lms.shares_names = fresh_lms.shares_email = False
    token = launch(browser, fresh_lms, "teacher", locale="nl-NL")
    page = _overview(browser, db_session, fresh_lms, token)
    assert "Gebruiker 1234" in text_of(page.text)
