"""Words for roles, states and standings, shared by the pages and the CSV export.

A page of 1,000 members would otherwise look up the same few translations thousands of times;
Words looks each up once per request and formats each date once.
"""
from flask_babel import format_date, get_timezone, gettext as _

from ..acknowledgements.queries import ACKNOWLEDGED, NO_CODE, NOT_YET, OUTDATED, OVERDUE
from ..security import SCHOOL_ADMIN, STAFF, STUDENT


def state_label(state: str) -> str:
    return {ACKNOWLEDGED: _("Acknowledged"), OUTDATED: _("Outdated version"), NOT_YET: _("Not yet"),
            OVERDUE: _("Overdue"), NO_CODE: _("No code published")}.get(state, state)


def role_label(role: str) -> str:
    return {STUDENT: _("Student"), STAFF: _("Staff"), SCHOOL_ADMIN: _("School admin")}.get(role, role)


class Words:
    """The translations an overview needs, looked up once; dates formatted once each."""

    def __init__(self):
        self.states = {state: state_label(state) for state in (ACKNOWLEDGED, OUTDATED, NOT_YET, OVERDUE, NO_CODE)}
        self.roles = {role: role_label(role) for role in (STUDENT, STAFF, SCHOOL_ADMIN)}
        self.not_opened = _("has not opened the tool yet")
        self.yes, self.no = _("yes"), _("no")
        # Looked up without arguments, so they come back unformatted; filled in per row below.
        self._acknowledged = _("version %(number)s, %(date)s")
        self._outdated = _("acknowledged version %(old)s; now version %(new)s")
        self._last_year = _("acknowledged in an earlier school year")
        self.new_this_year = _("new this school year")
        self._overdue = _("was due %(date)s")
        self._due = _("due %(date)s")
        self._dates: dict = {}
        self._numbers: dict[int, int] = {}  # version id -> number, loaded once per version
        self._timezone = get_timezone()  # the school's, for the date of a moment

    @staticmethod
    def roster_problem(code: str | None) -> str:
        """Why the roster could not be read, from the code RosterSync.message keeps."""
        if not code:
            return _("it has not been read yet")
        name, _sep, detail = code.partition(":")
        if name == "http":
            return _("the LMS answered with an error (HTTP %(status)s)", status=detail)
        known = {
            "no_service": _("the LMS does not offer this course's roster to the tool "
                            "(Names and Role Provisioning Services)"),
            "unreachable": _("the LMS could not be reached"),
            "timeout": _("the LMS did not answer in time"),
            "token_refused": _("the LMS did not give the tool access to the roster"),
            "loop": _("the LMS's roster pages run in a circle"),
            "too_many_pages": _("the LMS's roster has too many pages"),
            "too_many_members": _("the LMS's roster has too many members"),
            "too_large": _("a page of the LMS's roster is too large"),
            "not_a_roster": _("the LMS's answer is not a roster"),
            "other_course": _("the LMS sent the roster of another course"),
            "other_server": _("the LMS pointed to a roster page on another server"),
        }
        return known.get(name, code)

    def date(self, value) -> str:
        """A date (or a moment, as its date at the school) in the reader's language."""
        if hasattr(value, "hour"):
            value = value.astimezone(self._timezone).date()
        if value not in self._dates:
            self._dates[value] = format_date(value, "medium")
        return self._dates[value]

    def _number(self, ack) -> int:
        """The number of the version ack acknowledged; a page loads each version once, not per row."""
        number = self._numbers.get(ack.version_id)
        if number is None:
            number = self._numbers[ack.version_id] = ack.version.number
        return number

    def detail(self, status) -> str:
        """What goes with a state: which version and when, or the due date."""
        state, due = status.state, status.due_date
        if state == ACKNOWLEDGED:
            return self._acknowledged % {"number": self._number(status.latest),
                                         "date": self.date(status.latest.acknowledged_at)}
        if state == OUTDATED:
            text = self._last_year if status.earlier_year else \
                self._outdated % {"old": self._number(status.latest), "new": status.current.number}
            return text + (", " + self._due % {"date": self.date(due)} if due else "")
        if state == OVERDUE:
            return self._overdue % {"date": self.date(due)} + (", " + self._last_year if status.earlier_year else "")
        if state == NOT_YET and due:
            return self._due % {"date": self.date(due)}
        return ""
