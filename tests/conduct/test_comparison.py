"""Any two versions compared word by word, in the text a reader sees: no Markdown, no way in for a script."""
import copy

import pytest
from bs4 import BeautifulSoup
from sqlalchemy import select

from lti_tool.conduct import diff
from lti_tool.conduct.defaults import default_content
from lti_tool.conduct.models import ConductCode, ConductVersion
from tests.support.pages import launch, publish_defaults

# What the editor lets through (it refuses images itself): scripts, styles, handlers, closing tags.
HOSTILE = ('Gewone tekst met &lt;b&gt;niet vet&lt;/b&gt; erin.\n\n'
           '<script>alert("x")</script> </ins><script>alert(2)</script> <p onmouseover="steal()">hier</p> '
           '[klik](javascript:alert(3)) <a href="https://evil.example" onclick="steal()">link</a> '
           '<style>body{display:none}</style> </del></div></section>')
# And what only a database edit could put there.
WORSE = HOSTILE + ' <img src=x onerror=alert(1)> <svg onload=alert(4)>'



def _with(content: dict, **intro) -> dict:
    changed = copy.deepcopy(content)
    changed["intro"] = {**changed["intro"], **intro}
    return changed


def _soup(marked) -> BeautifulSoup:
    return BeautifulSoup(f"<div>{marked}</div>", "html.parser")


def test_changed_words_are_marked_in_the_rendered_text_not_the_markdown(app):
    old = default_content("student")
    new = _with(old, nl="Op onze school gaan we **altijd** veilig om. Zie [de regels](https://school.example).")
    with app.test_request_context(headers={"Accept-Language": "nl"}):
        marked, changes = diff.compare(_with(old, nl="Op onze school gaan we veilig om. Zie de regels."), new, "nl")
    assert changes == 1
    assert "<ins>altijd</ins>" in str(marked)
    assert "**" not in str(marked) and "](" not in str(marked) and "https://" not in str(marked)
    assert "Zie de regels." in _soup(marked).get_text()


def test_nothing_changed_reads_as_no_change_even_with_other_spacing(app):
    content = default_content("staff")
    respaced = _with(content, nl=content["intro"]["nl"].replace(" ", "  ").replace(". ", ".\n"))
    with app.test_request_context():
        marked, changes = diff.compare(content, respaced, "nl")
    assert changes == 0 and not _soup(marked).select("ins, del")


def test_hostile_text_comes_out_as_words_only(app):
    content = default_content("student")
    with app.test_request_context():
        marked, _ = diff.compare(content, _with(content, nl=WORSE), "nl")
        back, _ = diff.compare(_with(content, nl=WORSE), content, "nl")
    for html in (marked, back):
        soup = _soup(html)
        assert {tag.name for tag in soup.find_all()} <= {"div", "h2", "h3", "p", "ins", "del"}
        assert all(set(tag.attrs) <= {"class"} for tag in soup.find_all())
        assert "<script" not in str(html) and "<img" not in str(html) and "javascript:" not in str(html)
        assert not any(word in str(html) for word in ("onerror", "onclick", "onload", "onmouseover", "<svg"))


@pytest.fixture(scope="module")
def versions(app, school_lms):
    """Three published versions of the students' code: a rule renamed, then its text put in bold."""
    def rename(content, audience):
        content["rules"] = [dict(content["rules"][0], title={"nl": "Mobiel in de les", "en": "Mobiles in class"}),
                            *content["rules"][1:]]
        return content

    def bold(content, audience):
        rule = content["rules"][1]
        body = {"nl": "Je filmt **nooit** iemand zonder toestemming.", "en": "You **never** film anyone without consent."}
        content["rules"] = [content["rules"][0], dict(rule, body=body), *content["rules"][2:]]
        return content

    ids = [publish_defaults(app, school_lms.school_id, audiences=("student",))["student"]]
    ids.append(publish_defaults(app, school_lms.school_id, audiences=("student",), edit=rename)["student"])
    ids.append(publish_defaults(app, school_lms.school_id, audiences=("student",), edit=bold)["student"])
    return ids


