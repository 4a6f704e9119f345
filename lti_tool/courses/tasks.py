"""Keeping the rosters of placed courses fresh, so an overview seldom waits for the LMS."""
from ..tasks import Task, defer
from . import refresh


def refresh_rosters() -> dict:
    """Refresh each placed course whose roster is stale: a job per course under RQ, in turn otherwise."""
    ids = refresh.stale_courses()
    for course_id in ids:
        defer("refresh_roster", course_id)
    return {"courses": len(ids)}


def refresh_roster(course_id: int) -> dict:
    """Read a placed course's roster from the LMS again, unless another worker just did."""
    return {"refreshed": refresh.refresh(course_id)}


TASKS = [
    Task("refresh_rosters", refresh_rosters, switch="ROSTER_REFRESH", every="ROSTER_REFRESH_SECONDS",
         settings={"ROSTER_REFRESH_SECONDS": 3600.0, "ROSTER_REFRESH_BATCH": 50}),
    Task("refresh_roster", refresh_roster, switch="ROSTER_REFRESH"),
]
