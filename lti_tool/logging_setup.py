"""Logging that never writes a launch token or an id_token; JSON lines when LOG_FORMAT=json."""
import json
import logging
import re
import sys
from datetime import datetime, timezone

_SECRET = re.compile(r"((?:^|[?&\s])(?:lt|id_token|JWT)=)[^&\s\"]+")
_LOGGERS = ("werkzeug", "gunicorn.access", "gunicorn.error", "lti_tool", "rq")


def redact(message: str) -> str:
    """The message with launch tokens and id_tokens blanked."""
    return _SECRET.sub(r"\1[redacted]", message) if "=" in message else message


class RedactTokens(logging.Filter):
    """Blank launch tokens and id_tokens in any log line (werkzeug and gunicorn log query strings)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "=" in message:
            record.msg, record.args = redact(message), ()
        return True


class JsonLines(logging.Formatter):
    """One JSON object a line: time (UTC), level, logger, message, and the exception if any; redacted."""

    def format(self, record: logging.LogRecord) -> str:
        line = {"time": datetime.fromtimestamp(record.created, timezone.utc).isoformat(timespec="milliseconds"),
                "level": record.levelname, "logger": record.name, "message": redact(record.getMessage())}
        if record.exc_info:
            line["exception"] = redact(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


def install_redaction() -> None:
    for name in _LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())


def install_json(level: int = logging.INFO) -> None:
    """Send every log record (the tool's, werkzeug's, RQ's) to stderr as JSON lines, redacted."""
    root = logging.getLogger()
    if any(isinstance(h.formatter, JsonLines) for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(JsonLines())
    handler.addFilter(RedactTokens())
    root.addHandler(handler)
    if root.level == logging.NOTSET or root.level > level:
        root.setLevel(level)
