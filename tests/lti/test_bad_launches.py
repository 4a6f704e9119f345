"""Bad launches are refused with a 4xx page that helps the LMS administrator, and store nothing.

The 1EdTech certification list (LTI.md), plus what pylti1p3 alone lets through: replays, missing
exp/iat/target_link_uri, azp, alg none, HS256 with the public key, oversized and malformed tokens.
"""
import base64
import json
import secrets
import time

import jwt
import pytest
from sqlalchemy import select

from lti_tool.courses.models import User
from lti_tool.extensions import db
from tests.support.browser import Browser, form_of, launched, text_of
from tests.support.servers import serve

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


def _b64(data) -> str:
    raw = data if isinstance(data, bytes) else json.dumps(data).encode()
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def begin(browser, lms, user="student"):
    """Do the real login step; return (state, claims the LMS would sign, with a fresh sub)."""
    auth = browser.start_login(lms.login_initiation_url(user))
    claims = lms.id_token_claims(user, auth["nonce"])
    claims["sub"] = "bad-" + secrets.token_hex(5)
    return auth["state"], claims


def assert_refused(resp, db_session, sub=None, status=None):
    assert 400 <= resp.status_code < 500, (resp.status_code, resp.text[:500])
    if status:
        assert resp.status_code == status
    assert "Veilig Online" in resp.text or resp.headers["Content-Type"].startswith("application/json")
    if sub:
        assert db_session.scalars(select(User).where(User.sub == sub)).first() is None


def without(claims, *keys):
    return {k: v for k, v in claims.items() if k not in keys}


# --- the certification list ----------------------------------------------------------------------

@pytest.mark.parametrize("mutate", [
    pytest.param(lambda c, l: without(c, LTI + "version"), id="missing LTI version"),
    pytest.param(lambda c, l: {**c, LTI + "version": "1.1"}, id="wrong LTI version"),
    pytest.param(lambda c, l: without(c, LTI + "message_type"), id="missing message_type"),
    pytest.param(lambda c, l: {**c, LTI + "message_type": "LtiSomethingElse"}, id="unknown message_type"),
    pytest.param(lambda c, l: without(c, LTI + "roles"), id="missing roles claim"),
    pytest.param(lambda c, l: {**c, LTI + "roles": "Learner"}, id="roles not a list"),
    pytest.param(lambda c, l: without(c, LTI + "deployment_id"), id="missing deployment_id"),
    pytest.param(lambda c, l: {**c, LTI + "deployment_id": "unknown-dep"}, id="unknown deployment"),
    pytest.param(lambda c, l: {**c, LTI + "deployment_id": 12}, id="deployment_id not a string"),
    pytest.param(lambda c, l: {**c, LTI + "resource_link": {"title": "x"}}, id="missing resource_link id"),
    pytest.param(lambda c, l: without(c, "sub"), id="missing sub"),
    pytest.param(lambda c, l: {k: v for k, v in c.items() if not k.startswith("https://purl.imsglobal.org/")},
                 id="missing all LTI claims"),
    pytest.param(lambda c, l: without(c, "exp"), id="missing exp"),
    pytest.param(lambda c, l: without(c, "iat"), id="missing iat"),
    pytest.param(lambda c, l: {**c, "exp": int(time.time()) - 600}, id="expired"),
    pytest.param(lambda c, l: {**c, "iat": int(time.time()) + 3600}, id="issued in the future"),
    pytest.param(lambda c, l: without(c, LTI + "target_link_uri"), id="missing target_link_uri"),
    pytest.param(lambda c, l: {**c, LTI + "target_link_uri": "https://evil.example/"}, id="foreign target_link_uri"),
    pytest.param(lambda c, l: {**c, "aud": ["someone-else", l.client_id], "azp": "someone-else"}, id="wrong azp"),
    pytest.param(lambda c, l: {**without(c, "azp"), "aud": ["someone-else", l.client_id]},
                 id="several audiences without azp"),
    pytest.param(lambda c, l: {**c, "azp": "someone-else"}, id="single audience with foreign azp"),
    pytest.param(lambda c, l: {**c, "aud": ["someone-else"]}, id="wrong aud"),
    pytest.param(lambda c, l: {**c, "iss": "https://unknown-lms.example"}, id="unknown issuer"),
    pytest.param(lambda c, l: {**c, "nonce": "not-the-nonce"}, id="wrong nonce"),
    pytest.param(lambda c, l: without(c, "nonce"), id="missing nonce"),
])
def test_certification_bad_launches_are_refused(browser, lms, db_session, mutate):
    state, claims = begin(browser, lms)
    bad = mutate(dict(claims), lms)
    resp = browser.post_id_token(lms.sign(bad), state)
    assert_refused(resp, db_session, claims["sub"])


def test_refusal_page_fits_the_frame_and_names_what_to_fix(browser, lms, db_session):
    state, claims = begin(browser, lms)
    resp = browser.post_id_token(lms.sign({**claims, LTI + "deployment_id": "dep-unknown"}), state)
    assert resp.status_code == 400
    text = text_of(resp.text)
    assert "LMS administrator" in text or "LMS-beheerder" in text
    assert "dep-unknown" in text
    assert 'name="viewport"' in resp.text


