"""Publishing like a careful school: Dutch first and English optional, a form that keeps every choice,
a confirmation that says who must acknowledge again, and no major version for an unchanged text."""
import pytest
from bs4 import BeautifulSoup
from sqlalchemy import func, select

from lti_tool.acknowledgements.models import Acknowledgement
from lti_tool.cases.models import AuditEvent
from lti_tool.conduct.models import ConductCode, ConductVersion
from lti_tool.courses.models import SchoolMember
from tests.support.browser import form_of, text_of
from tests.support.form_errors import assert_field_tied_to_message
from tests.support.pages import editor_fields, launch, publish_defaults


@pytest.fixture(scope="module")
def codes(app, school_lms):
    """Both default codes published once, so that a new draft has a current version to replace."""
    return publish_defaults(app, school_lms.school_id)


def _latest(db_session, school_id, audience="student") -> ConductVersion:
    db_session.expire_all()
    return db_session.scalars(select(ConductVersion).join(ConductCode).where(
        ConductVersion.school_id == school_id, ConductCode.audience == audience)
        .order_by(ConductVersion.number.desc())).first()


def _admin(browser, lms):
    _, token = launch(browser, lms, "admin", locale="en")
    return token


# The students' title in English as published: earlier tests of this module leave it empty on purpose.
TITLE_EN = "Code of conduct on phones and social media for students"


def _save(browser, token, audience="student", then=None, **changes):
    """Open the editor, change some fields, and save (then preview or publish, when asked)."""
    action, fields = editor_fields(browser.get(f"/conduct/{audience}/draft", token=token).text)
    if audience == "student":
        fields["title-en"] = TITLE_EN
    fields.update(changes)
    if then:
        fields["then"] = then
    return browser.post(action, data=fields)


def _english_cleared(fields: dict) -> dict:
    return {name: "" for name in fields if name.endswith("-en")}


def _publish_form(browser, token, version_id):
    return form_of(browser.get(f"/conduct/versions/{version_id}/publish", token=token).text, "form.publish")


def _submit(browser, html: str, selector: str = "form.confirm-form"):
    """Press the submit button of a form on the page, as it is."""
    action, fields = form_of(html, selector)
    return browser.post(action, data=fields)


def _checked(html: str, name: str) -> str | None:
    found = BeautifulSoup(html, "html.parser").select_one(f'input[name="{name}"][checked]')
    return found["value"] if found else None


def test_an_empty_english_title_is_named_on_saving_and_in_the_english_preview(browser, school_lms, codes, db_session):
    token = _admin(browser, school_lms)
    saved = browser.follow(_save(browser, token, **{"title-en": ""}))
    assert saved.status_code == 200 and "Draft saved" in saved.text
    todo = BeautifulSoup(saved.text, "html.parser").select_one("#todo-summary")
    assert todo is not None, "an empty English title is not saved silently"
    assert todo.select_one('a[href="#title-en"]').text.startswith("Title (English)")
    assert_field_tied_to_message(saved.text, "title-en", "Fill in the English too, or leave every English field empty.")
    draft = _latest(db_session, school_lms.school_id)
    preview = browser.get(f"/conduct/versions/{draft.id}/preview?lang=en", token=token)
    assert "1 text has no English yet; readers would see it in Dutch." in text_of(preview.text)
    publishing = _save(browser, token, then="publish", **{"title-en": "", "intro-en": "Typed, kept."})
    assert publishing.status_code == 422, "saved, but not on to publishing"
    assert "The draft is saved, but it cannot be published yet." in text_of(publishing.text)
    assert_field_tied_to_message(publishing.text, "title-en", "Fill in the English too")
    assert BeautifulSoup(publishing.text, "html.parser").select_one("#intro-en").text == "Typed, kept."


