"""Finding a person of the launch's school for an access or erasure request; never another school's."""
from flask_babel import gettext as _
from sqlalchemy import func, or_, select

from ..courses.models import SchoolMember, User
from ..errors import NotFound
from ..extensions import db
from ..security import scoped

LIMIT = 50


def _like(text: str) -> str:
    """A LIKE pattern matching text literally anywhere (its wildcards escaped)."""
    escaped = text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped.casefold()}%"


def find_people(school_id: int, text: str) -> list[SchoolMember]:
    """The school's members whose name or e-mail contains text (all when empty), first LIMIT by name."""
    query = scoped(select(SchoolMember), SchoolMember, school_id).join(User, User.id == SchoolMember.user_id)
    if text.strip():
        pattern = _like(text.strip())
        query = query.where(or_(func.lower(User.name).like(pattern, escape="\\"),
                                func.lower(User.email).like(pattern, escape="\\")))
    return list(db.session.scalars(query.order_by(User.name, User.id).limit(LIMIT)))


def person(school_id: int, member_id: int) -> SchoolMember:
    """A member of this school; another school's, an erased or a made-up one is not found alike."""
    found = db.session.scalars(scoped(select(SchoolMember), SchoolMember, school_id)
                               .where(SchoolMember.id == member_id)).first()
    if found is None:
        raise NotFound(_("There is no such person at this school."))
    return found
