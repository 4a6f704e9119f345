"""Reading school members, always within one school."""
from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import NotFound
from ..extensions import db
from ..security import scoped
from .models import SchoolMember, User


def school_members(school_id: int) -> list[SchoolMember]:
    query = scoped(select(SchoolMember), SchoolMember, school_id).join(User)
    return list(db.session.scalars(query.order_by(SchoolMember.role, User.name, User.id)))


def school_member(school_id: int, member_id: int) -> SchoolMember:
    """A member of this school; another school's member is as unknown as a made-up id."""
    member = db.session.scalars(
        scoped(select(SchoolMember), SchoolMember, school_id).where(SchoolMember.id == member_id)
    ).first()
    if member is None:
        raise NotFound(_("No such member at this school."))
    return member
