"""Placing the code in a gradebook and queueing its scores: every change here only flushes.

Scores leave later, from the outbox (see delivery.py): an acknowledgement or a publication commits
together with the scores it calls for, and no LMS call ever happens inside the user's request.
"""
from __future__ import annotations

from datetime import datetime
from functools import cache

from sqlalchemy import Row, and_, bindparam, exists, insert, literal, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from ..acknowledgements.models import Acknowledgement
from ..conduct.models import MINOR, PUBLISHED, STUDENTS, ConductCode, ConductVersion
from ..courses.models import CourseMember
from ..db import utcnow
from ..extensions import db
from ..schoolcalendar import queries as schoolyear
from ..security import STUDENT
from .models import Placement, ScoreDelivery

# The code's gradebook column carries these, whichever LMS or placement created it.
TAG = RESOURCE_ID = "veilig-online-code"
AGS_SCORE = "https://purl.imsglobal.org/spec/lti-ags/scope/score"
# A score: (scoreGiven, activityProgress, gradingProgress).
ACKNOWLEDGED = (1.0, "Completed", "FullyGraded")
# AGS 2.0 §3.4.4: a score without scoreGiven clears the result; Initialized means "reset for that student".
RESET = (0.0, "Initialized", "NotReady")
# Set on the session when scores were queued: the delivery worker is woken once they commit.
WAKE_KEY = "gradebook_wake"


def record_placement(launch_session, stored: Placement | None) -> Placement | None:
    """Remember where the code sits in a course's gradebook (no HTTP); backfill a new placement.

    A resource-link launch of the code (its purpose, see lti.queries.link_purpose) in a course whose
    LMS offers AGS places it. A course has one placement: another link to the code reuses its column
    instead of adding one (Moodle would otherwise count the code once per link). The line item, when
    the claim names none, is found or created by the delivery worker, never during the launch.
    launch_session is the launch's LaunchSession (lti.models: the launch sits above the gradebook, so
    it is passed in); stored is the placement of the launch's course and resource link as the caller
    read it (None when there was none).
    """
    if launch_session.message_type != "LtiResourceLinkRequest" or launch_session.course_id is None:
        return None
    claims = launch_session.claims or {}
    ags, link = claims.get("ags"), claims.get("resource_link")
    if not isinstance(ags, dict) or not isinstance(link, dict) or not _str(link.get("id")):
        return None
    if claims.get("purpose") != "code":  # the report button, or a link nobody has said is the code
        return None
    lineitems, lineitem = _str(ags.get("lineitems")), _str(ags.get("lineitem"))
    if not (lineitems or lineitem):
        return None
    granted = ags.get("scope") or []
    granted = granted.split() if isinstance(granted, str) else granted
    scopes = " ".join(sorted({s for s in granted if isinstance(s, str)}))
    keys = {"course_id": launch_session.course_id, "resource_link_id": link["id"][:255]}
    # One column per course, whatever the number of links to the code: another link reuses it.
    placement = stored or db.session.scalars(select(Placement).where(
        Placement.school_id == launch_session.school_id, Placement.course_id == launch_session.course_id)
        .order_by(Placement.id)).first()
    inserted = placement is None and _insert_missing(
        Placement, **keys, school_id=launch_session.school_id, platform_id=launch_session.platform_id,
        lineitems_url=lineitems and lineitems[:1000], lineitem_url=lineitem and lineitem[:1000],
        scopes=scopes)
    if placement is None:
        placement = db.session.scalars(select(Placement).filter_by(**keys)).one()
    # Write only what changed: an unchanged row is never locked by a launch.
    changes = {"platform_id": launch_session.platform_id, "scopes": scopes}
    if lineitems:
        changes["lineitems_url"] = lineitems[:1000]
    if lineitem and placement.resource_link_id == keys["resource_link_id"]:
        changes["lineitem_url"] = lineitem[:1000]  # the LMS's own line item for this link wins
    for name, value in changes.items():
        if getattr(placement, name) != value:
            setattr(placement, name, value)
    db.session.flush()
    if inserted:
        _backfill(placement)
        if placement.lineitem_url is None:
            _wake_after_commit()  # let the worker create the column now, not at the first score
    return placement


