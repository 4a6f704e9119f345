"""The tool meets an LTI platform it was not written alongside: lti1p3platform, over real HTTP."""
# The demo LMS shares its authors' reading of the spec with the tool; this platform's claims,
# signatures and response checks come from an independent implementation (LTI.md, "Test peers").
import secrets

import pytest
from sqlalchemy import select

from lti_tool.courses.models import Course, User
from lti_tool.extensions import db
from lti_tool.lti.models import LaunchSession
from lti_tool.platforms import operations as platforms
from tests.support.browser import continues_to, form_of, launched, text_of
from tests.support.independent_platform import (
    DEFAULT_CONTEXT, INSTRUCTOR, LEARNER, LIS, IndependentPlatform, PlatformUser, create_platform_app)
from tests.support.servers import reserve_port, serve

SCHOOL = "Independent school"
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"


@pytest.fixture(scope="module")
def platform(app, tool_url):
    """lti1p3platform served on 127.0.0.1 and registered with the tool for its own school."""
    port = reserve_port()
    platform = IndependentPlatform(issuer=f"http://127.0.0.1:{port}", tool_url=tool_url,
                                   client_id="independent-" + secrets.token_hex(3),
                                   deployment_id="independent-dep-1")
    with serve(create_platform_app(platform), port=port):
        with app.app_context():
            registered = platforms.add_platform(
                issuer=platform.issuer, client_id=platform.client_id, auth_login_url=platform.auth_url,
                auth_token_url=platform.token_url, key_set_url=platform.jwks_url)
            platforms.add_deployment(registered, platform.deployment_id, SCHOOL)
            db.session.commit()
        yield platform


def someone(roles, **personal) -> PlatformUser:
    return PlatformUser(sub="ind-" + secrets.token_hex(5), roles=roles, **personal)


def launch_form(browser, platform, user, **kw) -> tuple[str, dict]:
    """Do the tool's login step and the platform's auth step; return the platform's auto-post form."""
    auth = browser.start_login(platform.login_initiation_url(user, **kw))
    page = browser.http.get(auth["_location"], allow_redirects=False, timeout=30)
    assert page.status_code == 200, page.text
    return form_of(page.text)


def launch_of(db_session, user) -> LaunchSession:
    return db_session.scalars(select(LaunchSession).join(User).where(User.sub == user.sub)).one()


def test_a_learner_launch_lands_on_home_showing_the_school_and_course(browser, platform):
    resp = browser.launch(platform, someone(LEARNER, name="Sanne de Vries"))
    assert launched(resp), resp.text
    page = browser.follow(resp)
    assert page.url.split("?")[0] == browser.tool_url + "/"
    assert page.status_code == 200
    text = text_of(page.text)
    assert SCHOOL in text and DEFAULT_CONTEXT["title"] in text and "Sanne de Vries" in text


@pytest.mark.parametrize("roles, expected", [
    (LEARNER, "student"),
    (INSTRUCTOR, "staff"),
    ([LIS + "institution/person#Administrator", LIS + "membership#Instructor"], "school_admin"),
])
def test_the_platforms_roles_map_to_the_tools_roles(browser, platform, db_session, roles, expected):
    user = someone(roles, name="Jan Jansen", email="jan@independent.example")
    assert launched(browser.launch(platform, user))
    launch = launch_of(db_session, user)
    assert launch.role == expected and launch.lti_roles == roles
    assert launch.school.name == SCHOOL and launch.deployment_id == platform.deployment_id
    assert launch.platform.issuer == platform.issuer
    assert (launch.user.name, launch.user.email) == ("Jan Jansen", "jan@independent.example")


def test_a_launch_without_name_or_email_is_accepted_and_stores_none(browser, platform, db_session):
    user = someone(LEARNER)  # lti1p3platform then leaves out name and email altogether
    resp = browser.launch(platform, user)
    assert launched(resp), resp.text
    assert browser.follow(resp).status_code == 200
    stored = launch_of(db_session, user).user
    assert stored.name is None and stored.email is None


def test_a_launch_without_context_is_accepted_without_a_course(browser, platform, db_session):
    user = someone(LEARNER)
    assert launched(browser.launch(platform, user, context=None))
    assert launch_of(db_session, user).course_id is None


def test_the_launch_keeps_the_course_and_the_platforms_roster_endpoint(browser, platform, db_session):
    user = someone(INSTRUCTOR)
    assert launched(browser.launch(platform, user))
    launch = launch_of(db_session, user)
    course = db_session.get(Course, launch.course_id)
    assert (course.context_id, course.title, course.label) == (
        DEFAULT_CONTEXT["id"], DEFAULT_CONTEXT["title"], DEFAULT_CONTEXT["label"])
    assert launch.claims["nrps"]["context_memberships_url"] == platform.memberships_url(DEFAULT_CONTEXT["id"])
    assert launch.claims["resource_link"]["id"] == "rl-independent-1"
    assert launch.claims["target_link_uri"] == browser.tool_url + "/"


