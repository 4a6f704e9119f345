"""Courses and course memberships, upserted from launches and roster reads."""
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, TimestampMixin, UTCDateTime, utcnow
# Users and their place in a school live with the schools (platforms.models): every layer reads them.
from ..platforms.models import School, SchoolMember, User, nameless_label  # noqa: F401

# CourseMember.lms_status: the roster lists the member as active, or no longer does (NRPS
# "Inactive" or "Deleted", or absent from a complete roster). None: only a launch told us.
ACTIVE, INACTIVE = "Active", "Inactive"


class Course(TimestampMixin, Base):
    """An LMS course (LTI context) of one school."""

    __tablename__ = "courses"
    __table_args__ = (UniqueConstraint("school_id", "context_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    context_id: Mapped[str] = mapped_column(String(255))
    title: Mapped[str | None] = mapped_column(String(500))
    label: Mapped[str | None] = mapped_column(String(255))
    school: Mapped[School] = relationship()


class CourseMember(TimestampMixin, Base):
    """A user's roles in one course, as the LMS last told us (launch or roster)."""

    __tablename__ = "course_members"
    __table_args__ = (UniqueConstraint("course_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    lti_roles: Mapped[str] = mapped_column(Text, default="")
    role: Mapped[str] = mapped_column(String(20))
    # The roster's word on this member (NRPS status: Active, Inactive); None when only a launch told us.
    lms_status: Mapped[str | None] = mapped_column(String(20))
    roster_seen_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    user: Mapped[User] = relationship()
    course: Mapped[Course] = relationship()


class RosterSync(Base):
    """The last roster fetch (NRPS) of a course: when, how it went, and where the roster lives."""

    __tablename__ = "roster_syncs"
    OK, UNAVAILABLE, FAILED = "ok", "unavailable", "failed"
    course_id: Mapped[int] = mapped_column(ForeignKey("courses.id", ondelete="CASCADE"), primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    platform_id: Mapped[int | None] = mapped_column(ForeignKey("platforms.id", ondelete="SET NULL"))
    memberships_url: Mapped[str | None] = mapped_column(String(1000))
    status: Mapped[str | None] = mapped_column(String(20))
    message: Mapped[str | None] = mapped_column(String(500))
    member_count: Mapped[int | None] = mapped_column(Integer)
    synced_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    attempted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
