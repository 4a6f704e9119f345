"""School admins and coordinators write the code: a ready default draft, editing, previews, publishing, history."""
import re

import pytest
from sqlalchemy import select

from lti_tool.conduct import operations
from lti_tool.conduct.models import ConductVersion
from lti_tool.courses.models import SchoolMember, User
from lti_tool.errors import Conflict
from tests.support.browser import form_of, text_of
from tests.support.pages import editor_fields, launch as _launch, publish_defaults


def launch(browser, lms, user_key):
    """These pages are read in English here."""
    return _launch(browser, lms, user_key, locale="en")


def _versions(db_session, school_id, audience="student"):
    db_session.expire_all()
    from lti_tool.conduct.models import ConductCode
    return list(db_session.scalars(select(ConductVersion).join(ConductCode).where(
        ConductVersion.school_id == school_id, ConductCode.audience == audience).order_by(ConductVersion.number)))


def test_a_new_school_starts_with_a_ready_bilingual_draft_for_students_and_staff(browser, school_lms, db_session):
    page, token = launch(browser, school_lms, "admin")
    index = browser.get("/conduct", token=token)
    assert index.status_code == 200
    assert "Not published yet" in index.text
    for audience in ("student", "staff"):
        draft = _versions(db_session, school_lms.school_id, audience)[0]
        assert draft.status == "draft"
        content = draft.content
        assert content["title"]["nl"] and content["title"]["en"]
        assert len(content["rules"]) >= 4
        for rule in content["rules"]:
            assert rule["ladder"], "every rule answers what happens if"
            assert all(step["nl"] and step["en"] for step in rule["ladder"])
        assert operations.missing_texts(content) == []
    student_rules = {rule["key"] for rule in _versions(db_session, school_lms.school_id)[0].content["rules"]}
    assert {"phones-in-class", "filming-others", "sharing-forwarding", "outside-school"} <= student_rules


def test_the_author_edits_the_draft_and_previews_it_as_students_and_staff_in_both_languages(browser, school_lms, db_session):
    _, token = launch(browser, school_lms, "admin")
    editor = browser.get("/conduct/student/draft", token=token)
    assert editor.status_code == 200
    action, fields = editor_fields(editor.text)
    fields["title-nl"] = "Onze afspraken over telefoons"
    fields["rule-0-body-en"] = "Phones stay away. <script>alert(1)</script> [site](javascript:alert(2)) **ok**"
    saved = browser.follow(browser.post(action, data=fields))
    assert saved.status_code == 200 and "Draft saved" in saved.text
    draft = _versions(db_session, school_lms.school_id)[-1]
    assert draft.content["title"]["nl"] == "Onze afspraken over telefoons"
    preview_nl = browser.get(f"/conduct/versions/{draft.id}/preview?lang=nl", token=token)
    assert "Onze afspraken over telefoons" in preview_nl.text
    preview_en = browser.get(f"/conduct/versions/{draft.id}/preview?lang=en", token=token)
    assert preview_en.status_code == 200
    assert "<script>alert(1)" not in preview_en.text and "javascript:" not in preview_en.text
    assert "<strong>ok</strong>" in preview_en.text
    staff = [v for v in _versions(db_session, school_lms.school_id, "staff")][-1]
    preview_staff = browser.get(f"/conduct/versions/{staff.id}/preview", token=token)
    assert "staff" in text_of(preview_staff.text).lower() or "medewerkers" in preview_staff.text


def test_a_draft_that_does_not_validate_comes_back_as_typed_and_stores_nothing(browser, school_lms, db_session):
    _, token = launch(browser, school_lms, "admin")
    before = _versions(db_session, school_lms.school_id)[-1].content
    editor = browser.get("/conduct/student/draft", token=token)
    action, fields = form_of(editor.text, "form.editor")
    fields.update({"title-nl": "x" * 300, "title-en": "Typed title", "rule-0-key": "Bad Key!",
                   "rule-0-title-nl": "R", "rule-0-ladder-nl": "one"})
    resp = browser.post(action, data=fields)
    assert resp.status_code == 400
    assert "Typed title" in resp.text and "not saved" in resp.text
    assert _versions(db_session, school_lms.school_id)[-1].content == before
    huge = browser.post(action, data={**fields, "intro-nl": "x" * 400_000})
    assert huge.status_code == 413
    assert _versions(db_session, school_lms.school_id)[-1].content == before


