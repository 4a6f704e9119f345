"""Dynamic registration is no open relay: only public addresses on the issuer's own origin, pinned,
small and quick; the registration token only to the registration endpoint; limited per address and
in total; Moodle's "Update" updates; nobody takes over another issuer's platform."""
import secrets
import time

import pytest
from sqlalchemy import func, select
from werkzeug.wrappers import Response

from lti_tool import config as config_module
from lti_tool.demo.platform import DemoLMS
from lti_tool.demo.views import create_lms_app
from lti_tool.lti import addresses, outbound
from lti_tool.platforms.models import Platform
from tests.support.browser import Browser
from tests.support.servers import reserve_port, serve

from .lms_double import registering_lms

pytestmark = pytest.mark.usefixtures("strict_registration")


def platforms_of(db_session, issuer: str) -> list[Platform]:
    db_session.expire_all()
    return list(db_session.scalars(select(Platform).where(Platform.issuer == issuer)))


@pytest.fixture
def allow_local(app, monkeypatch):
    """The LMS doubles run on 127.0.0.1: relax the public-address rule for this test only."""
    monkeypatch.setitem(app.config, "LTI_REGISTRATION_ALLOW_PRIVATE", True)


# --- which addresses the tool calls ---------------------------------------------------------------

@pytest.mark.parametrize("address", [
    "127.0.0.1", "127.1.2.3", "10.0.0.1", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1",
    "100.100.100.200", "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "192.0.0.1", "192.0.2.1", "198.18.0.1", "::1", "::", "fe80::1", "fe80::1%eth0", "fc00::1", "fd00:ec2::254",
    "ff02::1", "ff0e::1", "fec0::1", "2001:db8::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
    "::ffff:169.254.169.254", "64:ff9b::7f00:1", "64:ff9b::a9fe:a9fe", "2002:7f00:1::", "2002:a00:1::1",
    "not-an-address",
])
def test_no_private_or_special_address_counts_as_public(address):
    assert not addresses.is_public(address)


@pytest.mark.parametrize("address", ["1.1.1.1", "8.8.8.8", "145.97.39.155", "2606:4700:4700::1111",
                                     "2a00:1450:4001:80b::200e", "::ffff:8.8.8.8"])
def test_public_addresses_count_as_public(address):
    assert addresses.is_public(address)


def test_a_loopback_configuration_is_not_fetched(tool_url, db_session):
    with registering_lms() as lms:
        resp = Browser(tool_url).get(lms.registration_path())
        assert resp.status_code == 400 and "public internet" in resp.text
        assert lms.requests == [], "the tool called a loopback address"
        assert platforms_of(db_session, lms.issuer) == []


@pytest.mark.parametrize("address", ["127.0.0.1", "10.1.2.3", "169.254.169.254", "100.100.100.200",
                                     "::1", "::ffff:127.0.0.1", "fd00:ec2::254"])
def test_a_public_name_that_resolves_to_a_private_address_is_not_called(tool_url, dns, address):
    dns.answer("lms.school.example", address)
    with registering_lms(name="lms.school.example") as lms:
        resp = Browser(tool_url).get(lms.registration_path())
        assert resp.status_code == 400 and "public internet" in resp.text
        assert lms.requests == [] and dns.lookups == ["lms.school.example"]


def test_a_name_that_rebinds_after_the_check_never_reaches_the_inside(tool_url, dns, monkeypatch):
    """The tool connects to the address it checked: a second, different DNS answer changes nothing."""
    monkeypatch.setattr(outbound, "is_public", lambda a: a == "127.0.0.2" or addresses.is_public(a))
    port = reserve_port("127.0.0.2")
    dns.answer("lms.rebind.example", "127.0.0.2", "127.0.0.1")  # public first, then the inside
    with registering_lms(host="127.0.0.2", name="lms.rebind.example", port=port) as outside, \
            registering_lms(host="127.0.0.1", name="lms.rebind.example", port=port) as inside:
        resp = Browser(tool_url).get(outside.registration_path())
        assert resp.status_code == 400
        assert [(m, p) for m, p, _ in outside.requests] == [("GET", "/lms/.well-known/openid-configuration")]
        assert inside.requests == [], "a rebinding DNS answer reached an inside address"


