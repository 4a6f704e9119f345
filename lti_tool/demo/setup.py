"""Prepare the tool's database for the demo: register the demo LMS, designate its coordinator, publish the codes."""
import os

from flask import Flask

from ..courses import operations as courses
from ..platforms import operations as platforms
from ..platforms.models import Platform
from ..security import STAFF


def install(app: Flask, base_url: str) -> Platform:
    """Register the demo LMS mounted in app (idempotent), its school, and one coordinator.

    A school admin designates coordinators inside the tool; the demo does that step in advance so
    that a newcomer can try the coordinator's side straight away.
    """
    lms = app.extensions["demo_lms"]
    platform = platforms.find_platform(lms.issuer, lms.client_id)
    if platform is None:
        platform = platforms.add_platform(
            issuer=lms.issuer, client_id=lms.client_id, auth_login_url=lms.auth_url,
            auth_token_url=lms.token_url, key_set_url=lms.jwks_url, name="Demo LMS", source="demo")
    deployment = platforms.add_deployment(platform, lms.deployment_id, lms.school_name)
    prepare_school(lms, deployment.school)
    return platform


def prepare_school(lms, school) -> None:
    """What a newcomer finds ready in the demo school: its coordinator designated, both codes published."""
    person = lms.users["coordinator"]
    user = courses.upsert_user(lms.issuer, person.sub, name=person.name, email=person.email)
    member = courses.upsert_school_member(school, user, STAFF, launched=False)
    member.is_coordinator = True
    _publish_default_codes(school.id)


def reset_database(app: Flask) -> str | None:
    """Delete the demo's own SQLite file (and its journal), so the demo starts empty; the path, or
    None when the app's database is anything else (a real database is never the demo's to empty)."""
    from ..extensions import db
    with app.app_context():
        url = db.engine.url
        own = os.path.join(app.instance_path, "veilig-online.db")
        if url.get_backend_name() != "sqlite" or not url.database or \
                os.path.abspath(url.database) != os.path.abspath(own):
            return None
        db.engine.dispose()
    for suffix in ("", "-wal", "-shm"):
        if os.path.exists(own + suffix):
            os.remove(own + suffix)
    return own


def _publish_default_codes(school_id: int) -> None:
    """Publish the default codes once, so the demo's students and staff have something to acknowledge."""
    from ..conduct import operations as conduct, queries
    from ..conduct.models import AUDIENCES, MAJOR
    for audience in AUDIENCES:
        if queries.current_version(school_id, audience) is None:
            conduct.publish(conduct.draft_of(school_id, audience, None), MAJOR, None, None)
