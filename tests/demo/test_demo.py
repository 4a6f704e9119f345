"""The built-in demo: `lti-tool demo` runs the tool with a real demo LMS that anyone can click through."""
import json
import os
import secrets
import subprocess
import sys
import time

import jwt
import pytest
import requests
from pylti1p3.exception import LtiServiceException
from pylti1p3.service_connector import ServiceConnector

from lti_tool import create_app
from lti_tool.demo import setup as demo_setup
from lti_tool.demo.platform import AGS_SCOPES, NRPS_SCOPE
from lti_tool.extensions import db
from lti_tool.lti.operations import tool_conf
from tests.support.browser import Browser, text_of
from tests.support.servers import reserve_port, serve

LINEITEM = "application/vnd.ims.lis.v2.lineitem+json"
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"


@pytest.fixture(scope="module")
def demo(app):
    """The tool in demo mode (as `lti-tool demo` builds it), on the test database."""
    port = reserve_port()
    url = f"http://127.0.0.1:{port}"
    demo_app = create_app({**{k: app.config[k] for k in (
        "SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "LTI_CONFIG", "TESTING")},
        "DEMO_MODE": True, "DEMO_BASE_URL": url})
    with demo_app.app_context():
        demo_setup.install(demo_app, url)
        demo_setup.install(demo_app, url)  # a second start changes nothing
        db.session.commit()
    _forget_key_sets()
    with serve(demo_app, port=port):
        yield demo_app, url
    with demo_app.app_context():
        db.engine.dispose()


def _forget_key_sets() -> None:
    """The demo's LMS lives at /demo on a port reserve_port hands out: when an earlier demo of this
    process used the port, the tool still holds that LMS's key set under the same address (and asks
    again for an unknown key at most once a minute). A new demo has new keys: forget the old ones."""
    from lti_tool.lti import jwks_cache
    jwks_cache.clear()


def _launch_from_course_page(browser, url, user, link="code", locale=""):
    resp = browser.get(f"{url}/demo/launch?user={user}&link={link}&locale={locale}")
    assert resp.status_code == 302
    auth = browser.start_login(resp.headers["Location"])
    page = browser.http.get(auth["_location"], timeout=30)
    assert page.status_code == 200
    from tests.support.browser import form_of
    action, fields = form_of(page.text)
    return browser.follow(browser.post(action, data=fields))


@pytest.mark.parametrize("user, role", [
    ("student", "Leerling"), ("teacher", "Medewerker"), ("coordinator", "Coördinator"),
    ("admin", "Schoolbeheerder"),
])
def test_a_newcomer_launches_as_each_role_from_the_course_page(demo, user, role):
    _, url = demo
    browser = Browser(url)
    page = _launch_from_course_page(browser, url, user)
    assert page.status_code == 200
    if user != "admin":  # the demo school published its codes: students and staff acknowledge first
        audience = "leerlingen" if user == "student" else "medewerkers"
        assert f"Gedragscode telefoon en social media voor {audience}" in page.text
        page = _acknowledge(browser, page)
    text = text_of(page.text)
    assert "Demoschool De Linde" in text and role in text


def _acknowledge(browser, page):
    """Pass the demo code's check (the right answers are the second options) and acknowledge."""
    from tests.support.browser import form_of
    action, fields = form_of(page.text, "form[action*='/code/acknowledge']")
    fields.update({f"answer-{n}": "1" for n in range(page.text.count("<fieldset class=\"question"))})
    return browser.follow(browser.post(action, data={**fields, "confirm": "true"}))


def test_the_course_page_offers_every_role_and_the_placements(demo):
    _, url = demo
    text = text_of(Browser(url).get(url + "/demo/").text)
    for name in ("Sanne de Vries", "Mark Bakker", "Fatima Yilmaz", "Ingrid Smit", "Gedragscode",
                 "Meld een incident"):
        assert name in text


def test_english_launches_from_the_course_page(demo):
    _, url = demo
    browser = Browser(url)
    page = _launch_from_course_page(browser, url, "student2", locale="en-GB")
    assert "Code of conduct on phones and social media for students" in page.text
    assert "Your role" in _acknowledge(browser, page).text


def test_the_demo_lms_is_refused_when_the_tool_is_not_in_demo_mode(demo, browser, lms):
    demo_app, _ = demo
    platform = demo_app.extensions["demo_lms"]
    login = platform.login_initiation_url("student", target_link_uri=browser.tool_url + "/")
    resp = browser.get(login.replace(platform.tool_base_url, ""))
    assert resp.status_code == 400 and "not registered" in resp.text


def test_the_demo_lms_refuses_an_unknown_person_or_activity(demo):
    _, url = demo
    assert Browser(url).get(url + "/demo/launch?user=nobody").status_code == 400
    assert Browser(url).get(url + "/demo/launch?user=student&link=nothing").status_code == 400


# --- the LMS's services, called the way the tool calls them ---------------------------------------

@pytest.fixture
def connector(app, lms):
    """A service connector holding the tool's registration with the test LMS (signed client assertions)."""
    with app.app_context():
        registration = tool_conf().find_registration_by_params(lms.issuer, lms.client_id)
        yield ServiceConnector(registration)


def test_roster_is_served_in_pages_with_next_links(connector, lms):
    lms.nrps_page_size = 3
    url, seen = lms.memberships_url, []
    while url:
        page = connector.make_service_request([NRPS_SCOPE], url, accept=MEMBERSHIPS)
        seen += [m["user_id"] for m in page["body"]["members"]]
        url = page["next_page_url"]
    assert seen == [u.sub for u in lms.users.values() if u.in_course]


def test_line_items_and_scores_arrive_in_the_gradebook(connector, lms, tool_url):
    scopes = [AGS_SCOPES["lineitem"], AGS_SCOPES["score"]]
    tag = "t-" + secrets.token_hex(3)
    item = connector.make_service_request(
        scopes, lms.lineitems_url, is_post=True, content_type=LINEITEM, accept=LINEITEM,
        data=json.dumps({"label": "Gedragscode", "scoreMaximum": 1, "tag": tag}))["body"]
    student = lms.users["student"].sub
    score = {"userId": student, "scoreGiven": 1, "scoreMaximum": 1, "activityProgress": "Completed",
             "gradingProgress": "FullyGraded", "timestamp": "2026-11-25T10:00:00+00:00"}
    connector.make_service_request(scopes, item["id"] + "/scores", is_post=True,
                                   content_type="application/vnd.ims.lis.v1.score+json",
                                   data=json.dumps(score))
    found = connector.make_service_request(scopes, lms.lineitems_url + "?tag=" + tag)["body"]
    assert [i["id"] for i in found] == [item["id"]]
    item_id = item["id"].rsplit("/", 1)[1]
    assert lms.scores[item_id][student]["scoreGiven"] == 1


def test_an_older_score_never_overwrites_a_newer_one(connector, lms):
    scopes = [AGS_SCOPES["lineitem"], AGS_SCOPES["score"]]
    item = connector.make_service_request(
        scopes, lms.lineitems_url, is_post=True, content_type=LINEITEM, accept=LINEITEM,
        data=json.dumps({"label": "Order", "scoreMaximum": 1}))["body"]
    for given, stamp in ((1, "2026-11-25T10:00:00+00:00"), (0, "2026-11-25T09:00:00+00:00")):
        connector.make_service_request(scopes, item["id"] + "/scores", is_post=True,
                                       content_type="application/vnd.ims.lis.v1.score+json",
                                       data=json.dumps({"userId": "u1", "scoreGiven": given,
                                                        "scoreMaximum": 1, "timestamp": stamp,
                                                        "activityProgress": "Completed",
                                                        "gradingProgress": "FullyGraded"}))
    assert lms.scores[item["id"].rsplit("/", 1)[1]]["u1"]["scoreGiven"] == 1


def test_the_course_page_shows_a_reset_score_after_a_major_publish(demo):
    """A reset score (a major version asks everyone again) carries no scoreGiven: the page says so."""
    demo_app, url = demo
    lms = demo_app.extensions["demo_lms"]
    item_id = lms.create_line_item({"label": "Gedragscode", "scoreMaximum": 1, "tag": "veilig-online-code"})["id"] \
        .rsplit("/", 1)[1]
    student = lms.users["student"].sub
    for stamp, given in (("2026-11-25T10:00:00+00:00", {"scoreGiven": 1, "scoreMaximum": 1}),
                         ("2026-11-26T10:00:00+00:00", {})):
        lms.post_score(item_id, {"userId": student, "activityProgress": "Initialized",
                                 "gradingProgress": "NotReady", "timestamp": stamp, **given})
    page = requests.get(url + "/demo/", timeout=10)
    assert page.status_code == 200, page.text[-500:]
    assert "teruggezet" in text_of(page.text)  # the demo LMS speaks Dutch to a browser that asks nothing else


def test_services_refuse_calls_without_a_token_or_with_the_wrong_scope(connector, lms):
    assert requests.get(lms.memberships_url, timeout=10).status_code == 401
    token = connector.get_access_token([AGS_SCOPES["score"]])
    resp = requests.get(lms.memberships_url, headers={"Authorization": "Bearer " + token}, timeout=10)
    assert resp.status_code == 403


def test_a_client_assertion_not_signed_by_the_tool_gets_no_token(lms):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    now = int(time.time())
    assertion = jwt.encode({"iss": lms.client_id, "sub": lms.client_id, "aud": lms.token_url,
                            "iat": now, "exp": now + 60, "jti": secrets.token_hex(8)},
                           key, algorithm="RS256", headers={"kid": "made-up"})
    resp = requests.post(lms.token_url, data={
        "grant_type": "client_credentials", "scope": NRPS_SCOPE, "client_assertion": assertion,
        "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}, timeout=10)
    assert resp.status_code == 401


def test_a_failing_lms_answers_503_as_often_as_asked(connector, lms):
    lms.fail_rate = 1.0
    with pytest.raises(LtiServiceException):
        connector.make_service_request([NRPS_SCOPE], lms.memberships_url, accept=MEMBERSHIPS)


# --- the README's command -------------------------------------------------------------------------

def test_the_demo_command_starts_on_a_bare_machine(tmp_path):
    """`lti-tool demo` on SQLite in an empty folder: migrations, demo data, a course page, a launch."""
    port = reserve_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SECRET_KEY", "LTI_CONFIG")}
    env["LTI_TOOL_INSTANCE"] = str(tmp_path / "instance")
    command = [os.path.join(os.path.dirname(sys.executable), "lti-tool"), "demo", "--port", str(port)]
    proc = subprocess.Popen(command, cwd=tmp_path, env=env, stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(100):
            try:
                if requests.get(url + "/demo/", timeout=2).status_code == 200:
                    break
            except requests.ConnectionError:
                time.sleep(0.2)
        else:
            pytest.fail("the demo did not start: " + proc.stdout.read1().decode(errors="replace"))
        page = _launch_from_course_page(Browser(url), url, "student")
        assert page.status_code == 200 and "Sanne de Vries" in page.text
        assert (tmp_path / "instance" / "veilig-online.db").exists()
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        proc.stdout.close()


def test_demo_reset_empties_only_the_demos_own_sqlite_file(tmp_path, monkeypatch):
    """`lti-tool demo --reset` starts the demo from an empty database; it never touches a real one."""
    from click.testing import CliRunner
    from werkzeug import serving
    from lti_tool.cli import main
    monkeypatch.setattr(serving, "run_simple", lambda *a, **kw: None)  # start, but serve nothing
    for name in ("DATABASE_URL", "SECRET_KEY", "LTI_CONFIG"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path / "instance"))
    monkeypatch.chdir(tmp_path)
    runner = CliRunner()
    assert runner.invoke(main, ["demo", "--port", "5999"]).exit_code == 0
    database = tmp_path / "instance" / "veilig-online.db"
    import sqlite3
    with sqlite3.connect(database) as conn:
        conn.execute("INSERT INTO schools (name, created_at) VALUES ('Left over', '2026-01-01')")
    kept = runner.invoke(main, ["demo", "--port", "5999", "--reset"], input="n\n")
    assert kept.exit_code == 1 and "Empty the demo database" in kept.output
    with sqlite3.connect(database) as conn:
        assert "Left over" in [r[0] for r in conn.execute("SELECT name FROM schools")], "no means no"
    result = runner.invoke(main, ["demo", "--port", "5999", "--reset"], input="y\n")
    assert result.exit_code == 0, result.output
    with sqlite3.connect(database) as conn:
        names = [r[0] for r in conn.execute("SELECT name FROM schools")]
    assert "Left over" not in names and len(names) == 1, names  # the demo school, anew
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'real.db'}")
    refused = runner.invoke(main, ["demo", "--port", "5999", "--reset", "--yes"])
    assert refused.exit_code != 0 and "only empties the demo's own SQLite file" in refused.output


# --- the demo's mailbox: a coordinator hears of a new report, never what it says ------------------

@pytest.fixture(scope="module")
def demo_with_mailbox(app):
    """The demo as `lti-tool demo` runs it, with its SMTP mailbox on 127.0.0.1."""
    from lti_tool.demo import mailbox
    port = reserve_port()
    url = f"http://127.0.0.1:{port}"
    demo_app = create_app({**{k: app.config[k] for k in (
        "SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "LTI_CONFIG", "TESTING")},
        "DEMO_MODE": True, "DEMO_BASE_URL": url})
    mailbox.start(demo_app)
    with demo_app.app_context():
        demo_setup.install(demo_app, url)
        db.session.commit()
    _forget_key_sets()
    with serve(demo_app, port=port):
        yield demo_app, url
    mailbox.stop(demo_app)
    with demo_app.app_context():
        db.engine.dispose()


def test_a_pseudonymous_report_reaches_the_coordinators_mailbox_without_its_content(demo_with_mailbox):
    from tests.support.browser import form_of
    from lti_tool.cases import mail
    demo_app, url = demo_with_mailbox
    browser = Browser(url)
    page = _launch_from_course_page(browser, url, "student3", link="report", locale="en-GB")
    form = browser.get(page.url.replace("/reports/new?", "/reports/new?category=sexual_images&")
                       if "/reports/new" in page.url else page.url)
    assert form.status_code == 200 and 'type="file"' not in form.text
    action, fields = form_of(form.text, "form.report-form")
    secret = "photo of a classmate in the group chat " + secrets.token_hex(3)
    fields.update({"category": "sexual_images", "what_happened": secret, "platform": "Snapchat",
                   "holders": "two people in 3B", "identity": "pseudonymous", "affected": "no"})
    receipt = browser.follow(browser.post(action, data=fields))
    assert receipt.status_code == 200 and "VO-" in receipt.text
    with demo_app.app_context():
        # The notice waits for the next send slot (cases/batching.py), never leaving at the report's
        # moment; the slot comes: its time is now.
        from sqlalchemy import update
        from lti_tool.cases.models import MailMessage
        from lti_tool.db import utcnow
        from lti_tool.extensions import db
        db.session.execute(update(MailMessage).where(MailMessage.status == MailMessage.PENDING)
                           .values(next_attempt_at=utcnow()))
        db.session.commit()
        mail.send_due()
    box = demo_app.extensions["demo_mailbox"]
    coordinator = demo_app.extensions["demo_lms"].users["coordinator"].email
    assert box and box[0]["to"] == coordinator
    assert secret not in box[0]["body"] and "Snapchat" not in box[0]["body"]
    assert "Snapchat" not in box[0]["subject"] and secret not in box[0]["subject"]
    index = browser.get(url + "/demo/")
    assert box[0]["subject"] in index.text