def test_https_is_required_in_production(tool_url, app, monkeypatch, allow_local):
    monkeypatch.setitem(app.config, "LTI_REGISTRATION_ALLOW_HTTP", False)
    with registering_lms() as lms:
        resp = Browser(tool_url).get(lms.registration_path())
        assert resp.status_code == 400 and "HTTPS" in resp.text
        assert lms.requests == []


def test_production_settings_call_only_public_https_addresses(tmp_path, monkeypatch):
    monkeypatch.setenv("LTI_TOOL_ENV", "production")
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    for name in ("LTI_REGISTRATION_ALLOW_HTTP", "LTI_REGISTRATION_ALLOW_PRIVATE", "REDIS_URL"):
        monkeypatch.delenv(name, raising=False)
    settings = config_module.load(str(tmp_path))
    assert settings["LTI_REGISTRATION_ALLOW_HTTP"] is False
    assert settings["LTI_REGISTRATION_ALLOW_PRIVATE"] is False
    assert settings["RATELIMIT_STORAGE_URI"] == "memory://"
    monkeypatch.setenv("REDIS_URL", "redis://redis.internal:6379/0")
    assert config_module.load(str(tmp_path))["RATELIMIT_STORAGE_URI"] == "redis://redis.internal:6379/0", \
        "with Redis every worker counts the same registrations"
    monkeypatch.setenv("LTI_TOOL_ENV", "development")
    assert config_module.load(str(tmp_path))["LTI_REGISTRATION_ALLOW_PRIVATE"] is False


# --- the issuer's origin, and where the token goes ------------------------------------------------

def test_the_configuration_must_be_on_its_issuers_origin_not_just_start_with_it(tool_url, dns, db_session,
                                                                               allow_local):
    """https://moodle.school.nl "matched" https://moodle.school.nl.evil.example/ as a string prefix."""
    dns.answer("moodle.school.nl.evil.example", "127.0.0.1")
    with registering_lms(name="moodle.school.nl.evil.example") as evil:
        victim = evil.base.replace("moodle.school.nl.evil.example", "moodle.school.nl")
        evil.conf_overrides = {"issuer": victim}
        resp = Browser(tool_url).get(evil.registration_path())
        assert resp.status_code == 400 and "another site" in resp.text
        assert [p for _, p, _ in evil.requests] == ["/lms/.well-known/openid-configuration"]
        assert platforms_of(db_session, victim) == []


@pytest.mark.parametrize("key", ["authorization_endpoint", "token_endpoint", "jwks_uri", "registration_endpoint"])
def test_every_endpoint_must_be_on_the_issuers_origin_and_the_token_goes_nowhere_else(
        tool_url, db_session, allow_local, key):
    with registering_lms() as lms, registering_lms() as elsewhere:
        lms.conf_overrides = {key: elsewhere.issuer + "/" + key}
        resp = Browser(tool_url).get(lms.registration_path(token="secret-reg-token"))
        assert resp.status_code == 400 and key in resp.text
        assert elsewhere.requests == []
        assert all("secret-reg-token" not in str(headers) for _, _, headers in lms.requests)
        assert platforms_of(db_session, lms.issuer) == []


def test_the_registration_token_goes_only_to_the_registration_endpoint(tool_url, db_session, allow_local):
    with registering_lms() as lms:
        resp = Browser(tool_url).get(lms.registration_path(token="secret-reg-token"))
        assert resp.status_code == 200, resp.text
        sent = {(method, path): headers.get("Authorization") for method, path, headers in lms.requests}
        assert sent == {("GET", "/lms/.well-known/openid-configuration"): None,
                        ("POST", "/lms/register"): "Bearer secret-reg-token"}
        assert [p.status for p in platforms_of(db_session, lms.issuer)] == ["pending"]


def test_a_redirect_to_another_host_is_not_followed(tool_url, allow_local):
    with registering_lms() as lms, registering_lms() as elsewhere:
        lms.routes["/lms/old-conf"] = lambda request: Response(
            "", 302, {"Location": elsewhere.configuration_url})
        resp = Browser(tool_url).get(lms.registration_path(url=lms.issuer + "/old-conf"))
        assert resp.status_code == 400 and "redirects elsewhere" in resp.text
        assert elsewhere.requests == []


