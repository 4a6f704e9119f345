"""Logging that never writes a launch token or an id_token."""
import logging
import re

_SECRET = re.compile(r"((?:^|[?&\s])(?:lt|id_token|JWT)=)[^&\s\"]+")


class RedactTokens(logging.Filter):
    """Blank launch tokens and id_tokens in any log line (werkzeug and gunicorn log query strings)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        if "=" in message:
            record.msg, record.args = _SECRET.sub(r"\1[redacted]", message), ()
        return True


def install_redaction() -> None:
    for name in ("werkzeug", "gunicorn.access", "gunicorn.error", "lti_tool"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactTokens) for f in logger.filters):
            logger.addFilter(RedactTokens())
