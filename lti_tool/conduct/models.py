"""A school's codes of conduct (one per audience) and their versions."""
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, UniqueConstraint, event, inspect
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..db import Base, TimestampMixin, UTCDateTime, utcnow

STUDENTS, STAFF = "student", "staff"
AUDIENCES = (STUDENTS, STAFF)
DRAFT, PUBLISHED, RETIRED = "draft", "published", "retired"
MINOR, MAJOR = "minor", "major"
LOCALES = ("nl", "en")


class ConductCode(TimestampMixin, Base):
    """The code for one audience (students or staff) of one school."""

    __tablename__ = "conduct_codes"
    __table_args__ = (UniqueConstraint("school_id", "audience"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    audience: Mapped[str] = mapped_column(String(20))
    versions: Mapped[list["ConductVersion"]] = relationship(
        back_populates="code", order_by="ConductVersion.number")


class ConductVersion(TimestampMixin, Base):
    """One version of a code. Drafts are edited; a published version never changes again.

    `epoch` counts major versions: an acknowledgement holds for every version of its epoch, so a
    minor change asks nobody to acknowledge again and a major one asks everyone.
    `content` holds {"title", "intro", "rules": [{"key", "title", "body", "ladder": [...]}],
    "report", "questions": [{"prompt", "options": [...], "answer", "rule"}]}, each text a
    {"nl": Markdown, "en": Markdown} pair; English may be left out entirely (a Dutch-only code).
    `change_note` is the short "what changed" for readers asked to acknowledge again, set when the
    version is published: {"nl": plain text, "en": plain text}.
    """

    __tablename__ = "conduct_versions"
    __table_args__ = (UniqueConstraint("code_id", "number"),)
    id: Mapped[int] = mapped_column(primary_key=True)
    school_id: Mapped[int] = mapped_column(ForeignKey("schools.id"), index=True)
    code_id: Mapped[int] = mapped_column(ForeignKey("conduct_codes.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=DRAFT)
    change: Mapped[str | None] = mapped_column(String(10))
    epoch: Mapped[int | None] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    due_date: Mapped[date | None] = mapped_column(Date)
    change_note: Mapped[dict | None] = mapped_column(JSON)
    published_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    retired_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)
    code: Mapped[ConductCode] = relationship(back_populates="versions")

    @property
    def audience(self) -> str:
        return self.code.audience


@event.listens_for(ConductVersion, "before_update")
def _published_content_is_frozen(mapper, connection, target):
    """Refuse, whatever the code path, to change the text of a version once it left draft."""
    state = inspect(target)
    was = state.attrs.status.history.deleted
    if state.attrs.content.history.has_changes() and (was[0] if was else target.status) != DRAFT:
        raise ValueError("a published version never changes")
