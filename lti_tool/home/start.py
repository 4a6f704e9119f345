"""The launched user's start page: home's public side, which the launch answers with too."""
from flask import g, redirect, render_template, request, url_for

from ..acknowledgements import gate
from ..acknowledgements import queries as acknowledgements
from ..acknowledgements.queries import NO_CODE, Status
from ..cases import exclusions, notifications
from ..exceptions import access as phone_access, queries as phone_exceptions
from ..reports import queries as reports
from ..security import LINK_CODE, LINK_PURPOSES, LINK_REPORT, LINK_UNSET, SCHOOL_ADMIN, STAFF, link_purpose_of
from . import figures


def start_page(launch, target: str, *, address: str | None = None, launching: bool = False):
    """The launched user's start page, or where it sends them first; also what a launch answers
    with (see lti.views.launch).

    The report button's launch goes to the report form, and whoever must acknowledge the code goes
    to the code first (then on to target). address is the page's own address when it answers
    another one's request (the launch's POST): the page then takes that address in the browser's
    history, so reloading it reloads the page. launching: the LTI launch itself is answered (a link
    to the code then opens the code; a later visit of the start page shows the start page).
    """
    purpose = link_purpose_of(launch)
    # ?view=home: the start page itself, whatever the link is for.
    by_link = request.args.get("view") != "home"
    # A "Report an incident" link in the LMS opens the report form.
    if by_link and purpose == LINK_REPORT:
        return redirect(url_for("reports.new"), 303)
    # A link added without choosing content: its teacher says what it is for (never a guess).
    if by_link and purpose == LINK_UNSET and launch.role in (STAFF, SCHOOL_ADMIN):
        return redirect(url_for("home.link_purpose"), 303)
    status, unread = _start_facts(launch)
    if status is not None and status.needs_acknowledgement:
        return gate.to_code(target)
    # A coordinator who came through the e-mail's link (no token in it) lands on the queue.
    to_queue = notifications.after_launch(launch)
    if to_queue is not None:
        return to_queue
    # Launching the code's own link shows the code, with when and which version the reader acknowledged.
    if launching and purpose == LINK_CODE and status is not None and status.state != NO_CODE and not unread:
        return redirect(url_for("acknowledgements.read"), 303)
    is_deputy = _is_deputy(launch)
    return render_template("home/index.html", launch=launch, unread_answers=unread, page_address=address,
                           is_deputy=is_deputy, glance=figures.for_launch(launch, g.get("member"), is_deputy=is_deputy),
                           link_unset=purpose == LINK_UNSET, link_choosable=_choosable(launch, purpose), **_phone(launch))


def _phone(launch) -> dict:
    """A pupil's own phone exceptions; for staff, whether they keep or read the school's register."""
    if launch.role == "student":
        return {"my_phone_exceptions": phone_exceptions.own(launch.school_id, launch.user_id),
                "phone_register": False}
    return {"my_phone_exceptions": [], "phone_register": phone_access.may_read(launch)}


def _choosable(launch, purpose) -> bool:
    """Whether a teacher may (re)say what the launched link is for: one the LMS did not say itself."""
    custom = (launch.claims or {}).get("custom")
    told = isinstance(custom, dict) and custom.get("placement") in LINK_PURPOSES
    return purpose is not None and not told and launch.role in (STAFF, SCHOOL_ADMIN)


def _is_deputy(launch) -> bool:
    """Whether a staff member who is no coordinator is the school's deputy (students never are: no query)."""
    if launch.role == "student" or (g.get("member") and g.member.is_coordinator):
        return False
    return exclusions.is_deputy(launch.school_id, launch.user_id)


def _start_facts(launch) -> tuple[Status | None, int]:
    """The gate's status (None: not asked) and the number of unread answers to the user's reports,
    in one query: a round trip is most of what this page costs."""
    school_id, user_id = launch.school_id, launch.user_id
    if not gate.asks(launch):
        return None, reports.unread_total(school_id, user_id)
    status, unread = acknowledgements.status_and(
        reports.unread_total_column(), reports.unread_total_params(school_id, user_id),
        school_id, user_id, launch.role)
    return status, unread or 0
