"""What coordinators add to a report: notes, the protocol checklist, the audit log, school settings, mail."""
from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, LargeBinary, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..db import Base, UTCDateTime, utcnow


class CaseNote(Base):
    """An internal note on a case; the reporter never sees it. The body is sealed."""

    __tablename__ = "case_notes"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    author_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    body: Mapped[bytes | None] = mapped_column(LargeBinary)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ChecklistEntry(Base):
    """One protocol step of a case dealt with: done or not applicable, by whom, when, with a sealed note."""

    __tablename__ = "case_checklist"
    __table_args__ = (UniqueConstraint("report_id", "step"),)
    DONE, NOT_APPLICABLE = "done", "not_applicable"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    step: Mapped[str] = mapped_column(String(40))
    done_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    done_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    state: Mapped[str] = mapped_column(String(20), default=DONE, server_default=DONE)
    # What the coordinator did or why the step does not apply; sealed like a case note, never shown to the reporter.
    note: Mapped[bytes | None] = mapped_column(LargeBinary)


class AuditEvent(Base):
    """Who viewed, changed or exported what and when: never any content, append-only."""

    __tablename__ = "audit_events"
    __table_args__ = (Index("ix_audit_events_school_time", "school_id", "created_at"),
                      Index("ix_audit_events_school_actor_time", "school_id", "actor_user_id", "created_at"))
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"))
    report_id: Mapped[int | None] = mapped_column(ForeignKey("reports.id", ondelete="SET NULL"), index=True)
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    action: Mapped[str] = mapped_column(String(40))
    detail: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class CaseSettings(Base):
    """A school's choices for handling reports; defaults apply until the school sets them."""

    __tablename__ = "case_settings"
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    first_response_hours: Mapped[int] = mapped_column(Integer, default=24)   # one working day
    urgent_response_minutes: Mapped[int] = mapped_column(Integer, default=60)
    retention_months: Mapped[int] = mapped_column(Integer, default=12)
    # How long after closing a reporter may reopen their case once ("it started again").
    reporter_reopen_days: Mapped[int] = mapped_column(Integer, default=30, server_default="30")
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)


class MailMessage(Base):
    """An e-mail waiting for, or done with, delivery: the durable mail outbox. Never holds report content."""

    __tablename__ = "mail_outbox"
    __table_args__ = (Index("ix_mail_outbox_due", "status", "next_attempt_at"),
                      UniqueConstraint("school_id", "to_address", "batch_key"))
    PENDING, SENT, FAILED = "pending", "sent", "failed"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int | None] = mapped_column(ForeignKey("schools.id"), index=True)
    to_address: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(20), default=PENDING)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_error: Mapped[str | None] = mapped_column(String(500))
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    # A batched notice's send slot: one pending notice per coordinator per slot (cases/batching.py).
    batch_key: Mapped[str | None] = mapped_column(String(40))


class ReportExclusion(Base):
    """A coordinator the reporter kept away from their report: never notified, never shown it."""

    __tablename__ = "report_exclusions"
    __table_args__ = (UniqueConstraint("report_id", "user_id"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    report_id: Mapped[int] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)


class SchoolDeputy(Base):
    """The staff member a school admin names to act as coordinator for reports that exclude every coordinator."""

    __tablename__ = "school_deputies"
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    named_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    named_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Incident(Base):
    """One incident that many reports are about (a fight video reported by a whole class)."""

    __tablename__ = "incidents"
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
