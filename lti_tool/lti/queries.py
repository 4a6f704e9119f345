"""What a launched link is for (the code, the report button, or not known yet), and what other
layers may ask about stored launches (through hooks: they sit below the launch)."""
from sqlalchemy import select

from ..extensions import db
from ..security import LINK_UNSET, link_purpose_of, scoped
from .models import LaunchSession, LinkPurpose

# A resource link that neither deep linking nor a teacher has said anything about yet.
UNSET = LINK_UNSET
purpose_of = link_purpose_of  # what a launch's link was for: read from its claims (security)


def link_purpose(school_id: int, platform_id: int, resource_link, custom) -> str | None:
    """The link's purpose: its custom parameter (deep linking), else a teacher's stored answer,
    else UNSET; None for a launch without a resource link."""
    if isinstance(custom, dict) and custom.get("placement") in LinkPurpose.PURPOSES:
        return custom["placement"]
    link_id = resource_link.get("id") if isinstance(resource_link, dict) else None
    if not isinstance(link_id, str) or not link_id.strip():
        return None
    stored = db.session.scalars(scoped(select(LinkPurpose.purpose), LinkPurpose, school_id).where(
        LinkPurpose.platform_id == platform_id, LinkPurpose.resource_link_id == link_id[:255])).first()
    return stored or UNSET


def placement_locale(placement) -> str | None:
    """The language of the course's last launch up to the placement's creation: the launch that placed it."""
    return db.session.scalars(
        select(LaunchSession.locale).where(LaunchSession.course_id == placement.course_id,
                                           LaunchSession.created_at <= placement.created_at)
        .order_by(LaunchSession.created_at.desc()).limit(1)).first()
