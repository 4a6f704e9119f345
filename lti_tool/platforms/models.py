"""Schools (the tenants), registered LMS platforms, their deployments, and the tool's own keys."""
from datetime import datetime

from sqlalchemy import ForeignKey, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, TimestampMixin, UTCDateTime


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
