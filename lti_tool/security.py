"""Who the current user is (from the launch), what their role allows, and tenant scoping.

Every route declares who may use it with one of the decorators here; this is the one place where
roles are decided.
"""
from functools import wraps

from flask import g
from flask_babel import gettext as _

from .errors import Forbidden, NotAuthenticated

STUDENT, STAFF, SCHOOL_ADMIN = "student", "staff", "school_admin"
# What a launched link is for: the code, the report button, or not said yet (lti.queries.link_purpose).
LINK_CODE, LINK_REPORT, LINK_UNSET = "code", "report", "unset"
LINK_PURPOSES = (LINK_CODE, LINK_REPORT)

# How a request names its launch (lti/sessions.py reads them; features only build links and forms).
TOKEN_FIELD = "lt"               # the form field; never a query parameter
TOKEN_HEADER = "X-Launch-Token"
SELECTOR_PARAM = "ls"            # picks one of the cookie's launches; not a credential

_LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
ADMIN_ROLES = {
    _LIS + "institution/person#Administrator",
    _LIS + "system/person#Administrator",
    _LIS + "system/person#SysAdmin",
}
STAFF_CONTEXT_ROLES = {"Instructor", "TeachingAssistant", "ContentDeveloper", "Mentor",
                       "Administrator", "Manager"}
STAFF_INSTITUTION_ROLES = {"Faculty", "Instructor", "Staff", "Administrator", "Mentor"}


def _short(role: str) -> tuple[str, str]:
    """Split a role URI into (kind, name): kind is membership, institution, system or ''."""
    if role.startswith(_LIS):
        path, _, name = role[len(_LIS):].partition("#")
        kind = path.split("/")[0]
        return kind, name or path.rsplit("/", 1)[-1]
    return "", role.rsplit("#", 1)[-1]


def app_role(lti_roles: list[str]) -> str:
    """Map LTI roles to the app's role: school admin, staff, or student (the safe default)."""
    if any(r in ADMIN_ROLES for r in lti_roles):
        return SCHOOL_ADMIN
    for role in lti_roles:
        kind, name = _short(role)
        if kind in ("membership", "") and name in STAFF_CONTEXT_ROLES:
            return STAFF
        if kind == "institution" and name in STAFF_INSTITUTION_ROLES:
            return STAFF
    return STUDENT


def effective_role(lms_role: str, granted_role: str | None) -> str:
    """The role that counts at the school: the LMS's, raised by what the school granted.

    The one rule for grants: a grant raises a staff member, never a pupil (a launch as a learner
    stays a pupil's, whatever was granted), and never lowers anyone; the LMS's administrators are
    school admins without one.
    """
    if granted_role == SCHOOL_ADMIN and lms_role == STAFF:
        return SCHOOL_ADMIN
    return lms_role


def current_launch():
    """The launch of this request (see lti/sessions.py), or None."""
    return g.get("launch")


def with_selector(path: str) -> str:
    """A path of the tool with this tab's launch selector, for a redirect built by hand."""
    chosen = g.get("launch_selector")
    if not chosen:
        return path
    return path + ("&" if "?" in path else "?") + f"{SELECTOR_PARAM}={chosen}"


def require_launch():
    launch = current_launch()
    if launch is None:
        raise NotAuthenticated(_("Open this tool from your course in the LMS."))
    return launch


def is_coordinator(launch) -> bool:
    return bool(g.get("member") and g.member.is_coordinator)


def roles_required(*roles: str, coordinator: bool = False, also=None):
    """Allow a route to users whose app role is one of roles (or who are coordinators).

    also: a feature's own further test of the launch (e.g. the school's deputy for reports), asked last.
    """

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            launch = require_launch()
            if launch.role in roles or (coordinator and is_coordinator(launch)) or (also is not None and also(launch)):
                return view(*args, **kwargs)
            raise Forbidden(_("Your role at this school does not give access to this page."))

        wrapped.required_roles = roles
        return wrapped

    return decorator


def launched(view):
    """Allow a route to anyone with a valid launch."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        require_launch()
        return view(*args, **kwargs)

    return wrapped


def scoped(query, model, school_id: int):
    """Restrict a query to one school; the only way tenant-owned rows are read."""
    return query.where(model.school_id == school_id)


def is_mentor(launch) -> bool:
    """Staff whose launch carries the LMS's Mentor role (mentor, team leader: a pupil-care task)."""
    return launch.role == STAFF and any(_short(role)[1] == "Mentor" for role in (launch.lti_roles or []))


def link_purpose_of(launch) -> str | None:
    """The purpose a launch established (what its link was for when it began), from its claims alone."""
    claims = launch.claims or {}
    if "purpose" in claims:
        return claims["purpose"]
    placement = (claims.get("custom") or {}).get("placement")  # a launch from before purposes were kept
    return placement if placement in LINK_PURPOSES else None
