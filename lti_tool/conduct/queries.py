"""Reading codes and versions, always within one school."""
from flask_babel import gettext as _
from sqlalchemy import select
from sqlalchemy.orm import contains_eager

from ..errors import NotFound
from ..extensions import db
from ..security import SCHOOL_ADMIN, STAFF, scoped
from .models import PUBLISHED, STAFF as STAFF_AUDIENCE, STUDENTS, ConductCode, ConductVersion


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
