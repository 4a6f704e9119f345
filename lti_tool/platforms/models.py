"""Schools (the tenants), registered LMS platforms, their deployments, the tool's own keys, and the
people the LMSs launch: users and their place in a school (every layer reads them)."""
from datetime import datetime

from flask_babel import gettext as _
from sqlalchemy import Boolean, ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, TimestampMixin, UTCDateTime, utcnow
from ..security import SCHOOL_ADMIN, effective_role


class School(TimestampMixin, Base):
    """A school: the tenant boundary. Nothing of one school is ever shown to another."""

    __tablename__ = "schools"
    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))


class Platform(TimestampMixin, Base):
    """An LMS registration: one issuer and client id with its endpoints."""

    __tablename__ = "platforms"
    __table_args__ = (UniqueConstraint("issuer", "client_id"),)
    ACTIVE, PENDING = "active", "pending"

    id: Mapped[int] = mapped_column(primary_key=True)
    issuer: Mapped[str] = mapped_column(String(500))
    client_id: Mapped[str] = mapped_column(String(255))
    name: Mapped[str | None] = mapped_column(String(200))
    auth_login_url: Mapped[str] = mapped_column(String(1000))
    auth_token_url: Mapped[str] = mapped_column(String(1000))
    auth_audience: Mapped[str | None] = mapped_column(String(1000))
    key_set_url: Mapped[str] = mapped_column(String(1000))
    status: Mapped[str] = mapped_column(String(20), default=ACTIVE)
    # Where the registration came from: config (lti_config.json), cli, dynamic, demo.
    source: Mapped[str] = mapped_column(String(20), default="cli")
    deployments: Mapped[list["Deployment"]] = relationship(
        back_populates="platform", cascade="all, delete-orphan"
    )

    @property
    def is_active(self) -> bool:
        return self.status == self.ACTIVE


class Deployment(TimestampMixin, Base):
    """A deployment of the tool on a platform; it belongs to exactly one school.

    Without a school it is pending: it reached a registration the tool already knows (a board's
    next school) and waits until an administrator names its school; its launches are refused.
    """

    __tablename__ = "deployments"
    __table_args__ = (UniqueConstraint("platform_id", "deployment_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    deployment_id: Mapped[str] = mapped_column(String(255))
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    platform: Mapped[Platform] = relationship(back_populates="deployments")
    school: Mapped[School | None] = relationship()


class ToolKey(TimestampMixin, Base):
    """An RSA signing key of the tool; the private half is encrypted with a key from SECRET_KEY."""

    __tablename__ = "tool_keys"
    id: Mapped[int] = mapped_column(primary_key=True)
    kid: Mapped[str] = mapped_column(String(64), unique=True)
    private_key_encrypted: Mapped[bytes] = mapped_column(LargeBinary)
    public_jwk: Mapped[str] = mapped_column(Text)
    # Set when a newer key took over: the key stays in the JWKS until expires_at.
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class AccessToken(Base):
    """An LMS access token for a set of scopes, shared by every worker until shortly before it expires."""

    __tablename__ = "lti_access_tokens"
    __table_args__ = (UniqueConstraint("platform_id", "scopes"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    platform_id: Mapped[int] = mapped_column(ForeignKey("platforms.id", ondelete="CASCADE"))
    scopes: Mapped[str] = mapped_column(String(1000))
    token: Mapped[str] = mapped_column(Text)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime())


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
