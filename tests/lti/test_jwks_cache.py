"""The platform's key set is cached, and refetched on an unknown kid at most once a minute."""
import pytest
from flask import Flask, jsonify

from lti_tool.errors import LaunchRefused
from lti_tool.lti import jwks_cache
from tests.support.servers import serve


@pytest.fixture
def keyset_server():
    served = {"keys": [{"kid": "a", "kty": "RSA"}], "hits": 0}
    platform = Flask("keyset")

    @platform.route("/jwks")
    def jwks():
        served["hits"] += 1
        return jsonify({"keys": served["keys"]})

    @platform.route("/not-json")
    def not_json():
        return "hello"

    with serve(platform) as url:
        yield url, served


@pytest.fixture
def clock(app, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(jwks_cache.time, "monotonic", lambda: now[0])
    jwks_cache.clear()
    with app.app_context():
        yield now
    jwks_cache.clear()


def test_known_kid_is_served_from_cache(keyset_server, clock):
    url, served = keyset_server
    assert jwks_cache.find_key(url + "/jwks", "a")["kid"] == "a"
    assert jwks_cache.find_key(url + "/jwks", "a")["kid"] == "a"
    assert served["hits"] == 1


def test_unknown_kid_refetches_at_most_once_a_minute(keyset_server, clock):
    url, served = keyset_server
    jwks_cache.find_key(url + "/jwks", "a")
    served["keys"] = [{"kid": "a"}, {"kid": "b"}]
    clock[0] += 10
    assert jwks_cache.find_key(url + "/jwks", "b") is None  # too soon: no refetch
    assert served["hits"] == 1
    clock[0] += 61
    assert jwks_cache.find_key(url + "/jwks", "b")["kid"] == "b"  # rotated key picked up
    assert served["hits"] == 2
    for _ in range(5):
        jwks_cache.find_key(url + "/jwks", "never")
    assert served["hits"] == 2


def test_a_cached_set_expires_after_an_hour(keyset_server, clock):
    url, served = keyset_server
    jwks_cache.find_key(url + "/jwks", "a")
    clock[0] += 3601
    jwks_cache.find_key(url + "/jwks", "a")
    assert served["hits"] == 2


def test_an_unreachable_or_invalid_key_set_is_a_launch_refusal(keyset_server, clock):
    url, _ = keyset_server
    with pytest.raises(LaunchRefused):
        jwks_cache.find_key(url + "/not-json", "a")
    with pytest.raises(LaunchRefused):
        jwks_cache.find_key("http://127.0.0.1:9/jwks", "a")