def test_a_failed_publish_keeps_the_choice_the_date_and_the_notes_beside_their_fields(
        browser, school_lms, codes, db_session):
    token = _admin(browser, school_lms)
    _save(browser, token, **{"title-en": "", "intro-nl": "Een nieuwe inleiding."})
    draft = _latest(db_session, school_lms.school_id)
    action, fields = _publish_form(browser, token, draft.id)
    sent = {**fields, "change": "major", "due_date": "2031-05-01", "note_nl": "Nieuwe inleiding.",
            "note_en": "A new introduction."}
    refused = browser.post(action, data=sent)
    assert refused.status_code == 400
    assert _checked(refused.text, "change") == "major"
    soup = BeautifulSoup(refused.text, "html.parser")
    assert soup.select_one("#due_date")["value"] == "2031-05-01"
    assert soup.select_one("#note_nl").text == "Nieuwe inleiding." and soup.select_one("#note_en").text == "A new introduction."
    link = soup.select_one("#error-summary a")
    assert link["href"].split("?")[0].endswith("/conduct/student/draft")
    assert "#title-en" in link["href"] and "Title (English)" in link.text
    bad_date = browser.post(action, data={**sent, "due_date": "31-02-2031"})
    assert bad_date.status_code == 400
    assert_field_tied_to_message(bad_date.text, "due_date", "This is not a valid date.")
    assert _checked(bad_date.text, "change") == "major"
    assert BeautifulSoup(bad_date.text, "html.parser").select_one("#note_en").text == "A new introduction."
    assert _latest(db_session, school_lms.school_id).status == "draft", "nothing half-done"


def test_a_dutch_only_code_is_published_and_english_readers_read_the_dutch_with_a_notice(
        browser, school_lms, codes, db_session):
    token = _admin(browser, school_lms)
    action, fields = editor_fields(browser.get("/conduct/staff/draft", token=token).text)
    fields.update(_english_cleared(fields))
    fields.update({"intro-nl": "Alleen in het Nederlands.", "then": "publish"})
    to_form = browser.post(action, data=fields)
    assert to_form.status_code == 303 and "/publish" in to_form.headers["Location"]
    draft = _latest(db_session, school_lms.school_id, "staff")
    assert draft.content["title"]["en"] == "" and all(rule["body"]["en"] == "" for rule in draft.content["rules"])
    action, fields = form_of(browser.follow(to_form).text, "form.publish")
    review = browser.post(action, data={**fields, "change": "major", "note_nl": "De code is nu alleen Nederlands."})
    assert review.status_code == 200, text_of(review.text)
    done = _submit(browser, review.text)
    assert done.status_code == 303
    assert _latest(db_session, school_lms.school_id, "staff").status == "published"
    teacher = type(browser)(browser.tool_url)
    page, _ = launch(teacher, school_lms, "teacher", locale="en")
    assert "Alleen in het Nederlands." in page.text
    assert "This text is only available in Dutch." in text_of(page.text)
    article = BeautifulSoup(page.text, "html.parser").select_one("article.code")
    assert article["lang"] == "nl"
    action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
    assert fields["locale"] == "en", "the page is the reader's choice"
    assert teacher.post(action, data={**fields, "confirm": "true"}).status_code == 303
    db_session.expire_all()
    ack = db_session.scalars(select(Acknowledgement).order_by(Acknowledgement.id.desc())).first()
    assert ack.locale == "nl", "the record keeps the language the code was read in"


def test_the_preview_of_a_draft_offers_edit_and_publish(browser, school_lms, codes, db_session):
    token = _admin(browser, school_lms)
    _save(browser, token)
    draft = _latest(db_session, school_lms.school_id)
    preview = browser.get(f"/conduct/versions/{draft.id}/preview", token=token)
    links = {a["href"].split("?")[0] for a in BeautifulSoup(preview.text, "html.parser").select("a.button")}
    assert "/conduct/student/draft" in links
    assert f"/conduct/versions/{draft.id}/publish" in links
    saved = _save(browser, token, then="preview")
    assert saved.status_code == 303 and f"/conduct/versions/{draft.id}/preview" in saved.headers["Location"]
    current = [v for v in db_session.scalars(select(ConductVersion).where(
        ConductVersion.school_id == school_lms.school_id, ConductVersion.status == "published"))][0]
    published = browser.get(f"/conduct/versions/{current.id}/preview", token=token)
    assert "/publish" not in published.text, "a published version has nothing to publish"


def _students(db_session, school_id) -> int:
    return db_session.scalar(select(func.count()).select_from(SchoolMember).where(
        SchoolMember.school_id == school_id, SchoolMember.role == "student"))


