"""The tool's RSA signing keys: generated on first use, rotated with a grace period, served as JWKS."""
import json
import secrets
from datetime import timedelta

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.rsa import RSAPrivateKey
from flask import current_app
from jwcrypto.jwk import JWK
from sqlalchemy import or_, select

from .. import crypto
from ..db import utcnow
from ..extensions import db
from .models import ToolKey


def _wrapping_key() -> bytes:
    return crypto.derive_key(current_app.config["SECRET_KEY"], "tool-keys")


def _new_key() -> ToolKey:
    private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = private.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())
    kid = secrets.token_urlsafe(16)
    jwk = json.loads(JWK.from_pem(pem).export_public())
    jwk.update({"kid": kid, "alg": "RS256", "use": "sig"})
    return ToolKey(kid=kid, public_jwk=json.dumps(jwk),
                   private_key_encrypted=crypto.encrypt(_wrapping_key(), pem, kid.encode()))


def active_key() -> ToolKey:
    """Return the current signing key, creating the first one when there is none."""
    key = db.session.scalars(
        select(ToolKey).where(ToolKey.retired_at.is_(None)).order_by(ToolKey.id.desc())
    ).first()
    if key is None:
        key = _new_key()
        db.session.add(key)
        db.session.commit()
    return key


def private_pem(key: ToolKey) -> str:
    """Decrypt a key's private half as PEM for signing."""
    return crypto.decrypt(_wrapping_key(), key.private_key_encrypted, key.kid.encode()).decode()


# Loaded private keys, per process. Loading a PEM checks the RSA key (~100 ms of CPU with
# cryptography 50), which PyJWT would otherwise redo for every token signed with the PEM. The
# cache is keyed by the wrapping key and the encrypted blob, so a key is only ever found for the
# exact row it was decrypted from, under the SECRET_KEY that decrypted it.
_signing_keys: dict[tuple[bytes, bytes], RSAPrivateKey] = {}


def signing_key(key: ToolKey) -> RSAPrivateKey:
    """The key's private half as a loaded key object, for jwt.encode; decrypted once per process."""
    cache_key = (_wrapping_key(), bytes(key.private_key_encrypted))
    loaded = _signing_keys.get(cache_key)
    if loaded is None:
        loaded = _signing_keys[cache_key] = serialization.load_pem_private_key(
            private_pem(key).encode(), password=None)
    return loaded


def public_pem(key: ToolKey) -> str:
    return JWK(**json.loads(key.public_jwk)).export_to_pem().decode()


def published_keys() -> list[ToolKey]:
    """Keys that verifiers may still meet: the active one and retired ones within their grace."""
    active_key()
    return list(db.session.scalars(
        select(ToolKey).where(or_(ToolKey.expires_at.is_(None), ToolKey.expires_at > utcnow()))
        .order_by(ToolKey.id)
    ))


def jwks() -> dict:
    """The tool's public key set, in the one shape LMSs accept: {"keys": [...]}."""
    return {"keys": [json.loads(k.public_jwk) for k in published_keys()]}


def rotate(grace_days: int | None = None) -> ToolKey:
    """Add a new signing key; older keys stay published for the grace period."""
    grace = timedelta(days=grace_days if grace_days is not None
                      else current_app.config["TOOL_KEY_GRACE_DAYS"])
    now = utcnow()
    for old in db.session.scalars(select(ToolKey).where(ToolKey.retired_at.is_(None))):
        old.retired_at, old.expires_at = now, now + grace
    key = _new_key()
    db.session.add(key)
    db.session.flush()
    return key
