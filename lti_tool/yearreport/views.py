"""The yearly report as a printable page and as a PDF, for school admins and coordinators."""
from flask import Response, g, render_template, request
from marshmallow import ValidationError
from flask_babel import get_locale, gettext as _

from ..cases import audit, exclusions, queries, timeliness
from ..db import utcnow
from ..errors import ValidationFailed
from ..security import SCHOOL_ADMIN, roles_required
from . import bp, document, figures, pdf, years
from .schemas import YearChoiceSchema

overseers = roles_required(SCHOOL_ADMIN, coordinator=True)
FIRST_YEAR_OFFERED = 2024   # the national phone rule's first school year


def _chosen() -> tuple[years.SchoolYear, list]:
    """The school year asked for (the current one by default) and the years one may choose."""
    first_day = years.first_day_of(g.launch.school_id)
    today = utcnow().astimezone(timeliness.school_zone()).date()
    current = years.containing(today, first_day)
    offered = [years.SchoolYear(first, first_day) for first in range(current.first, FIRST_YEAR_OFFERED - 1, -1)]
    try:
        name = YearChoiceSchema().load(request.args.to_dict())["year"]
    except ValidationError as exc:
        raise ValidationFailed(exc.messages, _("Choose a school year such as 2025-2026."))
    if not name:
        return current, offered
    year = years.parse(name, first_day)
    if year.first > current.first:
        message = _("That school year has not started yet.")
        raise ValidationFailed({"year": [message]}, message)
    return year, offered


def _document(year: years.SchoolYear) -> document.Document:
    school_id = g.launch.school_id
    settings = queries.settings_for(school_id)
    hidden = exclusions.hidden_condition(school_id, g.launch.user_id)
    return document.build(figures.year_figures(school_id, year, settings, hidden=hidden),
                          g.launch.school.name, settings)


@bp.route("")
@overseers
def report():
    """The report as a page with a print stylesheet: what the browser prints is the report alone."""
    year, offered = _chosen()
    return render_template("yearreport/report.html", doc=_document(year), year=year, offered=offered)


@bp.route("/pdf")
@overseers
def report_pdf():
    """The same report as a PDF, for the participation council's papers; audited as an export."""
    year, _offered = _chosen()
    body = pdf.render(_document(year))
    audit.record(g.launch.school_id, g.launch.user_id, "statistics_exported", None, "year_report_pdf")
    stem = "jaarverslag-veilig-online" if str(get_locale()) == "nl" else "veilig-online-yearly-report"
    return Response(body, mimetype="application/pdf", headers={
        "Content-Disposition": f'attachment; filename="{stem}-{year.name}.pdf"', "Cache-Control": "no-store"})