def score_acknowledgement(ack: "Acknowledgement | Row", audience: str | None = None) -> int:
    """Queue 1 / Completed / FullyGraded for the user in every placement where they are a student.

    Only the students' code has a gradebook column; an acknowledgement of the staff code queues
    nothing. audience is the code's, when the caller knows it. Returns the number of scores queued.
    """
    if audience is None:
        code = db.session.get(ConductCode, ack.code_id)
        audience = code.audience if code is not None else None
    if audience != STUDENTS:
        return 0
    now = utcnow()
    result = db.session.execute(_acknowledged_scores(), {
        "school_id": ack.school_id, "user_id": ack.user_id, "scored_at": ack.acknowledged_at or now,
        "now": now})
    return scores_queued(result.rowcount)


def acknowledged(ack: "Acknowledgement | Row", audience: str | None, queued: int | None) -> int:
    """An acknowledgement was stored: queue its scores, unless its own statement did (queued rows)."""
    if queued is not None:
        return scores_queued(queued)
    return score_acknowledgement(ack, audience=audience)


def scores_queued(count: int | None) -> int:
    """After scores were queued (count rows): have them delivered once the transaction commits."""
    if count:
        _wake_after_commit()
    return max(count or 0, 0)


@cache
def _acknowledged_scores():
    """One INSERT … SELECT, built once: a score for each placement where the user is a student."""
    return acknowledged_scores_from(None).execution_options(preserve_rowcount=True)


def acknowledged_scores_from(acknowledgements):
    """The INSERT … SELECT queueing a score for each placement where an acknowledging user is a student.

    acknowledgements is a CTE of just-inserted acknowledgements (PostgreSQL writes the scores in the
    acknowledgement's own statement), or None for one acknowledgement's bound parameters (school_id,
    user_id, scored_at). Both take "now" as a bound parameter.
    """
    given, activity, grading = ACKNOWLEDGED
    now = bindparam("now", type_=ScoreDelivery.created_at.type)
    if acknowledgements is None:
        user_id, school_id = bindparam("user_id"), bindparam("school_id")
        scored_at = bindparam("scored_at", type_=ScoreDelivery.scored_at.type)
    else:
        user_id, school_id, scored_at = (acknowledgements.c.user_id, acknowledgements.c.school_id,
                                         acknowledgements.c.acknowledged_at)
    rows = select(Placement.school_id, Placement.id, CourseMember.user_id, literal(given),
                  literal(activity), literal(grading), scored_at,
                  literal(ScoreDelivery.PENDING), literal(0), now, now)
    if acknowledgements is None:
        rows = rows.select_from(Placement).where(Placement.school_id == school_id)
    else:
        rows = rows.select_from(acknowledgements).join(Placement, Placement.school_id == school_id)
    rows = rows.join(CourseMember, and_(CourseMember.course_id == Placement.course_id,
                                        CourseMember.user_id == user_id, CourseMember.role == STUDENT))
    return insert(ScoreDelivery.__table__).from_select(_SCORE_COLUMNS, rows)  # Core: the parameters are bound values


_SCORE_COLUMNS = ["school_id", "placement_id", "user_id", "score_given", "activity_progress",
                  "grading_progress", "scored_at", "status", "attempts", "next_attempt_at", "created_at"]


def reset_for_major(version: ConductVersion) -> int:
    """Queue a reset score for every student of every placement of the version's school.

    Called when a major version of the students' code is published: whoever acknowledged an
    earlier version gets their column cleared, in one INSERT ... SELECT whatever their number.
    Students who never acknowledged have nothing to clear. Returns the number of scores queued.
    """
    code = db.session.get(ConductCode, version.code_id)
    if code is None or code.audience != STUDENTS or version.change == MINOR:
        return 0
    earlier_ack = exists().where(
        Acknowledgement.school_id == version.school_id, Acknowledgement.code_id == version.code_id,
        Acknowledgement.user_id == CourseMember.user_id,
        *([Acknowledgement.epoch < version.epoch] if version.epoch is not None else []))
    return _queue_resets(version.school_id, earlier_ack)


