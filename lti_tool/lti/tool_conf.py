"""pylti1p3's tool configuration, backed by the database and by lti_config.json."""
import json
import os
import threading

from flask import current_app
from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from ..extensions import db
from ..platforms import keys
from ..platforms import operations as platforms
from ..platforms.models import Deployment, Platform

_json_cache: dict = {}
_json_lock = threading.Lock()


def read_config_file(path: str) -> dict:
    """Read lti_config.json (pylti1p3's ToolConfJsonFile shape); reload when it changes."""
    try:
        mtime = os.stat(path).st_mtime
    except OSError:
        return {}
    with _json_lock:
        cached = _json_cache.get(path)
        if cached and cached[0] == mtime:
            return cached[1]
        with open(path, encoding="utf-8") as fh:
            data = json.load(fh)
        _json_cache[path] = (mtime, data)
        return data


def config_entries(path: str):
    """Yield (issuer, entry) for every registration in the JSON file."""
    for issuer, conf in read_config_file(path).items():
        for entry in conf if isinstance(conf, list) else [conf]:
            yield issuer, entry


def _entry_school(issuer: str, entry: dict) -> str:
    """Our extension to the format: an optional "school" names the school of the entry's deployments."""
    return entry.get("school") or f"{issuer} ({entry['client_id']})"


def import_config_entry(issuer: str, entry: dict) -> Platform:
    """Store a JSON registration in the database so tenancy and queries see it like any other.

    Several entries may name one issuer and client id, each with its own deployments and school
    (one registration for a board's schools): the first creates the platform, all add deployments.
    """
    platform = platforms.find_platform(issuer, entry["client_id"])
    if platform is None:
        platform = platforms.add_platform(
            issuer=issuer, client_id=entry["client_id"], auth_login_url=entry["auth_login_url"],
            auth_token_url=entry["auth_token_url"], key_set_url=entry["key_set_url"],
            auth_audience=entry.get("auth_audience"), source="config")
    for deployment_id in entry.get("deployment_ids", []):
        if platforms.find_deployment(platform, str(deployment_id)) is None:
            platforms.add_deployment(platform, str(deployment_id), _entry_school(issuer, entry))
    return platform


def config_deployment(path: str, platform: Platform, deployment_id: str) -> Deployment | None:
    """Store a deployment lti_config.json gives an issuer the database already knows, or name the school of a
    pending one (None: the file gives none).

    The file is read for this whenever a launch names a deployment the database lacks, so a board
    adds its next school to the file without touching the database.
    """
    for issuer, entry in config_entries(path):
        if (issuer == platform.issuer and entry.get("client_id") == platform.client_id
                and deployment_id in {str(d) for d in entry.get("deployment_ids", [])}):
            return platforms.add_deployment(platform, deployment_id, _entry_school(issuer, entry))
    return None


class ToolRegistration(Registration):
    """A registration whose tool key is the tool's own active key, with its kid.

    The key is read only when something signs with it (deep linking, service tokens): a launch
    only verifies the platform's signature, so it never pays for a key it does not use.
    """

    def __init__(self, platform: Platform):
        super().__init__()
        self.platform = platform  # held, so the session's identity map keeps it for this request
        self.platform_id = platform.id
        self._tool_key = None
        (self.set_issuer(platform.issuer).set_client_id(platform.client_id)
         .set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
         .set_key_set_url(platform.key_set_url))
        if platform.auth_audience:
            self.set_auth_audience(platform.auth_audience)

    def _key(self):
        if self._tool_key is None:
            self._tool_key = keys.active_key()
        return self._tool_key

    def get_tool_private_key(self):
        """The active key's private half, loaded once per process (pylti1p3 hands it to PyJWT)."""
        return keys.signing_key(self._key())

    def get_tool_public_key(self):
        return keys.public_pem(self._key())

    def get_kid(self):
        return self._key().kid


