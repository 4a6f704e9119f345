"""The school's side of case handling: figures and charts, consistency, settings, the audit log.

Coordinators and school admins see the figures, the consistency view and the settings: counts
only, never a case. The audit log is the school admin's. No page here shows any case content.
"""
from datetime import datetime

from flask import flash, g, redirect, render_template, request, url_for
from flask_babel import format_date, gettext as _

from .. import coarse_time, spreadsheet
from ..errors import FormErrors
from ..security import SCHOOL_ADMIN, roles_required
from . import audit, auditlog, charts, labels, operations, queries, statistics
from .audit import AUDIT_ACTIONS
from .schemas import AuditFilterSchema, SettingsSchema
from .blueprint import bp, load
from .labels import setting_label

overseers = roles_required(SCHOOL_ADMIN, coordinator=True)
admins = roles_required(SCHOOL_ADMIN)


def _hidden():
    """Reports that keep this viewer away: left out of every figure they see, so none reveals them."""
    from . import exclusions
    return exclusions.hidden_condition(g.launch.school_id, g.launch.user_id)


def _month_label(month) -> str:
    """"jan 2026" / "Jan 2026": the stand-alone month name of the reader's language, one form for every month."""
    return format_date(month.start, "LLL y").replace(".", "")


def _axis_label(month) -> str:
    """The chart's short form, "jan ’26": twelve of them fit under a phone-wide chart."""
    return format_date(month.start, "LLL").replace(".", "") + " ’" + format_date(month.start, "yy")


@bp.route("/dashboard")
@overseers
def dashboard():
    """Open and overdue cases, reports per category per month, time to first response."""
    settings = queries.settings_for(g.launch.school_id)
    figures = statistics.figures(g.launch.school_id, settings, hidden=_hidden())
    return render_template(
        "cases/dashboard.html", figures=figures, settings=settings,
        per_month=charts.stacked_months(figures.months, _axis_label),
        response=charts.month_bars(figures.months, lambda m: m.median_hours, _axis_label),
        month_label=_month_label, is_coordinator=bool(g.member and g.member.is_coordinator))


@bp.route("/statistics.csv")
@overseers
def statistics_csv():
    """The same figures as a CSV download; every export is audited."""
    settings = queries.settings_for(g.launch.school_id)
    figures = statistics.figures(g.launch.school_id, settings, hidden=_hidden())
    audit.record(g.launch.school_id, g.launch.user_id, "statistics_exported", None, "csv")
    return spreadsheet.download(statistics.to_csv(figures, labels.category_label),
                                spreadsheet.file_name("veilig-online-cijfers", "veilig-online-statistics"))


@bp.route("/consistency")
@overseers
def consistency():
    """Per rule of the code, which steps of its ladder earlier cases applied: similar breaches, similar consequences."""
    rules = operations.rule_choices(g.launch.school_id)
    return render_template("cases/consistency.html", rules=statistics.consistency(g.launch.school_id, rules))


@bp.route("/settings", methods=["GET"])
@overseers
def settings():
    return render_template("cases/settings.html", settings=queries.settings_for(g.launch.school_id),
                           form=None, errors=None)


@bp.route("/settings", methods=["POST"])
@overseers
def save_settings():
    from marshmallow import ValidationError
    try:
        data = SettingsSchema().load(request.form.to_dict())
    except ValidationError as exc:
        return render_template("cases/settings.html", settings=queries.settings_for(g.launch.school_id),
                               form=request.form, errors=FormErrors(exc.messages, settings_error_place)), 400
    operations.save_settings(g.launch.school_id, g.launch.user_id, data)
    flash(_("The settings are saved."))
    return redirect(url_for("cases.settings"), 303)


def settings_error_place(path: str) -> tuple[str, str]:
    """The settings form's field id and label for a SettingsSchema error path (the field's own name)."""
    field = path.split(".")[0]
    if field in SettingsSchema().fields:
        return field, setting_label(field)
    return "", _("Case settings")


def _audit_filters() -> dict:
    return load(AuditFilterSchema(), request.args.to_dict())


@bp.route("/audit")
@admins
def audit_log():
    """Who viewed, changed or exported what, and when: never any content, never the reporter."""
    filters = _audit_filters()
    rows, before = auditlog.page(g.launch.school_id, filters, before=filters["before"], hidden=_hidden())
    shown = {name: value for name, value in filters.items() if name != "before" and value is not None}
    return render_template("cases/audit.html", rows=rows, before=before, filters=filters, shown=shown,
                           actions=AUDIT_ACTIONS, people=auditlog.people(g.launch.school_id),
                           rules=operations.rule_choices(g.launch.school_id))


@bp.route("/audit.csv")
@admins
def audit_csv():
    """The filtered audit log as a spreadsheet file; the export itself is audited."""
    filters = _audit_filters()
    rows = auditlog.everything(g.launch.school_id, filters, hidden=_hidden())
    rules = operations.rule_choices(g.launch.school_id)
    audit.record(g.launch.school_id, g.launch.user_id, "audit_exported", None, "csv")

    def words(row):
        who = _("The reporter") if row.is_reporter else (row.actor or _("The system"))
        return who, labels.action_label(row.action), labels.event_detail(row.action, row.detail, rules)

    headings = [_("When"), _("Who"), _("What"), _("Details"), _("Case"), _("Number of times")]
    today = spreadsheet.date_text(datetime.now(coarse_time.school_zone()).date())
    return spreadsheet.download(auditlog.to_csv(rows, headings, words),
                                spreadsheet.file_name("logboek-veilig-online", "veilig-online-audit-log", today))
