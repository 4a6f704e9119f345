"""Re-sealing every sealed value under the active data key: `lti-tool keys rotate-data`.

Put a new key first in DATA_KEYS (keeping the old one after it), run this, and then the old key
can be dropped. Reports' details and reporter links, messages and notes are re-sealed; each
report's reporter_lookup is computed again from its sealed link under the new key, so "my
reports" keeps working. Runs in batches, each committed, and may be run again after a stop.
"""
from dataclasses import dataclass, field

from sqlalchemy import select

from .. import sealing
from ..extensions import db
from ..reports.models import Report, ReportMessage
from ..reports.queries import DETAILS_FIELD, LINK_FIELD, MESSAGE_FIELD
from . import audit
from .models import CaseNote
from .operations import NOTE_FIELD


@dataclass
class RotationResult:
    key_id: str = ""
    reports: int = 0
    messages: int = 0
    notes: int = 0
    lookups: int = 0
    schools: set = field(default_factory=set)


def _batches(model, batch_size: int):
    last = 0
    while True:
        rows = list(db.session.scalars(select(model).where(model.id > last).order_by(model.id).limit(batch_size)))
        if not rows:
            return
        yield rows
        last = rows[-1].id


def rotate_data(batch_size: int = 500) -> RotationResult:
    """Re-seal every report, message and note under the active key; renew the reporter lookups."""
    result = RotationResult(key_id=sealing.active_key_id())
    active = result.key_id
    for rows in _batches(Report, batch_size):
        for report in rows:
            changed = False
            for name, field_name in (("details", DETAILS_FIELD), ("reporter_link", LINK_FIELD)):
                blob = getattr(report, name)
                if blob is not None and sealing.key_id_of(bytes(blob)) != active:
                    setattr(report, name, sealing.reseal(blob, report.school_id, field_name))
                    changed = True
            if report.reporter_link is not None:
                user_id = sealing.unseal(report.reporter_link, report.school_id, LINK_FIELD)
                lookup = sealing.lookup(report.school_id, user_id)
                if report.reporter_lookup != lookup:
                    report.reporter_lookup = lookup
                    result.lookups += 1
                    changed = True
            if changed:
                result.reports += 1
                result.schools.add(report.school_id)
        db.session.commit()
    for model, attribute, field_name, counter in ((ReportMessage, "body", MESSAGE_FIELD, "messages"),
                                                  (CaseNote, "body", NOTE_FIELD, "notes")):
        for rows in _batches(model, batch_size):
            for row in rows:
                blob = getattr(row, attribute)
                if blob is not None and sealing.key_id_of(bytes(blob)) != active:
                    setattr(row, attribute, sealing.reseal(blob, row.school_id, field_name))
                    setattr(result, counter, getattr(result, counter) + 1)
                    result.schools.add(row.school_id)
            db.session.commit()
    for school_id in sorted(result.schools):
        audit.record(school_id, None, "data_resealed", None, f"key {active}")
    db.session.commit()
    return result