def test_a_major_publish_is_confirmed_first_naming_how_many_must_acknowledge_again(
        app, browser, school_lms, codes, db_session):
    for key in ("student", "student2", "student3"):
        launch(type(browser)(browser.tool_url), school_lms, key)
    pupil = type(browser)(browser.tool_url)
    page, _ = launch(pupil, school_lms, "student")
    action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
    answers = {f"answer-{n}": "1" for n in range(3)}
    assert pupil.post(action, data={**fields, **answers, "confirm": "true"}).status_code == 303
    db_session.expire_all()
    current = _latest(db_session, school_lms.school_id)
    if current.status == "draft":
        current = db_session.scalars(select(ConductVersion).where(
            ConductVersion.code_id == current.code_id, ConductVersion.status == "published")).one()
    holding = db_session.scalar(select(func.count()).select_from(Acknowledgement).where(
        Acknowledgement.code_id == current.code_id, Acknowledgement.epoch == current.epoch))
    students = _students(db_session, school_lms.school_id)
    assert students >= 3 and holding >= 1

    token = _admin(browser, school_lms)
    _save(browser, token, **{"rule-0-title-nl": "Mobiel in de les", "rule-0-title-en": "Mobiles in class"})
    draft = _latest(db_session, school_lms.school_id)
    action, fields = _publish_form(browser, token, draft.id)
    review = browser.post(action, data={**fields, "change": "major", "due_date": "2031-02-01",
                                        "note_nl": "Regel 1 heet nu Mobiel in de les."})
    assert review.status_code == 200
    said = text_of(review.text)
    assert f"{students} students must acknowledge the code again." in said
    assert f"{holding} of them had acknowledged the current version." in said
    assert "Acknowledge by February 1, 2031." in said
    assert _latest(db_session, school_lms.school_id).status == "draft", "one click publishes nothing"

    confirm_action, confirm_fields = form_of(review.text, "form.confirm-form")
    back = browser.post(confirm_action, data={**confirm_fields, "back": "1"})
    assert _checked(back.text, "change") == "major"
    assert BeautifulSoup(back.text, "html.parser").select_one("#note_nl").text == "Regel 1 heet nu Mobiel in de les."

    minor = browser.post(action, data={**fields, "change": "minor", "note_nl": ""})
    said = text_of(minor.text)
    assert "Acknowledgements stay valid: nobody has to acknowledge again." in said
    assert f"{students - holding} students have not acknowledged the code yet." in said

    assert browser.post(confirm_action, data=confirm_fields).status_code == 303
    published = _latest(db_session, school_lms.school_id)
    assert (published.status, published.change, published.epoch) == ("published", "major", current.epoch + 1)
    assert published.change_note == {"nl": "Regel 1 heet nu Mobiel in de les.", "en": ""}
    event = db_session.scalars(select(AuditEvent).where(
        AuditEvent.school_id == school_lms.school_id, AuditEvent.action == "code_published")
        .order_by(AuditEvent.id.desc())).first()
    assert event.detail == f"student;{published.number};major" and event.actor_user_id is not None
    log = browser.get("/cases/audit?action=code_published", token=token)
    assert log.status_code == 200 and "Code of conduct published" in text_of(log.text)


def test_an_unchanged_text_cannot_go_out_as_major_but_may_as_minor(browser, school_lms, codes, db_session):
    token = _admin(browser, school_lms)
    _save(browser, token)
    action, fields = editor_fields(browser.get("/conduct/student/draft", token=token).text)
    # Only spacing differs: readers would read exactly the same words.
    browser.post(action, data={**fields, "intro-nl": fields["intro-nl"].replace(" ", "  ", 1) + "\n"})
    draft = _latest(db_session, school_lms.school_id)
    form = browser.get(f"/conduct/versions/{draft.id}/publish", token=token)
    assert BeautifulSoup(form.text, "html.parser").select_one('input[value="major"]').has_attr("disabled")
    action, fields = form_of(form.text, "form.publish")
    refused = browser.post(action, data={**fields, "change": "major", "due_date": "2031-03-01",
                                         "note_nl": "Niets echt."})
    assert refused.status_code == 400
    assert_field_tied_to_message(refused.text, "change", "Publish it as a minor change.")
    assert _latest(db_session, school_lms.school_id).status == "draft"
    review = browser.post(action, data={**fields, "change": "minor", "note_nl": ""})
    assert _submit(browser, review.text).status_code == 303
    published = _latest(db_session, school_lms.school_id)
    assert (published.status, published.change, published.change_note) == ("published", "minor", None)


