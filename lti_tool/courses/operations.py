"""Keeping users, school members, courses and course members in step with what the LMS says."""
from datetime import timedelta
from urllib.parse import urlsplit

from flask_babel import gettext as _
from sqlalchemy import and_, bindparam, case, func, null, or_
from sqlalchemy.dialects import postgresql, sqlite

from ..db import utcnow
from ..extensions import db
from ..hooks import Hook
from ..platforms.models import School
from ..security import SCHOOL_ADMIN, STAFF, STUDENT
from . import bulk
from .models import INACTIVE, Course, CourseMember, RosterSync, SchoolMember, User

# The case side (cases.exclusions, above this package) answers these: a report kept from the other
# coordinators must still reach someone, and the deputy steps in when no coordinator may see it.
UNDESIGNATING = Hook("courses.undesignating")  # sent (member) before a coordinator is undesignated; may refuse
DEPUTY = Hook("courses.deputy")                # asked (school_id): {"deputy_user_id", "needs_deputy"} for the page
ROLE_CHANGED = Hook("courses.role_changed")  # sent (school_id, actor user_id or None, audit action, name)
NAME_DEPUTY = Hook("courses.name_deputy")      # sent (actor, member or None): the school admin names the deputy

# A role guessed from a roster may raise a never-launched member's role, never lower it.
ROLE_RANK = {STUDENT: 0, STAFF: 1, SCHOOL_ADMIN: 2}
# last_launch_at only tells whether, and roughly when, someone opened the tool: a launch within
# this time of the stored one leaves the row alone, so returning users' launches write nothing here.
LAUNCH_MARK_INTERVAL = timedelta(hours=1)


# Upsert statements, built once per dialect and statement: building one (its `excluded` columns,
# CASEs and coercions) costs more CPU than running it. Values go as bound parameters.
_upserts: dict[tuple[str, str], object] = {}


def _upsert(key: str, model, build, values: dict, **params):
    """Run the upsert build(insert of values) makes: INSERT … ON CONFLICT DO UPDATE … RETURNING model.

    Returns the row as the database now has it (populate_existing: an object of this row already
    in the session takes the stored values). params are the other parameters build() binds.
    """
    dialect_name = db.session.get_bind().dialect.name
    stmt = _upserts.get((dialect_name, key))
    if stmt is None:
        dialect = postgresql if dialect_name == "postgresql" else sqlite
        insert = dialect.insert(model).values({column: bindparam(column) for column in values})
        stmt = _upserts[(dialect_name, key)] = build(insert).returning(model)
    return db.session.scalars(stmt, {**values, **params},
                              execution_options={"populate_existing": True}).one()


def _changed_at(table, stmt, changed):
    """updated_at: the new row's when changed is true, else the stored one."""
    return case((changed, stmt.excluded.updated_at), else_=table.c.updated_at)


def _build_user(stmt):
    table = User.__table__
    # Name and e-mail as the LMS shares them now (none: forgotten); a launch without a locale keeps the last.
    kept = {"name": stmt.excluded.name, "email": stmt.excluded.email,
            "locale": func.coalesce(stmt.excluded.locale, table.c.locale)}
    changed = or_(*(table.c[column].is_distinct_from(value) for column, value in kept.items()))
    return stmt.on_conflict_do_update(index_elements=["issuer", "sub"],
                                      set_={**kept, "updated_at": _changed_at(table, stmt, changed)})


def upsert_user(issuer: str, sub: str, *, name: str | None = None, email: str | None = None,
                locale: str | None = None, stored: User | None = None) -> User:
    """Find or create the user issuer+sub with the name and e-mail the LMS sent, forgetting any it no longer sends.

    An LMS whose privacy settings stop sharing names (Moodle: "share launcher's name") sends
    neither: the tool keeps nothing it was once told. The locale, no personal data, stays when absent.

    One statement, safe when two workers race; updated_at moves only when a value changed.
    stored is the row as the caller read it (a launch reads all its rows in one query): when the
    LMS sent nothing new it is returned as it is, without a statement.
    """
    now = utcnow()
    values = {"name": name[:300] if name else None, "email": email[:320] if email else None,
              "locale": locale[:20] if locale else None}
    if stored is not None and values["name"] == stored.name and values["email"] == stored.email \
            and values["locale"] in (None, stored.locale):
        return stored
    return _upsert("user", User, _build_user, {
        "issuer": issuer, "sub": sub, **values, "created_at": now, "updated_at": now})


def _build_launched_member(stmt):
    return stmt.on_conflict_do_update(
        index_elements=["school_id", "user_id"],
        set_={"role": stmt.excluded.role, "last_launch_at": stmt.excluded.last_launch_at})


def _build_guessed_member(stmt):
    table = SchoolMember.__table__
    stored_rank = case({stored: rank for stored, rank in ROLE_RANK.items()}, value=table.c.role, else_=0)
    raise_guess = and_(table.c.last_launch_at.is_(None), stored_rank < bindparam("rank"))
    return stmt.on_conflict_do_update(
        index_elements=["school_id", "user_id"],
        set_={"role": case((raise_guess, stmt.excluded.role), else_=table.c.role)})