def place(browser, platform, *choices) -> tuple[list[dict], dict]:
    """Deep-link as a teacher, choose items, post the tool's answer back; return (items, claims)."""
    resp = browser.launch(platform, someone(INSTRUCTOR), message_type="LtiDeepLinkingRequest")
    assert launched(resp), resp.text
    assert "/lti/deep-link" in (continues_to(resp) or "")
    page = browser.follow(resp)
    assert page.status_code == 200
    action, fields = form_of(page.text)
    answer = browser.post(action, data=list(fields.items()) + [("items", c) for c in choices])
    assert answer.status_code == 200, answer.text
    return_url, signed = form_of(answer.text, "form[data-autosubmit]")
    assert return_url == platform.deep_link_return_url
    before = len(platform.placed_items)
    # The platform checks it with lti1p3platform's validate_deeplinking_resp, plus aud and iss.
    placed = browser.http.post(return_url, data=signed, timeout=30)
    assert placed.status_code == 200, placed.text
    return platform.placed_items[before:], platform.deep_link_responses[-1]


def test_a_deep_linking_request_reaches_the_chooser_and_the_platform_accepts_the_signed_answer(
        browser, platform):
    items, claims = place(browser, platform, "report")
    assert {i["title"] for i in items} == {"Gedragscode", "Meld een incident"}
    assert all(i["type"] == "ltiResourceLink" and i["url"].split("?")[0] == browser.tool_url + "/"
               for i in items)
    code = next(i for i in items if i["custom"] == {"placement": "code"})
    assert code["lineItem"]["scoreMaximum"] == 1
    assert claims["iss"] == platform.client_id and platform.issuer in claims["aud"]
    assert claims["https://purl.imsglobal.org/spec/lti/claim/message_type"] == "LtiDeepLinkingResponse"


def test_placed_links_carry_no_launch_token(browser, platform):
    items, _ = place(browser, platform, "report")
    assert all("lt=" not in i["url"] for i in items), [i["url"] for i in items]


def test_a_replayed_id_token_from_the_platform_is_refused(browser, platform, db_session):
    action, fields = launch_form(browser, platform, someone(LEARNER))
    assert action == browser.tool_url + "/lti/launch"
    assert launched(browser.post(action, data=fields))
    replay = browser.post(action, data=fields)
    # lti1p3platform sends no locale, so the refusal comes in Dutch, the tool's default.
    assert 400 <= replay.status_code < 500
    assert "already used" in replay.text or "al gebruikt" in replay.text, replay.text


def test_the_tools_registration_and_key_get_a_service_token_and_the_roster(browser, platform, db_session):
    """pylti1p3, with the tool's registration and active key, gets a token and reads the roster."""
    # The tool has no service client yet, so pylti1p3 (the library it would use) stands in. This
    # shows the tool's registration and served JWKS are enough for an independent platform to
    # accept its client assertion, and exercises this platform's token and NRPS endpoints.
    from pylti1p3.names_roles import NamesRolesProvisioningService
    from pylti1p3.service_connector import ServiceConnector
    from lti_tool.lti.tool_conf import ToolRegistration
    user = someone(LEARNER, name="Roos")
    assert launched(browser.launch(platform, user))
    registration = ToolRegistration(platforms.find_platform(platform.issuer, platform.client_id))
    roster = NamesRolesProvisioningService(ServiceConnector(registration), {
        "context_memberships_url": launch_of(db_session, user).claims["nrps"]["context_memberships_url"]})
    members = roster.get_members()
    assert {"user_id": user.sub, "roles": LEARNER, "status": "Active", "name": "Roos"} in members
    assert platform.issued_tokens[-1]["scope"] == NRPS_SCOPE


def test_the_platforms_token_endpoint_refuses_assertions_it_should(browser, platform, db_session):
    """Reused, misaddressed and foreign client assertions are refused by the token endpoint."""
    # lti1p3platform does not check aud, iss or jti; the adapter does, or the test above proves little.
    import time
    import uuid

    import jwt
    from lti_tool.platforms import keys
    key = keys.active_key()

    def assertion(**changes):
        claims = {"iss": platform.client_id, "sub": platform.client_id, "aud": platform.token_url,
                  "iat": int(time.time()), "exp": int(time.time()) + 60, "jti": str(uuid.uuid4())}
        return jwt.encode({**claims, **changes}, keys.private_pem(key), algorithm="RS256",
                          headers={"kid": key.kid})

    def ask(token):
        return browser.http.post(platform.token_url, timeout=30, data={
            "grant_type": "client_credentials", "scope": NRPS_SCOPE, "client_assertion": token,
            "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"})

    reused = assertion()
    assert ask(reused).status_code == 200
    assert ask(reused).status_code == 401
    assert ask(assertion(aud="https://elsewhere.example/token")).status_code == 401
    assert ask(assertion(iss="someone-else")).status_code == 401
