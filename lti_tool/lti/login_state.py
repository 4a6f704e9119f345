"""The OIDC login's state: signed by the tool and carried by the LMS, not stored at login.

A login answers with a redirect to the LMS and stores nothing: the state it sends is a signed,
timestamped token naming the platform, the nonce and the login's parameters (for a new-window
restart). The LMS hands it back with the id_token. What makes a launch single-use is the nonce,
which the launch records in lti_used_nonces in the same transaction that accepts it: a second
presentation of the same id_token, from any browser and on any worker, finds it there.

The login is bound to the browser that began it by a random secret that only that browser holds:
in the state cookie, or, where the LMS offers LTI platform storage (`lti_storage_target`), in the
platform's storage frame. The signed state names only the secret's digest (`browser`), which is
readable by anyone holding the state, so neither the cookie nor the stored value can be made from it.
"""
import hashlib
import hmac
import secrets
from typing import NamedTuple

from flask import current_app
from itsdangerous import BadData, URLSafeTimedSerializer

COOKIE_PREFIX = "lti1p3-"  # pylti1p3's cookie service adds it when reading
MAX_STATE_CHARS = 16000    # more than any state issue() makes of the longest login LoginSchema lets in


class LoginState(NamedTuple):
    """A login as its signed state tells it: who (platform), which nonce, which browser."""

    platform_id: int
    nonce: str
    browser: str            # the digest of the browser's secret (and the last part of the cookie's name)
    login_params: dict      # what the LMS sent to /lti/login, to restart it in a new window
    secret: str | None = None  # only at login: the value of the cookie (and of the platform storage)


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lti-login-state")


def lifetime() -> int:
    """Seconds a login's state stays valid (LTI_LOGIN_STATE_SECONDS)."""
    return current_app.config["LTI_LOGIN_STATE_SECONDS"]


def _digest(secret: str) -> str:
    return hashlib.sha256(b"lti-login-browser:" + secret.encode()).hexdigest()[:32]


def issue(platform_id: int, login_params: dict) -> tuple[str, LoginState]:
    """A new login's state token, and what it says (with a fresh nonce and browser secret)."""
    secret = secrets.token_urlsafe(24)
    login = LoginState(platform_id, secrets.token_urlsafe(32), _digest(secret), login_params, secret)
    token = _serializer().dumps([login.platform_id, login.nonce, login.browser, login.login_params])
    return token, login


def held_by_browser(login: LoginState, secret: str | None) -> bool:
    """Whether secret (from the cookie or the platform's storage) is the one this login gave its browser."""
    return isinstance(secret, str) and 0 < len(secret) <= 100 and hmac.compare_digest(_digest(secret), login.browser)


def storage_key(login: LoginState) -> str:
    """The key under which the platform's storage keeps this login's secret."""
    return "vo-login-" + login.browser


def storage_target(login: LoginState) -> str | None:
    """The LMS's platform-storage frame for this login, if it offered one."""
    target = login.login_params.get("lti_storage_target")
    return target if isinstance(target, str) and target else None


def read(token: str | None) -> LoginState | None:
    """What a state token says, if the tool signed it within its lifetime; else None."""
    if not isinstance(token, str) or not token or len(token) > MAX_STATE_CHARS:
        return None
    try:
        platform_id, nonce, browser, params = _serializer().loads(token, max_age=lifetime())
    except (BadData, TypeError, ValueError):
        return None
    if not (isinstance(platform_id, int) and isinstance(nonce, str) and isinstance(browser, str)
            and isinstance(params, dict)):
        return None
    return LoginState(platform_id, nonce, browser, params)


def cookie_name(login: LoginState) -> str:
    return COOKIE_PREFIX + login.browser
