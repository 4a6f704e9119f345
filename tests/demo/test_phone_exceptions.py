"""The demo's coordinator grants Sanne a medical phone exception; the demo's teacher sees it in the course overview."""
from tests.demo.test_demo import _acknowledge, _launch_from_course_page, demo  # noqa: F401  (the demo fixture)
from tests.support.browser import Browser, form_of, launch_token_of, text_of


def _in(browser, url, user):
    """Launch as user from the demo course page (in Dutch) and acknowledge the staff code; the launch token."""
    page = _launch_from_course_page(browser, url, user)
    if "Gedragscode" in page.text and "/code/acknowledge" in page.text:
        page = _acknowledge(browser, page)
    return launch_token_of(page.text)


def test_the_coordinator_grants_and_the_teacher_sees_it(demo):  # noqa: F811
    app, url = demo
    coordinator = Browser(url)
    token = _in(coordinator, url, "coordinator")
    form = coordinator.get("/exceptions/new", token=token)
    assert form.status_code == 200 and "Geen medische gegevens." in text_of(form.text)
    sanne = app.extensions["demo_lms"].users["student"]
    action, fields = form_of(form.text, "form.editor")
    from bs4 import BeautifulSoup
    # This demo's Sanne (another module's demo LMS may have put a Sanne of its own in the same school).
    with app.app_context():
        from sqlalchemy import select
        from lti_tool.extensions import db
        from lti_tool.platforms.models import User
        sanne_id = db.session.scalar(select(User.id).where(User.issuer == app.extensions["demo_lms"].issuer,
                                                           User.sub == sanne.sub))
    option = BeautifulSoup(form.text, "html.parser").find("option", value=str(sanne_id))
    assert option is not None and option.text.strip() == sanne.name, \
        "the course's pupils are in the list before they opened the tool"
    from datetime import date, timedelta
    resp = coordinator.post(action, data={**fields, "pupil_id": option["value"], "kind": "medical",
                                          "starts_on": date.today().isoformat(),
                                          "ends_on": (date.today() + timedelta(days=60)).isoformat()})
    assert resp.status_code == 303, resp.text
    teacher = Browser(url)
    token = _in(teacher, url, "teacher")
    home = teacher.get("/", token=token)
    overview_link = BeautifulSoup(home.text, "html.parser").find("a", href=lambda h: h and "/overview" in h)
    overview = text_of(teacher.get(overview_link["href"], token=token).text)
    assert f"{sanne.name}" in overview and "Telefoon toegestaan: Medisch, t/m" in overview
