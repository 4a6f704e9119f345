"""pylti1p3's tool configuration, backed by the database and by lti_config.json."""
import json
import os
import threading

from flask import current_app
from pylti1p3.deployment import Deployment as LtiDeployment
from pylti1p3.registration import Registration
from pylti1p3.tool_config import ToolConfAbstract
from sqlalchemy import select

from ..extensions import db
from ..platforms import keys
from ..platforms import operations as platforms
from ..platforms.models import Platform

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


def import_config_entry(issuer: str, entry: dict) -> Platform:
    """Store a JSON registration in the database so tenancy and queries see it like any other.

    Our extension to the format: an optional "school" names the school its deployments belong to.
    """
    platform = platforms.find_platform(issuer, entry["client_id"])
    if platform is None:
        platform = platforms.add_platform(
            issuer=issuer, client_id=entry["client_id"], auth_login_url=entry["auth_login_url"],
            auth_token_url=entry["auth_token_url"], key_set_url=entry["key_set_url"],
            auth_audience=entry.get("auth_audience"), source="config")
    school = entry.get("school") or f"{issuer} ({entry['client_id']})"
    for deployment_id in entry.get("deployment_ids", []):
        if platforms.find_deployment(platform, str(deployment_id)) is None:
            platforms.add_deployment(platform, str(deployment_id), school)
    return platform


class ToolRegistration(Registration):
    """A registration whose tool key is the tool's own active key, with its kid."""

    def __init__(self, platform: Platform):
        super().__init__()
        key = keys.active_key()
        self.platform_id = platform.id
        self._kid = key.kid
        (self.set_issuer(platform.issuer).set_client_id(platform.client_id)
         .set_auth_login_url(platform.auth_login_url).set_auth_token_url(platform.auth_token_url)
         .set_key_set_url(platform.key_set_url).set_tool_private_key(keys.private_pem(key))
         .set_tool_public_key(keys.public_pem(key)))
        if platform.auth_audience:
            self.set_auth_audience(platform.auth_audience)

    def get_kid(self):
        return self._kid


class DbToolConf(ToolConfAbstract):
    """Find active registrations in the database, importing them from lti_config.json on first use."""

    def __init__(self, config_path: str):
        super().__init__()
        self.config_path = config_path

    def check_iss_has_one_client(self, iss):
        return False

    def check_iss_has_many_clients(self, iss):
        return True

    def find_platform(self, iss: str, client_id: str | None) -> Platform | None:
        """Return the active platform for issuer (and client id, when the LMS sends one)."""
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
                    found.append(import_config_entry(issuer, entry))
        active = [p for p in found if p.is_active]
        return active[0] if len(active) == 1 else None

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
        if platform and platforms.find_deployment(platform, deployment_id):
            return LtiDeployment().set_deployment_id(deployment_id)
        return None