def reset_for_new_year(school_id: int, year_key: int) -> int:
    """Queue a reset score for every student whose acknowledgement belongs to an earlier school year.

    Called once when a new school year starts at a school that asks everyone again each year (see
    schoolyear.operations.start_new_years): their column is cleared as after a major version.
    Returns the number of scores queued.
    """
    students_code = select(ConductCode.id).where(ConductCode.school_id == school_id, ConductCode.audience == STUDENTS)
    of_student = (Acknowledgement.school_id == school_id, Acknowledgement.user_id == CourseMember.user_id,
                  Acknowledgement.code_id.in_(students_code))
    # Whoever already acknowledged in the new year (the task ran late) keeps their score.
    earlier_only = and_(exists().where(*of_student, Acknowledgement.school_year < year_key),
                        ~exists().where(*of_student, Acknowledgement.school_year >= year_key))
    return _queue_resets(school_id, earlier_only)


def _queue_resets(school_id: int, earlier_ack) -> int:
    """One INSERT ... SELECT of a reset score per active student of each placement matching earlier_ack."""
    now = utcnow()
    given, activity, grading = RESET
    rows = (select(Placement.school_id, Placement.id, CourseMember.user_id, literal(given),
                   literal(activity), literal(grading), literal(now, ScoreDelivery.scored_at.type),
                   literal(ScoreDelivery.PENDING), literal(0),
                   literal(now, ScoreDelivery.next_attempt_at.type),
                   literal(now, ScoreDelivery.created_at.type))
            .join(CourseMember, CourseMember.course_id == Placement.course_id)
            .where(Placement.school_id == school_id, CourseMember.role == STUDENT,
                   _active(), earlier_ack))
    result = db.session.execute(insert(ScoreDelivery).from_select(_SCORE_COLUMNS, rows)
                                .execution_options(preserve_rowcount=True))
    db.session.flush()
    if result.rowcount:
        _wake_after_commit()
    return max(result.rowcount or 0, 0)


def enqueue(school_id: int, targets: list[tuple[int, int]], score: tuple[float, str, str],
            scored_at: datetime | None = None) -> int:
    """Queue one score per (placement id, user id), all with the same fixed timestamp."""
    if not targets:
        return 0
    given, activity, grading = score
    now = utcnow()
    db.session.execute(insert(ScoreDelivery), [
        {"school_id": school_id, "placement_id": placement_id, "user_id": user_id,
         "score_given": given, "activity_progress": activity, "grading_progress": grading,
         "scored_at": scored_at or now, "status": ScoreDelivery.PENDING, "attempts": 0,
         "next_attempt_at": now, "created_at": now}
        for placement_id, user_id in targets])
    db.session.flush()
    _wake_after_commit()
    return len(targets)


def _backfill(placement: Placement) -> int:
    """Queue score 1 for the course's students who already acknowledged the current version."""
    current = db.session.scalars(
        select(ConductVersion).join(ConductCode)
        .where(ConductVersion.school_id == placement.school_id, ConductCode.audience == STUDENTS,
               ConductVersion.status == PUBLISHED)
        .order_by(ConductVersion.number.desc())).first()
    if current is None:
        return 0
    query = (select(CourseMember.user_id)
             .where(CourseMember.course_id == placement.course_id, CourseMember.role == STUDENT,
                    _active())
             .where(exists().where(
                 Acknowledgement.school_id == placement.school_id,
                 Acknowledgement.code_id == current.code_id, Acknowledgement.epoch == current.epoch,
                 Acknowledgement.user_id == CourseMember.user_id, *_counting_this_year(placement.school_id))))
    users = list(db.session.scalars(query))
    return enqueue(placement.school_id, [(placement.id, user_id) for user_id in users], ACKNOWLEDGED)


def _counting_this_year(school_id: int) -> list:
    """Where the school asks again each school year, only this year's acknowledgements earn a 1."""
    year = schoolyear.school_year(school_id)
    return [Acknowledgement.school_year >= year.key] if year.yearly else []


def _active():
    """Members the LMS has not called inactive (a launch alone leaves the roster status unknown)."""
    return or_(CourseMember.lms_status.is_(None), CourseMember.lms_status != "Inactive")


def _insert_missing(model, **values) -> bool:
    """INSERT unless the unique key exists (safe when two launches race); True when inserted."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    statement = dialect.insert(model).values(**values).on_conflict_do_nothing()
    return db.session.execute(statement.execution_options(preserve_rowcount=True)).rowcount == 1


def _wake_after_commit() -> None:
    db.session.info[WAKE_KEY] = True


def _str(value) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
