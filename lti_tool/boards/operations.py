"""Setting up boards on the command line: create one, add its schools, say who of its LMS sees its figures."""
from flask_babel import gettext as _
from sqlalchemy import func, select

from ..cases import audit
from ..courses import queries as people
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..platforms.models import Deployment, Platform, School
from .models import Board, BoardMember, BoardSchool


def get_board(ref: str) -> Board:
    """A board by id or exact name."""
    query = select(Board).where(Board.id == int(ref)) if ref.isdigit() else select(Board).where(Board.name == ref)
    board = db.session.scalars(query).first()
    if board is None:
        raise NotFound(_("No board %(ref)s.", ref=ref))
    return board


def create_board(name: str) -> Board:
    name = name.strip()
    if not 0 < len(name) <= 200:
        raise ValidationFailed({"name": [_("Give the board a name of at most 200 characters.")]})
    if db.session.scalars(select(Board).where(Board.name == name)).first() is not None:
        raise Conflict(_("A board named %(name)s already exists.", name=name))
    board = Board(name=name)
    db.session.add(board)
    db.session.flush()
    return board


def add_school(board: Board, school: School) -> None:
    """Put a school under the board; a school under another board is refused."""
    owner = db.session.scalars(select(BoardSchool).where(BoardSchool.school_id == school.id)).first()
    if owner is not None:
        if owner.board_id == board.id:
            return
        raise Conflict(_("%(school)s already belongs to another board.", school=school.name))
    db.session.add(BoardSchool(board_id=board.id, school_id=school.id))
    db.session.flush()
    db.session.expire(board, ["schools"])


def _issuers(board: Board) -> list[str]:
    """The LMSs of the board's schools: their users are the only ones who may see its figures."""
    return list(db.session.scalars(
        select(Platform.issuer).join(Deployment).join(BoardSchool, BoardSchool.school_id == Deployment.school_id)
        .where(BoardSchool.board_id == board.id).distinct()))


def board_user(board: Board, ref: str):
    """The user of the board's LMSs with this LMS user id or e-mail."""
    return people.user_by_reference(ref, _issuers(board), _(
        "Nobody with LMS user id or e-mail %(ref)s is known on the LMS of this board's schools. "
        "They appear once they open the tool.", ref=ref))


def grant(board: Board, ref: str) -> BoardMember:
    """Let a user of the board's LMS see the board's figures; recorded in the audit log of each of its schools."""
    user = board_user(board, ref)
    if not people.is_staff_at(user.id, [school.id for school in board.schools]):
        raise Conflict(_("%(name)s is not on the staff of any of the board's schools.", name=user.display_name))
    member = db.session.scalars(select(BoardMember).where(BoardMember.board_id == board.id,
                                                          BoardMember.user_id == user.id)).first()
    if member is None:
        member = BoardMember(board_id=board.id, user_id=user.id)
        db.session.add(member)
        _audit(board, "board_access_granted", user.display_name)
    db.session.flush()
    return member


def revoke(board: Board, ref: str) -> None:
    user = board_user(board, ref)
    member = db.session.scalars(select(BoardMember).where(BoardMember.board_id == board.id,
                                                          BoardMember.user_id == user.id)).first()
    if member is None:
        raise NotFound(_("%(name)s has no access to this board.", name=user.display_name))
    db.session.delete(member)
    _audit(board, "board_access_revoked", user.display_name)
    db.session.flush()


def _audit(board: Board, action: str, name: str) -> None:
    for school in board.schools:
        audit.record(school.id, None, action, None, name)


def list_boards() -> list[tuple[Board, int]]:
    """Every board with the number of users who see its figures."""
    counts = dict(db.session.execute(select(BoardMember.board_id, func.count()).group_by(BoardMember.board_id)).all())
    return [(board, counts.get(board.id, 0)) for board in db.session.scalars(select(Board).order_by(Board.id))]
