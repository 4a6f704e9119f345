"""The reporter's own reports, found by the keyed lookup hash; nobody else's."""
from .models import Report


def my_reports(school_id: int, user_id: int) -> list[Report]:
    """The user's reports at this school, newest first (body follows)."""
    raise NotImplementedError


def my_report(school_id: int, user_id: int, reference: str) -> Report:
    """One of the user's reports by its reference; NotFound unless it is theirs (body follows)."""
    raise NotImplementedError