def test_no_kid_is_refused(browser, lms, db_session):
    state, claims = begin(browser, lms)
    token = jwt.encode(claims, lms.private_key_pem, algorithm="RS256")  # no kid header
    assert_refused(browser.post_id_token(token, state), db_session, claims["sub"])


def test_unknown_kid_is_refused(browser, lms, db_session):
    state, claims = begin(browser, lms)
    token = jwt.encode(claims, lms.private_key_pem, algorithm="RS256", headers={"kid": "no-such-kid"})
    assert_refused(browser.post_id_token(token, state), db_session, claims["sub"])


def test_signature_by_another_key_with_the_right_kid_is_refused(browser, lms, db_session):
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    state, claims = begin(browser, lms)
    token = jwt.encode(claims, other, algorithm="RS256", headers={"kid": lms.kid})
    assert_refused(browser.post_id_token(token, state), db_session, claims["sub"])


def test_alg_none_is_refused(browser, lms, db_session):
    state, claims = begin(browser, lms)
    token = _b64({"alg": "none", "kid": lms.kid, "typ": "JWT"}) + "." + _b64(claims) + "."
    assert_refused(browser.post_id_token(token, state), db_session, claims["sub"])


def test_hs256_signed_with_the_public_key_is_refused(browser, lms, db_session):
    import hashlib
    import hmac
    from jwcrypto.jwk import JWK
    public_pem = JWK(**lms.public_jwk).export_to_pem()
    state, claims = begin(browser, lms)
    signing_input = _b64({"alg": "HS256", "kid": lms.kid, "typ": "JWT"}) + "." + _b64(claims)
    signature = hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest()
    token = signing_input + "." + _b64(signature)
    assert_refused(browser.post_id_token(token, state), db_session, claims["sub"])


@pytest.mark.parametrize("token", [
    "not-a-jwt", "a.b", "a.b.c.d", "!!!.###.$$$", _b64(b"[1,2]") + "." + _b64(b"[3]") + ".x",
    _b64(b"not json") + "." + _b64(b"{}") + ".sig", "",
])
def test_malformed_jwts_are_refused(browser, lms, db_session, token):
    state, _ = begin(browser, lms)
    assert_refused(browser.post_id_token(token, state), db_session)


def test_a_one_megabyte_token_is_refused(browser, lms, db_session):
    state, claims = begin(browser, lms)
    claims["padding"] = "x" * (1024 * 1024)
    assert_refused(browser.post_id_token(lms.sign(claims), state), db_session, claims["sub"])


def test_a_token_over_the_size_limit_within_the_body_limit_is_refused(browser, lms, db_session):
    state, claims = begin(browser, lms)
    claims["padding"] = "x" * (100 * 1024)
    assert_refused(browser.post_id_token(lms.sign(claims), state), db_session, claims["sub"], status=413)


# --- state and replays -------------------------------------------------------------------------------

def test_missing_state_cookie_offers_a_new_window(lms, tool_url, db_session):
    browser = Browser(tool_url)
    state, claims = begin(browser, lms)
    browser.http.cookies.clear()
    resp = browser.post_id_token(lms.sign(claims), state)
    assert_refused(resp, db_session, claims["sub"], status=401)
    action = [a for a in __import__("bs4").BeautifulSoup(resp.text, "html.parser").select("a[target=_blank]")]
    assert action and "/lti/login?" in action[0]["href"] and "new_window=1" in action[0]["href"]


def test_the_new_window_link_completes_the_launch(lms, tool_url):
    browser = Browser(tool_url)
    state, claims = begin(browser, lms)
    browser.http.cookies.clear()
    resp = browser.post_id_token(lms.sign(claims), state)
    link = __import__("bs4").BeautifulSoup(resp.text, "html.parser").select_one("a[target=_blank]")["href"]
    auth = browser.start_login(link)
    page = browser.http.get(auth["_location"], timeout=30)
    action, fields = form_of(page.text)
    assert launched(browser.post(action, data=fields))


def test_missing_or_unknown_state_is_refused(browser, lms, db_session):
    _, claims = begin(browser, lms)
    assert_refused(browser.post("/lti/launch", data={"id_token": lms.sign(claims)}), db_session, claims["sub"])
    assert_refused(browser.post_id_token(lms.sign(claims), "made-up-state"), db_session, claims["sub"])


def test_a_state_altered_after_signing_is_refused(browser, lms, db_session):
    state, claims = begin(browser, lms)
    payload, stamp, signature = state.rsplit(".", 2)
    other = "BB" if payload.endswith("AA") else "AA"  # never the same payload by chance (1 in 4,096)
    for altered in (payload[:-2] + other + "." + stamp + "." + signature, payload + "." + stamp + "." + "A" * 27,
                    state + "x", state[:-1]):
        assert_refused(browser.post_id_token(lms.sign(claims), altered), db_session, claims["sub"])


