"""Reports and the messages between reporter and coordinator. Every text is sealed (see sealing.py).

Sealed columns hold AES-GCM ciphertext under a data key from the configuration, so a raw dump of
the database shows no report text. A pseudonymous reporter is linked to their reports only by a
keyed hash (reporter_lookup) and a sealed user id (reporter_link): the tool can find "my reports",
nobody at the school can see who.
"""
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..courses.models import User
from ..db import Base, TimestampMixin, UTCDateTime, utcnow

CATEGORIES = ("sexual_images", "fight_video", "unwanted_images", "cyberbullying", "threats",
              "impersonation", "private_data", "other")
SEXUAL_IMAGES = "sexual_images"
URGENT_CATEGORIES = ("sexual_images", "threats")
NEW, ACKNOWLEDGED, IN_PROGRESS, CLOSED = "new", "acknowledged", "in_progress", "closed"
STATUSES = (NEW, ACKNOWLEDGED, IN_PROGRESS, CLOSED)
NAMED, PSEUDONYMOUS = "named", "pseudonymous"
SOURCES = ("tool", "phone", "in_person", "email", "other")


def _same_as_created(context):
    """received_at defaults to created_at: only a pseudonymous report's differ (see coarse_time.py)."""
    return context.get_current_parameters().get("created_at") or utcnow()


class Report(TimestampMixin, Base):
    """One report and, once a coordinator works it, its case.

    created_at is what every surface shows and sorts by: for a pseudonymous report the start of its
    part of the day. received_at is the exact moment, for deadlines and limits only, never shown.
    """

    __tablename__ = "reports"
    __table_args__ = (
        Index("ix_reports_queue", "school_id", "status", "urgent", "created_at"),
    )
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    # The reporter's receipt, e.g. "VO-7K3M-Q9PX": unique across schools, hard to guess.
    reference: Mapped[str] = mapped_column(String(20), unique=True)
    category: Mapped[str] = mapped_column(String(30))
    source: Mapped[str] = mapped_column(String(20), default="tool")
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    spreading_now: Mapped[bool] = mapped_column(Boolean, default=False)
    reporter_is_affected: Mapped[bool | None] = mapped_column(Boolean)
    identity: Mapped[str] = mapped_column(String(20), default=PSEUDONYMOUS)
    pseudonym: Mapped[str] = mapped_column(String(40))
    # Only for a reporter who lets the school see their name; never set for a pseudonymous one.
    reporter_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # HMAC of (school, user) under the data key: finds "my reports" without revealing the reporter.
    reporter_lookup: Mapped[str | None] = mapped_column(String(64), index=True)
    # The reporter's user id, sealed: lets `keys rotate-data` renew the lookup; shown to nobody.
    reporter_link: Mapped[bytes | None] = mapped_column(LargeBinary)
    # Sealed JSON: what happened, where (platform, link, handle), when, who is involved, and for
    # sexual images the structured evidence (never an image).
    details: Mapped[bytes | None] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(20), default=NEW)
    assignee_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A staff member suspected of a sexual offence against a student: the board / Inspectorate track.
    staff_suspect: Mapped[bool] = mapped_column(Boolean, default=False)
    # The reporter said it is about someone who works at the school: the board track is offered,
    # and a coordinator confirms whether staff_suspect (the required step) applies.
    about_staff: Mapped[bool] = mapped_column(Boolean, default=False)
    # The incident a coordinator linked this report into (many reports, one incident), if any.
    incident_id: Mapped[int | None] = mapped_column(ForeignKey("incidents.id", ondelete="SET NULL"), index=True)
    first_response_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reporter_acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    feedback_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    closed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The reporter's one "it started again" after closing (see reports.operations.reopen_by_reporter).
    reporter_reopened_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The last time the reporter said "it is spreading again": notifies at most once an hour.
    spreading_again_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    outcome: Mapped[str | None] = mapped_column(String(30))
    rule_key: Mapped[str | None] = mapped_column(String(60))
    ladder_step: Mapped[int | None] = mapped_column(Integer)
    not_genuine: Mapped[bool] = mapped_column(Boolean, default=False)
    legal_hold: Mapped[bool] = mapped_column(Boolean, default=False)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_same_as_created, nullable=False)
    reporter: Mapped[User | None] = relationship(foreign_keys=[reporter_user_id])
    assignee: Mapped[User | None] = relationship(foreign_keys=[assignee_id])

    @property
    def coarse_time(self) -> bool:
        """Whether what its reporter causes is timed by the part of the day only: a pseudonymous
        report made in the tool (one entered by a coordinator was timed by the coordinator)."""
        return reporter_timed_coarsely(self.identity, self.source)


def reporter_timed_coarsely(identity: str | None, source: str | None) -> bool:
    """Report.coarse_time for a row read as columns."""
    return identity == PSEUDONYMOUS and source == "tool"


class ReportMessage(Base):
    """A message between the reporter and the school's coordinators; the body is sealed."""

    __tablename__ = "report_messages"
    REPORTER, COORDINATOR = "reporter", "coordinator"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    author_role: Mapped[str] = mapped_column(String(20))
    # The coordinator who wrote it; never the reporter (a pseudonymous reporter stays unknown).
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    read_by_reporter_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    read_by_school_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    # The exact moment (created_at is coarse for a pseudonymous reporter's message): limits only, never shown.
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=_same_as_created, nullable=False)
