"""What a launched link is for: the code, the report button, or not known yet."""
from sqlalchemy import select

from ..extensions import db
from ..security import scoped
from .models import LinkPurpose

# A resource link that neither deep linking nor a teacher has said anything about yet.
UNSET = "unset"


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


def purpose_of(launch) -> str | None:
    """The purpose a launch established (what its link was for when it began)."""
    claims = launch.claims or {}
    if "purpose" in claims:
        return claims["purpose"]
    placement = (claims.get("custom") or {}).get("placement")  # a launch from before purposes were kept
    return placement if placement in LinkPurpose.PURPOSES else None
