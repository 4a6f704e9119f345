"""The commit that wakes a task: a transaction marks its session, and the task runs once it commits.

A rolled-back transaction wakes nobody: the work it queued was never stored.
"""
from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session

from ..extensions import db


def after_commit(key: str, ids=None) -> None:
    """Mark the session: once it commits, wake the tasks that wake on `key`, for these ids if given."""
    queued = db.session.info.get(key)
    if not ids or queued is True:  # work without ids: the task takes whatever is due
        db.session.info[key] = True
    else:
        db.session.info[key] = (queued or set()) | set(ids)


def _runner():
    return current_app.extensions.get("tasks") if has_app_context() else None


def _after_commit(session) -> None:
    runner = _runner()
    if runner is None:
        return
    for key in runner.wake_keys():
        queued = session.info.pop(key, False)  # True, or the ids of the rows queued
        if queued:
            runner.wake(key, None if queued is True else queued)


def _after_rollback(session, previous_transaction) -> None:
    runner = _runner()
    if runner is not None and not previous_transaction.nested:  # a savepoint's rollback keeps the outer work
        for key in runner.wake_keys():
            session.info.pop(key, None)


def listen() -> None:
    """Install the session hooks once per process."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)
        event.listen(Session, "after_soft_rollback", _after_rollback)
