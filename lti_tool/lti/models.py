"""Server-side state of the LTI handshake: login states (with their one-time nonce) and launches."""
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..courses.models import Course, User
from ..db import Base, TimestampMixin, UTCDateTime
from ..platforms.models import Platform, School


class LoginState(TimestampMixin, Base):
    """One OIDC login: its state, the nonce sent to the platform, and when it was used up.

    A launch consumes its row with one conditional UPDATE, so an id_token is accepted at most
    once, whichever browser or worker presents it.
    """

    __tablename__ = "lti_login_states"
    state: Mapped[str] = mapped_column(String(64), primary_key=True)
    nonce: Mapped[str] = mapped_column(String(64), unique=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    # The login parameters, so a launch without its cookie can be restarted in a new window.
    login_params: Mapped[dict] = mapped_column(JSON)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    platform: Mapped[Platform] = relationship()


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
