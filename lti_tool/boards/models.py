"""School boards: one board runs the tool for several schools and sees their anonymised figures side by side."""
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..courses.models import User
from ..db import Base, TimestampMixin
from ..platforms.models import School


class Board(TimestampMixin, Base):
    """A school board (schoolbestuur); set up on the command line by the tool's administrator."""

    __tablename__ = "boards"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    schools: Mapped[list[School]] = relationship(secondary="board_schools", order_by=School.name)


class BoardSchool(TimestampMixin, Base):
    """A school of a board; a school belongs to at most one board."""

    __tablename__ = "board_schools"
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True, unique=True)


class BoardMember(TimestampMixin, Base):
    """A user of one of the board's LMSs who sees the board's figures: counts only, never a name or a report."""

    __tablename__ = "board_members"
    __table_args__ = (UniqueConstraint("board_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    board_id: Mapped[int] = mapped_column(ForeignKey("boards.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    board: Mapped[Board] = relationship()
    user: Mapped[User] = relationship()
