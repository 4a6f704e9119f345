"""Acknowledging the current code: the comprehension check, then one append-only record."""
from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import bindparam, select
from sqlalchemy.dialects import postgresql, sqlite

from ..conduct import queries as conduct
from ..conduct.models import PUBLISHED, ConductVersion
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


def check_answers(questions: tuple | list, answers: list[int | None]) -> bool | None:
    """Grade the check: None when the version has none, True when all right; raise CheckFailed otherwise."""
    if not questions:
        return None
    wrong = [n for n, question in enumerate(questions)
             if n >= len(answers) or answers[n] != question["answer"]]
    if wrong:
        raise CheckFailed(wrong, sorted({questions[n]["rule"] for n in wrong}))
    return True


def acknowledge(actor: Actor, version_id: int, answers: list[int | None],
                locale: str) -> tuple[Acknowledgement, conduct.Published]:
    """Record that the actor read and acknowledged the current version of their own code.

    Only the current published version of the actor's audience counts: a retired, draft or other
    audience's version is refused, and so is a second acknowledgement of the same major version.
    One INSERT … SELECT writes the row only while the version is still the published one, and the
    unique (user, code, epoch) key makes two racing tabs store one row. Returns the row and the
    version it acknowledges.
    """
    version = conduct.published(actor.school_id, version_id)
    if version is None:
        conduct.version(actor.school_id, version_id)  # 404 for another school's or a made-up id
    if version is None or version.audience != conduct.audience_for(actor.role):
        raise _not_current()
    passed = check_answers(version.questions, answers)
    ack = _insert_if_current(version, school_id=actor.school_id, user_id=actor.user_id, locale=locale,
                             course_id=actor.course_id, check_passed=passed, acknowledged_at=utcnow())
    if ack is None:
        current = conduct.current_version(actor.school_id, version.audience)
        if current is None or current.id != version.id:
            raise _not_current()
        raise Conflict(_("You already acknowledged this code."))
    from ..gradebook import operations as gradebook
    gradebook.score_acknowledgement(ack, audience=version.audience)
    return ack, version


def _not_current() -> Conflict:
    return Conflict(_("This is not the current version of your code; reload the page to read the current one."))


_INSERTED = ("school_id", "user_id", "code_id", "version_id", "epoch", "locale", "course_id",
             "check_passed", "acknowledged_at")


def _insert_if_current(version: conduct.Published, **values) -> Acknowledgement | None:
    """INSERT … SELECT … WHERE still published ON CONFLICT DO NOTHING RETURNING: the new row, or None."""
    values |= {"code_id": version.code_id, "version_id": version.id, "epoch": version.epoch}
    return db.session.scalars(_insert_statement(db.session.get_bind().dialect.name), values).first()


@cache
def _insert_statement(dialect_name: str):
    """Built once per dialect (the statement is the same for every acknowledgement)."""
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    columns = Acknowledgement.__table__.c
    still_published = select(*(bindparam(name, type_=columns[name].type) for name in _INSERTED)).where(
        ConductVersion.id == bindparam("version_id"), ConductVersion.status == PUBLISHED)
    return (dialect.insert(Acknowledgement).from_select(list(_INSERTED), still_published)
            .on_conflict_do_nothing().returning(Acknowledgement)
            .execution_options(dml_strategy="orm"))  # the parameters are bound values, not rows to insert
