"""Users, their place in a school, courses and course memberships, upserted from launches."""
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, TimestampMixin, UTCDateTime, utcnow
from ..platforms.models import School
from ..security import SCHOOL_ADMIN, effective_role

# CourseMember.lms_status: the roster lists the member as active, or no longer does (NRPS
# "Inactive" or "Deleted", or absent from a complete roster). None: only a launch told us.
ACTIVE, INACTIVE = "Active", "Inactive"


class User(TimestampMixin, Base):
    """A person as an LMS knows them: issuer + sub. Name and email only when the LMS sends them."""

    __tablename__ = "users"
    __table_args__ = (UniqueConstraint("issuer", "sub"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    sub: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(300))
    email: Mapped[str | None] = mapped_column(String(320))
    locale: Mapped[str | None] = mapped_column(String(20))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    @property
    def display_name(self) -> str:
        return self.name or self.email or nameless_label(self.sub, self.id)


def nameless_label(sub: str | None, user_id: int) -> str:
    """How a person the LMS shares no name of is shown: by the LMS's own short id, as the LMS does.

    Moodle's user ids are numbers ("Gebruiker 1234" finds them in the LMS); a long or opaque id
    (Canvas, Brightspace) would say nothing, so the tool's own number is shown instead.
    """
    short = sub if sub and len(sub) <= 12 and sub.isalnum() else None
    return _("User %(id)s", id=short) if short else _("User #%(id)s", id=user_id)


class SchoolMember(TimestampMixin, Base):
    """A user's standing at one school: role from the latest launch, coordinator by designation."""

    __tablename__ = "school_members"
    __table_args__ = (UniqueConstraint("school_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    # student, staff or school_admin: derived from LTI roles at each launch.
    role: Mapped[str] = mapped_column(String(20))
    # Designated inside the tool by a school admin; an LTI role never sets this.
    is_coordinator: Mapped[bool] = mapped_column(Boolean, default=False)
    # school_admin when the school granted it (the LMS's own administrators need no grant); a launch
    # never sets or clears it. security.effective_role decides what it means for a request.
    granted_role: Mapped[str | None] = mapped_column(String(20))
    last_launch_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    user: Mapped[User] = relationship()
    school: Mapped[School] = relationship()

    @property
    def acting_role(self) -> str:
        """The role this member acts in at the school: what the LMS said, raised by a grant."""
        return effective_role(self.role, self.granted_role)

    @property
    def lms_admin(self) -> bool:
        """School admin through the LMS's own administrator role, which the tool cannot take away."""
        return self.role == SCHOOL_ADMIN


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
