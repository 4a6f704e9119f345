"""Reading codes and versions, always within one school."""
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ..errors import NotFound
from ..extensions import db
from ..security import SCHOOL_ADMIN, STAFF, scoped
from .models import DRAFT, PUBLISHED, STAFF as STAFF_AUDIENCE, STUDENTS, ConductCode, ConductVersion
from .rendering import languages


def audience_for(role: str) -> str:
    """Which code a person acknowledges: staff and school admins the staff code, everyone else the students'."""
    return STAFF_AUDIENCE if role in (STAFF, SCHOOL_ADMIN) else STUDENTS


def code_for(school_id: int, audience: str) -> ConductCode | None:
    return db.session.scalars(scoped(select(ConductCode), ConductCode, school_id)
                              .where(ConductCode.audience == audience)).first()


def current_versions(school_id: int) -> dict[str, ConductVersion]:
    """The published version of each audience's code at this school (none before a first publication)."""
    query = (scoped(select(ConductVersion), ConductVersion, school_id)
             .join(ConductCode).where(ConductVersion.status == PUBLISHED)
             .options(contains_eager(ConductVersion.code)))  # one query, codes included
    return {version.code.audience: version for version in db.session.scalars(query)}


def current_version(school_id: int, audience: str) -> ConductVersion | None:
    return current_versions(school_id).get(audience)


@dataclass(frozen=True)
class Published:
    """What publication freezes of a version (not its status or due date, which change later)."""

    id: int
    school_id: int
    code_id: int
    audience: str
    number: int
    epoch: int
    questions: tuple
    locales: tuple  # the languages it is written in: Dutch, and English unless left out


_PUBLISHED_CACHE = "conduct_published_versions"
_PUBLISHED_CACHE_SIZE = 1000


def published(school_id: int, version_id: int) -> Published | None:
    """The frozen part of a version that is or was published at this school; None otherwise.

    Kept per process once read: a published version's text, questions and epoch never change (the
    model refuses it), so every acknowledgement need not read the whole bilingual text again.
    Whether it is still the current version is for the caller to check in the database.
    """
    cache = current_app.extensions.setdefault(_PUBLISHED_CACHE, {})
    found = cache.get(version_id)
    if found is None:
        row = db.session.execute(
            select(ConductVersion.school_id, ConductVersion.code_id, ConductCode.audience,
                   ConductVersion.number, ConductVersion.epoch, ConductVersion.content)
            .join(ConductCode).where(ConductVersion.id == version_id,
                                     ConductVersion.status != DRAFT)).first()
        if row is None:
            return None
        content = row.content or {}
        found = Published(version_id, row.school_id, row.code_id, row.audience, row.number, row.epoch,
                          tuple(content.get("questions") or ()),
                          languages(content))
        if len(cache) < _PUBLISHED_CACHE_SIZE:
            cache[version_id] = found
    return found if found.school_id == school_id else None


def version(school_id: int, version_id: int) -> ConductVersion:
    """A version of this school; another school's version is as unknown as a made-up id."""
    found = db.session.scalars(scoped(select(ConductVersion), ConductVersion, school_id)
                               .where(ConductVersion.id == version_id)).first()
    if found is None:
        raise NotFound(_("No such version of the code at this school."))
    return found


def versions(school_id: int, audience: str) -> list[ConductVersion]:
    """Every version of the audience's code, newest first."""
    query = (scoped(select(ConductVersion), ConductVersion, school_id).join(ConductCode)
             .where(ConductCode.audience == audience).order_by(ConductVersion.number.desc()))
    return list(db.session.scalars(query))


def changes_since(school_id: int, current: ConductVersion, number: int) -> list[ConductVersion]:
    """The published versions of current's code after version `number`, up to current, newest first.

    What a reader who acknowledged version `number` has not read yet: their "what changed" notes.
    """
    query = (scoped(select(ConductVersion), ConductVersion, school_id)
             .where(ConductVersion.code_id == current.code_id, ConductVersion.status != DRAFT,
                    ConductVersion.number > number, ConductVersion.number <= current.number)
             .order_by(ConductVersion.number.desc()))
    return list(db.session.scalars(query))
