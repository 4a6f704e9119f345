"""The closing message to the reporter: a template per outcome, in the reporter's language.

A case is closed only with an answer to its reporter. The coordinator starts from these texts and
edits them; the reporter reads them in their own language: a named reporter's stored locale,
anyone else (a pseudonym, a report entered by hand) in the school's default language, Dutch.
"""
from flask import current_app
from flask_babel import force_locale, gettext as _, lazy_gettext as _l

# Why a case may close while the reporter's last message has no answer: recorded as this key only.
UNANSWERED_REASONS = ("answered_in_closing_message", "answered_in_person", "no_answer_needed")


def _templates() -> dict:
    # Built inside force_locale: each text in the reporter's language; %(days)s is the reopening period.
    return {
        "resolved": _l("Thank you for telling us. We looked into what you reported and dealt with it, "
                       "so we are closing your report now. If it starts again, tell us here within "
                       "%(days)s days, or make a new report."),
        "sanctioned": _l("Thank you for telling us. We looked into what you reported, and the school has "
                         "taken measures against the people involved. We cannot tell you more about them, "
                         "to protect everyone's privacy. We are closing your report now. If it starts "
                         "again, tell us here within %(days)s days, or make a new report."),
        "referred": _l("Thank you for telling us. We passed your report on to people who can help further "
                       "(for example the police or Veilig Thuis), so we are closing it here. If it starts "
                       "again, tell us here within %(days)s days, or make a new report."),
        "no_action": _l("Thank you for telling us. We looked into what you reported and decided that the "
                        "school does not need to do more right now. Do you not agree, or does it start "
                        "again? Tell us here within %(days)s days, or make a new report."),
        "withdrawn": _l("You told us that you want to withdraw your report, so we are closing it. If "
                        "something happens again, tell us here within %(days)s days, or make a new report."),
        "not_genuine": _l("We looked into your report and we are closing it. If you want to tell us "
                          "something else, make a new report."),
    }


def reporter_locale(report) -> str:
    """The reporter's language: a named reporter's stored locale, else the school's default (Dutch)."""
    default = current_app.config.get("BABEL_DEFAULT_LOCALE", "nl")
    reporter = report.reporter if report.identity == "named" else None
    locale = (getattr(reporter, "locale", None) or "").lower()
    if locale.startswith("en"):
        return "en"
    if locale.startswith("nl"):
        return "nl"
    return default


def templates_for(report, days: int) -> dict[str, str]:
    """Every outcome's closing message for this report's reporter, in their language."""
    with force_locale(reporter_locale(report)):
        return {outcome: str(text) % {"days": days} for outcome, text in _templates().items()}


def reason_label(reason: str) -> str:
    return {
        "answered_in_closing_message": _("The closing message answers it"),
        "answered_in_person": _("Answered in person or by phone"),
        "no_answer_needed": _("It needs no answer (for example a thank-you)"),
    }.get(reason, reason)
