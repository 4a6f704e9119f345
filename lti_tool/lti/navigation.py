"""Moving between pages without a session in the address, with or without the tool's cookies.

With cookies, links are plain GETs and the cookie names the launch (sessions.py). Without them
(a browser that refuses every cookie inside the LMS frame), static/js/launch.js sends each link
and GET form as a POST whose body holds only the launch token and `_nav=1`; NavigationMiddleware
turns such a POST back into the GET it stands for, with the token in a header, before Flask
routes it. A redirect answered to a request that came by token (or to the launch itself, which
cannot know yet whether the browser kept its cookie) becomes a page that POSTs on in the same way,
so the token never rides in a Location header. The address bar only ever shows tokenless paths.
"""
import io
from urllib.parse import parse_qsl, urlsplit

from flask import Flask, current_app, g, render_template, request
from flask_babel import gettext as _

from ..extensions import csrf
from . import sessions

NAV_FIELD = "_nav"
_MAX_NAV_BODY = 1024  # a token and the marker; a bigger body is a real form
_FORM = "application/x-www-form-urlencoded"
# Addresses a redirect may lead to that are no page of a launch: the LMS's endpoints, the demo LMS, files.
_NOT_PAGES = ("/lti/login", "/lti/launch", "/lti/jwks", "/lti/register", "/demo", "/static/", "/api/")


class NavigationMiddleware:
    """A POST of only {lt, _nav=1} is the GET of the same address, with the token in X-Launch-Token."""

    def __init__(self, app):
        self.app = app

    def __call__(self, environ, start_response):
        if environ.get("REQUEST_METHOD") == "POST" and \
                environ.get("CONTENT_TYPE", "").split(";")[0].strip() == _FORM:
            try:
                length = int(environ.get("CONTENT_LENGTH") or 0)
            except ValueError:
                length = -1
            if 0 < length <= _MAX_NAV_BODY:
                body = environ["wsgi.input"].read(length)
                fields = dict(parse_qsl(body.decode("latin-1")))
                if fields.get(NAV_FIELD) == "1" and set(fields) <= {NAV_FIELD, sessions.TOKEN_FIELD}:
                    environ.update({"REQUEST_METHOD": "GET", "CONTENT_LENGTH": "0", "CONTENT_TYPE": "",
                                    "wsgi.input": io.BytesIO(b""), "vo.navigation": True})
                    if fields.get(sessions.TOKEN_FIELD):
                        environ["HTTP_X_LAUNCH_TOKEN"] = fields[sessions.TOKEN_FIELD]
                else:
                    environ["wsgi.input"] = io.BytesIO(body)
        return self.app(environ, start_response)


def _by_token() -> bool:
    """Whether this tab may keep no cookie: its launch came by token alone, or is the launch itself."""
    return g.get("launch") is not None and g.get("launch_by") in (sessions.BY_TOKEN, sessions.BY_LAUNCH)


def _check_csrf():
    """A request that carries its launch token is its own CSRF proof (no other site can know it);
    otherwise Flask-WTF's check of the form's csrf_token against the cookie applies."""
    if not current_app.config["WTF_CSRF_ENABLED"]:
        return
    if g.get("launch") is None or not g.get("token_sent"):
        csrf.protect(apply_exemptions=True)


def _own_path(location: str) -> str | None:
    """The path of a redirect that stays in the tool (and outside the LTI endpoints), else None."""
    parts = urlsplit(location)
    if parts.scheme or parts.netloc:
        if f"{parts.scheme}://{parts.netloc}" != request.host_url.rstrip("/"):
            return None
    if not parts.path.startswith("/") or parts.path.startswith(_NOT_PAGES):
        return None
    return parts.path + (f"?{parts.query}" if parts.query else "") + (f"#{parts.fragment}" if parts.fragment else "")


def _carry_on(response):
    """A redirect to a page of the tool, for a tab without cookies, becomes a page that POSTs on."""
    if response.status_code in (301, 302, 303, 307, 308) and _by_token():
        path = _own_path(response.headers.get("Location", ""))
        if path is not None:
            page = render_template("lti/autosubmit.html", action=path, message=_("One moment…"),
                                   fields={sessions.TOKEN_FIELD: g.launch_token, NAV_FIELD: "1"})
            response = Flask.response_class(page, status=200, mimetype="text/html")
            response.headers["Cache-Control"] = "no-store"
    if g.get("launch_by") == sessions.BY_LAUNCH:
        # Readable by the page's script: whether this browser keeps the tool's cookies in the frame.
        response.set_cookie(sessions.PROBE_COOKIE, "1", path="/", secure=True, httponly=False,
                            samesite="None", partitioned=True)
    return response


def init_app(app: Flask) -> None:
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # checked by _check_csrf, once the launch is known
    app.wsgi_app = NavigationMiddleware(app.wsgi_app)
    app.before_request(_check_csrf)
    app.after_request(_carry_on)
