"""The phone-exception register and each school's choice of who keeps it."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..courses.models import Course, User
from ..db import Base, UTCDateTime, utcnow

MEDICAL, LESSON, OTHER = "medical", "lesson", "other"
KINDS = (MEDICAL, LESSON, OTHER)
NOTE_MAX = 200


class PhoneException(Base):
    """One pupil's permission to use their phone in class: kind, period, who granted it.

    Never deleted: ending one early sets ended_at and keeps the row, so the register shows what
    held when. The note is a short practical remark, never a diagnosis.
    """

    __tablename__ = "phone_exceptions"
    __table_args__ = (Index("ix_phone_exceptions_school_pupil", "school_id", "pupil_id"),
                      Index("ix_phone_exceptions_ends_on", "ends_on"))
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    pupil_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    kind: Mapped[str] = mapped_column(String(20))
    # None: in every lesson; otherwise only in this course's lessons (gone with the course, never widened).
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"))
    note: Mapped[str | None] = mapped_column(String(NOTE_MAX))
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    ended_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The granter was reminded that it ends soon (once per end date: a new end date clears it).
    reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pupil: Mapped[User] = relationship(foreign_keys=[pupil_id])
    granted_by: Mapped[User | None] = relationship(foreign_keys=[granted_by_id])
    course: Mapped[Course | None] = relationship()

    def holds_on(self, day: date) -> bool:
        """Whether the exception applies on day (it was not ended, and day lies in its period)."""
        return self.ended_at is None and self.starts_on <= day <= self.ends_on

    def state(self, today: date) -> str:
        """current, upcoming, ended (early, by someone) or expired (its period passed)."""
        if self.ended_at is not None:
            return "ended"
        if today < self.starts_on:
            return "upcoming"
        return "expired" if today > self.ends_on else "current"


class ExceptionSettings(Base):
    """Who at a school grants, changes and ends phone exceptions, and when granters are reminded."""

    __tablename__ = "phone_exception_settings"
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    school_admins_grant: Mapped[bool] = mapped_column(Boolean, default=True)
    coordinators_grant: Mapped[bool] = mapped_column(Boolean, default=True)
    # Staff with the LMS's Mentor role (pupil care: mentor, team leader).
    mentors_grant: Mapped[bool] = mapped_column(Boolean, default=False)
    reminder_days: Mapped[int] = mapped_column(Integer, default=14)
    changed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    changed_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
