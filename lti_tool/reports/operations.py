"""Filing a report and the messages on it: every text sealed, the reporter known only as they chose."""
from ..extensions import db  # noqa: F401
from .models import Report, ReportMessage


def create_report(school_id: int, data: dict, *, reporter_user_id: int | None, source: str = "tool",
                  entered_by_id: int | None = None) -> Report:
    """Store one report (body follows)."""
    raise NotImplementedError


def post_message(report: Report, author_role: str, body: str, author_user_id: int | None = None) -> ReportMessage:
    """Add a message to a report's thread (body follows)."""
    raise NotImplementedError
