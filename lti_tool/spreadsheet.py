"""CSV downloads that open where schools work: one place for how every export is written.

Dutch Excel reads a comma file as one column; for Dutch readers the separator is ";", dates read
as Dutch schools write them (dd-mm-jjjj) and the file name is Dutch. A BOM makes spreadsheets read
UTF-8, and a cell a spreadsheet would run as a formula gets a leading apostrophe (CSV injection).
"""
import csv
import io
import re

from flask import Response
from flask_babel import get_locale, to_user_timezone

# A cell starting with one of these is read as a formula by spreadsheets (CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9_-]+")


def dutch() -> bool:
    return str(get_locale() or "nl") == "nl"


def safe_cell(value) -> str:
    """The value as text, with a leading apostrophe when a spreadsheet would take it for a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(_FORMULA_START) else text


def date_text(day) -> str:
    """A date as the reader's spreadsheet expects it: 07-12-2026 in Dutch, 2026-12-07 otherwise."""
    if day is None:
        return ""
    return day.strftime("%d-%m-%Y") if dutch() else day.isoformat()


def moment_text(moment) -> str:
    """A moment in the school's time zone, to the minute."""
    if moment is None:
        return ""
    local = to_user_timezone(moment)
    return local.strftime("%d-%m-%Y %H:%M") if dutch() else local.strftime("%Y-%m-%d %H:%M")


def write(rows) -> str:
    """Rows (lists of cells; an empty list is an empty line) as CSV text with a BOM; every cell safe."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";" if dutch() else ",", lineterminator="\r\n")
    for row in rows:
        writer.writerow([safe_cell(cell) for cell in row])
    return "\ufeff" + out.getvalue()


def file_name(dutch_stem: str, english_stem: str, *parts) -> str:
    """stem-part-part.csv in the reader's language, in characters every browser and file system accept."""
    pieces = [dutch_stem if dutch() else english_stem]
    pieces += [_UNSAFE_NAME.sub("-", str(part)).strip("-")[:60] for part in parts if part not in (None, "")]
    return "-".join(piece for piece in pieces if piece) + ".csv"


def download(body: str, name: str) -> Response:
    return Response(body, mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"})
