"""The platforms' public key sets, cached, and refetched on an unknown kid at most once a minute.

With REDIS_URL the cache is shared by every worker and host, and so is the once-a-minute limit
(a Redis key that only one of them can set per minute). When Redis is away the cache degrades to
this process's memory, as without Redis: launches go on, each process fetching for itself.
"""
import hashlib
import json
import threading
import time

import jwt
import requests
from flask_babel import gettext as _
from flask import current_app
from redis.exceptions import RedisError

from ..errors import LaunchRefused
from .. import redis_client

_cache: dict[str, "_KeySet"] = {}
_lock = threading.Lock()


def _fetch(url: str) -> dict:
    try:
        resp = requests.get(url, timeout=current_app.config["LTI_HTTP_TIMEOUT"],
                            headers={"Accept": "application/json"})
        resp.raise_for_status()
        data = resp.json()
    except (requests.RequestException, ValueError) as exc:
        raise LaunchRefused(
            _("The LMS's public keys could not be read."),
            hint=_("Check the platform's public keyset URL (%(url)s): it must answer a JSON Web Key Set.", url=url),
            status=400) from exc
    if not isinstance(data, dict) or not isinstance(data.get("keys"), list):
        raise LaunchRefused(_("The LMS's public keyset is not a JSON Web Key Set."),
                            hint=_("%(url)s must answer a key set: {\"keys\": [...]}.", url=url))
    return data


class _KeySet:
    """One fetched key set, with the key objects parsed from it so far (once, not per launch)."""

    def __init__(self, fetched_at: float, data: dict, stamp: str = ""):
        self.fetched_at, self.data, self.stamp = fetched_at, data, stamp
        self.parsed: dict[str, object] = {}


def _current(url: str, kid: str) -> _KeySet:
    """The cached set for url: shared through Redis when there is one, else this process's own."""
    store = redis_client.usable()
    if store is not None:
        try:
            return _current_shared(store, url, kid)
        except RedisError as exc:
            redis_client.failed(exc, "the platforms' key sets are cached per process")
    return _current_local(url, kid)


def _current_shared(store, url: str, kid: str) -> _KeySet:
    """The set in Redis (it expires there); refetched when it lacks kid, by one worker a minute."""
    cfg = current_app.config
    name = f"{cfg['REDIS_PREFIX']}:jwks:{hashlib.sha256(url.encode()).hexdigest()}"
    raw = store.get(name)
    if raw is not None:
        stamp, _sep, body = raw.decode().partition("\n")
        entry = _remembered(url, body, stamp)
        if _match(entry.data, kid) is not None or not store.set(
                name + ":refetch", 1, nx=True, ex=int(cfg["LTI_JWKS_REFETCH_SECONDS"])):
            return entry
    else:
        store.set(name + ":refetch", 1, ex=int(cfg["LTI_JWKS_REFETCH_SECONDS"]))
    body, stamp = json.dumps(_fetch(url)), str(time.time())
    store.set(name, stamp + "\n" + body, ex=int(cfg["LTI_JWKS_CACHE_SECONDS"]))
    return _remembered(url, body, stamp)


def _remembered(url: str, body: str, stamp: str) -> _KeySet:
    """This process's entry for the shared set with this stamp (parsed once, its keys reused)."""
    with _lock:
        entry = _cache.get(url)
    if entry is None or entry.stamp != stamp:
        entry = _KeySet(time.monotonic(), json.loads(body), stamp)
        with _lock:
            _cache[url] = entry
    return entry


def _current_local(url: str, kid: str) -> _KeySet:
    """The cached set for url, refetched when it has expired, or when it lacks kid and was
    fetched over LTI_JWKS_REFETCH_SECONDS ago."""
    cfg = current_app.config
    now = time.monotonic()
    with _lock:
        entry = _cache.get(url)
    if entry is None or now - entry.fetched_at > cfg["LTI_JWKS_CACHE_SECONDS"]:
        entry = _KeySet(now, _fetch(url))
    elif (_match(entry.data, kid) is None
          and now - entry.fetched_at > cfg["LTI_JWKS_REFETCH_SECONDS"]):
        entry = _KeySet(now, _fetch(url))
    with _lock:
        _cache[url] = entry
    return entry


def find_key(url: str, kid: str) -> dict | None:
    """Return the JWK with this kid, refetching the set when the kid is new and the set is old."""
    return _match(_current(url, kid).data, kid)


def find_public_key(url: str, kid: str):
    """Return (JWK, RSA public key) for this kid as find_key finds it, or None.

    The key object lives with the set it was parsed from: a refetched set starts with none, so a
    key is never used after it left the platform's set.
    """
    entry = _current(url, kid)
    jwk = _match(entry.data, kid)
    if jwk is None:
        return None
    key = entry.parsed.get(kid)
    if key is None:
        key = entry.parsed[kid] = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))
    return jwk, key


def _match(keyset: dict, kid: str) -> dict | None:
    for key in keyset["keys"]:
        if isinstance(key, dict) and key.get("kid") == kid:
            return key
    return None


def clear() -> None:
    with _lock:
        _cache.clear()