def test_a_redirect_on_the_same_origin_is_followed(tool_url, allow_local):
    with registering_lms() as lms:
        lms.routes["/lms/old-conf"] = lambda request: Response("", 301, {"Location": "/lms/.well-known/openid-configuration"})
        resp = Browser(tool_url).get(lms.registration_path(url=lms.issuer + "/old-conf"))
        assert resp.status_code == 200, resp.text


# --- size and time ---------------------------------------------------------------------------------

@pytest.mark.parametrize("chunked", [False, True])
def test_an_oversized_configuration_is_refused_without_reading_it_all(tool_url, allow_local, chunked):
    sent = []

    def huge(request):
        def body():
            for _ in range(1024):  # 8 MB in all, if anyone read it
                sent.append(1)
                yield b" " * 8192
        headers = {} if chunked else {"Content-Length": str(1024 * 8192)}
        return Response(body(), 200, headers, mimetype="application/json")

    with registering_lms() as lms:
        lms.routes["/lms/.well-known/openid-configuration"] = huge
        resp = Browser(tool_url).get(lms.registration_path())
        assert resp.status_code == 400 and "larger than 64 kB" in resp.text
        assert len(sent) < 1024


def test_a_configuration_that_dribbles_in_is_given_up_on_time(tool_url, app, monkeypatch, allow_local):
    monkeypatch.setitem(app.config, "LTI_REGISTRATION_TIMEOUT", 1.0)

    def slow(request):
        def body():
            for _ in range(100):
                time.sleep(0.2)
                yield b" "
        return Response(body(), 200, mimetype="application/json")

    with registering_lms() as lms:
        lms.routes["/lms/.well-known/openid-configuration"] = slow
        started = time.monotonic()
        resp = Browser(tool_url).get(lms.registration_path())
        assert resp.status_code == 400 and "too long" in resp.text
        assert time.monotonic() - started < 5


# --- rate limits ----------------------------------------------------------------------------------

def test_registration_is_limited_per_source_address(app, monkeypatch):
    monkeypatch.setitem(app.config, "LTI_REGISTRATION_RATE_PER_ADDRESS", "3 per minute")
    client = app.test_client()
    path = "/lti/register?openid_configuration=ftp://lms.example/conf"
    answers = [client.get(path, environ_base={"REMOTE_ADDR": "198.51.100.7"}).status_code for _ in range(5)]
    assert answers == [400, 400, 400, 429, 429]
    assert client.get(path, environ_base={"REMOTE_ADDR": "198.51.100.8"}).status_code == 400
    # An IPv6 client counts by its /64: a new address in the same network is the same client.
    v6 = [client.get(path, environ_base={"REMOTE_ADDR": f"2001:db8:1:2::{n}"}).status_code for n in range(1, 6)]
    assert v6 == [400, 400, 400, 429, 429]


def test_registration_is_limited_in_total(app, monkeypatch):
    """300 registrations from 300 addresses: the total limit stops them (a stranger changed nothing)."""
    monkeypatch.setitem(app.config, "LTI_REGISTRATION_RATE_TOTAL", "20 per hour")
    client = app.test_client()
    path = "/lti/register?openid_configuration=ftp://lms.example/conf"
    answers = [client.get(path, environ_base={"REMOTE_ADDR": f"198.51.{n // 250}.{n % 250 + 1}"}).status_code
               for n in range(300)]
    assert answers.count(429) == 280 and set(answers[:20]) == {400}


def test_at_most_so_many_registrations_wait_at_a_time(tool_url, app, db_session, monkeypatch, allow_local):
    pending = db_session.scalar(select(func.count()).select_from(Platform).where(Platform.status == "pending"))
    monkeypatch.setitem(app.config, "LTI_REGISTRATION_MAX_PENDING", pending + 1)
    with registering_lms() as first, registering_lms() as second:
        assert Browser(tool_url).get(first.registration_path()).status_code == 200
        refused = Browser(tool_url).get(second.registration_path())
        assert refused.status_code == 429 and "waiting for approval" in refused.text
        assert platforms_of(db_session, second.issuer) == []


