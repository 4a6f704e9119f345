"""What a launch finds already stored, read in the same query as its sign-in.

A returning user's launch changes little: it reads its platform and deployment, and
the user, school member, course, membership, roster record and placement it might update, all in
one query, then writes only what the LMS changed. The rows are looked up by the keys of the
not-yet-verified id_token; they are only used once every check has passed, for that same token.
"""
from functools import cache
from typing import NamedTuple

from sqlalchemy import and_, bindparam, null, select, true
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import joinedload

from ..courses.models import Course, CourseMember, RosterSync, SchoolMember, User
from ..gradebook.models import Placement
from ..platforms.models import Deployment, Platform
from .models import UsedNonce

LTI = "https://purl.imsglobal.org/spec/lti/claim/"


class Stored(NamedTuple):
    """A launch's rows as stored before it (None: not there)."""

    user: User | None
    member: SchoolMember | None
    course: Course | None
    course_member: CourseMember | None
    roster: RosterSync | None
    placement: Placement | None


class LaunchKeys(NamedTuple):
    """The id_token's keys of those rows, the same for the read and for the writes after it."""

    deployment_id: str | None
    sub: str | None
    context_id: str | None
    resource_link_id: str | None


def keys_of(body: dict) -> LaunchKeys:
    deployment_id = body.get(LTI + "deployment_id")
    context, link = body.get(LTI + "context"), body.get(LTI + "resource_link")
    context_id = context.get("id") if isinstance(context, dict) else None
    link_id = link.get("id") if isinstance(link, dict) else None
    return LaunchKeys(
        deployment_id if isinstance(deployment_id, str) and 0 < len(deployment_id) <= 255 else None,
        str(body["sub"]) if body.get("sub") is not None else None,
        context_id[:255] if isinstance(context_id, str) and context_id else None,
        link_id[:255] if isinstance(link_id, str) and link_id else None)


@cache
def sign_in_query(dialect: str):
    """Built once per dialect: the login's platform; that platform's deployment named by the token,
    with its school; and the rows of Stored at that school. Outer joins, so each comes back whether
    or not the others exist. Parameters: sign_in_platform, deployment_id, sub, context_id,
    resource_link_id, used_nonce and used_until (none named like a column: an INSERT would take it
    as a value).

    On PostgreSQL the same statement also uses the login's nonce up (a writable CTE) and says in a
    last column whether it did; elsewhere that column is None and validation uses it up afterwards.
    The request's transaction is rolled back on any refusal, so a nonce is only ever used up by a
    launch that passed every check.
    """
    query = (select(Platform, Deployment, User, SchoolMember, Course, CourseMember, RosterSync, Placement)
            .outerjoin(Deployment, and_(Deployment.platform_id == Platform.id,
                                        Deployment.deployment_id == bindparam("deployment_id")))
            .outerjoin(User, and_(User.issuer == Platform.issuer, User.sub == bindparam("sub")))
            .outerjoin(SchoolMember, and_(SchoolMember.school_id == Deployment.school_id,
                                          SchoolMember.user_id == User.id))
            .outerjoin(Course, and_(Course.school_id == Deployment.school_id,
                                    Course.context_id == bindparam("context_id")))
            .outerjoin(CourseMember, and_(CourseMember.course_id == Course.id, CourseMember.user_id == User.id))
            .outerjoin(RosterSync, RosterSync.course_id == Course.id)
            .outerjoin(Placement, and_(Placement.course_id == Course.id,
                                       Placement.resource_link_id == bindparam("resource_link_id")))
            .options(joinedload(Deployment.school))
            .where(Platform.id == bindparam("sign_in_platform")))
    if dialect != "postgresql":
        return query.add_columns(null())
    used = _use_up("postgresql").returning(UsedNonce.__table__.c.nonce).cte("used_up")
    return query.outerjoin(used, true()).add_columns(used.c.nonce.is_not(None))


@cache
def use_up_statement(dialect: str):
    """Built once per dialect: record a nonce as used unless it already is (rowcount 0)."""
    return _use_up(dialect).execution_options(preserve_rowcount=True)


def _use_up(dialect: str):
    """INSERT the nonce (used_nonce, kept until used_until) unless it is there: the one rule for using one up."""
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return (insert(UsedNonce.__table__).values(nonce=bindparam("used_nonce"), expires_at=bindparam("used_until"))
            .on_conflict_do_nothing())