def test_a_typo_fix_may_go_out_as_minor_and_a_major_change_needs_its_note(browser, school_lms, codes, db_session):
    token = _admin(browser, school_lms)
    _save(browser, token)
    action, fields = editor_fields(browser.get("/conduct/student/draft", token=token).text)
    # One letter of one word: the smallest change a reader could notice.
    browser.post(action, data={**fields, "intro-nl": fields["intro-nl"][:-1] + "!"})
    draft = _latest(db_session, school_lms.school_id)
    action, fields = _publish_form(browser, token, draft.id)
    no_note = browser.post(action, data={**fields, "change": "major"})
    assert no_note.status_code == 400
    assert_field_tied_to_message(no_note.text, "note_nl", "readers who acknowledge again see it first")
    english_only = browser.post(action, data={**fields, "change": "minor", "note_en": "Spelling."})
    assert english_only.status_code == 400
    assert_field_tied_to_message(english_only.text, "note_nl", "Write the note in Dutch too")
    too_long = browser.post(action, data={**fields, "change": "major", "note_nl": "x" * 601})
    assert too_long.status_code == 400
    assert_field_tied_to_message(too_long.text, "note_nl", "Use at most 600 characters.")
    picture = browser.post(action, data={**fields, "change": "major",
                                         "note_nl": "Zie data:image/png;base64," + "iVBORw0KGgo" * 20})
    assert picture.status_code == 422
    assert_field_tied_to_message(picture.text, "note_nl", "cannot contain pictures")
    assert "Zie data:image" in picture.text, "the author's text comes back to be corrected"
    assert _latest(db_session, school_lms.school_id).status == "draft"
    review = browser.post(action, data={**fields, "change": "minor", "note_nl": "Spelfout verbeterd."})
    assert "nobody has to acknowledge again" in text_of(review.text)
    assert _submit(browser, review.text).status_code == 303
    assert _latest(db_session, school_lms.school_id).change_note["nl"] == "Spelfout verbeterd."


@pytest.mark.parametrize("user_key", ["student", "teacher"])
def test_students_and_teachers_cannot_open_the_publish_steps_or_the_comparison(
        browser, school_lms, codes, db_session, user_key):
    admin = type(browser)(browser.tool_url)
    _save(admin, _admin(admin, school_lms))
    draft = _latest(db_session, school_lms.school_id)
    _, token = launch(browser, school_lms, user_key)
    assert browser.get(f"/conduct/versions/{draft.id}/publish", token=token).status_code == 403
    assert browser.post(f"/conduct/versions/{draft.id}/publish", token=token,
                        data={"change": "minor", "confirmed": "true"}).status_code in (400, 403)
    assert browser.get(f"/conduct/student/diff?from={codes['student']}&to={draft.id}", token=token).status_code == 403
    assert _latest(db_session, school_lms.school_id).status == "draft"


def test_another_schools_admin_finds_no_version_to_publish_or_compare(browser, school_lms, other_lms, codes, db_session):
    admin = type(browser)(browser.tool_url)
    _save(admin, _admin(admin, school_lms))
    draft = _latest(db_session, school_lms.school_id)
    _, token = launch(browser, other_lms, "admin", locale="en")
    index = browser.get("/conduct", token=token)
    csrf = BeautifulSoup(index.text, "html.parser").select_one('input[name="csrf_token"]')["value"]
    assert browser.get(f"/conduct/versions/{draft.id}/publish", token=token).status_code == 404
    assert browser.post(f"/conduct/versions/{draft.id}/publish", token=token, data={
        "csrf_token": csrf, "change": "minor", "confirmed": "true"}).status_code == 404
    own = _latest(db_session, other_lms.school_id)
    assert browser.get(f"/conduct/student/diff?from={codes['student']}&to={own.id}", token=token).status_code == 404
    assert browser.get(f"/conduct/student/diff?from={own.id}&to={draft.id}", token=token).status_code == 404
    assert _latest(db_session, school_lms.school_id).status == "draft"


def test_the_operation_itself_refuses_a_long_or_pictured_note_whoever_calls_it(app, school_lms, codes):
    """The same rules hold without the form (a future API, the command line): nothing is published."""
    from lti_tool.conduct import operations
    from lti_tool.errors import ValidationFailed
    from lti_tool.extensions import db
    from lti_tool.imagesafe import ImagesRefused
    with app.app_context():
        draft = operations.draft_of(school_lms.school_id, "staff", None)
        with pytest.raises(ValidationFailed) as long_note:
            operations.publish(draft, "minor", None, None, {"nl": "x" * 601, "en": ""})
        assert set(long_note.value.errors) == {"note_nl"}
        with pytest.raises(ImagesRefused) as picture:
            operations.publish(draft, "minor", None, None, {"nl": "Zie", "en": "data:image/png;base64," + "iVBORw0KGgo" * 20})
        assert picture.value.field == "note_en"
        db.session.rollback()
        assert operations.draft_of(school_lms.school_id, "staff", None).status == "draft"
