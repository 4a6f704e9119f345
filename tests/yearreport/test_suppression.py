"""Small counts never show: 1 to 4 read "< 5", and no hidden count follows from a total beside it."""
from datetime import date

from hypothesis import given, settings, strategies as st

from lti_tool.yearreport import years
from lti_tool.smallcounts import share, shown, suppress_group


def test_zero_and_five_or_more_show_as_they_are_one_to_four_do_not():
    assert [str(shown(n)) for n in (0, 1, 4, 5, 17)] == ["0", "< 5", "< 5", "5", "17"]


def test_a_single_hidden_count_takes_the_next_smallest_with_it():
    result = suppress_group({"cyberbullying": 6, "fight_video": 5, "threats": 2, "other": 0})
    assert {k: str(v) for k, v in result.items()} == {
        "cyberbullying": "6", "fight_video": "*", "threats": "< 5", "other": "0"}


def test_two_hidden_counts_need_nothing_more_hidden():
    result = suppress_group({"a": 9, "b": 3, "c": 1})
    assert {k: str(v) for k, v in result.items()} == {"a": "9", "b": "< 5", "c": "< 5"}


def test_a_share_shows_only_where_the_part_the_rest_and_the_whole_are_large_enough():
    assert share(18, 27) == "67%"
    assert share(3, 27) is None, "a few who did"
    assert share(25, 27) is None, "a few who did not"
    assert share(4, 4) is None, "a tiny group"
    assert share(27, 27) == "100%" and share(0, 27) == "0%"


def test_a_school_year_runs_from_its_first_day_to_the_day_before_the_next():
    year = years.containing(date(2026, 12, 6), (8, 1))
    assert (year.name, year.start, year.end) == ("2026-2027", date(2026, 8, 1), date(2027, 7, 31))
    assert years.containing(date(2026, 7, 31), (8, 1)).name == "2025-2026"
    assert [m.month for m in year.months()] == [8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7]


def test_only_a_pair_of_following_years_names_a_school_year():
    assert years.parse("2025-2026", (8, 1)).start == date(2025, 8, 1)
    for wrong in ("2025-2027", "2025/2026", "25-26", "", "2025-2026 ", "١٢٣٤-١٢٣٥", "0999-1000"):
        assert years.parse(wrong) is None, wrong


def test_the_marks_never_give_a_hidden_count_away():
    """"*" is 0 or 5 and more, "< 5" is 1 to 4: a "*" and a "< 5" that add up to 6 are 5 and 1. A third
    count is hidden then, so that the two may be 5 and 1, 6 and 0, or more."""
    result = suppress_group({"a": 5, "b": 1, "c": 9})
    assert {k: str(v) for k, v in result.items()} == {"a": "*", "b": "< 5", "c": "*"}


def test_a_group_too_small_to_protect_shows_every_hidden_count_as_a_star():
    assert {k: str(v) for k, v in suppress_group({"a": 5, "b": 1}).items()} == {"a": "*", "b": "*"}
    assert {k: str(v) for k, v in suppress_group({"a": 3, "b": 0}).items()} == {"a": "< 5", "b": "0"}, \
        "a total of 3 itself reads < 5"


def _possible(counts: dict, result: dict, zero_hidden: bool, caps: dict | None = None) -> dict:
    """Every value each hidden count may have, found by trying them all (the test's own reckoning)."""
    import itertools
    low = 0 if zero_hidden else 1
    total = sum(counts.values())
    totals = range(low, 5) if low <= total <= 4 else [total]  # a small total itself reads "< 5"
    rests = [t - sum(counts[k] for k, v in result.items() if v.visible) for t in totals]
    hidden = [k for k, v in result.items() if not v.visible]
    # "*" is 0 or 5 and more; where a small group shows every hidden count as "*", it may be any.
    anything = any(1 <= counts[k] <= 4 and result[k].hidden == "derived" for k in hidden)
    star = range(0, max(rests) + 1) if anything else [0, *range(5, max(rests) + 1)]
    ranges = [[v for v in (range(low, 5) if result[k].hidden == "small" else star) if v <= (caps or {}).get(k, v)]
              for k in hidden]
    seen = {k: set() for k in hidden}
    for values in itertools.product(*ranges):
        if sum(values) in rests:
            for k, value in zip(hidden, values):
                seen[k].add(value)
    return seen


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from([0, 0, 1, 2, 3, 4, 5, 6, 7, 9, 12]), min_size=1, max_size=5), st.booleans())
def test_no_hidden_count_has_only_one_possible_value(values, zero_hidden):
    """On the yearly report (0 shown) and the board's page (0 reads "< 5" too)."""
    counts = {f"k{n}": value for n, value in enumerate(values)}
    result = suppress_group(counts, zero_hidden)
    for key, value in result.items():
        assert value.value == counts[key]
        assert not (1 <= counts[key] <= 4 and value.visible), "every count of 1 to 4 is hidden"
        assert not (zero_hidden and counts[key] == 0 and value.visible)
    for key, possible in _possible(counts, result, zero_hidden).items():
        assert len(possible) >= 2 or possible == {0}, (counts, {k: str(v) for k, v in result.items()}, key, possible)


def test_on_the_boards_page_a_single_small_category_takes_another_with_it():
    """Seven categories of 5 and more beside one of 2 and the total: the 2 would follow by subtraction."""
    counts = {"a": 6, "b": 7, "c": 2}
    result = suppress_group(counts, zero_hidden=True)
    assert {k: str(v) for k, v in result.items()} == {"a": "*", "b": "7", "c": "< 5"}
    nothing = suppress_group({"a": 6, "b": 0, "c": 0}, zero_hidden=True)
    assert {k: str(v) for k, v in nothing.items()} == {"a": "6", "b": "< 5", "c": "< 5"}, "nothing else: nobody"


@settings(max_examples=300, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([0, 1, 2, 3, 4, 5, 6, 7, 9]), st.integers(0, 9)), min_size=1, max_size=4))
def test_incidents_beside_their_reports_give_nothing_away_either(pairs):
    """An incident count is never above the reports it is about: where those show, a reader knows
    that much more; where they are hidden, the incidents are too."""
    reports = {f"k{n}": r for n, (r, _) in enumerate(pairs)}
    incidents = {f"k{n}": min(r, i) for n, (r, i) in enumerate(pairs)}
    shown_reports = suppress_group(reports)
    result = suppress_group(incidents, beside=shown_reports)
    for key, value in result.items():
        assert value.value == incidents[key]
        assert shown_reports[key].visible or not value.visible, "hidden reports hide their incidents"
    caps = {key: value.value for key, value in shown_reports.items() if value.visible}
    for key, possible in _possible(incidents, result, False, caps).items():
        assert len(possible) >= 2 or possible == {0}, (reports, incidents, key, possible)