def test_a_state_older_than_its_lifetime_is_refused(browser, lms, app, db_session, monkeypatch):
    state, claims = begin(browser, lms)
    monkeypatch.setitem(app.config, "LTI_LOGIN_STATE_SECONDS", -1)  # every state is too old now
    resp = browser.post_id_token(lms.sign(claims), state)
    assert_refused(resp, db_session, claims["sub"])
    assert "expired" in resp.text or "verlopen" in resp.text


def test_a_login_stores_nothing_and_its_launch_uses_the_nonce_up(browser, lms, db_session):
    from lti_tool.lti.models import UsedNonce
    count = select(db.func.count()).select_from(UsedNonce)
    before = db_session.scalar(count)
    state, claims = begin(browser, lms)
    db_session.rollback()
    assert db_session.scalar(count) == before
    assert launched(browser.post_id_token(lms.sign(claims), state))
    db_session.rollback()
    assert db_session.scalars(select(UsedNonce).where(UsedNonce.nonce == claims["nonce"])).one()


def test_replay_in_the_same_browser_is_refused(browser, lms):
    state, claims = begin(browser, lms)
    token = lms.sign(claims)
    assert launched(browser.post_id_token(token, state))
    again = browser.post_id_token(token, state)
    assert again.status_code == 400 and _already_used(again.text)


def test_replay_from_another_browser_is_refused(browser, lms, tool_url):
    state, claims = begin(browser, lms)
    token = lms.sign(claims)
    assert launched(browser.post_id_token(token, state))
    attacker = Browser(tool_url)
    resp = attacker.post_id_token(token, state)
    assert resp.status_code == 400 and _already_used(resp.text)
    for name, value in browser.http.cookies.items():  # even with the victim's cookies
        attacker.http.cookies.set(name, value)
    resp = attacker.post_id_token(token, state)
    assert resp.status_code == 400 and _already_used(resp.text)


def test_replay_on_another_worker_is_refused(browser, lms, app, tool_url):
    """A second app instance on the same database plays another worker (or host)."""
    from lti_tool import create_app
    other = create_app({k: app.config[k] for k in (
        "SQLALCHEMY_DATABASE_URI", "SECRET_KEY", "LTI_CONFIG", "TESTING")})
    state, claims = begin(browser, lms)
    token = lms.sign(claims)
    assert launched(browser.post_id_token(token, state))
    host = tool_url.split("//", 1)[1]
    try:
        with serve(other) as other_url:
            resp = browser.http.post(other_url + "/lti/launch", data={"id_token": token, "state": state},
                                     headers={"Host": host}, allow_redirects=False, timeout=30)
    finally:
        with other.app_context():
            db.engine.dispose()
    assert resp.status_code == 400 and _already_used(resp.text)


def test_a_launch_from_a_state_of_another_platform_is_refused(browser, lms, db_session):
    """The id_token's issuer must be the platform that the login was started for."""
    state, claims = begin(browser, lms)
    resp = browser.post_id_token(lms.sign({**claims, "iss": "https://elsewhere.example"}), state)
    assert_refused(resp, db_session, claims["sub"])


# --- login -------------------------------------------------------------------------------------------

@pytest.mark.parametrize("drop", ["iss", "login_hint", "target_link_uri"])
def test_login_without_required_parameters_is_refused(browser, lms, drop):
    from urllib.parse import parse_qsl, urlencode, urlsplit
    url = lms.login_initiation_url("student")
    params = dict(parse_qsl(urlsplit(url).query))
    params.pop(drop)
    resp = browser.get("/lti/login?" + urlencode(params))
    assert resp.status_code == 400 and drop in resp.text


def test_login_from_an_unknown_issuer_is_refused(browser):
    resp = browser.get("/lti/login?iss=https://nobody.example&login_hint=x&target_link_uri="
                       + browser.tool_url + "/")
    assert resp.status_code == 400 and "not registered" in resp.text


def test_login_with_a_foreign_target_is_refused(browser, lms):
    url = lms.login_initiation_url("student", target_link_uri="https://evil.example/")
    assert browser.get(url.replace(browser.tool_url, "")).status_code == 400


def test_login_by_post_works_too(browser, lms):
    from urllib.parse import parse_qsl, urlsplit
    params = dict(parse_qsl(urlsplit(lms.login_initiation_url("student")).query))
    resp = browser.post("/lti/login", data=params)
    assert resp.status_code == 302 and resp.headers["Location"].startswith(lms.auth_url)


def test_launch_without_id_token_or_with_json_is_refused(browser):
    assert browser.post("/lti/launch", data={"state": "x"}).status_code == 400
    assert browser.post("/lti/launch", json={"id_token": "x", "state": "y"}).status_code in (400, 415)
    assert browser.get("/lti/launch").status_code == 405


def _already_used(html: str) -> bool:
    """The replay refusal, in the language of the browser's current launch."""
    return "already used" in html or "al gebruikt" in html
