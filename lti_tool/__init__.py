"""Veilig Online: an LTI 1.3 tool for a school's code of conduct, acknowledgements and reports."""
import logging
import os

from flask import Flask, g, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from . import config as config_module
from flask_babel import format_date, format_datetime, get_locale
from flask_wtf.csrf import generate_csrf

from .db import MAX_ID
from .extensions import babel, csrf, db, migrate, tune_sqlite

# Addresses that LMSs are given, or that are public: never carry a launch selector.
_NO_SELECTOR_ENDPOINTS = {"static", "lti.login", "lti.launch", "lti.jwks", "registration.register"}
# Endpoints that begin a new launch or serve anyone alike: the browser's current launch is not read.
_NO_LAUNCH_ENDPOINTS = {"static", "lti.login", "lti.launch", "lti.jwks"}
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


class IdConverter(IntegerConverter):
    """`<int:…>` in our routes is a row id: a number larger than the database holds is no page (404)."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, extensions, blueprints and error handlers."""
    app = Flask(__name__, instance_path=os.environ.get("LTI_TOOL_INSTANCE") or os.path.join(ROOT, "instance"),
                template_folder=os.path.join(ROOT, "templates"), static_folder="static")
    os.makedirs(app.instance_path, exist_ok=True)
    from .jsonsafe import JSONProvider
    app.json = JSONProvider(app)  # JSON bodies: nesting limited before parsing (jsonsafe.py)
    app.config.update(config_module.load(app.instance_path))
    if test_config:
        app.config.update(test_config)

    from .logging_setup import install_redaction
    install_redaction()

    db.init_app(app)
    with app.app_context():
        tune_sqlite(db.engine)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"))
    csrf.init_app(app)
    from .lti import registration
    registration.init_limits(app)  # before any other before_request: a refused caller costs nothing
    babel.init_app(app, locale_selector=_locale)
    _install_proxy(app)

    from . import models  # noqa: F401  (every table is known to Alembic and the ORM)
    from .errors import register_error_handlers
    from .home.views import bp as home_bp
    from .lti.registration import bp as registration_bp
    from .lti.views import bp as lti_bp
    from .courses.views import bp as school_bp
    from .conduct.views import bp as conduct_bp
    from .acknowledgements.views import bp as acknowledgements_bp
    from .reports.views import bp as reports_bp
    from .cases.views import bp as cases_bp
    from .acknowledgements.gate import gate
    from .lti import sessions
    from .health import bp as health_bp

    app.url_map.converters["int"] = IdConverter
    for blueprint in (health_bp, home_bp, lti_bp, registration_bp, school_bp, conduct_bp, acknowledgements_bp,
                      reports_bp, cases_bp):
        app.register_blueprint(blueprint)
    from . import api
    api.register(app)
    if app.config["DEMO_MODE"]:
        from .demo.views import register_demo
        register_demo(app)
    register_error_handlers(app)
    app.jinja_env.globals["get_locale"] = get_locale
    from .conduct.rendering import pick, to_html
    app.jinja_env.filters["markdown"] = to_html
    app.jinja_env.filters["pick"] = pick
    from .errors import flatten
    app.jinja_env.filters["flatten_errors"] = flatten
    app.jinja_env.filters["datetime_format"] = lambda value: format_datetime(value, "medium")
    app.jinja_env.filters["date_format"] = lambda value: format_date(value, "long")

    @app.before_request
    def _load_launch():
        if request.endpoint not in _NO_LAUNCH_ENDPOINTS:
            sessions.load_current()

    from .lti import navigation
    navigation.init_app(app)  # CSRF once the launch is known; cookie-less navigation
    app.before_request(gate)

    @app.url_defaults
    def _carry_launch_selector(endpoint, values):
        # The selector picks this tab's launch among the cookie's; it is no credential. Addresses
        # that leave the tool (url_for(..., _public=True): placed links, registration) carry none.
        if values.pop("_public", False):
            return
        chosen = g.get("launch_selector")
        if chosen and endpoint not in _NO_SELECTOR_ENDPOINTS and not endpoint.startswith("demo."):
            values.setdefault(sessions.SELECTOR_PARAM, chosen)

    @app.template_global()
    def form_tokens():
        """The hidden fields every POST form carries: the CSRF token and this tab's launch token."""
        from markupsafe import Markup, escape
        fields = [("csrf_token", generate_csrf())]
        if g.get("launch_token"):
            fields.append((sessions.TOKEN_FIELD, g.launch_token))
        return Markup("".join(f'<input type="hidden" name="{name}" value="{escape(value)}">'
                              for name, value in fields))

    @app.template_global()
    def selector_field():
        """A GET form's hidden field that keeps this tab's launch (a GET form drops its action's query)."""
        from markupsafe import Markup, escape
        chosen = g.get("launch_selector")
        return Markup(f'<input type="hidden" name="{sessions.SELECTOR_PARAM}" value="{escape(chosen)}">'
                      if chosen else "")

    from . import headers
    headers.install(app)

    from . import transactions
    transactions.init_app(app)

    # Gradebook: scores leave from the outbox, delivered by a thread in each web process.
    from .gradebook import worker as gradebook_worker
    gradebook_worker.init_app(app)

    # Case handling: the mail outbox's sender and the daily retention purge, a thread each per process.
    from .cases import mail as cases_mail, retention as cases_retention
    cases_mail.init_app(app)
    cases_retention.init_app(app)

    # The job queue (RQ) when REDIS_URL is set; roster refresh and reminders, threads otherwise.
    from . import jobs
    jobs.init_app(app)

    from .cli import register_cli
    register_cli(app)
    return app


def _locale():
    """The launch's language; the browser's outside a launch; English on the command line."""
    if not has_request_context():
        return "en"
    if g.get("page_locale"):  # a reader who switched the code's language
        return g.page_locale
    launch = g.get("launch")
    if launch is not None:
        return launch.locale
    return request.accept_languages.best_match(["nl", "en"]) or "nl"


def _install_proxy(app: Flask) -> None:
    """Trust X-Forwarded-* from the configured number of proxies; optionally force HTTPS."""
    count = app.config["PROXY_COUNT"]
    if count:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count,
                                x_port=count, x_prefix=count)
    if app.config["FORCE_HTTPS"]:
        inner = app.wsgi_app

        def https(environ, start_response):
            environ["wsgi.url_scheme"] = "https"
            return inner(environ, start_response)

        app.wsgi_app = https
    logging.getLogger(__name__).debug("proxy count %s", count)
