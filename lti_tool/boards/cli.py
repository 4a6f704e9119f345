"""`lti-tool boards`: a school board, its schools, and who of its LMS sees their figures."""
import click
from flask.cli import with_appcontext

from ..cli_support import table, transaction
from ..platforms import operations as platforms
from . import operations


@click.group()
def boards():
    """School boards that see anonymised figures of their schools side by side."""


@boards.command("create")
@click.argument("name")
@with_appcontext
def boards_create(name):
    """Create a board."""
    with transaction():
        board = operations.create_board(name)
        board_id = board.id
    click.echo(f"Created board {board_id}: {name.strip()}.")


@boards.command("add-school")
@click.option("--board", required=True, help="The board's id or exact name.")
@click.option("--school", required=True, help="The school's id or exact name.")
@with_appcontext
def boards_add_school(board, school):
    """Put a school under a board."""
    with transaction():
        found, added = operations.get_board(board), platforms.get_school(school)
        operations.add_school(found, added)
        said = f"{added.name} is a school of {found.name}."
    click.echo(said)


def _who(command):
    """The board and the user a grant or revocation names."""
    for option in (click.option("--user", required=True,
                                help="LMS user id or e-mail of someone on the LMS of the board's schools."),
                   click.option("--board", required=True, help="The board's id or exact name.")):
        command = option(command)
    return with_appcontext(command)


@boards.command("grant")
@_who
def boards_grant(board, user):
    """Let a user see the board's figures (counts only, never a name or a report)."""
    with transaction():
        member = operations.grant(operations.get_board(board), user)
        said = f"{member.user.display_name} sees the figures of {member.board.name}."
    click.echo(said)


@boards.command("revoke")
@_who
def boards_revoke(board, user):
    """Take back a user's view of the board's figures."""
    with transaction():
        operations.revoke(operations.get_board(board), user)
    click.echo("Done.")


@boards.command("list")
@with_appcontext
def boards_list():
    """Every board with its schools and how many users see its figures."""
    rows = [[b.id, b.name, ", ".join(s.name for s in b.schools) or "-", count]
            for b, count in operations.list_boards()]
    if not rows:
        click.echo("No boards yet.")
        return
    table(["ID", "NAME", "SCHOOLS", "USERS"], rows)
