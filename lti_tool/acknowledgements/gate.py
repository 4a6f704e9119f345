"""The gate: before any other page, a student or staff member acknowledges their current code.

Like a terms-of-service check, it runs before every request; it sends the person to the code and
remembers where they were going, so nothing of their way through the LMS is lost.
"""
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import g, redirect, request, url_for

from ..security import STAFF, STUDENT
from . import queries

# Endpoints that are always open: the launch itself, the code and its authoring, reporting (a
# report never waits for an acknowledgement), the API (it answers with the status), the demo LMS.
_OPEN_PREFIXES = ("static", "health.", "lti.", "registration.", "acknowledgements.", "conduct.", "api.", "demo.",
                  "reports.", "cases.")


def gate():
    """Redirect to the code when the launch's person still has to acknowledge it."""
    launch = g.get("launch")
    if launch is None or request.endpoint is None or request.endpoint.startswith(_OPEN_PREFIXES):
        return None
    return redirect_to_code(launch, request.endpoint, request.full_path if request.method == "GET" else None)


def redirect_to_code(launch, endpoint: str, target: str | None):
    """The redirect to the code if launch's person must acknowledge it before endpoint, else None.

    target is where they were going, to return to afterwards. The gate asks before every page; a
    launch asks before answering with its first page (home.index).
    """
    if launch.role not in (STUDENT, STAFF):
        return None
    if endpoint == "home.index" and _placement(launch) == "report":
        return None  # the report button's launch goes straight to the report form
    if not queries.status(launch.school_id, launch.user_id, launch.role).needs_acknowledgement:
        return None
    return redirect(url_for("acknowledgements.read", next=safe_next(target)), 303)


def _placement(launch) -> str | None:
    custom = (launch.claims or {}).get("custom")
    return custom.get("placement") if isinstance(custom, dict) else None


def safe_next(target: str | None) -> str | None:
    """Keep a path of this tool only (no other site, no launch token), or nothing."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//") \
            or "\\" in target:
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k != "lt"])
    return parts.path + ("?" + query if query else "")
