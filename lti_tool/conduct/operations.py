"""Writing codes: a school's default drafts, editing a draft, publishing, due dates.

A published version never changes: only drafts take new content. Publishing retires the previous
version and says whether the change is minor (acknowledgements still hold) or major (everyone
acknowledges again, and gradebook scores are reset).
"""
from datetime import date

from flask_babel import gettext as _
from sqlalchemy import func, select

from ..db import insert_missing, utcnow
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..hooks import Hook
from ..imagesafe import refuse_images
from ..security import scoped
from .defaults import default_content
from .models import AUDIENCES, DRAFT, LOCALES, MAJOR, PUBLISHED, RETIRED, ConductCode, ConductVersion

# A major version replaced a published one (sent with the new version): what acknowledging the
# old one earned elsewhere is undone (the gradebook clears its column).
MAJOR_PUBLISHED = Hook("conduct.major_published")
# A version was published (sent with the version and who published it): the school's audit log keeps it.
VERSION_PUBLISHED = Hook("conduct.published")


def ensure_codes(school_id: int) -> dict[str, ConductCode]:
    """Make sure the school has a code per audience, a new one starting with the default draft."""
    codes = {}
    for audience in AUDIENCES:
        query = scoped(select(ConductCode), ConductCode, school_id).where(ConductCode.audience == audience)
        code = db.session.scalars(query).first()
        if code is None:
            insert_missing(db.session, ConductCode, school_id=school_id, audience=audience, created_at=utcnow())
            code = db.session.scalars(query).one()
            if not code.versions:
                db.session.add(ConductVersion(school_id=school_id, code=code, number=1, status=DRAFT,
                                              content=default_content(audience)))
        codes[audience] = code
    db.session.flush()
    return codes


def draft_of(school_id: int, audience: str, actor_id: int) -> ConductVersion:
    """The code's draft; when there is none, a new one that starts from the published version."""
    code = ensure_codes(school_id)[audience]
    versions = list(code.versions)
    for version in versions:
        if version.status == DRAFT:
            return version
    published = next((v for v in versions if v.status == PUBLISHED), None)
    number = (db.session.scalar(select(func.max(ConductVersion.number))
                                .where(ConductVersion.code_id == code.id)) or 0) + 1
    draft = ConductVersion(school_id=school_id, code=code, number=number, status=DRAFT,
                           content=published.content if published else default_content(audience),
                           updated_by_id=actor_id)
    db.session.add(draft)
    db.session.flush()
    return draft


def save_draft(version: ConductVersion, data: dict, actor_id: int) -> ConductVersion:
    """Store a draft's new content and due date (validated by DraftSchema); no text may carry an image or file."""
    _require_draft(version)
    refuse_images(data["content"], report=False)
    version.content = data["content"]
    version.due_date = data.get("due_date")
    version.updated_by_id = actor_id
    db.session.flush()
    return version


def discard_draft(version: ConductVersion) -> None:
    _require_draft(version)
    db.session.delete(version)
    db.session.flush()


def missing_texts(content: dict) -> list[str]:
    """Where a text is empty in Dutch or English: a version is published only when both are complete."""
    missing = []

    def check(label: str, text: dict) -> None:
        for locale in LOCALES:
            if not (text or {}).get(locale, "").strip():
                missing.append(f"{label} ({locale})")

    check(_("Title"), content.get("title"))
    check(_("Introduction"), content.get("intro"))
    for n, rule in enumerate(content.get("rules", []), 1):
        check(_("Rule %(n)s: title", n=n), rule.get("title"))
        check(_("Rule %(n)s: text", n=n), rule.get("body"))
        for step, text in enumerate(rule.get("ladder", []), 1):
            check(_("Rule %(n)s: consequence %(step)s", n=n, step=step), text)
    check(_("Where to report"), content.get("report"))
    for n, question in enumerate(content.get("questions", []), 1):
        check(_("Question %(n)s", n=n), question.get("prompt"))
        for option, text in enumerate(question.get("options", []), 1):
            check(_("Question %(n)s: option %(option)s", n=n, option=option), text)
    return missing


def publish(version: ConductVersion, change: str, due_date: date | None, actor_id: int) -> ConductVersion:
    """Publish a draft as the code's current version, retiring the previous one.

    The code row is locked first, so two authors publishing at once cannot both succeed.
    """
    _require_draft(version)
    missing = missing_texts(version.content)
    if missing:
        raise ValidationFailed({"content": missing},
                               _("Complete every text in Dutch and in English before publishing."))
    db.session.scalars(select(ConductCode).where(ConductCode.id == version.code_id).with_for_update()).one()
    db.session.refresh(version)
    _require_draft(version)
    previous = db.session.scalars(select(ConductVersion).where(
        ConductVersion.code_id == version.code_id, ConductVersion.status == PUBLISHED)).first()
    now = utcnow()
    if previous is None:
        change, epoch = MAJOR, 1  # the first publication asks everyone
    else:
        epoch = previous.epoch + 1 if change == MAJOR else previous.epoch
        previous.status, previous.retired_at = RETIRED, now
    version.status, version.change, version.epoch = PUBLISHED, change, epoch
    version.published_at, version.published_by_id = now, actor_id
    if due_date is not None or change == MAJOR:
        version.due_date = due_date
    elif previous is not None:
        version.due_date = previous.due_date  # a minor change keeps the deadline
    VERSION_PUBLISHED.send(version, actor_id)
    db.session.flush()
    if previous is not None and change == MAJOR:
        MAJOR_PUBLISHED.send(version)
    return version


def set_due_date(version: ConductVersion, due_date: date | None) -> ConductVersion:
    """Set when the version must be acknowledged by; the date is a deadline, not part of the text."""
    if version.status == RETIRED:
        raise Conflict(_("A retired version has no deadline any more."))
    version.due_date = due_date
    db.session.flush()
    return version


def _require_draft(version: ConductVersion) -> None:
    if version.status != DRAFT:
        raise Conflict(_("Version %(n)s is published and can no longer change; edit the draft instead.",
                         n=version.number))

