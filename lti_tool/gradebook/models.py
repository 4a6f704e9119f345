"""Where the code sits in an LMS gradebook, the scores on their way there, and cached access tokens."""
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..courses.models import Course
from ..db import Base, TimestampMixin, UTCDateTime, utcnow
from ..platforms.models import AccessToken, Platform  # noqa: F401  (AccessToken: moved to platforms, still found here)


class Placement(TimestampMixin, Base):
    """The code placed in a course: its resource link and, once known, its AGS line item."""

    __tablename__ = "gradebook_placements"
    __table_args__ = (UniqueConstraint("course_id", "resource_link_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    # The AGS claim's line items container and the line item itself (created when missing).
    lineitems_url: Mapped[str | None] = mapped_column(String(1000))
    lineitem_url: Mapped[str | None] = mapped_column(String(1000))
    scopes: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    course: Mapped[Course] = relationship()
    platform: Mapped[Platform] = relationship()


class ScoreDelivery(TimestampMixin, Base):
    """One score waiting for, or done with, delivery to the LMS: the durable outbox.

    Written in the same transaction as the acknowledgement (or the major publication) that calls
    for it; a worker sends it with retries and backoff. The score's timestamp is fixed when it is
    written, so delivering the same row twice leaves the LMS as delivering it once.
    """

    __tablename__ = "gradebook_outbox"
    __table_args__ = (Index("ix_gradebook_outbox_due", "status", "next_attempt_at"),)
    PENDING, DELIVERED, FAILED = "pending", "delivered", "failed"
    # Not sent because a newer score for the same placement and user exists (String column: no migration).
    SUPERSEDED = "superseded"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    placement_id: Mapped[int] = mapped_column(
        ForeignKey("gradebook_placements.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    score_given: Mapped[float] = mapped_column(Float)
    activity_progress: Mapped[str] = mapped_column(String(20))
    grading_progress: Mapped[str] = mapped_column(String(20))
    scored_at: Mapped[datetime] = mapped_column(UTCDateTime())
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    delivered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    placement: Mapped[Placement] = relationship()