# --- Moodle's "Update", and no takeover ------------------------------------------------------------

@pytest.fixture
def moodle(tool_url):
    """The demo LMS, unknown to the tool, as Moodle registers: the same client id when registering again."""
    port = reserve_port()
    lms = DemoLMS(issuer=f"http://127.0.0.1:{port}/moodle", tool_base_url=tool_url,
                  client_id="unused", deployment_id="7", school_name="Update school")
    with serve(create_lms_app(lms), port=port):
        yield lms


def _register(browser, lms):
    lms.registration_token = "reg-" + secrets.token_hex(4)
    from urllib.parse import quote
    return browser.get("/lti/register?openid_configuration=" + quote(lms.openid_configuration_url, safe="")
                       + "&registration_token=" + quote(lms.registration_token))


def test_moodles_update_of_a_registration_updates_it(tool_url, moodle, db_session, allow_local, monkeypatch):
    browser = Browser(tool_url)
    first = _register(browser, moodle)
    assert first.status_code == 200, first.text
    [platform] = platforms_of(db_session, moodle.issuer)
    first_deployment = platform.deployments[0].deployment_id
    original = moodle.openid_configuration
    monkeypatch.setattr(moodle, "openid_configuration",
                        lambda: {**original(), "authorization_endpoint": moodle.issuer + "/auth-v2",
                                 "jwks_uri": moodle.issuer + "/keys-v2"})
    moodle.deployment_id = "8"  # a new deployment id with the update
    again = _register(browser, moodle)
    assert again.status_code == 200, again.text
    assert "updated" in again.text and "data-close-registration" in again.text
    [updated] = platforms_of(db_session, moodle.issuer)
    assert updated.id == platform.id and updated.status == "pending"
    assert updated.auth_login_url == moodle.issuer + "/auth-v2" and updated.key_set_url == moodle.issuer + "/keys-v2"
    assert sorted(d.deployment_id for d in updated.deployments) == sorted({first_deployment, "8"})


def test_an_update_keeps_an_approved_registration_approved_and_its_school(tool_url, app, moodle, db_session,
                                                                          allow_local):
    """A new deployment id in the update waits for its school: it may be the board's next school."""
    from lti_tool.cli import main
    browser = Browser(tool_url)
    assert _register(browser, moodle).status_code == 200
    [platform] = platforms_of(db_session, moodle.issuer)
    result = app.test_cli_runner().invoke(main, ["platforms", "approve", str(platform.id), "--school", "Update school"])
    assert result.exit_code == 0, result.output
    moodle.deployment_id = "9"
    again = _register(browser, moodle)
    assert again.status_code == 200 and "updated" in again.text
    [updated] = platforms_of(db_session, moodle.issuer)
    assert updated.status == "active"
    schools = {d.deployment_id: d.school.name if d.school else None for d in updated.deployments}
    assert schools.pop("9") is None and set(schools.values()) == {"Update school"}


def test_a_registration_never_changes_another_issuers_platform(tool_url, lms, db_session, allow_local):
    """A second LMS whose registration hands back the client id of a registered platform gets its
    own pending registration; the other issuer's platform keeps its endpoints."""
    [victim] = [p for p in platforms_of(db_session, lms.issuer) if p.client_id == lms.client_id]
    before = (victim.auth_login_url, victim.auth_token_url, victim.key_set_url, victim.status)
    with registering_lms() as stranger:
        stranger.client_id = lms.client_id
        assert Browser(tool_url).get(stranger.registration_path()).status_code == 200
        [victim] = [p for p in platforms_of(db_session, lms.issuer) if p.client_id == lms.client_id]
        assert (victim.auth_login_url, victim.auth_token_url, victim.key_set_url, victim.status) == before
        assert [p.status for p in platforms_of(db_session, stranger.issuer)] == ["pending"]
        # And claiming the other issuer outright is refused (its configuration is on another site).
        stranger.conf_overrides = {"issuer": lms.issuer}
        assert Browser(tool_url).get(stranger.registration_path()).status_code == 400
        [victim] = [p for p in platforms_of(db_session, lms.issuer) if p.client_id == lms.client_id]
        assert (victim.auth_login_url, victim.auth_token_url, victim.key_set_url, victim.status) == before


