"""Domain exceptions and their one mapping to HTML pages (inside the LMS frame) and JSON."""
import json
import logging
import sys
from typing import Callable, NamedTuple

from flask import g, jsonify, render_template, request
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException

from . import telemetry
from .extensions import db

log = logging.getLogger(__name__)


class AppError(Exception):
    """An error the user (or their LMS administrator) can act on; never a 500."""

    status = 400
    code = "bad_request"

    def __init__(self, message: str, *, hint: str | None = None, status: int | None = None):
        super().__init__(message)
        self.message = message
        self.hint = hint
        if status is not None:
            self.status = status


class ValidationFailed(AppError):
    code = "invalid"

    def __init__(self, errors: dict, message: str | None = None):
        super().__init__(message or _("Some fields are not valid."))
        self.errors = errors


class LaunchRefused(AppError):
    """A launch or login that must not go on; the hint says what the LMS administrator can fix."""

    code = "launch_refused"


class NotAuthenticated(AppError):
    status = 401
    code = "not_authenticated"


class Forbidden(AppError):
    status = 403
    code = "forbidden"


class NotFound(AppError):
    status = 404
    code = "not_found"


class Conflict(AppError):
    """The request clashes with the current state (a published version, a second acknowledgement)."""

    status = 409
    code = "conflict"


def flatten(messages, path: str = "") -> list[tuple[str, str]]:
    """Marshmallow's nested messages as (field path, message) pairs, for a readable list."""
    if isinstance(messages, dict):
        return [pair for key, value in messages.items()
                for pair in flatten(value, f"{path}.{key}" if path else str(key))]
    if isinstance(messages, (list, tuple)):
        if all(isinstance(m, str) for m in messages):
            return [(path, str(m)) for m in messages]
        return [pair for item in messages for pair in flatten(item, path)]
    return [(path, str(messages))]


class FieldError(NamedTuple):
    """One problem of a form: the id of the field that shows it, words for where it is, what is wrong."""

    field: str
    label: str
    message: str


class FormErrors:
    """A form's problems for its page: the summary's entries, and each field's own message.

    locate(path) turns a dotted marshmallow path (content.rules.0.title.nl) into the (field id,
    label) of the form, so the page never shows an internal name; each form keeps that mapping
    in one function.
    """

    def __init__(self, messages, locate: Callable[[str], tuple[str, str]]):
        self.messages = messages
        self.entries = [FieldError(*locate(path), message) for path, message in flatten(messages)]

    def __iter__(self):
        return iter(self.entries)

    def __bool__(self):
        return bool(self.entries)

    def __contains__(self, field: str) -> bool:
        return any(entry.field == field for entry in self.entries)

    def of(self, field: str) -> str:
        """The messages of one field, joined, for the text next to it."""
        return " ".join(entry.message for entry in self.entries if entry.field == field)


def wants_json() -> bool:
    """Answer JSON to the API and to clients that ask only for JSON."""
    if request.path.startswith("/api/") or request.path in ("/lti/register",) and request.is_json:
        return True
    best = request.accept_mimetypes.best_match(["text/html", "application/json"])
    return best == "application/json" and not request.accept_mimetypes.accept_html


def render_error(status: int, code: str, message: str, hint: str | None = None, errors=None,
                 template: str = "errors/error.html"):
    """Render one error as JSON or as a calm page that fits the LMS frame (an error may bring its own page)."""
    if wants_json():
        body = {"error": code, "message": message}
        if hint:
            body["hint"] = hint
        if errors:
            body["errors"] = errors
        return jsonify(body), status
    return render_template(template, status=status, message=message, hint=hint, errors=errors), status


# Seconds a client is asked to wait after the database was out of reach (a restart takes a few).
RETRY_AFTER_SECONDS = 5


def database_unavailable(exc: BaseException | None) -> bool:
    """Whether exc means the database is out of reach for now (down, restarting, refusing, full).

    OperationalError covers a refused or dropped connection, a server shutting down and too many
    clients; a statement that met a connection the restart killed may also arrive invalidated.
    """
    if isinstance(exc, (OperationalError, InterfaceError, PoolTimeout)):
        return True
    return isinstance(exc, DBAPIError) and exc.connection_invalidated


