"""Who keeps the register: the roles a school chose (security.roles_required's `also`)."""

from ..security import SCHOOL_ADMIN, is_coordinator, is_mentor, roles_required
from .queries import settings_for


def may_grant(launch) -> bool:
    """Whether this launch may grant, change and end exceptions at its school (the school's setting)."""
    settings = settings_for(launch.school_id)
    return bool((settings.school_admins_grant and launch.role == SCHOOL_ADMIN)
                or (settings.coordinators_grant and is_coordinator(launch))
                or (settings.mentors_grant and is_mentor(launch)))


def may_read(launch) -> bool:
    """School admins and coordinators read the register (and its CSV) whoever grants; granters too."""
    return launch.role == SCHOOL_ADMIN or is_coordinator(launch) or may_grant(launch)



granters_only = roles_required(also=may_grant)
readers_only = roles_required(SCHOOL_ADMIN, coordinator=True, also=may_grant)
admins_only = roles_required(SCHOOL_ADMIN)
