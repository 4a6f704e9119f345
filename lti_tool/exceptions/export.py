"""The school's register as CSV for spreadsheets (lti_tool.spreadsheet: `;`, BOM and dd-mm-jjjj for Dutch readers)."""
from flask_babel import gettext as _

from .. import spreadsheet
from .labels import kind_label, state_label
from .queries import today


def register_csv(rows) -> str:
    """Every exception of the school, one line each; never anything the register does not show."""
    now = today()
    lines = [[_("Pupil"), _("Kind"), _("Course"), _("From"), _("Until"), _("Status"), _("Note"),
              _("Granted by"), _("Granted on"), _("Ended on")]]
    for row in rows:
        lines.append([
            row.pupil.display_name, kind_label(row.kind),
            (row.course.title or row.course.label) if row.course else _("Every lesson"),
            spreadsheet.date_text(row.starts_on), spreadsheet.date_text(row.ends_on), state_label(row.state(now)),
            row.note or "", row.granted_by.display_name if row.granted_by else "",
            spreadsheet.moment_text(row.granted_at), spreadsheet.moment_text(row.ended_at)])
    return spreadsheet.write(lines)


def filename(school_name: str) -> str:
    """telefoonuitzonderingen-<school>-<date>.csv for a Dutch reader, phone-exceptions-… otherwise."""
    return spreadsheet.file_name("telefoonuitzonderingen", "phone-exceptions", school_name,
                                 spreadsheet.date_text(today()))
