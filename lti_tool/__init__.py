"""Veilig Online: an LTI 1.3 tool for a school's code of conduct, acknowledgements and reports."""
import logging
import os

from flask import Flask, g, has_request_context, request
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter

from flask_babel import format_date, format_datetime, get_locale
from flask_wtf.csrf import generate_csrf

from . import api, config as config_module, headers, hooks, models, tasks, telemetry, transactions  # noqa: F401  (models: every table)
from .acknowledgements import api as acknowledgements_api, operations as acknowledgements_operations
from .acknowledgements import queries as acknowledgements_queries
from .acknowledgements.gate import gate
from .acknowledgements.views import bp as acknowledgements_bp
from .boards.views import bp as boards_bp
from .cases import api as cases_api, dashboard as cases_dashboard, tasks as cases_tasks, views as cases_views
from .cases import incident_api as cases_incident_api, incident_views as cases_incident_views
from .cases import audit as cases_audit, exclusions as cases_exclusions, intake as cases_intake, queries as cases_queries
from .cases.blueprint import bp as cases_bp
from .conduct import operations as conduct_operations
from .conduct.rendering import note_text, pick, to_html
from .conduct.views import bp as conduct_bp
from .courses import api as courses_api, operations as courses_operations, overview as courses_overview
from .courses import refresh as courses_refresh
from .courses import tasks as courses_tasks
from .courses.views import bp as school_bp
from .db import MAX_ID
from .errors import flatten, register_error_handlers
from .exceptions import api as exceptions_api, labels as phone_labels, queries as exceptions_queries
from .exceptions import tasks as exceptions_tasks
from .exceptions.views import bp as exceptions_bp
from .extensions import babel, csrf, db, migrate, tune_sqlite
from .gradebook import delivery as gradebook_delivery, operations as gradebook_operations
from .gradebook import queries as gradebook_queries, tasks as gradebook_tasks
from .health import bp as health_bp
from .home.views import bp as home_bp
from .jsonsafe import JSONProvider
from .logging_setup import install_json, install_redaction
from .lti import navigation, queries as lti_queries, registration, sessions
from .lti.registration import bp as registration_bp
from .lti import links as lti_links
from .lti.views import bp as lti_bp
from .metrics import bp as metrics_bp
from .privacy import api as privacy_api, tasks as privacy_tasks
from .privacy.views import bp as privacy_bp
from .reports import api as reports_api, operations as reports_operations
from .reports.views import bp as reports_bp
from .yearreport import bp as yearreport_bp, views as yearreport_views
from .schoolyear import tasks as schoolyear_tasks
from .schoolyear.views import bp as schoolyear_bp

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


def _logging(app: Flask) -> None:
    install_redaction()
    if app.config["LOG_FORMAT"] == "json":
        install_json()


def _database(app: Flask) -> None:
    db.init_app(app)
    with app.app_context():
        tune_sqlite(db.engine)
    migrate.init_app(app, db, directory=os.path.join(ROOT, "migrations"))


def _babel(app: Flask) -> None:
    babel.init_app(app, locale_selector=_locale)


def _id_converter(app: Flask) -> None:
    app.url_map.converters["int"] = IdConverter


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


# registration.init_limits comes before any other before_request: a refused caller costs nothing.
EXTENSIONS = [_logging, _database, csrf.init_app, registration.init_limits, _babel, _install_proxy, _id_converter]
BLUEPRINTS = [health_bp, metrics_bp, home_bp, lti_bp, registration_bp, school_bp, conduct_bp, acknowledgements_bp,
              reports_bp, cases_bp, exceptions_bp, schoolyear_bp, yearreport_bp, boards_bp, privacy_bp, api.bp]
# Modules that add their routes to a blueprint above (the API's, the case pages'): imported for that.
ROUTES = [lti_links, acknowledgements_api, courses_api, reports_api, cases_api, cases_incident_api, cases_views,
          cases_dashboard, cases_incident_views, exceptions_api, yearreport_views, privacy_api]
TASKS = [*gradebook_tasks.TASKS, *cases_tasks.TASKS, *courses_tasks.TASKS, *exceptions_tasks.TASKS,
         *schoolyear_tasks.TASKS, *privacy_tasks.TASKS]
