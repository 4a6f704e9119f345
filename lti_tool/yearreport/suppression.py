"""Small counts are never shown: fewer than 5 reads "< 5", so nobody in a report is recognisable.

One place for the rule. A count hidden alone among counts whose total is shown could be worked out
by subtraction; suppress_group then hides the next smallest count too (secondary suppression).
"""
from dataclasses import dataclass

THRESHOLD = 5


@dataclass(frozen=True)
class Shown:
    """A count as the report shows it: its value, or hidden with the reason why."""

    value: int
    hidden: str | None = None   # None, "small" (1 to 4) or "derived" (would reveal a small one)

    def __str__(self) -> str:
        if self.hidden == "small":
            return f"< {THRESHOLD}"
        if self.hidden == "derived":
            return "*"
        return str(self.value)

    @property
    def visible(self) -> bool:
        return self.hidden is None


def small(count: int) -> bool:
    return 0 < count < THRESHOLD


def shown(count: int) -> Shown:
    """One count on its own: 0 and 5 or more as they are, 1 to 4 hidden."""
    return Shown(count, "small" if small(count) else None)


def suppress_group(counts: dict) -> dict:
    """Counts that add up to a total shown beside them: each small one hidden, and when exactly one
    is hidden, the smallest other non-zero count too, so that neither follows from the total."""
    result = {key: shown(count) for key, count in counts.items()}
    hidden = [key for key, value in result.items() if not value.visible]
    if len(hidden) == 1:
        others = sorted((count, str(key)) for key, count in counts.items() if key not in hidden and count > 0)
        if others:
            key = next(k for k in counts if str(k) == others[0][1])
            result[key] = Shown(counts[key], "derived")
    return result


def share(part: int, whole: int) -> str | None:
    """A percentage, only where the part, the rest and the whole may all be shown (a share of a tiny
    group, or one that leaves a few out, tells too much)."""
    if whole < THRESHOLD or small(part) or small(whole - part):
        return None
    return f"{round(100 * part / whole)}%"
