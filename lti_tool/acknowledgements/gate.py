"""The gate: before any other page, a student or staff member acknowledges their current code.

Like a terms-of-service check, it runs before every request; it sends the person to the code and
remembers where they were going, so nothing of their way through the LMS is lost.
"""
from urllib.parse import parse_qsl, urlencode, urlsplit

from flask import g, redirect, request, url_for

from ..security import STAFF, STUDENT
from . import queries

# Endpoints that are always open: the launch itself, the code and its authoring, reporting (a
# report never waits for an acknowledgement), the case work and its figures, the API (it answers
# with the status), the demo LMS, and privacy (the statement the report form links to, a reporter's
# download of their own reports).
_OPEN_PREFIXES = ("static", "health.", "lti.", "registration.", "acknowledgements.", "conduct.", "api.", "demo.",
                  "reports.", "cases.", "yearreport.", "privacy.")


# The start page asks for itself, reading the status in the same query as its other facts.
_ASKS_ITSELF = ("home.index",)


def gate():
    """Redirect to the code when the launch's person still has to acknowledge it."""
    launch = g.get("launch")
    if launch is None or request.endpoint is None or request.endpoint.startswith(_OPEN_PREFIXES) \
            or request.endpoint in _ASKS_ITSELF or not asks(launch):
        return None
    if not queries.status(launch.school_id, launch.user_id, launch.role).needs_acknowledgement:
        return None
    return to_code(request.full_path if request.method == "GET" else None)


def asks(launch) -> bool:
    """Whether the gate asks this launch's person at all: students and staff (not school admins)."""
    return launch.role in (STUDENT, STAFF)


def to_code(target: str | None):
    """The redirect to the code; target is where they were going, to return to afterwards."""
    return redirect(url_for("acknowledgements.read", next=safe_next(target)), 303)


def safe_next(target: str | None) -> str | None:
    """Keep a path of this tool only (no other site, no launch token or selector), or nothing."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or parts.path.startswith("//") \
            or "\\" in target:
        return None
    query = urlencode([(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in ("lt", "ls")])
    return parts.path + ("?" + query if query else "")
