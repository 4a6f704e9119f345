"""Roles the school grants: making a staff member school admin (management) or coordinator, and taking it back.

A school admin does it on the coordinators page, the tool's administrator with `lti-tool schools
grant`/`revoke`; both come here. Anyone the tool knows at the school counts, from a launch or a
roster read, so a coordinator can be designated before they ever open the tool. What a grant
means for a request is decided in security.effective_role; a pupil is never raised, and the
LMS's own administrators stay school admins, which only the LMS can change.
"""
from flask_babel import gettext as _

from ..errors import Conflict, Forbidden, ValidationFailed
from ..extensions import db
from ..security import SCHOOL_ADMIN, STUDENT
from . import queries
from .operations import ROLE_CHANGED, UNDESIGNATING
from .models import SchoolMember

COORDINATOR = "coordinator"
GRANTABLE = (SCHOOL_ADMIN, COORDINATOR)
_AUDIT = {(SCHOOL_ADMIN, True): "school_admin_granted", (SCHOOL_ADMIN, False): "school_admin_revoked",
          (COORDINATOR, True): "coordinator_designated", (COORDINATOR, False): "coordinator_removed"}


def _check_actor(actor: SchoolMember | None, member: SchoolMember) -> None:
    """A school admin of the member's own school (None: the tool's administrator on the command line)."""
    if actor is not None and (actor.acting_role != SCHOOL_ADMIN or actor.school_id != member.school_id):
        raise Forbidden(_("Only a school admin of this school grants roles."))


def change(actor: SchoolMember | None, member: SchoolMember, role: str, granted: bool) -> bool:
    """Grant or take back one role of a member; True when something changed (and was audited)."""
    _check_actor(actor, member)
    if role not in GRANTABLE:
        raise ValidationFailed({"role": [_("Choose school admin or coordinator.")]})
    if granted and member.role == STUDENT:
        raise ValidationFailed({"member_id": [_("%(name)s is a pupil: only staff can be given a role.",
                                                name=member.user.display_name)]})
    changed = _coordinator(member, granted) if role == COORDINATOR else _school_admin(member, granted)
    if changed:
        ROLE_CHANGED.send(member.school_id, actor.user_id if actor else None, _AUDIT[(role, granted)],
                          member.user.display_name)
        db.session.flush()
    return changed


def _coordinator(member: SchoolMember, granted: bool) -> bool:
    if member.is_coordinator == granted:
        return False
    if not granted:
        UNDESIGNATING.send(member)  # refused while a report kept from the others would reach nobody
    member.is_coordinator = granted
    return True


def _school_admin(member: SchoolMember, granted: bool) -> bool:
    if member.lms_admin:
        if granted:
            return False
        raise Conflict(_("%(name)s is an administrator in the LMS, and so a school admin here. Only the LMS "
                         "can change that.", name=member.user.display_name))
    if (member.granted_role == SCHOOL_ADMIN) == granted:
        return False
    if not granted and not queries.other_school_admins(member):
        raise Conflict(_("%(name)s is the school's last school admin. Make someone else school admin first.",
                         name=member.user.display_name))
    member.granted_role = SCHOOL_ADMIN if granted else None
    return True
