"""Acknowledgements: one append-only row per person per major version of their code."""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Integer, String, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..conduct.models import ConductVersion
from ..db import Base, UTCDateTime, utcnow


class Acknowledgement(Base):
    """That a user read and acknowledged a version of their school's code: never changed, never deleted.

    Unique per (user, code, epoch, school year): acknowledging twice for the same major version in
    the same school year is refused by the database whatever the race (and operations.acknowledge
    refuses another year's too, unless the school asks again each year).
    """

    __tablename__ = "acknowledgements"
    __table_args__ = (UniqueConstraint("user_id", "code_id", "epoch", "school_year"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("conduct_codes.id"))
    version_id: Mapped[int] = mapped_column(ForeignKey("conduct_versions.id"))
    epoch: Mapped[int] = mapped_column(Integer)
    locale: Mapped[str] = mapped_column(String(10))
    # The course the person launched from, when there was one.
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    # None when the version had no comprehension check; only pass/fail is kept, never answers.
    check_passed: Mapped[bool | None] = mapped_column(Boolean)
    acknowledged_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # The first day (YYYYMMDD) of the school year the acknowledgement counts for (schoolyear.queries).
    school_year: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    version: Mapped[ConductVersion] = relationship()


@event.listens_for(Acknowledgement, "before_update")
def _immutable(mapper, connection, target):
    raise ValueError("acknowledgements are append-only")


@event.listens_for(Acknowledgement, "before_delete")
def _undeletable(mapper, connection, target):
    raise ValueError("acknowledgements are append-only")
