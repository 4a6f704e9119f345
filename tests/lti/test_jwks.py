"""The tool's public key set, as LMSs read it."""
import requests
from sqlalchemy import select

from lti_tool.platforms.models import ToolKey


def test_jwks_is_a_flat_key_set_of_rsa_signing_keys(tool_url):
    resp = requests.get(tool_url + "/lti/jwks", timeout=10)
    assert resp.status_code == 200
    assert resp.headers["Content-Type"].startswith("application/json")
    body = resp.json()
    assert set(body) == {"keys"} and isinstance(body["keys"], list) and body["keys"]
    for key in body["keys"]:
        assert key["kty"] == "RSA" and key["alg"] == "RS256" and key["use"] == "sig" and key["kid"]
        assert "d" not in key and "p" not in key  # never the private half


def test_private_keys_are_encrypted_at_rest(tool_url, db_session):
    requests.get(tool_url + "/lti/jwks", timeout=10)
    for key in db_session.scalars(select(ToolKey)):
        assert b"PRIVATE KEY" not in key.private_key_encrypted
