"""A school's own privacy choices: how long after leaving a person's data is kept."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow

# The documented terms (docs/privacy/ marks them; tests/privacy/test_documents.py compares).
PUPIL_YEARS = 2      # after the end of the school year in which a pupil was last seen
STAFF_MONTHS = 24    # after a staff member was last seen


class PrivacySettings(Base):
    """How long a leaver's name, e-mail, LMS ids and memberships are kept; defaults until the school sets them."""

    __tablename__ = "privacy_settings"
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    pupil_years: Mapped[int] = mapped_column(Integer, default=PUPIL_YEARS, server_default=str(PUPIL_YEARS))
    staff_months: Mapped[int] = mapped_column(Integer, default=STAFF_MONTHS, server_default=str(STAFF_MONTHS))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
