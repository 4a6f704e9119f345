"""Small counts are never shown: fewer than 5 reads "< 5", so nobody in a report is recognisable.
The yearly report and the board's page both count through here.

One place for the rule. Counts hidden among counts whose total is shown could be worked out: by
subtraction when one is hidden alone, and by what the marks say when more are ("< 5" is 1 to 4, "*"
is 0 or 5 and more, so "*" and "< 5" that add up to 6 are 5 and 1). suppress_group hides more
counts until none of the hidden ones has a single possible value (secondary suppression).
"""
from dataclasses import dataclass

THRESHOLD = 5


@dataclass(frozen=True)
class Shown:
    """A count as the report shows it: its value, or hidden with the reason why."""

    value: int
    hidden: str | None = None   # None, "small" (1 to 4; 0 too where zeros are hidden) or "derived" (would reveal one)

    def __str__(self) -> str:
        if self.hidden == "small":
            return f"< {THRESHOLD}"
        if self.hidden == "derived":
            return "*"
        return str(self.value)

    @property
    def visible(self) -> bool:
        return self.hidden is None


def small(count: int, zero_hidden: bool = False) -> bool:
    return (0 if zero_hidden else 1) <= count < THRESHOLD


def shown(count: int, zero_hidden: bool = False) -> Shown:
    """One count on its own: 0 and 5 or more as they are, 1 to 4 hidden (0 too, where zero_hidden)."""
    return Shown(count, "small" if small(count, zero_hidden) else None)


def suppress_group(counts: dict, zero_hidden: bool = False, beside: dict | None = None) -> dict:
    """Counts that add up to a total shown beside them: each small one hidden; then, while a reader
    could tell a hidden count from the total and the marks, the smallest shown count is hidden too
    (a non-zero one first). Where even that cannot help (a tiny group: "*" and "< 5" of a total of
    6), every hidden count reads "*", which leaves each of them open. zero_hidden: 0 reads "< 5" too.

    beside: the suppressed counts of the same keys that these never exceed (the reports beside the
    incidents they are about): where one of those is hidden, this one is hidden too, and where it
    shows, a reader knows this one is no larger.
    """
    result = {key: shown(count, zero_hidden) for key, count in counts.items()}
    for key, other in (beside or {}).items():
        if not other.visible and result[key].visible:
            result[key] = Shown(counts[key], "derived")
    caps = {key: other.value for key, other in (beside or {}).items() if other.visible}
    while any(not value.visible for value in result.values()) and pinned(counts, result, zero_hidden, caps):
        others = sorted((key for key, value in result.items() if value.visible),
                        key=lambda key: (counts[key] == 0, counts[key], str(key)))
        if not others:
            return {key: value if value.visible else Shown(value.value, "derived") for key, value in result.items()}
        result[others[0]] = Shown(counts[others[0]], "derived")
    return result


def pinned(counts: dict, result: dict, zero_hidden: bool = False, caps: dict | None = None) -> bool:
    """Whether some hidden count has only one value, other than 0, that fits the total and the marks.

    What a reader knows: the total (itself only "< 5" when small), the shown counts, that "< 5" is
    1 to 4 (0 to 4 where zero_hidden) and "*" is 0 or 5 or more, and the most a count can be (caps).
    Sums are sets of bits (bit n: n is a possible sum), so a large total costs little.
    """
    lowest_small = 0 if zero_hidden else 1
    total = sum(counts.values())
    seen = sum(counts[key] for key, value in result.items() if value.visible)
    totals = range(lowest_small, THRESHOLD) if small(total, zero_hidden) else [total]
    rests = [t - seen for t in totals if t >= seen]
    most = max(rests)
    everything = (1 << (most + 1)) - 1
    hidden = [(value.hidden, min(most, (caps or {}).get(key, most))) for key, value in result.items()
              if not value.visible]

    def values(mark: str, cap: int) -> range | list:
        if mark == "small":
            return range(lowest_small, min(THRESHOLD, cap + 1))
        return [0, *range(THRESHOLD, cap + 1)]

    def add(sums: int, mark: str, cap: int) -> int:
        if mark == "small":
            return _shifted(sums, values(mark, cap)) & everything
        return (sums | _smeared(sums, cap - THRESHOLD + 1) << THRESHOLD) & everything  # 0, or 5 up to cap

    for n, (mark, cap) in enumerate(hidden):
        others = 1
        for other in hidden[:n] + hidden[n + 1:]:
            others = add(others, *other)
        possible = [value for value in values(mark, cap)
                    if any(value <= rest and others >> (rest - value) & 1 for rest in rests)]
        if len(possible) < 2 and possible != [0]:  # that there was nothing gives nobody away
            return True
    return False


def _shifted(sums: int, by) -> int:
    """The sums with each of by added: bit n set where n - b was a sum for some b."""
    result = 0
    for n in by:
        result |= sums << n
    return result


def _smeared(sums: int, width: int) -> int:
    """The sums with each of 0 to width - 1 added (none when width < 1), in doubling steps."""
    if width < 1:
        return 0
    result, done = sums, 1
    while done < width:
        step = min(done, width - done)
        result |= result << step
        done += step
    return result


def share(part: int, whole: int) -> str | None:
    """A percentage, only where the part, the rest and the whole may all be shown (a share of a tiny
    group, or one that leaves a few out, tells too much)."""
    if whole < THRESHOLD or small(part) or small(whole - part):
        return None
    return f"{round(100 * part / whole)}%"
