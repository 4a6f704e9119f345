"""A school's choices about its school year; a school without a row is unaffected by all of them."""
from datetime import date, datetime

from sqlalchemy import Boolean, Date, ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow

# The Dutch convention: the school year starts around 1 September (the regions start between
# mid-August and early September); a school sets its own first day.
DEFAULT_MONTH_DAY = (9, 1)
DEFAULT_NEWCOMER_DAYS = 14


class SchoolYearSettings(Base):
    """When the school year starts, whether everyone acknowledges again then, and the weekly e-mails."""

    __tablename__ = "school_year_settings"
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    # Only its month and day repeat: the year starts on that day every year until the school changes it.
    first_day: Mapped[date] = mapped_column(Date)
    # Everyone acknowledges their code again once a new school year starts (no new version needed).
    yearly: Mapped[bool] = mapped_column(Boolean, default=False)
    # Days to acknowledge for someone first seen after the first day, and for everyone in a new year.
    newcomer_days: Mapped[int] = mapped_column(Integer, default=DEFAULT_NEWCOMER_DAYS)
    # Opt-outs: the weekly counts for teachers and mentors, the weekly reminder for staff.
    teacher_digest: Mapped[bool] = mapped_column(Boolean, default=True)
    staff_reminders: Mapped[bool] = mapped_column(Boolean, default=True)
    # The school year (YYYYMMDD) whose gradebook reset was queued: the new-year task runs once per year.
    scores_reset_for: Mapped[int | None] = mapped_column(Integer)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
