"""Calling a platform's LTI Advantage services (AGS, NRPS) as the tool: tokens, then requests.

Access tokens come from the platform's token endpoint (client credentials with a JWT assertion
signed by the tool's key) and are kept in the database, shared by every worker, until shortly
before they expire. Every failure is a ServiceFailure that says whether retrying can help. The
gradebook (gradebook/ags.py) and the rosters (courses/roster.py) build on this client.
"""
import json
import secrets
import time
from datetime import timedelta
from urllib.parse import urlsplit

import jwt
import requests
from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from ..db import utcnow
from ..extensions import db
from . import keys
from .models import AccessToken

TOKEN_MARGIN = timedelta(seconds=60)   # a token this close to its expiry is not used any more


class ServiceFailure(Exception):
    """A call to the LMS that did not succeed; `transient` ones are worth retrying later."""

    def __init__(self, message: str, *, transient: bool, unreachable: bool = False,
                 retry_after: float | None = None):
        super().__init__(message[:500])
        self.message = message[:500]
        self.transient, self.unreachable, self.retry_after = transient, unreachable, retry_after


class Client:
    """One worker's connection to the LMSs it calls (an HTTP session and known tokens)."""

    def __init__(self, http: requests.Session, timeout: float):
        self.http, self.timeout = http, timeout
        self._tokens: dict[tuple[int, str], tuple[str, object]] = {}

    # --- tokens ------------------------------------------------------------------------------------
    def token(self, platform, scopes: tuple[str, ...]) -> str:
        """A live access token for these scopes: this worker's, the database's, or a new one."""
        key = (platform.id, " ".join(sorted(scopes)))
        now = utcnow()
        known = self._tokens.get(key)
        if known and known[1] - TOKEN_MARGIN > now:
            return known[0]
        # Its own session: the cache is shared at once, whatever the caller's transaction holds.
        with Session(db.engine) as session:
            row = session.scalars(select(AccessToken).where(
                AccessToken.platform_id == key[0], AccessToken.scopes == key[1])).first()
            if row is not None and row.expires_at - TOKEN_MARGIN > now:
                self._tokens[key] = (row.token, row.expires_at)
                return row.token
        token, expires_at = self._fetch_token(platform, scopes)
        values = {"platform_id": key[0], "scopes": key[1], "token": token, "expires_at": expires_at}
        with Session(db.engine) as session:
            dialect = postgresql if session.get_bind().dialect.name == "postgresql" else sqlite
            session.execute(dialect.insert(AccessToken).values(**values).on_conflict_do_update(
                index_elements=["platform_id", "scopes"],
                set_={"token": token, "expires_at": expires_at}))
            session.commit()
        self._tokens[key] = (token, expires_at)
        return token

    def drop_token(self, platform, scopes: tuple[str, ...]) -> None:
        """Forget a token the LMS refused, here and for every other worker."""
        key = (platform.id, " ".join(sorted(scopes)))
        known = self._tokens.pop(key, None)
        with Session(db.engine) as session:
            query = delete(AccessToken).where(AccessToken.platform_id == key[0],
                                              AccessToken.scopes == key[1])
            if known:  # only the refused token: another worker may have stored a fresh one
                query = query.where(AccessToken.token == known[0])
            session.execute(query)
            session.commit()

    def _fetch_token(self, platform, scopes: tuple[str, ...]):
        """Client-credentials grant with a signed JWT assertion (LTI Security Framework 4.1)."""
        key = keys.active_key()
        now = int(time.time())
        assertion = jwt.encode(
            {"iss": platform.client_id, "sub": platform.client_id,
             "aud": platform.auth_audience or platform.auth_token_url,
             "iat": now, "exp": now + 300, "jti": secrets.token_urlsafe(24)},
            keys.signing_key(key), algorithm="RS256", headers={"kid": key.kid})
        form = {"grant_type": "client_credentials",
                "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer",
                "client_assertion": assertion, "scope": " ".join(sorted(scopes))}
        response = self._send("POST", platform.auth_token_url, data=form,
                              headers={"Accept": "application/json"})
        if response.status_code != 200:
            # A refused grant is a registration problem an administrator can fix: keep retrying.
            failure = _failure("token request", response)
            raise ServiceFailure(failure.message, transient=True, retry_after=failure.retry_after)
        try:
            body = response.json()
            token = body["access_token"]
            lifetime = int(body.get("expires_in") or 3600)
        except (ValueError, KeyError, TypeError):
            raise ServiceFailure("the token endpoint answered without an access_token", transient=True)
        return token, utcnow() + timedelta(seconds=max(lifetime, 0))

    # --- services ----------------------------------------------------------------------------------
    def call(self, platform, scopes: tuple[str, ...], method: str, url: str, *,
             body: dict | None = None, content_type: str | None = None, accept: str | None = None,
             params: dict | None = None) -> requests.Response:
        """Call a service endpoint with a bearer token; on 401 get a new token and try once more."""
        for attempt in (1, 2):
            headers = {"Authorization": "Bearer " + self.token(platform, scopes)}
            if content_type:
                headers["Content-Type"] = content_type
            if accept:
                headers["Accept"] = accept
            response = self._send(method, url, headers=headers, params=params,
                                  data=json.dumps(body) if body is not None else None)
            if response.status_code == 401 and attempt == 1:
                self.drop_token(platform, scopes)
                continue
            if 200 <= response.status_code < 300:
                return response
            raise _failure(f"{method} {_path(url)}", response)
        raise AssertionError("unreachable")  # pragma: no cover

    def _send(self, method: str, url: str, **kw) -> requests.Response:
        try:
            return self.http.request(method, url, timeout=self.timeout, allow_redirects=False, **kw)
        except requests.Timeout:
            raise ServiceFailure(f"{method} {_path(url)}: no answer within {self.timeout:g}s",
                                 transient=True, unreachable=True)
        except requests.ConnectionError as exc:
            raise ServiceFailure(f"{method} {_path(url)}: cannot connect ({type(exc).__name__})",
                                 transient=True, unreachable=True)
        except requests.RequestException as exc:
            raise ServiceFailure(f"{method} {_path(url)}: {type(exc).__name__}", transient=True)


def _failure(what: str, response: requests.Response) -> ServiceFailure:
    """Classify an LMS answer: 5xx, 429 and a repeated 401 pass; other 4xx will not get better."""
    status = response.status_code
    detail = " ".join((response.text or "").split())[:200]
    message = f"{status} from {what}" + (f": {detail}" if detail else "")
    retry_after = None
    if status == 429:
        try:
            retry_after = float(response.headers.get("Retry-After", ""))
        except ValueError:
            retry_after = None
    transient = status >= 500 or status in (401, 408, 429)
    return ServiceFailure(message, transient=transient, retry_after=retry_after)


def json_of(response: requests.Response):
    """The answer's JSON body; an answer that is not JSON is a (transient) ServiceFailure."""
    try:
        return response.json()
    except ValueError:
        raise ServiceFailure(f"the LMS answered {_path(response.url)} with something other than JSON",
                             transient=True)


def _path(url: str) -> str:
    """A URL without its query, for error messages."""
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}{parts.path}" if parts.netloc else (url or "")
