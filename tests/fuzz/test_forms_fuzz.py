"""Hypothesis on every form of the tool, as the role that uses it, with a valid CSRF token and session.

Each page's forms are read from the page itself, so a new field is fuzzed without touching this
file. Fields are left out, sent twice, given other types, unicode, control characters, huge text,
made-up ids and another school's ids, and unknown fields are added. Whatever comes in: never a
server error; a refusal is an HTML page that says what is wrong, and a refused post stores nothing.
"""
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest
from bs4 import BeautifulSoup
from hypothesis import given, settings, strategies as st
from sqlalchemy import text

from lti_tool.extensions import db
from tests.cases.conftest import designate
from tests.fuzz.conftest import FORM_REQUESTS, FUZZ, all_selected
from tests.support.browser import Browser

# The pages holding the forms, by the role that uses them; {…} are filled in from the world.
PAGES = [
    ("admin", "/conduct/versions/{draft_id}/publish"),  # before /conduct, whose fuzzing may discard the draft
    ("admin", "/conduct"), ("admin", "/conduct/student/draft"), ("admin", "/conduct/staff/draft"),
    ("admin", "/cases/settings"), ("admin", "/cases/audit"), ("admin", "/school/coordinators"),
    ("teacher", "/school/courses/{course_id}/overview"),
    ("student", "/code"), ("student", "/reports/new?category=cyberbullying"), ("student", "/reports/{reference}"),
    ("coordinator", "/cases"), ("coordinator", "/cases/{case_id}"), ("coordinator", "/cases/new"),
    ("coordinator", "/exceptions/new"), ("admin", "/exceptions/settings"),
]
# Nobody is refused at the door, so a few examples are enough; the roles share the rest.
NOBODY_EXAMPLES = 10
EXAMPLES = (FORM_REQUESTS - NOBODY_EXAMPLES * len(PAGES)) // len(PAGES) + 1
# The session's own fields: kept valid so that requests reach the handler instead of the CSRF check.
KEPT = {"csrf_token", "lt"}
# What the rows of the tables the forms write look like: a refused post must leave it as it was.
STORED = {
    "reports": "SELECT count(*), sum(length(status)), count(assignee_id), count(closed_at) FROM reports",
    "report_messages": "SELECT count(*) FROM report_messages",
    "case_notes": "SELECT count(*) FROM case_notes",
    "case_checklist": "SELECT count(*), count(done_at) FROM case_checklist",
    "case_settings": "SELECT count(*) FROM case_settings",
    "acknowledgements": "SELECT count(*) FROM acknowledgements",
    "conduct_versions": "SELECT count(*), count(published_at), sum(length(status)) FROM conduct_versions",
    "school_members": "SELECT count(*), sum(CASE WHEN is_coordinator THEN 1 ELSE 0 END) FROM school_members",
    "phone_exceptions": "SELECT count(*), count(ended_at), count(changed_at) FROM phone_exceptions",
    "phone_exception_settings": "SELECT count(*), sum(reminder_days) FROM phone_exception_settings",
}


@dataclass
class Form:
    action: str
    method: str
    fields: dict[str, list[str]] = field(default_factory=dict)


def forms_on(html: str) -> list[Form]:
    """Every form of a page with the values it offers for each field (options of a select, say)."""
    found = []
    for element in BeautifulSoup(html, "html.parser").select("form"):
        form = Form(element.get("action", ""), element.get("method", "get").lower())
        for control in element.select("input[name], textarea[name], select[name], button[name]"):
            if control.name == "select":
                offered = [option.get("value", option.get_text()) for option in control.select("option")]
            elif control.name == "textarea":
                offered = [control.get_text()]
            else:
                offered = [control.get("value", "on")]
            form.fields.setdefault(control["name"], []).extend(offered)
        found.append(form)
    return found


def _texts(longest: int) -> st.SearchStrategy[str]:
    """Text of every kind a person or a script may type: unicode, control characters, up to huge."""
    any_character = st.characters(exclude_categories=("Cs",))  # lone surrogates cannot be sent
    return st.one_of(
        st.text(any_character, max_size=40),
        st.text(st.characters(max_codepoint=0x1F), max_size=10),
        st.sampled_from(["Someone keeps posting mean comments under my photos.", "https://www.instagram.com/p/abc/",
                         "@someone", "yesterday evening", "", " ", "true", "false", "on", "null", "[]", "{}", "1e309", "NaN", "💥", "‮",
                         "<img src=x>", "data:image/png;base64,iVBORw0KGgo=", "../../etc/passwd", "%00",
                         "2026-02-30", "9999-12-31", "0000-00-00"]),
        st.integers(min_value=-2**70, max_value=2**70).map(str),
        st.builds(lambda c, n: c * n, st.sampled_from(["x", "é", "💥", "a b "]),
                  st.sampled_from([n for n in (1_000, 2_001, 10_001, 100_000) if n <= longest])),
    )


def _values(offered: list[str], forged: list[str], longest: int) -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(offered or [""]), st.sampled_from(forged), _texts(longest))


MISSING = object()


