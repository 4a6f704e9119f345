"""Words for kinds, states and dates, in the reader's language."""
from datetime import date

from flask_babel import format_date, get_locale, gettext as _


def kind_label(kind: str) -> str:
    return {"medical": _("Medical"), "lesson": _("For lessons or as a teaching aid"),
            "other": _("Other personal need")}.get(kind, kind)


def state_label(state: str) -> str:
    return {"current": _("Applies now"), "upcoming": _("Starts later"), "ended": _("Ended early"),
            "expired": _("Expired")}.get(state, state)


def day(value: date | None) -> str:
    """A date as the reader's schools write it: 12-03-2027 in Dutch, 12 Mar 2027 in English."""
    if value is None:
        return ""
    if str(get_locale()).startswith("nl"):
        return value.strftime("%d-%m-%Y")
    return format_date(value, "d MMM yyyy")