def test_publishing_needs_every_dutch_text_and_english_all_or_nothing(app, school_lms, db_session):
    """Dutch is the code's language; a half-done English would show readers a mix, so it is refused."""
    from lti_tool.errors import ValidationFailed
    from lti_tool.extensions import db
    with app.app_context():
        draft = operations.draft_of(school_lms.school_id, "staff", None)
        content = dict(draft.content, intro={"nl": "Alleen Nederlands", "en": ""})
        operations.save_draft(draft, {"content": content, "due_date": None}, None)
        with pytest.raises(ValidationFailed) as refused:
            operations.publish(draft, "major", None, None)
        assert refused.value.errors == {"content.intro.en": ["Fill in this text."]}
        content = dict(draft.content, intro={"nl": "", "en": "Only English"})
        operations.save_draft(draft, {"content": content, "due_date": None}, None)
        with pytest.raises(ValidationFailed) as refused:
            operations.publish(draft, "major", None, None)
        assert "content.intro.nl" in refused.value.errors
        db.session.rollback()


def test_publishing_retires_the_previous_version_and_a_published_version_never_changes(app, school_lms, db_session, browser):
    first = publish_defaults(app, school_lms.school_id, audiences=("student",))["student"]
    second = publish_defaults(app, school_lms.school_id, audiences=("student",), change="minor")["student"]
    versions = {v.id: v for v in _versions(db_session, school_lms.school_id)}
    assert versions[first].status == "retired" and versions[first].retired_at
    assert versions[second].status == "published" and versions[second].change == "minor"
    assert versions[second].epoch == versions[first].epoch, "a minor change keeps the acknowledgements"
    with app.app_context():
        from lti_tool.extensions import db
        published = db.session.get(ConductVersion, second)
        with pytest.raises(Conflict):
            operations.save_draft(published, {"content": published.content, "due_date": None}, None)
        published.content = {**published.content, "title": {"nl": "stiekem", "en": "sneaky"}}
        with pytest.raises(ValueError):
            db.session.flush()
        db.session.rollback()
    _, token = launch(browser, school_lms, "admin")
    page = browser.get(f"/conduct/versions/{second}/publish", token=token)
    assert page.status_code == 409, "a published version is not published again"
    index = browser.get("/conduct", token=token)
    action, fields = form_of(index.text, f"form[action*='/versions/{second}/due-date']")
    resp = browser.post(action, data={**fields, "due_date": "not a date"})
    assert resp.status_code == 400


def test_the_author_publishes_from_the_page_saying_minor_or_major(browser, school_lms, db_session):
    _, token = launch(browser, school_lms, "admin")
    browser.get("/conduct/staff/draft", token=token)
    index = browser.get("/conduct", token=token)
    draft = _versions(db_session, school_lms.school_id, "staff")[-1]
    assert f"/conduct/versions/{draft.id}/publish" in index.text
    form = browser.get(f"/conduct/versions/{draft.id}/publish", token=token)
    action, fields = form_of(form.text, "form.publish")
    current = [v for v in _versions(db_session, school_lms.school_id, "staff") if v.status == "published"]
    if current:
        refused = browser.post(action, data={k: v for k, v in fields.items() if k != "change"})
        assert refused.status_code == 400 and "minor or major" in refused.text
        fields["change"] = "major"
    review = browser.post(action, data={**fields, "due_date": "2030-01-31"})
    assert review.status_code == 200 and "Check before you publish" in review.text
    if not current:
        assert re.search(r"\b\d+ members? of staff must acknowledge the code\.", text_of(review.text)), \
            "a first version is acknowledged, not acknowledged again"
    assert _versions(db_session, school_lms.school_id, "staff")[-1].status == "draft", "not before it is confirmed"
    action, fields = form_of(review.text, "form.confirm-form")
    done = browser.follow(browser.post(action, data=fields))
    assert done.status_code == 200 and "is published" in done.text
    published = _versions(db_session, school_lms.school_id, "staff")[-1]
    assert published.status == "published" and str(published.due_date) == "2030-01-31"


def test_history_and_differences_between_two_versions(app, browser, school_lms, db_session):
    def retitle(content, audience):
        content["rules"] = [dict(content["rules"][0], title={"nl": "Mobiel in de les", "en": "Mobiles in class"}),
                            *content["rules"][1:]]
        return content
    publish_defaults(app, school_lms.school_id, audiences=("student",))
    publish_defaults(app, school_lms.school_id, audiences=("student",), edit=retitle)
    old, new = [v for v in _versions(db_session, school_lms.school_id) if v.status != "draft"][-2:]
    _, token = launch(browser, school_lms, "admin")
    index = browser.get("/conduct", token=token)
    assert "/conduct/student/diff" in index.text
    diff = browser.get(f"/conduct/student/diff?from={old.id}&to={new.id}&lang=en", token=token)
    assert diff.status_code == 200
    assert '<h3 class="diff-heading">1. <del>Phones</del> <ins>Mobiles</ins> in class</h3>' in diff.text
    assert browser.get(f"/conduct/staff/diff?from={old.id}&to={new.id}", token=token).status_code == 404
    assert browser.get(f"/conduct/student/diff?from=x&to={new.id}", token=token).status_code == 400


