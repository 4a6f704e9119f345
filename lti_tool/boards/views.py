"""The board's page: its schools' anonymised figures side by side, for the users the board named."""
from flask import Blueprint, g, render_template

from ..cases.labels import category_label
from ..reports.models import CATEGORIES
from ..security import STUDENT, roles_required
from . import queries

bp = Blueprint("board", __name__, url_prefix="/board")


def is_board_launch(launch) -> bool:
    """The launch's user sees the figures of a board that holds the launch's school (security.roles_required's also).

    Never in a pupil's launch, whatever was granted to the account.
    """
    return launch.role != STUDENT and queries.board_of(launch) is not None


@bp.app_context_processor
def _board_link():
    """Whether to offer the board's page: asked only by the pages that show the link."""
    return {"sees_board": lambda: g.get("launch") is not None and is_board_launch(g.launch)}


@bp.route("", methods=["GET"])
@roles_required(also=is_board_launch)
def overview():
    """Each school of the board side by side: acknowledgement progress and report counts, never a name."""
    board = queries.board_of(g.launch)
    return render_template("boards/overview.html", board=board, schools=queries.board_figures(board),
                           categories=CATEGORIES, category_label=category_label,
                           smallest=queries.SMALLEST)
