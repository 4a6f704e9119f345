"""Finding a school by what an administrator types, and what keeps it from being deleted."""
from sqlalchemy import func, select

from ..extensions import db
from ..platforms.models import School
from ..reports.models import Report


class SchoolNotFound(Exception):
    """No school, or more than one, answers to the name or id given."""


def find_school(name_or_id: str) -> School:
    """The school with this exact name, or with this id when a number is given."""
    text = (name_or_id or "").strip()
    found = list(db.session.scalars(select(School).where(School.name == text)))
    if not found and text.isdigit() and len(text) < 12:
        school = db.session.get(School, int(text))
        found = [school] if school is not None else []
    if len(found) != 1:
        raise SchoolNotFound(f"No school named {text!r}." if not found
                             else f"{len(found)} schools are named {text!r}: give its id instead.")
    return found[0]


def legal_holds(school_id: int) -> int:
    """The number of the school's cases under a legal hold."""
    return db.session.scalar(select(func.count()).select_from(Report).where(
        Report.school_id == school_id, Report.legal_hold.is_(True))) or 0