def test_the_author_compares_the_first_and_the_third_version_and_chooses_both(browser, school_lms, versions):
    first, _, third = versions
    _, token = launch(browser, school_lms, "admin", locale="nl")
    page = browser.get(f"/conduct/student/diff?from={first}&to={third}", token=token)
    assert page.status_code == 200
    soup = BeautifulSoup(page.text, "html.parser")
    words = soup.select_one(".word-diff")
    assert "Telefoon" in " ".join(d.get_text() for d in words.select("del"))
    assert "Mobiel" in " ".join(i.get_text() for i in words.select("ins"))
    assert "nooit" in " ".join(i.get_text() for i in words.select("ins"))
    assert "**" not in words.get_text(), "the reader's text, not its Markdown"
    form = soup.select_one("form.compare-choice")
    assert form["method"] == "get" and form.select_one('input[name="ls"]') is not None
    for name, chosen in (("from", first), ("to", third)):
        options = [int(o["value"]) for o in form.select(f'select[name="{name}"] option')]
        assert set(versions) <= set(options), "any version can be chosen on either side"
        assert int(form.select_one(f'select[name="{name}"] option[selected]')["value"]) == chosen
    assert "Delen en doorsturen" not in words.get_text(), "an unchanged rule is left out by default"
    assert words.select(".diff-gap") and words.select_one("h3").get_text().startswith("1.")
    whole = browser.get(f"/conduct/student/diff?from={first}&to={third}&whole=true", token=token)
    assert "Delen en doorsturen" in BeautifulSoup(whole.text, "html.parser").select_one(".word-diff").get_text()
    back = browser.get(f"/conduct/student/diff?from={third}&to={first}&lang=en", token=token)
    assert "Mobiles" in " ".join(d.get_text() for d in BeautifulSoup(back.text, "html.parser").select(".word-diff del"))
    same = browser.get(f"/conduct/student/diff?from={third}&to={third}", token=token)
    assert "Geen verschillen in deze taal." in same.text


def test_a_hostile_draft_is_compared_without_running_anything(app, browser, school_lms, versions, db_session):
    from lti_tool.conduct import operations
    from lti_tool.extensions import db
    with app.app_context():
        draft = operations.draft_of(school_lms.school_id, "student", None)
        operations.save_draft(draft, {"content": _with(draft.content, nl=HOSTILE), "due_date": None}, None)
        draft_id = draft.id
        db.session.commit()
    _, token = launch(browser, school_lms, "admin", locale="nl")
    page = browser.get(f"/conduct/student/diff?from={versions[-1]}&to={draft_id}", token=token)
    assert page.status_code == 200
    words = BeautifulSoup(page.text, "html.parser").select_one(".word-diff")
    assert not words.select("script, img, style, a, b"), "only the comparison's own marks"
    assert "alert(2)" not in words.get_text(), "a script's contents are dropped with it"
    assert "<b>niet vet</b>" in words.get_text(), "escaped text stays text"


def test_bad_or_foreign_version_numbers_are_refused(browser, school_lms, other_lms, versions, db_session):
    _, token = launch(browser, school_lms, "admin", locale="en")
    assert browser.get(f"/conduct/student/diff?from=x&to={versions[0]}", token=token).status_code == 400
    dutch = type(browser)(browser.tool_url)
    _, dutch_token = launch(dutch, school_lms, "admin", locale="nl")
    refused = dutch.get(f"/conduct/student/diff?from=x&to={versions[0]}&lang=fr", token=dutch_token)
    assert refused.status_code == 400
    assert "Kies twee versies van de gedragscode." in refused.text and "Kies Nederlands of Engels." in refused.text
    assert browser.get(f"/conduct/student/diff?to={versions[0]}", token=token).status_code == 400
    assert browser.get(f"/conduct/staff/diff?from={versions[0]}&to={versions[1]}", token=token).status_code == 404
    assert browser.get(f"/conduct/student/diff?from={versions[0]}&to={versions[1]}&lang=fr",
                       token=token).status_code == 400
    neighbour = type(browser)(browser.tool_url)
    _, other_token = launch(neighbour, other_lms, "admin", locale="en")
    neighbour.get("/conduct", token=other_token)  # the other school gets its drafts
    db_session.expire_all()
    foreign = db_session.scalars(select(ConductVersion).join(ConductCode).where(
        ConductVersion.school_id == other_lms.school_id, ConductCode.audience == "student")).first()
    assert browser.get(f"/conduct/student/diff?from={versions[0]}&to={foreign.id}", token=token).status_code == 404
    assert neighbour.get(f"/conduct/student/diff?from={foreign.id}&to={versions[0]}",
                         token=other_token).status_code == 404
