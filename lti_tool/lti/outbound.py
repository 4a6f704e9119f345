"""Calls to addresses a stranger named (dynamic registration), made so they cannot reach inside.

Each request: an http(s) URL without user information (https only unless
LTI_REGISTRATION_ALLOW_HTTP), its host resolved once and every address checked to be public
(addresses.is_public, unless LTI_REGISTRATION_ALLOW_PRIVATE), and the connection made to the
address that was checked, with the host name kept for the Host header, SNI and the certificate
check, so a DNS answer that changes between check and connect (rebinding) changes nothing.
Redirects are followed only on the same origin (checked again), at most a few times; answers are
read streamed up to LTI_REGISTRATION_MAX_BYTES within LTI_REGISTRATION_TIMEOUT seconds in all,
and parsed with the JSON nesting limit. No proxy from the environment is used.
"""
import json
import socket
import time
from urllib.parse import urljoin, urlsplit

import certifi
import urllib3
from flask import current_app
from flask_babel import gettext as _

from .. import jsonsafe
from ..errors import AppError
from .addresses import is_public, origin, same_origin

REDIRECTS = (301, 302, 303, 307, 308)
MAX_REDIRECTS = 3


class OutboundRefused(AppError):
    """A call the tool will not make, or whose answer it will not read; nothing was stored."""

    code = "outbound_refused"


def check_url(url: str) -> tuple[str, str, int]:
    """The URL's origin, if the tool may call it at all (scheme and form; addresses come later)."""
    found = origin(url)
    if found is None:
        raise OutboundRefused(_("%(url)s is not an http(s) address the tool can call.", url=url))
    if found[0] != "https" and not current_app.config["LTI_REGISTRATION_ALLOW_HTTP"]:
        raise OutboundRefused(_("%(url)s does not use HTTPS; the tool only calls LMSs over HTTPS.", url=url))
    return found


def resolve(host: str, port: int) -> str:
    """The address to connect to for host: every address it resolves to must be public."""
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (OSError, UnicodeError):
        raise OutboundRefused(_("The host %(host)s could not be found.", host=host))
    addresses = [info[4][0] for info in infos]
    if not addresses:
        raise OutboundRefused(_("The host %(host)s could not be found.", host=host))
    if not current_app.config["LTI_REGISTRATION_ALLOW_PRIVATE"]:
        if not all(is_public(address) for address in addresses):
            raise OutboundRefused(_("%(host)s is not an address on the public internet; the tool does "
                                    "not call it.", host=host))
    return addresses[0]


def _exchange(url: str, method: str, body: bytes | None, headers: dict, deadline: float):
    """One request to url's checked address: (status, Location, body read within the limits)."""
    scheme, host, port = check_url(url)
    address = resolve(host, port)
    remaining = max(deadline - time.monotonic(), 0.1)
    timeout = urllib3.Timeout(connect=remaining, read=remaining)
    if scheme == "https":
        pool = urllib3.HTTPSConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1,
                                           cert_reqs="CERT_REQUIRED", ca_certs=certifi.where(),
                                           server_hostname=host, assert_hostname=host)
    else:
        pool = urllib3.HTTPConnectionPool(address, port, timeout=timeout, retries=False, maxsize=1)
    parts = urlsplit(url)
    target = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    try:
        response = pool.urlopen(method, target, body=body, headers={**headers, "Host": parts.netloc},
                                redirect=False, retries=False, preload_content=False,
                                decode_content=False, assert_same_host=False)
        try:
            if response.status in REDIRECTS:
                return response.status, response.headers.get("Location", ""), b""
            return response.status, None, _read(response, url, deadline)
        finally:
            response.close()
    except urllib3.exceptions.HTTPError:
        raise OutboundRefused(_("%(url)s could not be reached.", url=url))
    finally:
        pool.close()


def _read(response, url: str, deadline: float) -> bytes:
    """The body, streamed: refused past the size limit or the time limit."""
    limit = current_app.config["LTI_REGISTRATION_MAX_BYTES"]
    chunks, size = [], 0
    try:
        while True:
            if time.monotonic() > deadline:
                raise OutboundRefused(_("%(url)s took too long to answer.", url=url))
            chunk = response.read1(8192)
            if not chunk:
                return b"".join(chunks)
            size += len(chunk)
            if size > limit:
                raise OutboundRefused(_("The answer from %(url)s is larger than %(n)s kB.",
                                        url=url, n=limit // 1024))
            chunks.append(chunk)
    except urllib3.exceptions.HTTPError:
        raise OutboundRefused(_("%(url)s could not be reached.", url=url))


def fetch_json(url: str, *, method: str = "GET", payload: dict | None = None, bearer: str | None = None):
    """The parsed JSON of a successful (2xx) call; GET follows same-origin redirects, POST none.

    bearer goes in the Authorization header of this request only, never to a redirect's target.
    """
    deadline = time.monotonic() + current_app.config["LTI_REGISTRATION_TIMEOUT"]
    headers = {"Accept": "application/json", "Accept-Encoding": "identity", "User-Agent": "Veilig Online"}
    body = None
    if payload is not None:
        body = json.dumps(payload).encode()
        headers["Content-Type"] = "application/json"
    if bearer:
        headers["Authorization"] = f"Bearer {bearer}"
    for hop in range(MAX_REDIRECTS + 1):
        status, location, data = _exchange(url, method, body, headers, deadline)
        if location is None:
            break
        target = urljoin(url, location)
        if method != "GET" or hop == MAX_REDIRECTS or not same_origin(target, url):
            raise OutboundRefused(_("%(url)s redirects elsewhere; the tool does not follow it.", url=url))
        url = target
    if not 200 <= status < 300:
        raise OutboundRefused(_("%(url)s answered with status %(status)s.", url=url, status=status))
    try:
        return jsonsafe.loads(data)
    except ValueError:
        raise OutboundRefused(_("The answer from %(url)s is not JSON.", url=url))
    except jsonsafe.JSONRefused as exc:
        raise OutboundRefused(_("The answer from %(url)s cannot be read: %(why)s", url=url, why=exc.message))
