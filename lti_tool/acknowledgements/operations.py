"""Acknowledging the current code: the comprehension check, then one append-only record."""
from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy.orm.attributes import set_committed_value

from ..conduct import queries as conduct
from ..conduct.models import ConductVersion
from ..db import utcnow
from ..errors import AppError, Conflict
from ..extensions import db
from .models import Acknowledgement


class CheckFailed(AppError):
    """Some answers of the comprehension check were wrong; nothing is stored, the reader tries again."""

    status = 422
    code = "check_failed"

    def __init__(self, wrong: list[int], rules: list[str]):
        super().__init__(_("Not every answer is right yet. Read the rule shown with each question and try again."))
        self.wrong = wrong
        self.rules = rules


@dataclass(frozen=True)
class Actor:
    """Who acknowledges: taken from the launch, never from the request body."""

    school_id: int
    user_id: int
    role: str
    course_id: int | None


def check_answers(version: ConductVersion, answers: list[int | None]) -> bool | None:
    """Grade the check: None when the version has none, True when all right; raise CheckFailed otherwise."""
    questions = version.content.get("questions") or []
    if not questions:
        return None
    wrong = [n for n, question in enumerate(questions)
             if n >= len(answers) or answers[n] != question["answer"]]
    if wrong:
        raise CheckFailed(wrong, sorted({questions[n]["rule"] for n in wrong}))
    return True


def acknowledge(actor: Actor, version_id: int, answers: list[int | None], locale: str) -> Acknowledgement:
    """Record that the actor read and acknowledged the current version of their own code.

    Only the current published version of the actor's audience counts: a retired, draft or other
    audience's version is refused, and so is a second acknowledgement of the same major version.
    The insert relies on the unique (user, code, epoch) key, so two tabs racing store one row.
    """
    current = conduct.current_version(actor.school_id, conduct.audience_for(actor.role))
    if current is None or version_id != current.id:
        conduct.version(actor.school_id, version_id)  # 404 for another school's or a made-up id
        raise Conflict(_("This is not the current version of your code; reload the page to read the current one."))
    passed = check_answers(current, answers)
    ack = _insert_once(school_id=actor.school_id, user_id=actor.user_id, code_id=current.code_id,
                       version_id=current.id, epoch=current.epoch, locale=locale,
                       course_id=actor.course_id, check_passed=passed, acknowledged_at=utcnow())
    if ack is None:
        raise Conflict(_("You already acknowledged this code."))
    set_committed_value(ack, "version", current)  # already loaded: no query to show its number
    from ..gradebook import operations as gradebook
    gradebook.score_acknowledgement(ack)
    return ack


def _insert_once(**values) -> Acknowledgement | None:
    """INSERT … ON CONFLICT DO NOTHING RETURNING: the new row, or None when it already existed."""
    from sqlalchemy.dialects import postgresql, sqlite
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(Acknowledgement).on_conflict_do_nothing().returning(Acknowledgement)
    return db.session.scalars(statement, [values]).first()
