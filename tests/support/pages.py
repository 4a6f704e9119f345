"""Helpers for page tests: launch someone and keep their launch token; publish a school's codes."""
from lti_tool.extensions import db
from tests.support.browser import launch_token_of


def launch(browser, lms, user_key: str, **kw):
    """Launch as user_key and follow to wherever the tool sends them; return (page, launch token)."""
    page = browser.follow(browser.launch(lms, user_key, **kw))
    return page, launch_token_of(page.text)


def publish_defaults(app, school_id: int, *, change: str = "major", audiences=("student", "staff"),
                     edit=None, due_date=None):
    """Publish the school's drafts (made from the defaults), optionally editing the content first."""
    from lti_tool.conduct import operations
    with app.app_context():
        versions = {}
        for audience in audiences:
            draft = operations.draft_of(school_id, audience, None)
            current = operations.current_of(draft)
            content = edit(dict(draft.content), audience) if edit else dict(draft.content)
            if current is not None and change == "major" and not operations.text_changed(current.content, content):
                # A major change needs a changed text: these helpers add a sentence to the introduction.
                content["intro"] = {locale: f"{text} (Versie {draft.number}.)" for locale, text in content["intro"].items()}
            if content != draft.content:
                operations.save_draft(draft, {"content": content, "due_date": due_date}, None)
            versions[audience] = operations.publish(draft, change, due_date, None,
                                                    {"nl": "Nieuwe versie.", "en": "New version."}).id
        db.session.commit()
        return versions


def editor_fields(page: str) -> tuple[str, dict]:
    """The code editor's form as a browser would send it: its action and every field's current value."""
    from bs4 import BeautifulSoup
    from tests.support.browser import form_of
    action, fields = form_of(page, "form.editor")
    soup = BeautifulSoup(page, "html.parser")
    fields.update({t["name"]: t.text for t in soup.select("form.editor textarea")})
    fields.update({s["name"]: (s.select_one("option[selected]") or s.select_one("option"))["value"]
                   for s in soup.select("form.editor select")})
    return action, fields
