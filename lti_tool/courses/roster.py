"""The course roster from the LMS (NRPS 2.0): read every page, then store people in bulk.

The pages are read in a thread of their own while the request reads what the tool already knows;
reading writes nothing, so no row is locked while the LMS is slow. Then a handful of statements
store users, school members and course members, whatever the roster's size. A roster that could
not be read completely marks no one inactive: the tool keeps what it knows and says so.
"""
import json
import logging
import threading
import time
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple
from datetime import datetime, timedelta
from urllib.parse import urljoin, urlsplit

import requests
from flask import current_app
from sqlalchemy import select, update

from ..db import insert_missing, utcnow
from ..extensions import db
from ..platforms import services
from ..platforms.models import Platform
from ..security import STAFF, STUDENT, app_role
from . import bulk
from .models import ACTIVE, INACTIVE, Course, CourseMember, RosterSync, SchoolMember, User

log = logging.getLogger(__name__)
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
MEMBERSHIPS = "application/vnd.ims.lti-nrps.v2.membershipcontainer+json"
MAX_PAGES = 500                   # guards against an LMS that pages forever
MAX_MEMBERS = 50_000
MAX_PAGE_BYTES = 8 * 1024 * 1024
DEADLINE_SECONDS = 30.0           # for the whole roster (ROSTER_DEADLINE_SECONDS overrides)
MAX_AGE_SECONDS = 300             # opening an overview reads a roster older than this again


class RosterMember(NamedTuple):
    """One member as the roster lists them (a tuple: a roster makes thousands of them)."""

    sub: str
    roles: tuple[str, ...]
    active: bool
    name: str | None
    email: str | None

    @property
    def role(self) -> str:
        """Their role in the course: staff or student. A course roster never makes a school admin."""
        return _course_role(self.roles)


@lru_cache(maxsize=256)
def _course_role(roles: tuple[str, ...]) -> str:
    # A course has a handful of distinct role lists; map each once, not once per member.
    return STUDENT if app_role(list(roles)) == STUDENT else STAFF


class RosterProblem(Exception):
    """Why the roster could not be read (completely).

    status is RosterSync.UNAVAILABLE (the LMS did not serve it) or FAILED (what it served is not
    to be trusted); code is what RosterSync.message keeps: language-neutral, translated when shown
    (see labels.Words.roster_problem), e.g. "unreachable" or "http:503".
    """

    def __init__(self, status: str, code: str):
        super().__init__(code)
        self.status, self.code = status, code


def _unavailable(code: str) -> RosterProblem:
    return RosterProblem(RosterSync.UNAVAILABLE, code)


def _failed(code: str) -> RosterProblem:
    return RosterProblem(RosterSync.FAILED, code)


# --- reading -----------------------------------------------------------------------------------

def parse_member(raw) -> RosterMember | None:
    """A member from the roster's JSON, or None when it names no user."""
    if not isinstance(raw, dict):
        return None
    sub = raw.get("user_id")
    if not isinstance(sub, str) or not sub or len(sub) > 255:
        return None
    roles = raw.get("roles")
    roles = tuple(r for r in roles if isinstance(r, str))[:50] if isinstance(roles, list) else ()
    name = _text(raw.get("name")) or " ".join(
        filter(None, [_text(raw.get("given_name")), _text(raw.get("family_name"))])) or None
    return RosterMember(sub=sub, roles=roles, active=raw.get("status") not in ("Inactive", "Deleted"),
                        name=name[:300] if name else None, email=(_text(raw.get("email")) or "")[:320] or None)


def _text(value) -> str | None:
    return value.strip() if isinstance(value, str) and value.strip() else None


class _Expired(Exception):
    """The LMS refused the access token (401): it needs renewing, once."""


def _read_pages(http: requests.Session, url: str, token: str, context_id: str, deadline: float,
                timeout: float, renewable: bool) -> tuple[dict[str, RosterMember], RosterProblem | None]:
    """Every page from url on, following Link rel=next; the members read and, if it stopped early, why.

    Only HTTP and JSON: no database and no Flask context, so it can run in a thread of its own.
    """
    origin = _origin(url)
    members: dict[str, RosterMember] = {}
    seen: set[str] = set()
    try:
        while url:
            if url in seen:
                raise _failed("loop")
            if len(seen) >= MAX_PAGES:
                raise _failed("too_many_pages")
            status, links, body = _get(http, url, token, deadline, timeout)
            if status == 401 and renewable:
                raise _Expired()
            if status != 200:
                raise _unavailable(f"http:{status}")
            seen.add(url)
            for raw in _members_of(body, context_id):
                member = parse_member(raw)
                if member is not None:
                    members[member.sub] = member
            if len(members) > MAX_MEMBERS:
                raise _failed("too_many_members")
            url = _next(links, url, origin)
    except RosterProblem as problem:
        return members, problem
    return members, None


