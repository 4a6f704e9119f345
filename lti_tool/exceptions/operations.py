"""Granting, changing and ending phone exceptions, and the school's settings for them.

Each operation takes an explicit actor (from the launch, never the request body), checks what only
the database can tell (the pupil is this school's, the course theirs, no overlap), flushes and
never commits; each change is appended to the school's audit log, without the note.
"""
from dataclasses import dataclass

from flask_babel import gettext as _

from ..cases import audit
from ..db import utcnow
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..imagesafe import refuse_images
from . import queries
from .models import NOTE_MAX, ExceptionSettings, PhoneException
from .schemas import ExceptionIn

# Audit actions (cases/labels.py names them in the audit log).
GRANTED, CHANGED, ENDED = "phone_exception_granted", "phone_exception_changed", "phone_exception_ended"
SETTINGS_CHANGED, EXPORTED = "phone_exception_settings", "phone_exceptions_exported"
FIELDS = ("pupil_id", "kind", "course_id", "starts_on", "ends_on", "note")


@dataclass(frozen=True)
class Actor:
    """Who acts: taken from the launch."""

    school_id: int
    user_id: int


def load(data, *, kept_start=None) -> dict:
    """The form's or body's fields as ExceptionIn data, checked against the school's today; 400 otherwise."""
    from marshmallow import ValidationError
    if not isinstance(data, dict):
        raise ValidationFailed({"_schema": [_("The body must be a JSON object.")]})
    try:
        return ExceptionIn(today=queries.today(), kept_start=kept_start).load(data)
    except ValidationError as exc:
        raise ValidationFailed(exc.messages, message=_("The exception is not saved. Check these fields:"))


def _check(actor: Actor, data: dict, leave_out: int | None = None) -> None:
    """What the schema cannot know: a pupil of this school, a course of theirs, no overlap; the note has no image."""
    refuse_images(data.get("note") or "", "note", limits={"note": NOTE_MAX}, report=False)
    errors: dict = {}
    if queries.pupil(actor.school_id, data["pupil_id"]) is None:
        errors["pupil_id"] = [_("Choose a pupil of this school.")]
    elif data.get("course_id") is not None:
        course = queries.course(actor.school_id, data["course_id"])
        if course is None or not queries.in_course(course.id, data["pupil_id"]):
            errors["course_id"] = [_("Choose a course this pupil takes, or every lesson.")]
    if not errors:
        clash = queries.overlapping(actor.school_id, data["pupil_id"], data["kind"], data["starts_on"],
                                    data["ends_on"], leave_out)
        if clash is not None:
            errors["starts_on"] = [_("This pupil already has an exception of this kind from %(start)s to %(end)s. "
                                     "Change that one, or choose a period after it.",
                                     start=clash.starts_on.strftime("%d-%m-%Y"),
                                     end=clash.ends_on.strftime("%d-%m-%Y"))]
    if errors:
        raise ValidationFailed(errors, message=_("The exception is not saved. Check these fields:"))


def grant(actor: Actor, data: dict) -> PhoneException:
    """Record a new exception (data from load()); audited."""
    _check(actor, data)
    row = PhoneException(school_id=actor.school_id, granted_by_id=actor.user_id, granted_at=utcnow(),
                         **{name: data.get(name) for name in FIELDS})
    db.session.add(row)
    db.session.flush()
    audit.record(actor.school_id, actor.user_id, GRANTED, detail=f"#{row.id} {row.kind}")
    return row


def _open(row: PhoneException) -> None:
    if row.ended_at is not None:
        raise Conflict(_("This exception was ended; grant a new one instead."))
    if row.ends_on < queries.today():
        raise Conflict(_("This exception has expired; grant a new one instead."))


def change(actor: Actor, row: PhoneException, data: dict) -> PhoneException:
    """Change an open exception's fields (data from load() with its kept start); audited with the fields' names."""
    _open(row)
    _check(actor, data, leave_out=row.id)
    changed = [name for name in FIELDS if getattr(row, name) != data.get(name)]
    if not changed:
        return row
    if "ends_on" in changed:
        row.reminded_at = None  # a new end: the granter hears of it again
    for name in changed:
        setattr(row, name, data.get(name))
    row.changed_by_id, row.changed_at = actor.user_id, utcnow()
    db.session.flush()
    audit.record(actor.school_id, actor.user_id, CHANGED, detail=f"#{row.id} {','.join(changed)}")
    return row


def end(actor: Actor, row: PhoneException) -> PhoneException:
    """End an exception now; the row stays in the register as ended, and who ended it; audited."""
    _open(row)
    row.ended_by_id, row.ended_at = actor.user_id, utcnow()
    db.session.flush()
    audit.record(actor.school_id, actor.user_id, ENDED, detail=f"#{row.id}")
    return row


def save_settings(actor: Actor, data: dict) -> ExceptionSettings:
    """Store who grants exceptions and the reminder's lead time; audited with what changed."""
    settings = db.session.get(ExceptionSettings, actor.school_id)
    if settings is None:
        settings = queries.settings_for(actor.school_id)
        db.session.add(settings)
    changed = [name for name, value in data.items() if getattr(settings, name) != value]
    for name, value in data.items():
        setattr(settings, name, value)
    settings.changed_by_id, settings.changed_at = actor.user_id, utcnow()
    db.session.flush()
    if changed:
        audit.record(actor.school_id, actor.user_id, SETTINGS_CHANGED, detail=",".join(changed))
    return settings


def exported(actor: Actor) -> None:
    """Record that someone downloaded the school's register."""
    audit.record(actor.school_id, actor.user_id, EXPORTED)
