"""Registering, approving and removing LMS platforms and their deployments."""
from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import AppError, NotFound
from ..extensions import db
from .models import Deployment, Platform, School


def get_or_create_school(name: str) -> School:
    """Return the school with this name, creating it the first time it is named."""
    school = db.session.scalars(select(School).where(School.name == name)).first()
    if school is None:
        school = School(name=name)
        db.session.add(school)
        db.session.flush()
    return school


def find_platform(issuer: str, client_id: str) -> Platform | None:
    return db.session.scalars(
        select(Platform).where(Platform.issuer == issuer, Platform.client_id == client_id)
    ).first()


def add_platform(*, issuer: str, client_id: str, auth_login_url: str, auth_token_url: str,
                 key_set_url: str, auth_audience: str | None = None, name: str | None = None,
                 source: str = "cli", status: str = Platform.ACTIVE) -> Platform:
    """Register a platform; refuse a second registration of the same issuer and client id."""
    if find_platform(issuer, client_id) is not None:
        raise AppError(_("A platform with issuer %(iss)s and client id %(client)s already exists.",
                         iss=issuer, client=client_id),
                       status=409)
    platform = Platform(issuer=issuer, client_id=client_id, auth_login_url=auth_login_url,
                        auth_token_url=auth_token_url, key_set_url=key_set_url,
                        auth_audience=auth_audience, name=name, source=source, status=status)
    db.session.add(platform)
    db.session.flush()
    return platform


def add_deployment(platform: Platform, deployment_id: str, school_name: str) -> Deployment:
    """Attach a deployment to a platform for a school (the tenant its launches belong to)."""
    existing = db.session.scalars(select(Deployment).where(
        Deployment.platform_id == platform.id, Deployment.deployment_id == deployment_id)).first()
    if existing is not None:
        if existing.school.name != school_name:
            raise AppError(_("Deployment %(id)s already belongs to %(school)s.", id=deployment_id,
                             school=existing.school.name),
                           status=409)
        return existing
    deployment = Deployment(platform=platform, deployment_id=deployment_id,
                            school=get_or_create_school(school_name))
    db.session.add(deployment)
    db.session.flush()
    return deployment


def find_deployment(platform: Platform, deployment_id: str) -> Deployment | None:
    return db.session.scalars(select(Deployment).where(
        Deployment.platform_id == platform.id, Deployment.deployment_id == deployment_id)).first()


def list_platforms() -> list[Platform]:
    return list(db.session.scalars(select(Platform).order_by(Platform.id)))


def get_platform(platform_id: int) -> Platform:
    platform = db.session.get(Platform, platform_id)
    if platform is None:
        raise NotFound(_("No platform with id %(id)s.", id=platform_id))
    return platform


def approve_platform(platform_id: int, school_name: str | None = None) -> Platform:
    """Activate a registration that dynamic registration left pending, optionally naming its school."""
    platform = get_platform(platform_id)
    if school_name:
        school = get_or_create_school(school_name)
        for deployment in platform.deployments:
            deployment.school = school
    platform.status = Platform.ACTIVE
    db.session.flush()
    return platform


def remove_platform(platform_id: int) -> None:
    """Remove a registration; launches from it are refused from now on."""
    db.session.delete(get_platform(platform_id))
    db.session.flush()


def pending_count() -> int:
    return db.session.scalar(select(db.func.count()).select_from(Platform)
                             .where(Platform.status == Platform.PENDING)) or 0


def record_dynamic_registration(*, issuer: str, client_id: str, auth_login_url: str, auth_token_url: str,
                                key_set_url: str, deployment_id: str | None, name: str | None,
                                max_pending: int) -> tuple[Platform, bool]:
    """Store what a dynamic registration returned: (platform, whether it updated an existing one).

    The same issuer and client id again is the LMS's "Update" (Moodle offers it when the tool's
    registration URL is pasted a second time): the endpoints are replaced, a new deployment id is
    added, the status stays. A platform is found by issuer and client id together, so a
    registration never touches another issuer's platform. A new one waits, pending, as long as
    fewer than max_pending do.
    """
    platform = find_platform(issuer, client_id)
    updated = platform is not None
    if platform is None:
        if pending_count() >= max_pending:
            raise AppError(_("Too many registrations are waiting for approval. Ask the administrator of "
                             "the tool to approve or remove them, then register again."), status=429)
        platform = add_platform(issuer=issuer, client_id=client_id, auth_login_url=auth_login_url,
                                auth_token_url=auth_token_url, key_set_url=key_set_url, name=name,
                                source="dynamic", status=Platform.PENDING)
    else:
        platform.auth_login_url, platform.auth_token_url = auth_login_url, auth_token_url
        platform.key_set_url = key_set_url
        platform.name = name or platform.name
    if deployment_id and find_deployment(platform, deployment_id) is None:
        schools = {deployment.school_id: deployment.school for deployment in platform.deployments}
        school = schools.popitem()[1] if len(schools) == 1 else get_or_create_school(f"{issuer} (pending)")
        db.session.add(Deployment(platform=platform, deployment_id=deployment_id, school=school))
    db.session.flush()
    return platform, updated
