"""Security headers on every answer: a CSP that lets only the launch's own LMS frame the tool, and friends.

Who may frame a page (`frame-ancestors`) and where its forms may go (`form-action`):

- A page of a launch (`g.launch`) shows someone's data, so only that launch's platform may frame it
  and receive its forms (deep linking posts back to it): 'self' plus the origins of that platform's
  issuer and login URL, and only while the platform is **active**. The header names one platform,
  so its size does not grow with the number of schools.
- A page without a launch (the landing page, error pages, the registration page an LMS shows in its
  own frame) shows nothing of anyone and holds no form that acts for anyone, so any site may frame
  it (`frame-ancestors *`, which an LMS being registered or a refused launch needs to show the
  page at all); its forms go to the tool only.

No response header ever names a pending platform or depends on who registered what: the origins
come only from active platforms, and only from the launch's own. The active platforms' origins are
cached per process for a minute (and dropped at once in the process that changes a platform).
No page uses inline script or style, so the CSP forbids both.
"""
import time
from urllib.parse import urlsplit

from flask import Flask, current_app, g, has_app_context, request
from sqlalchemy import event, select
from sqlalchemy.exc import SQLAlchemyError

from .extensions import db

_TTL = 60.0
_BASE = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
         "object-src 'none'; base-uri 'none'")


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    if parts.scheme in ("http", "https") and parts.hostname:
        return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}"
    return None


def _active_origins(app: Flask) -> dict[int, tuple[str, ...]]:
    """Each active platform's origins (issuer, login), by platform id."""
    cached = app.extensions.get("frame_ancestors")
    if cached and cached[0] > time.monotonic():
        return cached[1]
    from .platforms.models import Platform
    try:
        rows = db.session.execute(select(Platform.id, Platform.issuer, Platform.auth_login_url)
                                  .where(Platform.status == Platform.ACTIVE)).all()
    except SQLAlchemyError:  # no database yet (before migrations): only the tool itself frames
        db.session.rollback()
        return {}
    origins = {row.id: tuple(sorted({o for o in (_origin(row.issuer), _origin(row.auth_login_url)) if o}))
               for row in rows}
    app.extensions["frame_ancestors"] = (time.monotonic() + _TTL, origins)
    return origins


def content_security_policy(app: Flask) -> str:
    """The CSP of this request's page (see the module docstring)."""
    launch = g.get("launch")
    if launch is None:
        return f"{_BASE}; form-action 'self'; frame-ancestors *"
    allowed = " ".join(["'self'", *_active_origins(app).get(launch.platform_id, ())])
    return f"{_BASE}; form-action {allowed}; frame-ancestors {allowed}"


def forget_origins(app: Flask) -> None:
    """Call when a platform is added, changed or removed, so the next answer reflects it at once."""
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
            headers.setdefault("Content-Security-Policy", content_security_policy(app))
        return response
