"""What a launch finds already stored, read in the same query as its sign-in.

A returning user's launch changes little: it reads its login state, platform and deployment, and
the user, school member, course, membership, roster record and placement it might update, all in
one query, then writes only what the LMS changed. The rows are looked up by the keys of the
not-yet-verified id_token; they are only used once every check has passed, for that same token.
"""
from functools import cache
from typing import NamedTuple

from sqlalchemy import and_, bindparam, null, select, true, update
from sqlalchemy.orm import contains_eager, joinedload

from ..courses.models import Course, CourseMember, RosterSync, SchoolMember, User
from ..gradebook.models import Placement
from ..platforms.models import Deployment, Platform
from .models import LoginState

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
    """Built once per dialect: a login state with its platform; that platform's deployment named by
    the token, with its school; and the rows of Stored at that school. Outer joins, so each comes
    back whether or not the others exist. Parameters: sign_in_state, deployment_id, sub, context_id,
    resource_link_id, and used_up_at (none named like a column: an UPDATE would take it as a value).

    On PostgreSQL the same statement also uses the state up (a writable CTE) and says in a last
    column whether it did; elsewhere that column is None and validation uses it up afterwards. The
    request's transaction is rolled back on any refusal, so a state is only ever used up by a
    launch that passed every check.
    """
    query = (select(LoginState, Deployment, User, SchoolMember, Course, CourseMember, RosterSync, Placement)
            .outerjoin(Platform, Platform.id == LoginState.platform_id)
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
            .options(contains_eager(LoginState.platform), joinedload(Deployment.school))
            .where(LoginState.state == bindparam("sign_in_state")))
    if dialect != "postgresql":
        return query.add_columns(null())
    used = (update(LoginState.__table__)
            .where(LoginState.__table__.c.state == bindparam("sign_in_state"), LoginState.__table__.c.used_at.is_(None))
            .values(used_at=bindparam("used_up_at")).returning(LoginState.__table__.c.state).cte("used_up"))
    return query.outerjoin(used, true()).add_columns(used.c.state.is_not(None))
