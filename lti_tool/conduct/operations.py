"""Writing codes: a school's default drafts, editing a draft, publishing, due dates.

A published version never changes: only drafts take new content. Publishing retires the previous
version and says whether the change is minor (acknowledgements still hold) or major (everyone
acknowledges again, and gradebook scores are reset); each publication goes into the audit log.
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
from . import diff, rendering
from .defaults import default_content
from .models import AUDIENCES, DRAFT, LOCALES, MAJOR, PUBLISHED, RETIRED, ConductCode, ConductVersion
from .schemas import MAX_NOTE

# A major version replaced a published one (sent with the new version): what acknowledging the
# old one earned elsewhere is undone (the gradebook clears its column).
MAJOR_PUBLISHED = Hook("conduct.major_published")
# A version was published (sent with it, the author's user id and minor/major): the audit log keeps it.
VERSION_PUBLISHED = Hook("conduct.published")
# Asked (school_id, audience, change): who must acknowledge if such a version is published (the
# acknowledgements, above the code, count them for the publish confirmation).
REACH = Hook("conduct.reach")


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
    """The DraftSchema paths of texts that keep a version from being published.

    Every text needs its Dutch; English is optional, but all or nothing: a reader who chooses
    English gets either the whole code in English or the whole code in Dutch, never a mix.
    """
    missing = [f"{path}.nl" for path in rendering.missing_in(content, "nl")]
    for locale in LOCALES[1:]:
        if rendering.has_any(content, locale):
            missing += [f"{path}.{locale}" for path in rendering.missing_in(content, locale)]
    return missing


def text_changed(old: dict, new: dict) -> bool:
    """Whether a reader would read anything different: the rendered words in any language.

    Spaces, line breaks and Markdown that renders the same do not count as a change.
    """
    return any(diff.words(old, locale) != diff.words(new, locale) for locale in LOCALES)


def current_of(version: ConductVersion) -> ConductVersion | None:
    """The published version of the same code: what a draft would replace."""
    return db.session.scalars(select(ConductVersion).where(
        ConductVersion.code_id == version.code_id, ConductVersion.status == PUBLISHED)).first()


def publish_problems(version: ConductVersion, change: str, note: dict) -> dict[str, list[str]]:
    """Why a draft cannot be published as `change` with this note, by field; empty when it can."""
    problems = {path: [_("Fill in this text.")] for path in missing_texts(version.content)}
    previous = current_of(version)
    if previous is not None and change == MAJOR:
        if not text_changed(previous.content, version.content):
            problems["change"] = [_("The text is the same as version %(n)s, so nobody needs to acknowledge it "
                                    "again. Publish it as a minor change.", n=previous.number)]
        elif not (note.get("nl") or "").strip():
            problems["note_nl"] = [_("Say in a sentence or two what changed: readers who acknowledge again "
                                     "see it first.")]
    if (note.get("en") or "").strip() and not (note.get("nl") or "").strip():
        problems.setdefault("note_nl", [_("Write the note in Dutch too: Dutch is the code's own language.")])
    return problems


def check_note(note: dict) -> None:
    """Refuse a "what changed" note that is too long or carries an image or a file, naming its field."""
    fields_ = {f"note_{locale}": note.get(locale) or "" for locale in LOCALES}
    refuse_images(fields_, limits={name: MAX_NOTE for name in fields_}, report=False)


def publish(version: ConductVersion, change: str, due_date: date | None, actor_id: int | None,
            note: dict | None = None) -> ConductVersion:
    """Publish a draft as the code's current version, retiring the previous one.

    A major change asks everyone to acknowledge again: it needs a note saying what changed, and
    a text that really changed (an unchanged text may go out as a minor version). The code row is
    locked first, so two authors publishing at once cannot both succeed.
    """
    _require_draft(version)
    note = {locale: ((note or {}).get(locale) or "").strip() for locale in LOCALES}
    db.session.scalars(select(ConductCode).where(ConductCode.id == version.code_id).with_for_update()).one()
    db.session.refresh(version)
    _require_draft(version)
    problems = publish_problems(version, change, note)
    if problems:
        raise ValidationFailed(problems, _("This draft cannot be published like this yet."))
    check_note(note)
    previous = current_of(version)
    now = utcnow()
    if previous is None:
        change, epoch = MAJOR, 1  # the first publication asks everyone
    else:
        epoch = previous.epoch + 1 if change == MAJOR else previous.epoch
        previous.status, previous.retired_at = RETIRED, now
    version.status, version.change, version.epoch = PUBLISHED, change, epoch
    version.published_at, version.published_by_id = now, actor_id
    version.change_note = note if note["nl"] else None
    if due_date is not None or change == MAJOR:
        version.due_date = due_date
    elif previous is not None:
        version.due_date = previous.due_date  # a minor change keeps the deadline
    db.session.flush()
    VERSION_PUBLISHED.send(version, actor_id)
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

