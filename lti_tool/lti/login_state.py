"""The OIDC login's state: signed by the tool and carried by the LMS, not stored at login.

A login answers with a redirect to the LMS and stores nothing: the state it sends is a signed,
timestamped token naming the platform, the nonce and the login's parameters (for a new-window
restart). The LMS hands it back with the id_token. What makes a launch single-use is the nonce,
which the launch records in lti_used_nonces in the same transaction that accepts it: a second
presentation of the same id_token, from any browser and on any worker, finds it there.

The state cookie binds the login to the browser: it holds a random id that the signed state
names too, so a state is only accepted from the browser the login answered.
"""
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
    browser: str            # the state cookie's value (and the last part of its name)
    login_params: dict      # what the LMS sent to /lti/login, to restart it in a new window


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt="lti-login-state")


def lifetime() -> int:
    """Seconds a login's state stays valid (LTI_LOGIN_STATE_SECONDS)."""
    return current_app.config["LTI_LOGIN_STATE_SECONDS"]


def issue(platform_id: int, login_params: dict) -> tuple[str, LoginState]:
    """A new login's state token, and what it says (with a fresh nonce and browser id)."""
    login = LoginState(platform_id, secrets.token_urlsafe(32), secrets.token_urlsafe(16), login_params)
    token = _serializer().dumps([login.platform_id, login.nonce, login.browser, login.login_params])
    return token, login


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