class Reading:
    """A roster being read from the LMS in a thread, while the request does its database work.

    The access token comes from the gradebook's AGS client (one token cache for every LMS service)
    and is got, and renewed if the LMS refuses it, in the request's own thread: it touches the
    database. The thread itself only speaks HTTP.
    """

    def __init__(self, platform: Platform, url: str, context_id: str):
        config = current_app.config
        self.platform, self.url, self.context_id = platform, url, context_id
        self.timeout = config["LTI_HTTP_TIMEOUT"]
        self.deadline = time.monotonic() + config.get("ROSTER_DEADLINE_SECONDS", DEADLINE_SECONDS)
        self.http = requests.Session()
        self.client = services.Client(self.http, self.timeout)
        self._outcome = None
        self._thread = None
        try:
            token = self.client.token(platform, (NRPS_SCOPE,))
        except services.ServiceFailure as exc:
            self._outcome = ({}, self._no_token(exc))
            return
        self._thread = threading.Thread(target=self._run, args=(token,), name="roster-reader", daemon=True)
        self._thread.start()

    def _read(self, token: str, renewable: bool):
        return _read_pages(self.http, self.url, token, self.context_id, self.deadline, self.timeout, renewable)

    def _run(self, token: str) -> None:
        try:
            self._outcome = self._read(token, renewable=True)
        except BaseException as exc:  # noqa: BLE001  (handed over to the request's thread)
            self._outcome = exc

    def _no_token(self, exc: services.ServiceFailure) -> RosterProblem:
        log.warning("roster of %s: no access token: %s", self.context_id, exc.message)
        return _unavailable("unreachable" if exc.unreachable else "token_refused")

    def result(self) -> tuple[list[RosterMember], RosterProblem | None]:
        """The members read and, if the roster stopped early, why; waits for the thread."""
        if self._thread is not None:
            self._thread.join()
        outcome = self._outcome
        try:
            if isinstance(outcome, _Expired):
                # The cached token was revoked or expired early: a new one, and read again.
                self.client.drop_token(self.platform, (NRPS_SCOPE,))
                outcome = self._read(self.client.token(self.platform, (NRPS_SCOPE,)), renewable=False)
            elif isinstance(outcome, BaseException):
                raise outcome
        except services.ServiceFailure as exc:
            outcome = ({}, self._no_token(exc))
        finally:
            self.http.close()
        members, problem = outcome
        if problem is not None:
            log.warning("roster of %s: %s", self.context_id, problem.code)
        return list(members.values()), problem


def fetch(platform: Platform, url: str, context_id: str) -> tuple[list[RosterMember], RosterProblem | None]:
    """Read every page of the roster at url; return its members and, if it stopped early, why."""
    return Reading(platform, url, context_id).result()


def _get(http: requests.Session, url: str, token: str, deadline: float,
         timeout: float) -> tuple[int, dict, bytes]:
    """GET one page within the deadline and the size limit: (status, links, body)."""
    remaining = deadline - time.monotonic()
    if remaining <= 0:
        raise _unavailable("timeout")
    try:
        with http.get(url, headers={"Authorization": "Bearer " + token, "Accept": MEMBERSHIPS},
                      timeout=min(timeout, remaining), allow_redirects=False, stream=True) as resp:
            if resp.status_code != 200:
                return resp.status_code, {}, b""
            body = resp.raw.read(MAX_PAGE_BYTES + 1, decode_content=True)  # never more than the limit
            if len(body) > MAX_PAGE_BYTES:
                raise _failed("too_large")
            return resp.status_code, resp.links, body
    except requests.Timeout:
        raise _unavailable("timeout") from None
    except requests.RequestException:
        raise _unavailable("unreachable") from None


def _members_of(body: bytes, context_id: str) -> list:
    """The members list of a page; refuse a page that is not a roster, or another course's."""
    try:
        data = json.loads(body)
    except ValueError:
        data = None
    if not isinstance(data, dict) or not isinstance(data.get("members"), list):
        raise _failed("not_a_roster")
    context = data.get("context")
    if isinstance(context, dict) and isinstance(context.get("id"), str) \
            and context["id"][:255] != context_id:
        raise _failed("other_course")
    return data["members"]


