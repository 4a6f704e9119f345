"""Sealing report contents at rest: AEAD (AES-GCM) under data keys from the configuration.

`DATA_KEYS` lists keys as `id:base64url-32-bytes`, comma-separated, the first one active; without
it, one key is derived from SECRET_KEY (the embedded default). Each sealed value starts with its
key id, so after a new key is put first, `lti-tool keys rotate-data` re-seals everything and the
old key can be dropped. The associated data binds a value to its school and field, so a
ciphertext copied into another school's row or another column does not open.
"""
import base64
import hashlib
import hmac
import json

from flask import current_app

from . import crypto

_SEP = b"\x00"


class KeyMissing(RuntimeError):
    """A sealed value names a data key that the configuration no longer has."""


def _keys() -> dict[str, bytes]:
    cached = current_app.extensions.get("data_keys")
    if cached is None:
        cached = parse_keys(current_app.config.get("DATA_KEYS") or "", current_app.config["SECRET_KEY"])
        current_app.extensions["data_keys"] = cached
    return cached


def parse_keys(spec: str, secret_key: str) -> dict[str, bytes]:
    """Read DATA_KEYS ("id:key,id:key", first active) or derive the default key from SECRET_KEY."""
    keys: dict[str, bytes] = {}
    for item in filter(None, (part.strip() for part in spec.split(","))):
        key_id, _, encoded = item.partition(":")
        raw = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
        if not key_id or len(raw) != 32 or not key_id.isalnum():
            raise ValueError("DATA_KEYS entries are id:base64url of 32 bytes, ids alphanumeric")
        keys[key_id] = raw
    return keys or {"s1": crypto.derive_key(secret_key, "report-data")}


def active_key_id() -> str:
    return next(iter(_keys()))


def key_id_of(blob: bytes) -> str:
    return blob.split(_SEP, 1)[0].decode()


def seal(value, school_id: int, field: str) -> bytes | None:
    """Encrypt a text or JSON-able value for one school's field; None stays None."""
    if value is None:
        return None
    key_id = active_key_id()
    plain = json.dumps(value, ensure_ascii=False).encode()
    return key_id.encode() + _SEP + crypto.encrypt(_keys()[key_id], plain, _associated(school_id, field))


def unseal(blob: bytes | None, school_id: int, field: str):
    """Decrypt what seal() made for the same school and field."""
    if blob is None:
        return None
    key_id, _, sealed = bytes(blob).partition(_SEP)
    key = _keys().get(key_id.decode())
    if key is None:
        raise KeyMissing(f"data key {key_id.decode()!r} is not configured")
    return json.loads(crypto.decrypt(key, sealed, _associated(school_id, field)))


def reseal(blob: bytes | None, school_id: int, field: str) -> bytes | None:
    """Seal again under the active key (for rotation); unchanged when it already is."""
    if blob is None or key_id_of(bytes(blob)) == active_key_id():
        return blob
    return seal(unseal(blob, school_id, field), school_id, field)


def lookup(school_id: int, user_id: int) -> str:
    """A keyed hash naming a reporter without revealing them, under the active key."""
    return _lookup_with(_keys()[active_key_id()], school_id, user_id)


def lookups(school_id: int, user_id: int) -> list[str]:
    """The hash under every configured key: finds a reporter's reports during a key rotation too."""
    return [_lookup_with(key, school_id, user_id) for key in _keys().values()]


def _lookup_with(key: bytes, school_id: int, user_id: int) -> str:
    derived = hmac.new(key, b"reporter-lookup", hashlib.sha256).digest()
    return hmac.new(derived, f"{school_id}:{user_id}".encode(), hashlib.sha256).hexdigest()


def _associated(school_id: int, field: str) -> bytes:
    return f"veilig-online:{school_id}:{field}".encode()
