"""Acknowledging the current code: the comprehension check, then one append-only record."""
from dataclasses import dataclass
from functools import cache

from flask_babel import gettext as _
from sqlalchemy import Boolean, Row, bindparam, exists, func, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from ..conduct import queries as conduct
from ..conduct.models import PUBLISHED, STUDENTS, ConductVersion
from ..db import utcnow
from ..errors import AppError, Conflict
from ..extensions import db
from ..schoolcalendar import queries as schoolyear
from ..hooks import Hook
from .models import Acknowledgement

# An acknowledgement was stored (sent with it, its code's audience, and how many gradebook scores
# its own statement queued, or None): what it earns elsewhere follows (the gradebook's scores).
ACKNOWLEDGED = Hook("acknowledgements.acknowledged")
# Asked with a CTE of just-stored acknowledgements, on PostgreSQL: the INSERT … SELECT that queues
# their gradebook scores in the same statement (one round trip for the students' code).
SCORES_FROM = Hook("acknowledgements.scores_from")


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
                locale: str) -> tuple[Row, conduct.Published]:
    """Record that the actor read and acknowledged the current version of their own code.

    Only the current published version of the actor's audience counts: a retired, draft or other
    audience's version is refused, and so is a second acknowledgement of the same major version.
    One INSERT … SELECT writes the row only while the version is still the published one, and the
    unique (user, code, epoch) key makes two racing tabs store one row. Returns the stored row (its
    columns, not a model: nothing reads it back) and the version it acknowledges.
    """
    version = conduct.published(actor.school_id, version_id)
    if version is None:
        conduct.version(actor.school_id, version_id)  # 404 for another school's or a made-up id
    if version is None or version.audience != conduct.audience_for(actor.role):
        raise _not_current()
    passed = check_answers(version.questions, answers)
    dialect = db.session.get_bind().dialect.name
    # The students' code has a gradebook column: on PostgreSQL one statement stores the
    # acknowledgement and queues its scores; elsewhere a second statement queues them.
    scores_too = version.audience == STUDENTS and dialect == "postgresql"
    now = utcnow()
    year = schoolyear.school_year(actor.school_id)
    ack = db.session.execute(_insert_statement(dialect, scores_too), {
        "school_id": actor.school_id, "user_id": actor.user_id, "locale": locale, "course_id": actor.course_id,
        "check_passed": passed, "acknowledged_at": now, "now": now, "code_id": version.code_id,
        "version_id": version.id, "epoch": version.epoch, "school_year": year.key,
        "once": not year.yearly}).first()
    if ack is None:
        current = conduct.current_version(actor.school_id, version.audience)
        if current is None or current.id != version.id:
            raise _not_current()
        raise Conflict(_("You already acknowledged this code."))
    ACKNOWLEDGED.send(ack, audience=version.audience, queued=ack.scores_queued if scores_too else None)
    return ack, version


def _not_current() -> Conflict:
    return Conflict(_("This is not the current version of your code; reload the page to read the current one."))


_INSERTED = ("school_id", "user_id", "code_id", "version_id", "epoch", "locale", "course_id",
             "check_passed", "acknowledged_at", "school_year")


@cache
def _insert_statement(dialect_name: str, scores_too: bool = False):
    """INSERT … SELECT … WHERE still published ON CONFLICT DO NOTHING RETURNING, built once.

    It returns the new row, or nothing when the version is no longer the published one or the
    person already acknowledged it (ever, with "once"; else for this school year or a later one). With scores_too (PostgreSQL) the same statement queues the
    gradebook scores the acknowledgement calls for and returns their number as scores_queued.
    """
    dialect = postgresql if dialect_name == "postgresql" else sqlite
    table = Acknowledgement.__table__  # Core, not the ORM: the parameters are bound values, not rows
    params = {name: bindparam(name, type_=table.c[name].type) for name in _INSERTED}
    counting = exists().where(table.c.user_id == params["user_id"], table.c.code_id == params["code_id"],
                              table.c.epoch == params["epoch"],
                              or_(bindparam("once", type_=Boolean), table.c.school_year >= params["school_year"]))
    still_published = select(*params.values()).where(
        ConductVersion.id == params["version_id"], ConductVersion.status == PUBLISHED, ~counting)
    insert = (dialect.insert(table).from_select(list(_INSERTED), still_published)
              .on_conflict_do_nothing().returning(*table.c))
    if not scores_too:
        return insert
    stored = insert.cte("stored")
    scores = SCORES_FROM.ask(stored).returning(literal(1)).cte("scores")
    return select(*stored.c, select(func.count()).select_from(scores).scalar_subquery().label("scores_queued"))