def _unavailable():
    """503 with Retry-After: the honest answer while the database restarts; the client may retry."""
    log.warning("database unavailable", exc_info=True)
    # The page must not touch the database: keep the reader's language, drop the launch (whose
    # name and school would be loaded lazily), and end the broken transaction now.
    launch = g.pop("launch", None)
    try:
        if launch is not None and not g.get("page_locale"):
            g.page_locale = launch.__dict__.get("locale")
        db.session.rollback()
    except Exception:  # the connection is gone: the pool drops it
        log.debug("rollback after a lost connection failed", exc_info=True)
    body, status = render_error(
        503, "database_unavailable",
        _("Veilig Online cannot reach its database for a moment. Wait a few seconds and try again."))
    return body, status, {"Retry-After": str(RETRY_AFTER_SECONDS)}


def _chain(exc: BaseException | None):
    """exc and the exceptions it was raised from or while handling."""
    seen = set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        yield exc
        exc = exc.__cause__ or exc.__context__


def _database_in(exc: BaseException | None) -> bool:
    """Whether the database being away is behind exc (a rollback refused after a lost connection, say)."""
    return any(database_unavailable(each) for each in _chain(exc))


# Drawn without templates, translations or the database: what the last resort can still send.
_LAST_RESORT = {
    503: ("database_unavailable",
          "Veilig Online kan zijn database even niet bereiken. Wacht een paar seconden en probeer het opnieuw.",
          "Veilig Online cannot reach its database for a moment. Wait a few seconds and try again."),
    500: ("internal",
          "Er ging bij ons iets mis. Probeer het zo opnieuw.",
          "Something went wrong on our side. Try again in a moment."),
}


class LastResort:
    """WSGI middleware: an exception that escapes Flask (an error page that could not be drawn, say
    while the database is away) still gets a calm answer in both languages, never the server's bare
    500. A database in the exception's chain makes it the 503 "try again" that the handlers give."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = []

        def start(status, headers, exc_info=None):
            started.append(status)
            return start_response(status, headers, exc_info)

        try:
            return self.wsgi_app(environ, start)
        except Exception as exc:  # noqa: BLE001 - this is the place every escape ends
            log.error("an error escaped its handler", exc_info=True)
            status = 503 if _database_in(exc) else 500
            code, dutch, english = _LAST_RESORT[status]
            headers = [("Cache-Control", "no-store")]
            if status == 503:
                headers.append(("Retry-After", str(RETRY_AFTER_SECONDS)))
            if environ.get("PATH_INFO", "").startswith("/api/"):
                body = json.dumps({"error": code, "message": english}).encode()
                headers.append(("Content-Type", "application/json"))
            else:
                body = (f'<!doctype html><html lang="nl"><meta charset="utf-8"><title>Veilig Online</title>'
                        f'<p>{dutch}</p><p lang="en">{english}</p></html>').encode()
                headers.append(("Content-Type", "text/html; charset=utf-8"))
            headers.append(("Content-Length", str(len(body))))
            reason = "Service Unavailable" if status == 503 else "Internal Server Error"
            # An answer begun before the escape (a teardown failed after it) is replaced, as WSGI allows
            # while nothing was sent; the exception goes with it.
            start_response(f"{status} {reason}", headers, sys.exc_info() if started else None)
            return [body]


def register_error_handlers(app):
    """Map every exception to a response in one place; the last resort behind them all."""
    if not app.debug:  # the debugger shows what escaped instead
        app.wsgi_app = LastResort(app.wsgi_app)

    @app.errorhandler(AppError)
    def _app_error(exc: AppError):
        if isinstance(exc, LaunchRefused):
            log.warning("launch refused: %s", exc.message)
            telemetry.refused(exc)
        return render_error(exc.status, exc.code, exc.message, exc.hint,
                            getattr(exc, "errors", None), getattr(exc, "template", "errors/error.html"))

    @app.errorhandler(CSRFError)
    def _csrf(exc):
        return render_error(400, "csrf", _("This form has expired. Go back, reload the page and try again."))

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        messages = {
            400: _("The request could not be understood."),
            404: _("This page does not exist."),
            405: _("This address does not accept that kind of request."),
            413: _("What you sent is too large."),
            415: _("This content type is not accepted here."),
            429: _("Too many requests. Wait a moment and try again."),
        }
        status = exc.code or 500
        # An error outside the view (the request's commit) arrives as a 500 around the original.
        if status == 500 and _database_in(getattr(exc, "original_exception", None)):
            return _unavailable()
        return render_error(status, exc.name.lower().replace(" ", "_"),
                            messages.get(status, exc.description or exc.name))

    @app.errorhandler(Exception)
    def _unexpected(exc):
        if _database_in(exc):
            return _unavailable()
        log.exception("unexpected error")
        return render_error(500, "internal", _("Something went wrong on our side. Try again in a moment."))
