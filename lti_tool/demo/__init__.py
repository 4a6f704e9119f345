"""The built-in demo LMS, on only in demo mode: the app factory is the one module that imports it."""
from flask import Flask
from flask_migrate import upgrade

from ..extensions import db
from . import mailbox, setup
from .views import register_demo


def init_app(app: Flask) -> None:
    """Mount the demo LMS at /demo; for `lti-tool demo` (DEMO_INSTALL) also its mailbox and database
    (emptied first with DEMO_RESET, when it is the demo's own SQLite file)."""
    register_demo(app)
    if not app.config.get("DEMO_INSTALL"):
        return
    if app.config.get("DEMO_RESET"):
        removed = app.extensions["demo_reset"] = setup.reset_database(app)
        if removed is None:
            raise ValueError("--reset only empties the demo's own SQLite file; "
                             "DATABASE_URL names another database, which it leaves alone.")
    mailbox.start(app)  # the coordinator's e-mail about a new report lands in the demo's mailbox
    with app.app_context():
        upgrade(directory=app.extensions["migrate"].directory)
        setup.install(app, app.config["DEMO_BASE_URL"])
        db.session.commit()
