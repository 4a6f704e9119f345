"""What the privacy officer reads: every retention term in effect for a school, and every category of data.

Terms are read from where the code takes them (the school's settings, the case settings, the
configuration), never from copies; the documents in docs/privacy/ are checked against the defaults.
"""
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _, ngettext

from ..cases.queries import settings_for as case_settings_for
from . import terms

SCHOOL, CASES, TOOL = "school", "cases", "tool"


@dataclass(frozen=True)
class TermInEffect:
    key: str
    label: str
    value: str
    set_by: str          # SCHOOL (this page), CASES (the case settings) or TOOL (the code)


def setting_label(field: str) -> str:
    return {"pupil_years": _("Pupils: years after the end of the school year in which they were last seen"),
            "staff_months": _("Staff: months after they were last seen")}.get(field, _("Privacy settings"))


def _years(n: int) -> str:
    return ngettext("%(num)s year", "%(num)s years", n)


def _months(n: int) -> str:
    return ngettext("%(num)s month", "%(num)s months", n)


def _days(n: int) -> str:
    return ngettext("%(num)s day", "%(num)s days", n)


def terms_in_effect(school_id: int | None) -> list[TermInEffect]:
    """The school's terms now: its own choices where it made them, the defaults elsewhere (all of them
    for no school)."""
    own = terms.settings_for(school_id)
    case = case_settings_for(school_id or 0)  # no school has id 0: the case defaults
    hours = int(current_app.config["LTI_LAUNCH_TOKEN_SECONDS"] // 3600)
    return [
        TermInEffect("pupil_years", setting_label("pupil_years"), _years(own.pupil_years), SCHOOL),
        TermInEffect("staff_months", setting_label("staff_months"), _months(own.staff_months), SCHOOL),
        TermInEffect("report_contents_months", _("Report contents: months after the case was closed"),
                     _months(case.retention_months), CASES),
        TermInEffect("reporter_reopen_days", _("A reporter may reopen a closed case for"),
                     _days(case.reporter_reopen_days), CASES),
        TermInEffect("launch_hours", _("A launch (the session after opening the tool) lasts"),
                     ngettext("%(num)s hour", "%(num)s hours", hours), TOOL),
    ]


@dataclass(frozen=True)
class DataCategory:
    label: str
    holds: str
    term_text: str


def _categories() -> list[DataCategory]:
    leaver = _("Removed when the person has left: the terms for pupils and staff above.")
    return [
        DataCategory(_("Profile"), _("Name, e-mail address, language and LMS user id, as the LMS sends them."),
                     leaver),
        DataCategory(_("Memberships"), _("Role at the school, courses and roles in them, when last seen."),
                     leaver),
        DataCategory(_("Acknowledgements"),
                     _("Which version of the code someone acknowledged, when, in which language, and whether "
                       "the understanding check was passed."),
                     _("The link to the person goes with the leaver's term; the count stays in the school's "
                       "figures without a name.")),
        DataCategory(_("Report contents"),
                     _("What happened, where, who is involved, messages, notes and the checklist. Encrypted in "
                       "the database."),
                     _("Removed the set time after the case is closed; a case on legal hold or still open keeps "
                       "them. A summary without names stays for the figures.")),
        DataCategory(_("Link to a pseudonymous reporter"),
                     _("An encrypted link that lets a reporter find their own reports. Nobody at the school can "
                       "read it."),
                     _("Removed with the report contents, or earlier when the reporter has left.")),
        DataCategory(_("Launch sessions"), _("Who opened the tool from which course, to keep them signed in."),
                     _("Deleted when the launch has expired.")),
        DataCategory(_("Audit log"),
                     _("Who viewed or changed which case, and when. Never any content, never the name of a "
                       "pseudonymous reporter."),
                     _("Kept while the school uses the tool; a leaver's entries keep only an empty number.")),
        DataCategory(_("Images"), _("None. The tool refuses images in every form and never stores one."),
                     _("Never stored.")),
    ]


class _Data:
    """DATA: the categories in the reader's language (built when read, inside a request)."""

    def __iter__(self):
        return iter(_categories())


DATA = _Data()
