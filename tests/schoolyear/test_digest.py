"""The weekly e-mails: counts without names, one per person per week, only where the school wants them
and the LMS shares an address."""
from datetime import date

from sqlalchemy import select

from lti_tool.acknowledgements.queries import statuses
from lti_tool.cases.models import MailMessage
from lti_tool.extensions import db
from lti_tool.schoolyear import digest
from lti_tool.schoolcalendar.models import SchoolYearSettings
from lti_tool.security import STAFF
from tests.courses.conftest import acknowledge, course_of, launch, publish, school_of, user_of

MONDAY, NEXT_MONDAY = date(2026, 12, 7), date(2026, 12, 14)
MONTHS = ("januari", "februari", "maart", "april", "mei", "juni", "juli", "augustus", "september", "oktober",
          "november", "december")


def _settings(db_session, school_id, **values):
    row = SchoolYearSettings(school_id=school_id, first_day=date(2026, 9, 1), yearly=False, newcomer_days=14,
                             teacher_digest=True, staff_reminders=True)
    for name, value in values.items():
        setattr(row, name, value)
    db_session.merge(row)
    db_session.commit()


def _run(app, send, day):
    with app.app_context():
        try:
            return send(day)
        finally:
            db.session.remove()


def _mail(db_session, school_id):
    db_session.expire_all()
    return db_session.scalars(select(MailMessage).where(MailMessage.school_id == school_id)
                              .order_by(MailMessage.id)).all()


def _school_with_pupils(browser, lms, db_session):
    """Two of the course's four pupils acknowledged; the staff code waits for the teachers."""
    teacher = launch(browser, lms, "teacher")
    assert browser.get(f"/school/courses/{course_of(db_session, lms).id}/overview", token=teacher).status_code == 200
    school_id = school_of(db_session, lms).id
    code = publish(db_session, school_id, "student")
    publish(db_session, school_id, "staff", due_date=date(2026, 12, 20))
    for key in ("student", "student2"):
        acknowledge(db_session, school_id, user_of(db_session, lms, key).id, code)
    return school_id


def test_teachers_get_counts_without_any_name_once_a_week(app, browser, fresh_lms, db_session):
    school_id = _school_with_pupils(browser, fresh_lms, db_session)
    _settings(db_session, school_id)
    _run(app, digest.send_digests, MONDAY)
    assert len(_mail(db_session, school_id)) == 2, "the teacher and the other staff member of the course"
    _run(app, digest.send_digests, MONDAY)
    mails = _mail(db_session, school_id)
    assert len(mails) == 2, "a second run that week writes nothing"
    assert sorted(m.to_address for m in mails) == sorted(
        fresh_lms.users[k].email for k in ("teacher", "coordinator"))
    body = mails[0].body
    assert "2 leerlingen hebben de gedragscode bevestigd" in body and "2 leerlingen hebben dat nog niet gedaan" in body
    for user in fresh_lms.users.values():
        assert user.given_name not in body and user.family_name not in body and user.email not in body
    assert fresh_lms.course_title not in body and fresh_lms.course_label not in body
    _run(app, digest.send_digests, NEXT_MONDAY)
    assert len(_mail(db_session, school_id)) == 4, "the next week, the next digest"


def test_staff_are_reminded_of_their_own_code_only_while_it_waits(app, browser, fresh_lms, db_session):
    school_id = _school_with_pupils(browser, fresh_lms, db_session)
    _settings(db_session, school_id, teacher_digest=False)
    _run(app, digest.send_digests, MONDAY)
    assert _mail(db_session, school_id) == [], "opted out"
    _run(app, digest.send_staff_reminders, MONDAY)
    _run(app, digest.send_staff_reminders, MONDAY)
    mails = _mail(db_session, school_id)
    assert len(mails) == 2, "each staff member once that week"
    with app.app_context():  # the code's date, or their own later one when they joined this school year
        teacher = user_of(db_session, fresh_lms, "teacher").id
        due = statuses(school_id, [(teacher, STAFF)])[teacher].due_date
    assert due >= date(2026, 12, 20)
    dutch = f"{due.day} {MONTHS[due.month - 1]} {due.year}"
    assert any(dutch in m.body for m in mails), f"their due date, as a Dutch school writes it ({dutch})"
    assert all(fresh_lms.users["teacher"].family_name not in m.body for m in mails)


def test_nobody_without_an_address_and_no_school_without_the_setting(app, browser, make_lms, db_session):
    mine, other = make_lms(), make_lms()
    school_id = _school_with_pupils(browser, mine, db_session)
    other_id = _school_with_pupils(browser, other, db_session)
    _settings(db_session, school_id, staff_reminders=False)
    teacher = user_of(db_session, mine, "teacher")
    teacher.email = None
    db_session.commit()
    _run(app, digest.send_digests, MONDAY)
    _run(app, digest.send_staff_reminders, MONDAY)
    mails = _mail(db_session, school_id)
    assert [m.to_address for m in mails] == [mine.users["coordinator"].email], \
        "only the staff member whose address the LMS shares, and no reminder (opted out)"
    assert _mail(db_session, other_id) == [], "a school that never set its year gets no e-mails"
