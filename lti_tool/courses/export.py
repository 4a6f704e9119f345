"""The course overview as CSV: the same rows and filters as the page, safe to open in a spreadsheet."""
from flask_babel import gettext as _

from .. import spreadsheet
from ..db import utcnow
from .labels import Words


def overview_csv(view) -> str:
    """One line per member matching the filters."""
    words = Words()
    rows = [[_("Name"), _("Role"), _("Status"), _("Acknowledged version"), _("Acknowledged at"),
             _("Current version"), _("Due date"), _("Opened the tool")]]
    for row in view.rows:
        status = row.status
        rows.append([
            row.name, words.roles[row.role], words.states[row.state],
            status.latest.version.number if status.latest else "",
            spreadsheet.moment_text(status.latest.acknowledged_at) if status.latest else "",
            status.current.number if status.current else "",
            spreadsheet.date_text(status.due_date),
            words.yes if row.launched else words.no])
    return spreadsheet.write(rows)


def filename(view) -> str:
    """overzicht-<course label>-<date>.csv (overview-… for English readers)."""
    course = view.course
    return spreadsheet.file_name("overzicht", "overview", course.label or course.title or course.id,
                                 utcnow().date().isoformat())
