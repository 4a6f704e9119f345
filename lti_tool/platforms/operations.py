"""Registering, approving and removing LMS platforms and their deployments."""
from flask_babel import gettext as _
from sqlalchemy import select

from ..errors import AppError, Conflict, NotFound
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


def platform_for_deployments(*, issuer: str, client_id: str, auth_login_url: str, auth_token_url: str,
                             key_set_url: str, auth_audience: str | None = None, name: str | None = None,
                             source: str = "cli") -> Platform:
    """The registration a school's deployment is added to: the known one, or a new one.

    One registration often serves a whole board (Canvas sub-accounts, Brightspace org units,
    itslearning sites): naming it again adds a deployment. Other endpoints than the stored ones
    are refused rather than silently changing every school's launches.
    """
    platform = find_platform(issuer, client_id)
    if platform is None:
        return add_platform(issuer=issuer, client_id=client_id, auth_login_url=auth_login_url,
                            auth_token_url=auth_token_url, key_set_url=key_set_url,
                            auth_audience=auth_audience, name=name, source=source)
    stored = (platform.auth_login_url, platform.auth_token_url, platform.key_set_url)
    if stored != (auth_login_url, auth_token_url, key_set_url):
        raise Conflict(_("Issuer %(iss)s with client id %(client)s is registered with other endpoints. "
                         "Add a deployment with `lti-tool deployments add`, or remove the platform first.",
                         iss=issuer, client=client_id))
    return platform


def add_deployment(platform: Platform, deployment_id: str, school_name: str | None) -> Deployment:
    """Attach a deployment to a platform for a school (the tenant its launches belong to).

    A pending deployment (one without a school) gets its school; one that belongs to another
    school is refused: its launches, reports and people are that school's. Without a school name
    the deployment waits, pending.
    """
    existing = find_deployment(platform, deployment_id)
    if existing is not None:
        if existing.school is None:
            if school_name:
                existing.school = get_or_create_school(school_name)
                db.session.flush()
            return existing
        if school_name and existing.school.name != school_name:
            raise Conflict(_("Deployment %(id)s already belongs to %(school)s.", id=deployment_id,
                             school=existing.school.name))
        return existing
    deployment = Deployment(platform=platform, deployment_id=deployment_id,
                            school=get_or_create_school(school_name) if school_name else None)
    db.session.add(deployment)
    db.session.flush()
    return deployment


def find_deployment(platform: Platform, deployment_id: str) -> Deployment | None:
    return db.session.scalars(select(Deployment).where(
        Deployment.platform_id == platform.id, Deployment.deployment_id == deployment_id)).first()


def get_deployment(platform: Platform, deployment_id: str) -> Deployment:
    deployment = find_deployment(platform, deployment_id)
    if deployment is None:
        raise NotFound(_("Platform %(platform)s has no deployment %(id)s.", platform=platform.id, id=deployment_id))
    return deployment


def remove_deployment(platform: Platform, deployment_id: str) -> None:
    """Remove one deployment; its launches are refused from now on, the school's data stays."""
    db.session.delete(get_deployment(platform, deployment_id))
    db.session.flush()


def list_deployments(pending_only: bool = False) -> list[Deployment]:
    query = select(Deployment).join(Platform).order_by(Platform.id, Deployment.deployment_id)
    if pending_only:
        query = query.where(Deployment.school_id.is_(None))
    return list(db.session.scalars(query))


def list_platforms() -> list[Platform]:
    return list(db.session.scalars(select(Platform).order_by(Platform.id)))


def get_platform(platform_id: int) -> Platform:
    platform = db.session.get(Platform, platform_id)
    if platform is None:
        raise NotFound(_("No platform with id %(id)s.", id=platform_id))
    return platform


def approve_platform(platform_id: int, school_name: str | None = None,
                     schools: dict[str, str] | None = None) -> Platform:
    """Activate a registration that dynamic registration left pending, naming the schools of its deployments.

    schools maps deployment ids to school names; school_name names every other deployment that
    has no school yet. A deployment left without one stays pending (its launches are refused).
    """
    platform = get_platform(platform_id)
    for deployment_id, name in (schools or {}).items():
        add_deployment(platform, get_deployment(platform, deployment_id).deployment_id, name)
    if school_name:
        for deployment in platform.deployments:
            if deployment.school is None:
                deployment.school = get_or_create_school(school_name)
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
    added without a school (pending, see add_deployment), the status stays. A platform is found by issuer and client id together, so a
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
        # Pending until an administrator names its school: a new deployment of a known registration
        # is often another school of the same board, and must not land in the first one's data.
        db.session.add(Deployment(platform=platform, deployment_id=deployment_id, school=None))
    db.session.flush()
    return platform, updated


def get_school(ref: str) -> School:
    """A school by id or exact name, as an administrator types it; a name two schools share is refused."""
    ref = ref.strip()
    query = select(School).where(School.id == int(ref)) if ref.isdigit() else select(School).where(School.name == ref)
    found = list(db.session.scalars(query.limit(2)))
    if not found:
        raise NotFound(_("No school %(ref)s.", ref=ref))
    if len(found) > 1:
        raise Conflict(_("More than one school is named %(ref)s: use its id (`lti-tool schools list`).", ref=ref))
    return found[0]


def list_schools() -> list[School]:
    return list(db.session.scalars(select(School).order_by(School.id)))


def deployments_by_school() -> dict[int, list[Deployment]]:
    """Each school's deployments, with their platform, for listings."""
    result: dict[int, list[Deployment]] = {}
    for deployment in list_deployments():
        if deployment.school_id is not None:
            result.setdefault(deployment.school_id, []).append(deployment)
    return result
