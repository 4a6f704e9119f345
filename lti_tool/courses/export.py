"""The course overview as CSV: the same rows and filters as the page, safe to open in a spreadsheet."""
import csv
import io
import re

from flask_babel import gettext as _, to_user_timezone

from ..db import utcnow
from .labels import Words

# A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value) -> str:
    """The value as text, with a leading apostrophe when a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def _when(moment) -> str:
    return to_user_timezone(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def overview_csv(view) -> str:
    """One line per member matching the filters; a BOM so that spreadsheets read UTF-8."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    words = Words()
    writer.writerow([_("Name"), _("Role"), _("Status"), _("Acknowledged version"), _("Acknowledged at"),
                     _("Current version"), _("Due date"), _("Opened the tool")])
    for row in view.rows:
        status = row.status
        writer.writerow([safe_cell(cell) for cell in (
            row.name, words.roles[row.role], words.states[row.state],
            status.latest.version.number if status.latest else "",
            _when(status.latest.acknowledged_at) if status.latest else "",
            status.current.number if status.current else "",
            status.due_date.isoformat() if status.due_date else "",
            words.yes if row.launched else words.no)])
    return "\ufeff" + out.getvalue()


def filename(view) -> str:
    """overview-<course label>-<date>.csv, in characters every browser and file system accept."""
    course = view.course
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", course.label or course.title or str(course.id)).strip("-")[:60]
    return f"overview-{name or course.id}-{utcnow().date().isoformat()}.csv"
