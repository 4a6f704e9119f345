"""Small counts never show: 1 to 4 read "< 5", and no hidden count follows from a total beside it."""
from datetime import date

from lti_tool.yearreport import years
from lti_tool.yearreport.suppression import share, shown, suppress_group


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


def test_a_school_year_runs_from_the_first_of_august_to_the_end_of_july():
    year = years.containing(date(2026, 12, 6))
    assert (year.name, year.start, year.end) == ("2026-2027", date(2026, 8, 1), date(2027, 7, 31))
    assert years.containing(date(2026, 7, 31)).name == "2025-2026"
    assert [m.month for m in year.months()] == [8, 9, 10, 11, 12, 1, 2, 3, 4, 5, 6, 7]


def test_only_a_pair_of_following_years_names_a_school_year():
    assert years.parse("2025-2026").start == date(2025, 8, 1)
    for wrong in ("2025-2027", "2025/2026", "25-26", "", "2025-2026 ", "١٢٣٤-١٢٣٥", "0999-1000"):
        assert years.parse(wrong) is None, wrong
