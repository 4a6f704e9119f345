"""Background work in one place: features declare Tasks; this package runs them.

A feature lists its tasks (name, function, schedule, the commit that wakes it) in its own
`tasks.py` and knows nothing of how they run. The app factory hands every list to `init_app`;
each task then runs in a thread of the web process (the embedded default), as an RQ job (with
REDIS_URL), or not at all (its switch "off": `lti-tool jobs run NAME` runs it).
"""
from .commits import after_commit
from .outbox import pending
from .queue import failed_jobs
from .registry import Task
from .runner import defer, init_app

__all__ = ["Task", "after_commit", "defer", "failed_jobs", "init_app", "pending"]
