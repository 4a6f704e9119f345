"""The platforms' public key sets, cached, and refetched on an unknown kid at most once a minute."""
import threading
import time

import requests
from flask_babel import gettext as _
from flask import current_app

from ..errors import LaunchRefused

_cache: dict[str, tuple[float, dict]] = {}
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


def find_key(url: str, kid: str) -> dict | None:
    """Return the JWK with this kid, refetching the set when the kid is new and the set is old."""
    cfg = current_app.config
    now = time.monotonic()
    with _lock:
        entry = _cache.get(url)
    if entry is None or now - entry[0] > cfg["LTI_JWKS_CACHE_SECONDS"]:
        entry = (now, _fetch(url))
    else:
        key = _match(entry[1], kid)
        if key is None and now - entry[0] > cfg["LTI_JWKS_REFETCH_SECONDS"]:
            entry = (now, _fetch(url))
    with _lock:
        _cache[url] = entry
    return _match(entry[1], kid)


def _match(keyset: dict, kid: str) -> dict | None:
    for key in keyset["keys"]:
        if isinstance(key, dict) and key.get("kid") == kid:
            return key
    return None


def clear() -> None:
    with _lock:
        _cache.clear()
