"""What a feature declares about a piece of background work; nothing about how it runs."""
from dataclasses import dataclass, field
from typing import Callable, Mapping

MODES = ("thread", "rq", "off")


@dataclass(frozen=True)
class Task:
    """A named, idempotent piece of work over the database.

    `run` is called in an app context of its own, with no arguments for a scheduled round or with
    the ids a commit queued; it returns a small JSON-able summary. The schedule is `every` (the
    config key holding seconds) or `cron` (the config key holding a cron expression, local time),
    or neither: a task only run when woken or deferred. `wakes_on` is the session.info key that a
    transaction sets to have the task run once it commits. `switch` is the config key choosing
    thread, rq or off; `settings` are the feature's defaults, each overridable from the environment.
    """

    name: str
    run: Callable[..., dict]
    switch: str
    every: str | None = None
    cron: str | None = None
    wakes_on: str | None = None
    settings: Mapping[str, object] = field(default_factory=dict)

    def schedule(self, config) -> dict | None:
        """{"interval": seconds}, {"cron": expression} or None, as RQ's CronScheduler takes them."""
        if self.every:
            return {"interval": float(config[self.every])}
        if self.cron:
            return {"cron": str(config[self.cron])}
        return None

    def describe(self, config) -> str:
        when = self.schedule(config)
        if when is None:
            return "on demand"
        if "interval" in when:
            return f"every {when['interval']:g} s"
        return f"cron '{when['cron']}'"