class DbToolConf(ToolConfAbstract):
    """Find active registrations in the database, importing them from lti_config.json on first use.

    One instance serves one request (see operations.tool_conf): it remembers the platforms and
    deployments it found, so a launch's checks and its session reuse one lookup of each instead
    of querying again. Nothing outlives the request, so a platform that is removed or suspended
    is refused from the next request on.
    """

    def __init__(self, config_path: str):
        super().__init__()
        self.config_path = config_path
        self._platforms: dict[tuple, Platform | None] = {}
        self._deployments: dict[tuple, Deployment | None] = {}

    def check_iss_has_one_client(self, iss):
        return False

    def check_iss_has_many_clients(self, iss):
        return True

    def find_platform(self, iss: str, client_id: str | None) -> Platform | None:
        """Return the active platform for issuer (and client id, when the LMS sends one)."""
        memo = (iss, client_id or None)
        if memo not in self._platforms:
            self._platforms[memo] = self._lookup_platform(iss, client_id)
        return self._platforms[memo]

    def seed_platform(self, platform: Platform) -> None:
        """Remember a platform this request already loaded (the sign-in's) under its issuer+client.

        Only where find_platform would return that very row: (issuer, client id) is unique, so the
        lookup would find it and nothing else, and would return it when active and not a demo
        registration outside the demo. Otherwise find_platform queries as usual.
        """
        if platform.is_active and (current_app.config["DEMO_MODE"] or platform.source != "demo"):
            self._platforms.setdefault((platform.issuer, platform.client_id), platform)

    def seed_deployment(self, platform: Platform, deployment_id: str, deployment: Deployment | None) -> None:
        """Remember what this request already read of platform's deployment deployment_id (None: none).

        find_deployment_row would run the same lookup, platform id and deployment id, and find the
        same row or none.
        """
        self._deployments.setdefault((platform.id, deployment_id), deployment)

    def _lookup_platform(self, iss: str, client_id: str | None) -> Platform | None:
        query = select(Platform).where(Platform.issuer == iss)
        if not current_app.config["DEMO_MODE"]:
            # The demo LMS's registration is only ever honoured while the demo runs.
            query = query.where(Platform.source != "demo")
        if client_id:
            query = query.where(Platform.client_id == client_id)
        found = list(db.session.scalars(query))
        if not found:
            for issuer, entry in config_entries(self.config_path):
                if issuer == iss and (not client_id or entry.get("client_id") == client_id):
                    platform = import_config_entry(issuer, entry)
                    if platform not in found:  # several entries of one registration
                        found.append(platform)
        active = [p for p in found if p.is_active]
        return active[0] if len(active) == 1 else None

    def find_deployment_row(self, platform: Platform, deployment_id: str) -> Deployment | None:
        """The platform's deployment with this id, with its school (the launch's tenant)."""
        memo = (platform.id, deployment_id)
        if memo not in self._deployments:
            self._deployments[memo] = db.session.scalars(
                select(Deployment).options(joinedload(Deployment.school))
                .where(Deployment.platform_id == platform.id,
                       Deployment.deployment_id == deployment_id)).first()
        found = self._deployments[memo]
        if found is None or found.school_id is None:  # unknown, or waiting for the school the file may name
            self._deployments[memo] = config_deployment(self.config_path, platform, deployment_id) or found
        return self._deployments[memo]

    def find_registration_by_issuer(self, iss, *args, **kwargs):
        platform = self.find_platform(iss, None)
        return ToolRegistration(platform) if platform else None

    def find_registration_by_params(self, iss, client_id, *args, **kwargs):
        platform = self.find_platform(iss, client_id)
        return ToolRegistration(platform) if platform else None

    def find_deployment(self, iss, deployment_id):
        return self.find_deployment_by_params(iss, deployment_id, None)

    def find_deployment_by_params(self, iss, deployment_id, client_id, *args, **kwargs):
        platform = self.find_platform(iss, client_id)
        if platform and self.find_deployment_row(platform, deployment_id):
            return LtiDeployment().set_deployment_id(deployment_id)
        return None
