"""Server-side state of the LTI handshake: the nonces launches used up, and the launches."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..courses.models import Course, User
from ..db import Base, TimestampMixin, UTCDateTime, utcnow
from ..platforms.models import Platform, School
from ..security import LINK_CODE, LINK_PURPOSES, LINK_REPORT


class UsedNonce(Base):
    """A nonce a launch has used: the id_token that carries it is never accepted again.

    The launch inserts it in the transaction that accepts the launch (the primary key makes a
    second insert of it fail or wait for the first), so an id_token is accepted at most once,
    whichever browser or worker presents it. After expires_at its login's state is no longer
    valid (login_state.lifetime), so the row may go.
    """

    __tablename__ = "lti_used_nonces"
    nonce: Mapped[str] = mapped_column(String(64), primary_key=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)


class LaunchSession(TimestampMixin, Base):
    """What one successful launch established: who, at which school, in which course, as what."""

    __tablename__ = "lti_launches"
    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    message_type: Mapped[str] = mapped_column(String(64))
    role: Mapped[str] = mapped_column(String(20))
    lti_roles: Mapped[list] = mapped_column(JSON)
    # The service endpoints and settings of the launch (AGS, NRPS, deep linking, return URL).
    claims: Mapped[dict] = mapped_column(JSON)
    locale: Mapped[str] = mapped_column(String(10))
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    platform: Mapped[Platform] = relationship()
    school: Mapped[School] = relationship()
    user: Mapped[User] = relationship()
    course: Mapped[Course | None] = relationship()


class LinkPurpose(Base):
    """What a link added without choosing content is for, as a teacher said at its first launch.

    A link placed by deep linking says so itself (custom parameter `placement`); one added in the
    LMS by hand says nothing, and the tool asks instead of guessing (a guess made gradebook columns).
    """

    __tablename__ = "lti_link_purposes"
    __table_args__ = (UniqueConstraint("school_id", "platform_id", "resource_link_id"),)
    CODE, REPORT = LINK_CODE, LINK_REPORT
    PURPOSES = LINK_PURPOSES
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    resource_link_id: Mapped[str] = mapped_column(String(255))
    course_id: Mapped[int | None] = mapped_column(ForeignKey("courses.id", ondelete="SET NULL"))
    purpose: Mapped[str] = mapped_column(String(20))
    chosen_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    chosen_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