def upsert_school_member(school: School, user: User, role: str, *, launched: bool = True,
                         stored: SchoolMember | None = None) -> SchoolMember:
    """Record the user's role at the school; never touches is_coordinator.

    A launch states the role (with institution roles); without one the role is only a guess, which
    never overrides what a launch said and never lowers an earlier guess. One statement either way,
    or none for a launch that stored (the row as the caller read it) already matches.
    """
    values = {"school_id": school.id, "user_id": user.id, "role": role, "is_coordinator": False,
              "created_at": utcnow()}
    if launched and stored is not None and stored.role == role and stored.last_launch_at is not None \
            and stored.last_launch_at > values["created_at"] - LAUNCH_MARK_INTERVAL:
        return stored
    if launched:
        return _upsert("launched_member", SchoolMember, _build_launched_member,
                       {**values, "last_launch_at": values["created_at"]})
    return _upsert("guessed_member", SchoolMember, _build_guessed_member, values,
                   rank=ROLE_RANK.get(role, 0))


def _build_course(stmt):
    table = Course.__table__
    return stmt.on_conflict_do_update(
        index_elements=["school_id", "context_id"],
        set_={column: func.coalesce(stmt.excluded[column], table.c[column]) for column in ("title", "label")})


def upsert_course(school: School, context_id: str, stored: Course | None, *, title: str | None = None,
                  label: str | None = None) -> Course:
    """Find or create the course; overwrite title and label only when the LMS sent them.

    stored is the course as the caller read it (None when it was not there). Written only when new
    or changed: every launch of a class finds the same row, and an upsert would lock it until the
    launch commits, queueing the class's launches on it.
    """
    title, label = title[:500] if title else None, label[:255] if label else None
    course = stored
    if course is not None and (title or course.title) == course.title \
            and (label or course.label) == course.label:
        return course
    return _upsert("course", Course, _build_course, {
        "school_id": school.id, "context_id": context_id, "title": title, "label": label,
        "created_at": utcnow()})


def _build_course_member(stmt):
    table = CourseMember.__table__
    changed = or_(table.c.role.is_distinct_from(stmt.excluded.role),
                  table.c.lti_roles.is_distinct_from(stmt.excluded.lti_roles),
                  table.c.lms_status == INACTIVE)
    return stmt.on_conflict_do_update(
        index_elements=["course_id", "user_id"],
        set_={"role": stmt.excluded.role, "lti_roles": stmt.excluded.lti_roles,
              "lms_status": case((table.c.lms_status == INACTIVE, null()), else_=table.c.lms_status),
              "updated_at": _changed_at(table, stmt, changed)})


def upsert_course_member(course: Course, user: User, lti_roles: list[str], role: str,
                         stored: CourseMember | None = None) -> CourseMember:
    """Record the user's roles in the course, as the launch states them; one statement.

    A launch from the course is newer proof of membership than a roster that missed them: an
    inactive membership becomes a launch-only one again. updated_at moves only when a value changed.
    No statement when stored (the row as the caller read it) already says all that.
    """
    now = utcnow()
    joined = " ".join(lti_roles)[:4000]
    if stored is not None and (stored.role, stored.lti_roles) == (role, joined) and stored.lms_status != INACTIVE:
        return stored
    return _upsert("course_member", CourseMember, _build_course_member, {
        "course_id": course.id, "user_id": user.id, "role": role,
        "lti_roles": joined, "created_at": now, "updated_at": now})


def record_roster_service(course: Course | None, platform_id: int, nrps_claim, stored: RosterSync | None) -> None:
    """Remember where the course's roster lives, from a launch's NRPS claim: no HTTP.

    stored is the course's roster record as the caller read it (None when there was none).
    """
    url = nrps_claim.get("context_memberships_url") if isinstance(nrps_claim, dict) else None
    if course is None or not isinstance(url, str) or len(url) > 1000:
        return
    parts = urlsplit(url)
    if parts.scheme not in ("https", "http") or not parts.netloc:
        return
    if stored is not None and (stored.memberships_url, stored.platform_id) == (url, platform_id):
        return  # the usual case: nothing written, so launches of one class never queue on this row
    table = RosterSync.__table__.c
    bulk.upsert(RosterSync, [{"course_id": course.id, "school_id": course.school_id,
                              "platform_id": platform_id, "memberships_url": url}],
                ["course_id"],
                # A new address is read at the next overview, however recent the last try was.
                update=lambda stmt: {"memberships_url": stmt.excluded.memberships_url,
                                     "platform_id": stmt.excluded.platform_id, "attempted_at": None},
                where=lambda stmt: or_(table.memberships_url.is_distinct_from(url),
                                       table.platform_id.is_distinct_from(platform_id)))
