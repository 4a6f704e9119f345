"""The yearly report as a document of sections and tables, in the reader's language: the printable
page and the PDF both render this one structure, so they always say the same."""
from dataclasses import dataclass, field

from flask_babel import format_date, format_datetime, format_decimal, get_locale, gettext as _

from ..cases import labels
from ..conduct.rendering import pick
from ..exceptions.labels import kind_label
from .figures import YearFigures
from ..smallcounts import THRESHOLD, shown


@dataclass
class Table:
    caption: str
    headers: list
    rows: list           # [[first column, value, ...]]; values are str or Shown
    numeric_from: int = 1


@dataclass
class Section:
    key: str
    title: str
    intro: str = ""
    tables: list = field(default_factory=list)
    notes: list = field(default_factory=list)


@dataclass
class Document:
    title: str
    subtitle: str
    made: str
    about: list
    sections: list


def month_name(day) -> str:
    return format_date(day, "LLLL yyyy")


def _incidents(f: YearFigures) -> Section:
    categories = Table(_("Reports per category"), [_("Category"), _("Reports"), _("Incidents")],
                       [[labels.category_label(c), n, f.incidents_by_category[c]] for c, n in f.by_category.items()])
    months = Table(_("Reports per month"), [_("Month"), _("Reports"), _("Incidents")],
                   [[month_name(m), n, f.incidents_by_month[m]] for m, n in f.by_month])
    return Section("incidents", _("Reports and incidents"), _(
        "Reports this school year: %(reports)s. Incidents they are about: %(incidents)s (reports about the "
        "same incident count once, in the category and month of their first report).",
        reports=f.reports, incidents=f.incidents), [categories, months])


def _response(f: YearFigures, settings) -> Section:
    targets = {
        "first_response": _("%(hours)s hours, weekends not counted; urgent reports %(minutes)s minutes",
                            hours=settings.first_response_hours, minutes=settings.urgent_response_minutes),
        "acknowledgement": _("7 days"),
        "feedback": _("3 months"),
    }
    rows = [[labels.deadline_label(d.kind), targets[d.kind], shown(d.in_time), shown(d.late), shown(d.waiting),
             d.share_in_time or "–"] for d in f.deadlines]
    table = Table(_("Deadlines met"), [_("Deadline"), _("Target"), _("In time"), _("Late or missed"),
                                       _("Not yet due"), _("Share in time")], rows, numeric_from=2)
    median = (_("Half of the reports had a first response within %(hours)s hours.",
                hours=format_number(f.median_response_hours))
              if f.median_response_hours is not None else
              _("Too few reports had a first response to show a typical response time."))
    return Section("response", _("Response times"), _(
        "The school's own targets for a first response, and good practice taken from the whistleblower rules "
        "for acknowledging a report (7 days) and giving feedback (3 months)."), [table], [median])


def _outcomes(f: YearFigures) -> Section:
    outcomes = Table(_("Closed reports by outcome"), [_("Outcome"), _("Reports")],
                     [[labels.outcome_label(o), n] for o, n in f.outcomes.items()])
    locale = str(get_locale())
    rules = Table(_("Consequences applied, per rule of the code"), [_("Rule"), _("Closed reports")],
                  [[pick(c["title"], locale) if c["title"] else _("Rule no longer in the code"), c["count"]]
                   for c in f.consequences])
    tables = [outcomes] + ([rules] if f.consequences else [])
    notes = [] if f.consequences else [_("No closed report named a rule of the code.")]
    return Section("outcomes", _("Outcomes and consequences"), _(
        "How closed reports ended, and which rules of the code of conduct were applied."), tables, notes)


def _coverage(f: YearFigures) -> Section:
    names = {"student": _("Pupils"), "staff": _("Staff members")}
    rows = [[names[c.audience], shown(c.people), shown(c.acknowledged_now), c.share_now or "–",
             shown(c.acknowledged_in_year)] for c in f.coverage]
    table = Table(_("Acknowledgement of the code of conduct"),
                  [_("Group"), _("People"), _("Acknowledged the current code"), _("Share"),
                   _("Acknowledged during this school year")], rows)
    return Section("coverage", _("Who knows the rules"), _(
        "Everyone the tool knows at the school: from a course roster or from opening the tool. The current "
        "standing is of the day this report was made."), [table])


def _phones(f: YearFigures) -> Section:
    table = Table(_("Phone exceptions by kind"), [_("Kind"), _("Exceptions")],
                  [[kind_label(kind), n] for kind, n in f.phones.items()])
    return Section("phones", _("Phone exceptions"), _(
        "Pupils who may use their phone in class (the 2024 rule's exceptions), in effect on some day of this "
        "school year. Never a reason: only the kind."), [table])


def format_number(value: float) -> str:
    return format_decimal(value, "#,##0.#")


def build(f: YearFigures, school_name: str, settings) -> Document:
    """The report's words and tables, in the request's language."""
    sections = [_incidents(f), _response(f, settings), _outcomes(f), _coverage(f), _phones(f), *f.extra]
    about = [
        _("For the participation council and the school's yearly analysis of incidents (aggression, bullying, "
          "discrimination, sexual harassment), as the working-conditions catalogue of the sector asks."),
        _("No names and no contents: only counts. Counts from 1 to %(max)s show as \"< %(threshold)s\", and a "
          "count that would let someone work out a hidden one shows as \"*\" (in a very small group, every "
          "hidden count does), so that nobody is recognisable.",
          max=THRESHOLD - 1, threshold=THRESHOLD),
    ]
    return Document(
        title=_("Yearly report Veilig Online"),
        subtitle=_("%(school)s · school year %(year)s (%(start)s to %(end)s)", school=school_name,
                   year=f.year.name, start=format_date(f.year.start, "d MMMM yyyy"),
                   end=format_date(f.year.end, "d MMMM yyyy")),
        made=_("Made on %(when)s", when=format_datetime(f.made_at, "d MMMM yyyy, HH:mm")),
        about=about, sections=sections)