def _origin(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    return parts.scheme, parts.netloc


def _next(links: dict, current: str, origin: tuple[str, str]) -> str | None:
    """The next page's URL (Link rel=next); the bearer token never goes to another server."""
    target = (links.get("next") or {}).get("url")
    if not target:
        return None
    target = urljoin(current, target)
    if _origin(target) != origin:
        raise _failed("other_server")
    return target


# --- storing -----------------------------------------------------------------------------------

# A member's roster_seen_at is kept to within this: rewriting every row at every read would buy nothing.
SEEN_PRECISION = timedelta(hours=1)


def apply(course: Course, issuer: str, members: list[RosterMember], *, complete: bool,
          now: datetime, known: "_Known | None" = None) -> None:
    """Store the roster's people and memberships in a few statements; flush, never commit.

    What the tool knows of the course is read first (sync reads it while the LMS answers), so that
    only what is new or changed is written: a roster read again a few minutes later writes next to
    nothing.

    A roster's role is a guess at the person's role in the school: it never changes the role of
    someone who launched the tool (the launch said it, with institution roles the roster lacks) and
    only ever raises a guess (a teacher who is a learner in one course stays staff). In the course
    itself the roster is the LMS's current word, so the course role follows it. When the roster is
    complete, members it no longer lists become inactive; nobody is deleted.
    """
    known = known or _Known.of(course, issuer)
    ids = _store_users(issuer, members, known, now)
    _store_school_members(course.school_id, members, ids, known, now)
    _store_course_members(course, members, ids, known, complete, now)
    db.session.flush()
    # People and memberships loaded before these statements may be stale now (the launch's user
    # among them); nothing else was touched, so nothing else is read again.
    for instance in list(db.session.identity_map.values()):
        if isinstance(instance, (User, SchoolMember, CourseMember)):
            db.session.expire(instance)


@dataclass
class _Known:
    """What is stored already, keyed for the roster: users by sub, memberships by user id."""

    users: dict      # sub -> (user id, name, email)
    school: dict     # user id -> (school member id, role, has launched)
    course: dict     # user id -> (course member id, role, lti roles, lms status, roster seen at)

    @classmethod
    def of(cls, course: Course, issuer: str) -> "_Known":
        # Two simple queries rather than one three-way join: right after a large roster arrives
        # the planner's statistics are stale, and it would match school members by nested loop.
        known = cls({}, {}, {})
        query = (select(CourseMember.user_id, CourseMember.id, CourseMember.role, CourseMember.lti_roles,
                        CourseMember.lms_status, CourseMember.roster_seen_at, User.issuer, User.sub,
                        User.name, User.email)
                 .join(User, User.id == CourseMember.user_id).where(CourseMember.course_id == course.id))
        for user_id, member_id, role, lti_roles, status, seen, user_issuer, sub, name, email in \
                db.session.execute(query):
            known.course[user_id] = (member_id, role, lti_roles, status, seen)
            if user_issuer == issuer:
                known.users[sub] = (user_id, name, email)
        known.add_school_members(course.school_id, list(known.course))
        return known

    def add_school_members(self, school_id: int, user_ids: list[int]) -> None:
        for chunk in _chunks(user_ids):
            self.school.update((user_id, (member_id, role, bool(launched))) for member_id, user_id, role, launched in
                               db.session.execute(select(SchoolMember.id, SchoolMember.user_id, SchoolMember.role,
                                                         SchoolMember.last_launch_at.is_not(None))
                                                  .where(SchoolMember.school_id == school_id,
                                                         bulk.among(SchoolMember.user_id, chunk))))


def _chunks(values: list, size: int = 1000):
    for start in range(0, len(values), size):
        yield values[start:start + size]


def _store_users(issuer: str, members: list[RosterMember], known: _Known, now: datetime) -> dict[str, int]:
    """Insert new people, update changed (or no longer shared) names and addresses; return {sub: user id}."""
    users = known.users
    for chunk in _chunks([m.sub for m in members if m.sub not in users]):  # new to this course
        users.update((sub, (user_id, name, email)) for user_id, sub, name, email in db.session.execute(
            select(User.id, User.sub, User.name, User.email)
            .where(User.issuer == issuer, bulk.among(User.sub, chunk))))
    ids = {sub: user_id for sub, (user_id, _, _) in users.items()}
    new = [{"issuer": issuer, "sub": m.sub, "name": m.name, "email": m.email, "created_at": now,
            "updated_at": now} for m in members if m.sub not in users]
    ids.update((sub, user_id) for user_id, sub in bulk.insert_new(User, new, ["issuer", "sub"], ["id", "sub"]))
    for chunk in _chunks([m.sub for m in members if m.sub not in ids]):  # inserted meanwhile by a launch
        ids.update((sub, user_id) for user_id, sub in db.session.execute(
            select(User.id, User.sub).where(User.issuer == issuer, bulk.among(User.sub, chunk))))
    # The roster says what the LMS still shares: a name or address it no longer sends is forgotten.
    bulk.update_by_id(User, [
        {"id": users[m.sub][0], "name": m.name, "email": m.email, "updated_at": now}
        for m in members if m.sub in users and (m.name, m.email) != tuple(users[m.sub][1:])])
    return ids


def _store_school_members(school_id: int, members: list[RosterMember], ids: dict[str, int],
                          known: _Known, now: datetime) -> None:
    """Add newcomers to the school with the roster's guess; raise a never-launched student's guess."""
    school = known.school
    known.add_school_members(school_id, [ids[m.sub] for m in members if ids[m.sub] not in school])
    bulk.insert_new(SchoolMember, [
        {"school_id": school_id, "user_id": ids[m.sub], "role": m.role, "is_coordinator": False,
         "created_at": now} for m in members if ids[m.sub] not in school],
        ["school_id", "user_id"], ["id"])
    bulk.update_by_id(SchoolMember, [
        {"id": school[ids[m.sub]][0], "role": STAFF} for m in members
        if ids[m.sub] in school and m.role == STAFF and school[ids[m.sub]][1:] == (STUDENT, False)])


def _store_course_members(course: Course, members: list[RosterMember], ids: dict[str, int],
                          known: _Known, complete: bool, now: datetime) -> None:
    """Add and update memberships as listed; when the roster is complete, end the unlisted ones."""
    stored = known.course
    listed = {ids[m.sub]: (m.role, " ".join(m.roles)[:4000], ACTIVE if m.active else INACTIVE)
              for m in members}
    bulk.insert_new(CourseMember, [
        {"course_id": course.id, "user_id": user_id, "role": role, "lti_roles": lti_roles,
         "lms_status": status, "roster_seen_at": now, "created_at": now, "updated_at": now}
        for user_id, (role, lti_roles, status) in listed.items() if user_id not in stored],
        ["course_id", "user_id"], ["id"])
    bulk.update_by_id(CourseMember, [
        {"id": stored[user_id][0], "role": role, "lti_roles": lti_roles, "lms_status": status,
         "roster_seen_at": now, "updated_at": now}
        for user_id, (role, lti_roles, status) in listed.items()
        if user_id in stored and stored[user_id][1:4] != (role, lti_roles, status)])
    if complete:
        bulk.update_by_id(CourseMember, [
            {"id": member_id, "lms_status": INACTIVE, "updated_at": now}
            for user_id, (member_id, _, _, status, _) in stored.items()
            if user_id not in listed and status != INACTIVE])
    unchanged_but_stale = [
        stored[user_id][0] for user_id, listing in listed.items()
        if user_id in stored and stored[user_id][1:4] == listing
        and (stored[user_id][4] is None or now - stored[user_id][4] > SEEN_PRECISION)]
    table = CourseMember.__table__
    for chunk in _chunks(unchanged_but_stale):
        db.session.execute(update(table).where(bulk.among(table.c.id, chunk)).values(roster_seen_at=now))


# --- the operation -------------------------------------------------------------------------------

def current(course: Course) -> RosterSync | None:
    """The course's last roster sync (and where its roster lives), if any."""
    return db.session.get(RosterSync, course.id, populate_existing=True)


def sync(course: Course, record: RosterSync | None = None) -> RosterSync:
    """Read the course's roster from the LMS and store it; record how it went. Never raises for the LMS."""
    record = record or current(course)
    now = utcnow()
    if record is None or not record.memberships_url or record.platform_id is None:
        return _record(course, record, now, _unavailable("no_service"))
    platform = db.session.get(Platform, record.platform_id)
    reading = Reading(platform, record.memberships_url, course.context_id)
    known = _Known.of(course, platform.issuer)  # the database's share, while the LMS answers
    members, problem = reading.result()
    if members or problem is None:  # a complete roster counts even when empty: it ends memberships
        apply(course, platform.issuer, members, complete=problem is None, now=now, known=known)
    return _record(course, record, now, problem,
                   count=sum(m.active for m in members) if problem is None else None)


def _record(course: Course, record: RosterSync | None, now: datetime, problem: RosterProblem | None,
            count: int | None = None) -> RosterSync:
    if record is None:
        insert_missing(db.session, RosterSync, course_id=course.id, school_id=course.school_id)
        record = current(course)
    record.attempted_at = now
    if problem is None:
        record.status, record.message, record.synced_at, record.member_count = \
            RosterSync.OK, None, now, count
    else:
        record.status, record.message = problem.status, problem.code[:500]
    db.session.flush()
    return record


def is_stale(record: RosterSync | None, now: datetime | None = None) -> bool:
    """Whether opening an overview should read the roster again (a failed try also counts as recent)."""
    if record is None or record.attempted_at is None:
        return True
    max_age = current_app.config.get("ROSTER_MAX_AGE_SECONDS", MAX_AGE_SECONDS)
    return (now or utcnow()) - record.attempted_at > timedelta(seconds=max_age)


def refresh_if_stale(course: Course) -> RosterSync:
    """The course's roster sync, read again from the LMS first when it is older than a few minutes."""
    record = current(course)
    return sync(course, record) if is_stale(record) else record
