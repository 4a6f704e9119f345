"""People of a test school, each with their own browser (keeping their launch's cookie) and launch token."""
from sqlalchemy import delete

from lti_tool.cases.models import MailMessage
from tests.cases.conftest import launch
from tests.support.browser import Browser


class Person:
    def __init__(self, browser, token):
        self.browser, self.token = browser, token

    def get(self, url, **kw):
        return self.browser.get(url, token=self.token, **kw)

    def post(self, url, data=None, **kw):
        return self.browser.post(url, token=self.token, data={"lt": self.token, **(data or {})}, **kw)

    def api(self, tool_url, method, path, **kw):
        import requests
        return requests.request(method, f"{tool_url}/api/v1{path}", headers={"X-Launch-Token": self.token},
                                timeout=30, **kw)


def launch_people(tool_url, lms, keys) -> dict:
    result = {}
    for key in keys:
        own = Browser(tool_url)
        result[key] = Person(own, launch(own, lms, key)[1])
    return result


def drop_mail(app, school_id):
    """Take a module's notices out of the shared outbox, so later modules' senders find only theirs."""
    from lti_tool.extensions import db
    with app.app_context():
        db.session.execute(delete(MailMessage).where(MailMessage.school_id == school_id))
        db.session.commit()
