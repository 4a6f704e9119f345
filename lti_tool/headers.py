"""Security headers on every answer: a CSP whose frame-ancestors are the registered LMSs, and friends.

The tool lives in LMS iframes, so it may be framed only by the origins of platforms registered
with it (plus itself, for the demo LMS). No page uses inline script or style, so the CSP forbids
both. The list of origins is cached per process for a minute: registrations change rarely.
"""
import time
from urllib.parse import urlsplit

from flask import Flask, current_app, has_app_context, request
from sqlalchemy import event, select
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

_TTL = 60.0


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.netloc:
        return f"{parts.scheme}://{parts.netloc}"
    return None


def _platform_origins(app: Flask) -> list[str]:
    cached = app.extensions.get("frame_ancestors")
    if cached and cached[0] > time.monotonic():
        return cached[1]
    from .platforms.models import Platform
    try:
        rows = db.session.execute(select(Platform.issuer, Platform.auth_login_url)).all()
    except SQLAlchemyError:  # no database yet (before migrations): only the tool itself frames
        db.session.rollback()
        return []
    origins = sorted({o for row in rows for o in map(_origin, row) if o})
    app.extensions["frame_ancestors"] = (time.monotonic() + _TTL, origins)
    return origins


def forget_origins(app: Flask) -> None:
    """Call when a platform is added or removed, so the next answer lists it at once."""
    app.extensions.pop("frame_ancestors", None)


def _forget_on_change(mapper, connection, target) -> None:
    if has_app_context():
        forget_origins(current_app)


def install(app: Flask) -> None:
    from .platforms.models import Platform
    for name in ("after_insert", "after_update", "after_delete"):
        if not event.contains(Platform, name, _forget_on_change):
            event.listen(Platform, name, _forget_on_change)

    @app.after_request
    def _security_headers(response):
        headers = response.headers
        headers.setdefault("Referrer-Policy", "no-referrer")
        headers.setdefault("X-Content-Type-Options", "nosniff")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
        if response.mimetype == "text/html":
            # Forms go to the tool and, for deep linking and new-window logins, to the LMSs.
            allowed = " ".join(["'self'", *_platform_origins(app)])
            headers.setdefault("Content-Security-Policy", (
                "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
                f"object-src 'none'; base-uri 'none'; form-action {allowed}; frame-ancestors {allowed}"))
        return response
