"""A school board sees its schools' anonymised figures side by side, and nothing else.

The board is set up on the command line; its user comes from the board's LMS. The page shows
counts only (any count below 5 as "< 5"), never a name or anything a report says; a user of
another board, a pupil, or staff the board did not name see nothing of it.
"""
import secrets

import pytest
from bs4 import BeautifulSoup

from lti_tool.cli import main
from tests.cases.conftest import make_case
from tests.conftest import demo_lms
from tests.support.browser import Browser, launch_token_of, text_of

SECRET = "SECRET-CONTENT-" + secrets.token_hex(3)


@pytest.fixture
def cli(app):
    runner = app.test_cli_runner()

    def run(*args, ok=True):
        result = runner.invoke(main, list(args))
        assert (result.exit_code == 0) == ok, result.output
        return result
    return run


@pytest.fixture
def board(app, tool_url, cli, db_session):
    """Board with two schools on one LMS registration (deployments a and b), its user the teacher Mark."""
    tag = secrets.token_hex(3)
    with demo_lms(app, tool_url, f"Noord {tag}", "board", "dep-a") as lms:
        school_b = f"Zuid {tag}"
        cli("deployments", "add", "--platform", str(lms.platform_id), "--deployment-id", "dep-b", "--school", school_b)
        for deployment in ("dep-a", "dep-b"):
            lms.deployment_id = deployment
            for user in ("teacher", "student", "coordinator"):
                browser = Browser(tool_url)
                assert browser.follow(browser.launch(lms, user)).status_code == 200
        lms.deployment_id = "dep-a"
        from lti_tool.platforms.models import School
        from sqlalchemy import select
        ids = {s.name: s.id for s in db_session.scalars(select(School).where(School.name.in_([lms.school_name, school_b])))}
        for _ in range(6):
            make_case(app, ids[lms.school_name], category="cyberbullying", what=SECRET)
        for _ in range(2):
            make_case(app, ids[school_b], category="threats", what=SECRET)
        name = f"Stichting {tag}"
        cli("boards", "create", name)
        cli("boards", "add-school", "--board", name, "--school", lms.school_name)
        cli("boards", "add-school", "--board", name, "--school", school_b)
        cli("boards", "grant", "--board", name, "--user", lms.users["teacher"].email)
        lms.board_name, lms.school_b = name, school_b
        yield lms


def _board_page(tool_url, lms, user, deployment="dep-a"):
    lms.deployment_id = deployment
    browser = Browser(tool_url)
    home = browser.follow(browser.launch(lms, user, locale="en-GB"))
    assert home.status_code == 200, home.text
    return home, browser.get("/board", token=launch_token_of(home.text))


def _cells(html) -> dict:
    """The table as {row heading: [cell per school]}, with the schools' names under "schools"."""
    soup = BeautifulSoup(html, "html.parser")
    table = soup.select_one("table.board-table")
    rows = {"schools": [th.get_text(strip=True) for th in table.select("thead th")[1:]]}
    for tr in table.select("tbody tr"):
        tds = tr.select("td")
        if tds:
            rows[tr.th.get_text(strip=True)] = [td.get_text(" ", strip=True) for td in tds]
    return rows


def test_the_board_user_sees_both_schools_side_by_side_counts_only(board, tool_url):
    home, page = _board_page(tool_url, board, "teacher")
    assert "Figures of the board's schools" in home.text
    assert page.status_code == 200, page.text
    cells = _cells(page.text)
    assert cells["schools"] == sorted([board.school_name, board.school_b])
    noord, zuid = (0, 1) if cells["schools"][0] == board.school_name else (1, 0)
    assert cells["Received"][noord] == "6" and cells["Received"][zuid] == "< 5"
    assert cells["Cyberbullying or harassment"][noord] == "6"
    assert cells["Threats"][zuid] == "< 5" and cells["Threats"][noord] == "< 5"
    assert cells["Pupils"][noord].startswith("< 5 of < 5")
    text = text_of(page.text)
    assert SECRET not in page.text
    for user in board.users.values():
        if user.key != "teacher":  # the page names nobody (the reader's own name aside)
            assert user.name not in text and user.email not in page.text


def test_it_works_from_either_school_of_the_board(board, tool_url):
    _, page = _board_page(tool_url, board, "teacher", deployment="dep-b")
    assert page.status_code == 200 and board.school_name in page.text


@pytest.mark.parametrize("user", ["student", "coordinator"])
def test_pupils_and_staff_the_board_did_not_name_see_nothing(board, tool_url, user):
    home, page = _board_page(tool_url, board, user)
    assert page.status_code == 403 and board.school_b not in page.text
    assert "Figures of the board's schools" not in home.text


def test_a_user_of_another_board_sees_only_their_own(board, app, tool_url, cli):
    with demo_lms(app, tool_url, "Elders " + secrets.token_hex(3), "other-board", "dep-o") as other:
        browser = Browser(tool_url)
        launched = browser.follow(browser.launch(other, "teacher"))
        assert launched.status_code == 200, launched.text[:500]  # the teacher is known from here on
        name = "Andere stichting " + secrets.token_hex(3)
        cli("boards", "create", name)
        cli("boards", "add-school", "--board", name, "--school", other.school_name)
        cli("boards", "grant", "--board", name, "--user", other.users["teacher"].sub)
        _, page = _board_page(tool_url, other, "teacher", deployment="dep-o")
        assert page.status_code == 200
        assert _cells(page.text)["schools"] == [other.school_name]
        assert board.school_name not in page.text and board.school_b not in page.text
        # Their school can't be put under the first board too.
        taken = cli("boards", "add-school", "--board", board.board_name, "--school", other.school_name, ok=False)
        assert "already belongs to another board" in taken.output


def test_bad_board_commands_say_what_is_wrong_and_change_nothing(board, cli):
    assert "already exists" in cli("boards", "create", board.board_name, ok=False).output
    assert "No board" in cli("boards", "grant", "--board", "No such board", "--user", "x", ok=False).output
    assert "No school" in cli("boards", "add-school", "--board", board.board_name, "--school", "Nowhere 0", ok=False).output
    unknown = cli("boards", "grant", "--board", board.board_name, "--user", "stranger@elsewhere.example", ok=False)
    assert "Nobody with LMS user id or e-mail" in unknown.output
    pupil = cli("boards", "grant", "--board", board.board_name, "--user", board.users["student"].sub, ok=False)
    assert "not on the staff" in pupil.output
    listing = cli("boards", "list").output
    assert listing.splitlines()[0].lower().split() == ["id", "name", "schools", "users"]
    assert board.board_name in listing


def test_taking_back_a_board_users_access_closes_the_page(board, cli, tool_url):
    cli("boards", "revoke", "--board", board.board_name, "--user", board.users["teacher"].sub)
    _, page = _board_page(tool_url, board, "teacher")
    assert page.status_code == 403