def test_registration_limits_hold_while_redis_is_away(tmp_path):
    """With REDIS_URL set and Redis down, each process counts in its own memory: 429s, not 500s."""
    from lti_tool import create_app
    port = reserve_port()  # nothing listens there
    app = create_app({"TESTING": True, "SECRET_KEY": "redis-away", "SQLALCHEMY_DATABASE_URI": "sqlite://",
                      "LTI_CONFIG": str(tmp_path / "lti_config.json"),
                      "RATELIMIT_STORAGE_URI": f"redis://127.0.0.1:{port}/0",
                      "LTI_REGISTRATION_RATE_PER_ADDRESS": "2 per minute"})
    client = app.test_client()
    answers = [client.get("/lti/register?openid_configuration=ftp://lms.example/conf").status_code
               for _ in range(4)]
    assert answers == [400, 400, 429, 429]


# --- HTTPS to the checked address ------------------------------------------------------------------

def _certificates(tmp_path, name: str):
    """A CA of the test's own and a certificate it signed for name: (CA file, cert file, key file)."""
    import datetime

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "Test CA")])
    ca = (x509.CertificateBuilder().subject_name(ca_name).issuer_name(ca_name).public_key(ca_key.public_key())
          .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
          .not_valid_after(now + datetime.timedelta(days=1))
          .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
          .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
          .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
          .sign(ca_key, hashes.SHA256()))
    leaf = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
            .issuer_name(ca_name).public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(days=1)).not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName([x509.DNSName(name)]), critical=False)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
            .sign(ca_key, hashes.SHA256()))
    files = tmp_path / "ca.pem", tmp_path / "cert.pem", tmp_path / "key.pem"
    files[0].write_bytes(ca.public_bytes(serialization.Encoding.PEM))
    files[1].write_bytes(leaf.public_bytes(serialization.Encoding.PEM))
    files[2].write_bytes(key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return files


@pytest.fixture
def tls_lms(tmp_path, dns, app, monkeypatch, allow_local):
    """A registering LMS over HTTPS as lms.tls.example (resolved to 127.0.0.1), its CA trusted, http refused."""
    import ssl
    import threading

    from werkzeug.serving import make_server

    from .lms_double import RegisteringLMS
    ca, cert, key = _certificates(tmp_path, "lms.tls.example")
    monkeypatch.setattr(outbound.certifi, "where", lambda: str(ca))
    monkeypatch.setitem(app.config, "LTI_REGISTRATION_ALLOW_HTTP", False)
    dns.answer("lms.tls.example", "127.0.0.1")
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    port = reserve_port()
    lms = RegisteringLMS(f"https://lms.tls.example:{port}")
    server = make_server("127.0.0.1", port, lms, threaded=True, ssl_context=context)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield lms
    finally:
        server.shutdown()
        thread.join(timeout=5)


def test_https_goes_to_the_checked_address_with_the_names_certificate(tool_url, tls_lms, db_session):
    resp = Browser(tool_url).get(tls_lms.registration_path())
    assert resp.status_code == 200, resp.text
    assert [(m, p) for m, p, _ in tls_lms.requests] == [("GET", "/lms/.well-known/openid-configuration"),
                                                        ("POST", "/lms/register")]
    assert all(h["Host"] == tls_lms.base.removeprefix("https://") for _, _, h in tls_lms.requests)
    assert [p.status for p in platforms_of(db_session, tls_lms.issuer)] == ["pending"]


def test_a_certificate_for_another_name_is_refused(tool_url, tls_lms, dns, db_session):
    dns.answer("other.tls.example", "127.0.0.1")  # the same server, under a name its certificate lacks
    other = tls_lms.base.replace("lms.tls.example", "other.tls.example")
    tls_lms.conf_overrides = {key: value.replace("lms.tls.example", "other.tls.example")
                              for key, value in tls_lms.configuration().items()}
    resp = Browser(tool_url).get(tls_lms.registration_path(url=other + "/lms/.well-known/openid-configuration"))
    assert resp.status_code == 400 and "could not be reached" in resp.text
    assert tls_lms.requests == []
