"""A granter hears, content-free and once per end date, that exceptions they granted end soon."""
from sqlalchemy import select

from lti_tool.cases.models import MailMessage
from lti_tool.cli import main
from lti_tool.exceptions import reminders

from .conftest import day, exceptions_of, grant_form


def _mails(db_session, school_id) -> list[MailMessage]:
    db_session.expire_all()
    return list(db_session.scalars(select(MailMessage).where(MailMessage.school_id == school_id)
                                   .order_by(MailMessage.id)))


def _run(app) -> int:
    with app.app_context():
        return reminders.send_reminders()


def test_the_granter_is_reminded_once_and_the_mail_names_nobody(app, browser, school, db_session):
    token = school.tokens["coordinator"]
    grant_form(browser, token, pupil_id=school.ids["student"], ends_on=day(10), note="Scherm omlaag")
    grant_form(browser, token, pupil_id=school.ids["student2"], kind="lesson", ends_on=day(3))
    grant_form(browser, token, pupil_id=school.ids["student"], kind="other", ends_on=day(60))  # not yet
    result = app.test_cli_runner().invoke(main, ["jobs", "run", "remind_ending_exceptions", "--once"])
    assert result.exit_code == 0, result.output
    [mail] = _mails(db_session, school.school_id)
    assert mail.to_address == school.lms.users["coordinator"].email
    assert "2 telefoonuitzonderingen die jij hebt gegeven" in mail.body
    for secret in (school.lms.users["student"].name, school.lms.users["student2"].given_name, "Scherm", "Medisch"):
        assert secret not in mail.body and secret not in mail.subject
    # A second run, the next morning's or a second worker's, sends nothing more.
    _run(app)
    assert len(_mails(db_session, school.school_id)) == 1


def test_a_new_end_date_is_reminded_again_and_an_ended_exception_never(app, browser, school, db_session):
    token = school.tokens["coordinator"]
    grant_form(browser, token, pupil_id=school.ids["student"], ends_on=day(5))
    grant_form(browser, token, pupil_id=school.ids["student2"], ends_on=day(6))
    first, second = exceptions_of(db_session, school.school_id)
    from tests.support.browser import form_of
    action, fields = form_of(browser.get("/exceptions", token=token).text, f"form[action*='/{second.id}/end']")
    assert browser.post(action, data=fields).status_code == 303
    _run(app)
    assert len(_mails(db_session, school.school_id)) == 1
    action, fields = form_of(browser.get(f"/exceptions/{first.id}/edit", token=token).text, "form.editor")
    assert browser.post(action, data={**fields, "pupil_id": school.ids["student"], "kind": "medical",
                                      "ends_on": day(12)}).status_code == 303
    _run(app)
    mails = _mails(db_session, school.school_id)
    assert len(mails) == 2 and "Een telefoonuitzondering die jij hebt gegeven" in mails[-1].body


def test_the_schools_lead_time_decides(app, browser, school, db_session):
    from tests.support.browser import form_of
    action, fields = form_of(browser.get("/exceptions/settings", token=school.tokens["admin"]).text, "form.editor")
    assert browser.post(action, data={**fields, "reminder_days": "3"}).status_code == 303
    grant_form(browser, school.tokens["coordinator"], pupil_id=school.ids["student"], ends_on=day(10))
    _run(app)
    assert _mails(db_session, school.school_id) == []