# A lower layer's moments and the higher feature that answers each (lti_tool/hooks.py): how a
# package reaches one above it without importing it (docs/architecture.md).
HOOKS = [
    (conduct_operations.MAJOR_PUBLISHED, gradebook_operations.reset_for_major),
    (conduct_operations.VERSION_PUBLISHED, cases_audit.code_published),
    (conduct_operations.REACH, acknowledgements_queries.reach),
    (acknowledgements_operations.ACKNOWLEDGED, gradebook_operations.acknowledged),
    (acknowledgements_operations.SCORES_FROM, gradebook_operations.acknowledged_scores_from),
    (gradebook_delivery.PLACEMENT_LOCALE, lti_queries.placement_locale),
    (courses_refresh.PLACED, gradebook_queries.placed_courses),
    (courses_operations.UNDESIGNATING, cases_exclusions.before_undesignating),
    (courses_operations.ROLE_CHANGED, cases_audit.role_changed),
    (courses_overview.PHONE_MARKS, exceptions_queries.holding_in_course),
    (courses_operations.DEPUTY, cases_exclusions.deputy_page),
    (courses_operations.NAME_DEPUTY, cases_exclusions.set_deputy),
    (reports_operations.CHECKING, cases_intake.check_new),
    (reports_operations.CREATED, cases_intake.created),
    (reports_operations.REPORTER_WROTE, cases_intake.reporter_wrote),
    (reports_operations.REOPENED, cases_intake.reopened),
    (reports_operations.SPREADING_AGAIN, cases_intake.spreading_again),
    (reports_operations.SETTINGS, cases_queries.settings_for),
    (reports_operations.COORDINATORS, cases_exclusions.coordinator_choices),
]
REQUEST_HOOKS = [headers.install, transactions.init_app, telemetry.init_app]


def create_app(test_config: dict | None = None) -> Flask:
    """Build the application: configuration, then the lists of extensions, blueprints and tasks."""
    app = Flask(__name__, instance_path=os.environ.get("LTI_TOOL_INSTANCE") or os.path.join(ROOT, "instance"),
                template_folder=os.path.join(ROOT, "templates"), static_folder="static")
    os.makedirs(app.instance_path, exist_ok=True)
    app.json = JSONProvider(app)  # JSON bodies: nesting limited before parsing (jsonsafe.py)
    app.config.update(config_module.load(app.instance_path))
    if test_config:
        app.config.update(test_config)
    for install in EXTENSIONS:  # logging, database, CSRF, languages, proxy headers, id routes
        install(app)
    hooks.init_app(app, HOOKS)  # each lower layer's moments, answered by the features above it
    for blueprint in BLUEPRINTS:  # one per feature's pages, and the API's
        app.register_blueprint(blueprint)
    if app.config["DEMO_MODE"]:
        from . import demo
        demo.init_app(app)
    register_error_handlers(app)
    _install_templates(app)

    @app.before_request
    def _load_launch():
        if request.endpoint not in _NO_LAUNCH_ENDPOINTS:
            sessions.load_current()

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

    for install in REQUEST_HOOKS:  # security headers, one transaction per request, metrics
        install(app)
    tasks.init_app(app, TASKS)  # each feature's background work; lti_tool.tasks runs it
    return app


def _install_templates(app: Flask) -> None:
    """Jinja globals and filters the templates share."""
    app.jinja_env.globals["get_locale"] = get_locale
    app.jinja_env.filters["markdown"] = to_html
    app.jinja_env.filters["pick"] = pick
    app.jinja_env.filters["note_in"] = note_text
    app.jinja_env.filters["flatten_errors"] = flatten
    # To the minute: "7 dec 2026, 00:42" (the medium format adds seconds nobody reads).
    app.jinja_env.filters["datetime_format"] = lambda value: format_datetime(value, "d MMM yyyy, HH:mm")
    app.jinja_env.filters["date_format"] = lambda value: format_date(value, "long")
    app.jinja_env.globals["phone_kind"] = phone_labels.kind_label  # the home page's and overviews' marks
    app.jinja_env.globals["phone_day"] = phone_labels.day
