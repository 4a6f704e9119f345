"""Settings from the environment, with embedded defaults that need nothing else running."""
import os
import secrets
from pathlib import Path


class ConfigError(RuntimeError):
    """The environment does not describe a runnable tool."""


def _secret_key(instance_path: Path, production: bool) -> str:
    """Return SECRET_KEY, generating and keeping one for the embedded default."""
    key = os.environ.get("SECRET_KEY")
    if key:
        return key
    if production:
        raise ConfigError("SECRET_KEY must be set when LTI_TOOL_ENV=production")
    path = instance_path / "secret_key"
    if not path.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(secrets.token_urlsafe(48))
    return path.read_text().strip()


def setdefaults(app, defaults: dict[str, object]) -> None:
    """Fill each setting the app lacks from the environment (typed like its default), else the default."""
    for name, default in defaults.items():
        raw = os.environ.get(name)
        app.config.setdefault(name, type(default)(raw) if raw else default)


def _flag(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    return default if value in (None, "") else value.lower() in ("1", "true", "yes", "on")


def load(instance_path: str) -> dict:
    """Build the Flask configuration from environment variables."""
    instance = Path(instance_path)
    production = os.environ.get("LTI_TOOL_ENV", "development") == "production"
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance / 'veilig-online.db'}"
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return {
        "ENV_NAME": "production" if production else "development",
        "SECRET_KEY": _secret_key(instance, production),
        "SQLALCHEMY_DATABASE_URI": database_url,
        # No ping before each checkout (a round trip per request): a connection that died with a
        # database restart fails the one statement that meets it, SQLAlchemy then drops every
        # pooled connection of that worker, and the next request connects afresh. Connections
        # are also renewed after half an hour, before idle-timeouts of proxies and firewalls.
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_recycle": 1800},
        "LTI_CONFIG": os.environ.get("LTI_CONFIG", str(Path.cwd() / "lti_config.json")),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "REDIS_PREFIX": os.environ.get("REDIS_PREFIX", "veilig-online"),
        "REDIS_TIMEOUT_SECONDS": float(os.environ.get("REDIS_TIMEOUT_SECONDS", "1")),  # a request never waits long
        "REDIS_RETRY_AFTER_SECONDS": float(os.environ.get("REDIS_RETRY_AFTER_SECONDS", "30")),  # after a failure
        # GET /metrics: a bearer token, and/or CIDRs it is open to (comma-separated); neither: 404.
        "METRICS_TOKEN": os.environ.get("METRICS_TOKEN", ""),
        "METRICS_ALLOW": os.environ.get("METRICS_ALLOW", ""),
        "LOG_FORMAT": os.environ.get("LOG_FORMAT", "text"),
        # Number of reverse proxies in front of the tool whose X-Forwarded-* headers are trusted.
        "PROXY_COUNT": int(os.environ.get("PROXY_COUNT", "1" if production else "0")),
        # Treat every request as HTTPS (the tool always sits behind TLS in production).
        "FORCE_HTTPS": os.environ.get("FORCE_HTTPS", "1" if production else "0") == "1",
        "DEMO_MODE": False,
        "WTF_CSRF_TIME_LIMIT": None,
        "WTF_CSRF_SSL_STRICT": False,  # LMS frames post cross-site; the token is the check
        "MAX_CONTENT_LENGTH": 256 * 1024,
        "LTI_MAX_ID_TOKEN_BYTES": 64 * 1024,
        "LTI_CLOCK_SKEW_SECONDS": 60,
        "LTI_LOGIN_STATE_SECONDS": 600,
        "LTI_LOGIN_TARGET_SECONDS": 60,  # how long a process remembers a platform's login URL
        "LTI_LAUNCH_TOKEN_SECONDS": 4 * 3600,  # how long a launch (its session) lasts
        "LTI_TOKEN_SECONDS": 3600,  # a page's launch token alone; with the cookie, the launch's life
        "LTI_JWKS_CACHE_SECONDS": 3600,
        "LTI_JWKS_REFETCH_SECONDS": 60,
        "LTI_HTTP_TIMEOUT": float(os.environ.get("LTI_HTTP_TIMEOUT", "10")),
        # Dynamic registration (lti/registration.py): who may ask, and what the tool will call.
        "RATELIMIT_STORAGE_URI": os.environ.get("REDIS_URL") or "memory://",
        "RATELIMIT_HEADERS_ENABLED": True,
        "RATELIMIT_IN_MEMORY_FALLBACK_ENABLED": True,  # Redis away: each process counts on its own
        "LTI_REGISTRATION_RATE_PER_ADDRESS": os.environ.get("LTI_REGISTRATION_RATE_PER_ADDRESS",
                                                            "5 per minute;20 per hour"),
        "LTI_REGISTRATION_RATE_TOTAL": os.environ.get("LTI_REGISTRATION_RATE_TOTAL", "60 per hour"),
        "LTI_REGISTRATION_MAX_PENDING": int(os.environ.get("LTI_REGISTRATION_MAX_PENDING", "20")),
        "LTI_REGISTRATION_ALLOW_HTTP": _flag("LTI_REGISTRATION_ALLOW_HTTP", not production),
        "LTI_REGISTRATION_ALLOW_PRIVATE": _flag("LTI_REGISTRATION_ALLOW_PRIVATE", False),
        "LTI_REGISTRATION_MAX_BYTES": int(os.environ.get("LTI_REGISTRATION_MAX_BYTES", str(64 * 1024))),
        "LTI_REGISTRATION_TIMEOUT": float(os.environ.get("LTI_REGISTRATION_TIMEOUT", "10")),
        "TOOL_KEY_GRACE_DAYS": int(os.environ.get("TOOL_KEY_GRACE_DAYS", "14")),
        # Report contents at rest: "id:base64url-32-bytes,…", first active (see sealing.py).
        "DATA_KEYS": os.environ.get("DATA_KEYS", ""),
        # Reports one person may send (counted per school across workers), and how long a form stays valid.
        "TOOL_URL": os.environ.get("TOOL_URL", ""),
        "REPORTS_PER_HOUR": int(os.environ.get("REPORTS_PER_HOUR", "5")),
        "REPORTS_PER_DAY": int(os.environ.get("REPORTS_PER_DAY", "15")),
        # Messages a reporter may write: per person per school in 10 minutes, and per case in an hour.
        "REPORT_MESSAGES_PER_10_MINUTES": int(os.environ.get("REPORT_MESSAGES_PER_10_MINUTES", "10")),
        "REPORT_MESSAGES_PER_CASE_PER_HOUR": int(os.environ.get("REPORT_MESSAGES_PER_CASE_PER_HOUR", "20")),
        "REPORT_FORM_SECONDS": int(os.environ.get("REPORT_FORM_SECONDS", str(24 * 3600))),
        # Notifications to coordinators (never any report content).
        "SMTP_HOST": os.environ.get("SMTP_HOST", ""),
        "SMTP_PORT": int(os.environ.get("SMTP_PORT", "25")),
        "SMTP_USERNAME": os.environ.get("SMTP_USERNAME", ""),
        "SMTP_PASSWORD": os.environ.get("SMTP_PASSWORD", ""),
        "SMTP_STARTTLS": os.environ.get("SMTP_STARTTLS", "0") == "1",
        "MAIL_FROM": os.environ.get("MAIL_FROM", "veilig-online@localhost"),
        # Notices about pseudonymous reports leave in batches (cases/batching.py): at these local
        # times on school days, and urgent ones on a grid of this many minutes, any day.
        "REPORT_MAIL_SLOTS": os.environ.get("REPORT_MAIL_SLOTS", "06:00,12:00,18:00"),
        "URGENT_MAIL_MINUTES": int(os.environ.get("URGENT_MAIL_MINUTES", "30")),
        "BABEL_DEFAULT_LOCALE": "nl",
        "BABEL_DEFAULT_TIMEZONE": os.environ.get("SCHOOL_TIMEZONE", "Europe/Amsterdam"),
        "LANGUAGES": ["nl", "en"],
        "SESSION_COOKIE_NAME": "vo_session",
        "SESSION_COOKIE_SAMESITE": "None",
        "SESSION_COOKIE_SECURE": True,
        "SESSION_COOKIE_PARTITIONED": True,
        "SESSION_COOKIE_HTTPONLY": True,
    }
