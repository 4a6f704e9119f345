"""The school's register as CSV that Dutch Excel opens in columns: `;`, UTF-8 with a BOM, dd-mm-jjjj."""
import csv
import io
import re

from flask_babel import gettext as _, to_user_timezone

from ..spreadsheet import safe_cell
from .labels import kind_label, state_label
from .queries import today


def register_csv(rows) -> str:
    """Every exception of the school, one line each; never anything the register does not show."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([_("Pupil"), _("Kind"), _("Course"), _("From"), _("Until"), _("Status"), _("Note"),
                     _("Granted by"), _("Granted on"), _("Ended on")])
    now = today()
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in (
            row.pupil.display_name, kind_label(row.kind),
            (row.course.title or row.course.label) if row.course else _("Every lesson"),
            row.starts_on.strftime("%d-%m-%Y"), row.ends_on.strftime("%d-%m-%Y"), state_label(row.state(now)),
            row.note or "", row.granted_by.display_name if row.granted_by else "",
            to_user_timezone(row.granted_at).strftime("%d-%m-%Y"),
            to_user_timezone(row.ended_at).strftime("%d-%m-%Y") if row.ended_at else "")])
    return "\ufeff" + out.getvalue()


def filename(school_name: str) -> str:
    """telefoonuitzonderingen-<school>-<dd-mm-jjjj>.csv for a Dutch reader, in characters every system takes."""
    name = re.sub(r"[^A-Za-z0-9_-]+", "-", school_name).strip("-")[:60]
    stem = _("phone-exceptions")
    return f"{stem}-{name}-{today().strftime('%d-%m-%Y')}.csv" if name else f"{stem}-{today().strftime('%d-%m-%Y')}.csv"
