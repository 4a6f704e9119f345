"""One database transaction per request, or none where none is needed.

A request that may write runs in one transaction, committed when the answer is a success and
rolled back otherwise, so a refusal or an error stores nothing. A GET of a view marked
reads_only runs its queries without a transaction: each statement already sees its own snapshot
(PostgreSQL's READ COMMITTED), so nothing changes for what it reads, and it spares the BEGIN
and COMMIT round trips on pages everyone opens, such as the start page. Writing in such a
request is a programming error, and fails loudly.
"""
import logging

from flask import Flask, current_app, g, has_request_context, request
from sqlalchemy import event
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger(__name__)


def reads_only(view):
    """Mark a view whose GET requests never write."""
    view.reads_only = True
    return view


class WriteInReadOnlyRequest(RuntimeError):
    """A view marked reads_only (or something it called) tried to write."""


def _begin() -> None:
    view = current_app.view_functions.get(request.endpoint)
    if request.method in ("GET", "HEAD") and getattr(view, "reads_only", False):
        g.reads_only = True
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _end(response):
    if response.status_code < 400:
        db.session.commit()
    else:
        db.session.rollback()
    return response


def _in_read_only_request() -> bool:
    return has_request_context() and g.get("reads_only", False)


def _refuse_writes(orm_execute_state) -> None:
    if _in_read_only_request() and not orm_execute_state.is_select:
        raise WriteInReadOnlyRequest(f"{request.endpoint} is marked reads_only but wrote")


def _refuse_flush(session, _flush_context, _instances) -> None:
    if _in_read_only_request() and (session.new or session.dirty or session.deleted):
        raise WriteInReadOnlyRequest(f"{request.endpoint} is marked reads_only but changed objects")


def _close(_exc) -> None:
    """End the request's session. Its rollback on a connection the database dropped (a restart)
    raises; then the connection is given up instead, so the answer already made still goes out."""
    try:
        db.session.remove()
    except SQLAlchemyError:
        log.warning("the request's connection was lost; it is dropped", exc_info=True)
        db.session.invalidate()
        db.session.remove()


def init_app(app: Flask) -> None:
    """Register first, so every other before_request hook runs inside the request's choice."""
    app.before_request_funcs.setdefault(None, []).insert(0, _begin)
    app.after_request(_end)
    app.teardown_appcontext(_close)  # runs before Flask-SQLAlchemy's own (teardowns run last first)
    if not event.contains(Session, "do_orm_execute", _refuse_writes):
        event.listen(Session, "do_orm_execute", _refuse_writes)
        event.listen(Session, "before_flush", _refuse_flush)