def submissions(form: Form, forged: list[str]) -> st.SearchStrategy[list[tuple[str, str]]]:
    """The form's fields, each kept, changed or left out; some sent twice; unknown ones added.

    A post's text may be huge; a link's is kept under what a web server passes on (64 KB).
    """
    longest = 100_000 if form.method == "post" else 1_000
    names = [name for name in form.fields if name not in KEPT]
    # Most fields keep a value the page offers, so that one bad field at a time reaches deep checks.
    each = st.fixed_dictionaries({name: st.one_of(
        st.sampled_from(form.fields[name] or [""]), st.sampled_from(form.fields[name] or [""]),
        st.just(MISSING), _values(form.fields[name], forged, longest)) for name in names})
    extra_names = st.sampled_from(names + ["id", "school_id", "user_id", "reporter_user_id", "role", "__proto__"])
    extras = st.lists(st.tuples(extra_names, _values([], forged, longest)), max_size=3)

    def assemble(values, added):
        sent = [(name, form.fields[name][0]) for name in KEPT if name in form.fields]
        return sent + [(name, value) for name, value in values.items() if value is not MISSING] + added

    return st.builds(assemble, each, extras)


def each_form(forms: list[Form], forged: list[str]) -> st.SearchStrategy[tuple[Form, list[tuple[str, str]]]]:
    """A form of the page and a submission of it. Each form's strategy is built once: built anew
    for every example, a form of many fields (the code editor's) cost more than its requests."""
    return st.one_of([submissions(form, forged).map(lambda pairs, form=form: (form, pairs)) for form in forms])


def stored(app) -> dict:
    with app.app_context():
        return {table: tuple(db.session.execute(text(query)).one()) for table, query in STORED.items()}


def says_what_is_wrong(html: str) -> bool:
    """An error page's heading, or a form shown again with its problem in an alert."""
    page = BeautifulSoup(html, "html.parser")
    messages = page.select("section.error h1, [role=alert]")
    return any(message.get_text(strip=True) for message in messages)


def _forms(app, world, who: str, path: str) -> tuple[str, list[Form]]:
    """The page's address and its forms, as the role sees them."""
    if who == "coordinator":  # fuzzing the admin's coordinators form may have undone the designation
        with app.app_context():
            designate(db.session, world["lms"], "coordinator")
    if "{draft_id}" in path:  # fuzzing the publish form as its admin may have published the draft
        from lti_tool.conduct import operations as conduct
        with app.app_context():
            world["draft_id"] = conduct.draft_of(world["school_id"], "student", None).id
            db.session.commit()
    url = path.format(**world)
    page = world["browsers"][who].get(url + ("&" if "?" in url else "?") + f"lt={world['tokens'][who]}")
    assert page.status_code == 200, page.text
    forms = [form for form in forms_on(page.text) if not form.action.startswith(("http", "/lti"))]
    assert forms, f"{path} has no form to fuzz"
    return url, forms


def _forged(world) -> list[str]:
    """Ids a form may be sent instead of its own: this school's, another school's, none at all."""
    return [str(world[key]) for key in ("case_id", "foreign_case_id", "course_id", "school_id")] + [
        world["reference"], world["foreign_reference"], "0", "-1", str(2**31), str(2**63)]


def _refusal_explained(resp) -> None:
    assert resp.headers["Content-Type"].startswith("text/html"), resp.headers["Content-Type"]
    assert says_what_is_wrong(resp.text), (resp.status_code, resp.text[:2000])


@pytest.mark.parametrize("who, path", PAGES)
def test_no_form_input_gets_a_server_error_or_stores_a_refusal(app, world, sent, who, path):
    url, forms = _forms(app, world, who, path)
    browser, token, forged = world["browsers"][who], world["tokens"][who], _forged(world)

    @settings(FUZZ, max_examples=EXAMPLES)
    @given(choice=each_form(forms, forged))
    def fuzz(choice):
        form, pairs = choice
        target = form.action or url
        if form.method == "post":
            before = stored(app)
            resp = browser.post(target, data=pairs)
        else:
            resp = browser.get(target, params=pairs + [("lt", token)])
        sent.add("forms")
        assert resp.status_code < 500, (form.action, pairs, resp.text[:500])
        if resp.status_code >= 400:
            _refusal_explained(resp)
            if form.method == "post":
                assert stored(app) == before, f"a refused post ({resp.status_code}) changed what is stored"

    fuzz()


@pytest.mark.parametrize("who, path", PAGES)
def test_without_a_launch_no_form_does_anything(app, world, sent, tool_url, who, path):
    url, forms = _forms(app, world, who, path)
    nobody, forged = Browser(tool_url), _forged(world)

    @settings(FUZZ, max_examples=NOBODY_EXAMPLES)
    @given(choice=each_form(forms, forged))
    def fuzz(choice):
        form, pairs = choice
        pairs = [(name, value) for name, value in pairs if name != "lt"]
        target = _without_token(form.action or url)
        before = stored(app)
        if form.method == "post":
            resp = nobody.post(target, data=pairs)
        else:
            resp = nobody.get(target, params=pairs)
        sent.add("forms")
        assert 400 <= resp.status_code < 500, (form.action, pairs, resp.status_code)
        _refusal_explained(resp)
        assert stored(app) == before

    fuzz()


def _without_token(url: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(query=urlencode([(k, v) for k, v in parse_qsl(parts.query) if k != "lt"])))


def test_the_form_fuzzers_sent_their_share(request, sent, capsys):
    all_selected(request, 2 * len(PAGES))
    with capsys.disabled():  # shown in CI's log, not only with -s
        print(f"\nForm fuzzing on {sent.database}: {sent['forms']} requests")
    assert sent["forms"] >= FORM_REQUESTS