def test_a_designated_coordinator_may_author(browser, school_lms, db_session):
    _, token = launch(browser, school_lms, "coordinator")
    assert browser.get("/conduct", token=token).status_code == 403, "not designated yet"
    member = db_session.scalars(select(SchoolMember).join(User).where(
        User.sub == school_lms.users["coordinator"].sub, User.issuer == school_lms.issuer)).one()
    member.is_coordinator = True
    db_session.commit()
    assert browser.get("/conduct", token=token).status_code == 200


@pytest.mark.parametrize("user_key", ["student", "teacher"])
def test_students_and_teachers_cannot_author(browser, school_lms, db_session, user_key):
    _, token = launch(browser, school_lms, user_key)
    draft = _versions(db_session, school_lms.school_id)[-1]
    assert browser.get("/conduct", token=token).status_code == 403
    assert browser.get("/conduct/student/draft", token=token).status_code == 403
    assert browser.get(f"/conduct/versions/{draft.id}/preview", token=token).status_code == 403
    assert browser.post(f"/conduct/versions/{draft.id}/publish", token=token,
                        data={"change": "major"}).status_code in (400, 403)


def test_another_schools_admin_cannot_see_or_publish_this_schools_versions(browser, school_lms, other_lms, db_session):
    own = _versions(db_session, school_lms.school_id)[-1]
    _, token = launch(browser, other_lms, "admin")
    assert browser.get(f"/conduct/versions/{own.id}/preview", token=token).status_code == 404
    index = browser.get("/conduct", token=token)
    _, fields = form_of(index.text, "form[method=post]")
    resp = browser.post(f"/conduct/versions/{own.id}/publish", token=token,
                        data={"csrf_token": fields["csrf_token"], "change": "major"})
    assert resp.status_code == 404
    assert browser.get("/conduct/versions/999999/preview", token=token).status_code == 404
    assert browser.get("/conduct/teachers/draft", token=token).status_code == 404
    assert _versions(db_session, school_lms.school_id)[-1].status == own.status


def test_discarding_and_deadlines_are_refused_to_other_roles_and_other_schools(
        app, browser, school_lms, other_lms, db_session):
    publish_defaults(app, school_lms.school_id, audiences=("staff",))
    _, admin_token = launch(browser, school_lms, "admin")
    browser.get("/conduct/staff/draft", token=admin_token)  # a fresh draft to aim at
    versions = _versions(db_session, school_lms.school_id, "staff")
    draft = versions[-1]
    current = next(v for v in versions if v.status == "published")
    assert draft.status == "draft"
    for user_key, lms, expected in (("teacher", school_lms, 403), ("student", school_lms, 403),
                                    ("admin", other_lms, 404)):
        visitor = type(browser)(browser.tool_url)
        _, token = launch(visitor, lms, user_key)
        csrf = _csrf_token(visitor, token)
        discard = visitor.post(f"/conduct/versions/{draft.id}/discard", token=token, data={"csrf_token": csrf})
        deadline = visitor.post(f"/conduct/versions/{current.id}/due-date", token=token,
                                data={"csrf_token": csrf, "due_date": "2031-01-01"})
        assert (discard.status_code, deadline.status_code) == (expected, expected), user_key
    after = _versions(db_session, school_lms.school_id, "staff")
    assert after[-1].id == draft.id and after[-1].status == "draft", "the draft is still there"
    assert next(v for v in after if v.id == current.id).due_date is None, "the deadline is unchanged"


def _csrf_token(visitor, token: str) -> str:
    """A valid CSRF token of this visitor's session, from whichever of their pages carries a form."""
    import re
    for path in ("/code", "/conduct", "/reports/new?category=other"):
        separator = "&" if "?" in path else "?"
        found = re.search(r'name="csrf_token" value="([^"]+)"', visitor.get(f"{path}{separator}lt={token}").text)
        if found:
            return found.group(1)
    raise AssertionError("no page with a form")
