"""The tool as production runs it (gunicorn, several workers, on this run's database) and an LMS
that the fault tests may take down and bring back on the same address."""
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import register_lms
from tests.support.faults import StoppableLMS, tool_env
from tests.support.pages import publish_defaults
from tests.support.servers import gunicorn

WORKERS = 3


@dataclass
class Production:
    url: str
    env: dict
    lms: StoppableLMS
    log: Path


def _no_check(content: dict, audience: str) -> dict:
    return {**content, "questions": []}


@pytest.fixture(scope="module")
def production(app, database_url, lti_config_path, tmp_path_factory):
    """gunicorn with several workers and a school of this module's own, its codes published."""
    folder = tmp_path_factory.mktemp("faults")
    env = tool_env(database_url, app.config["SECRET_KEY"], folder, lti_config_path)
    log = folder / "gunicorn.log"
    with gunicorn(env, WORKERS, str(log)) as url:
        lms = StoppableLMS(url, "Faults school")
        lms.start()
        try:
            with app.app_context():
                lms.school_id = register_lms(lms.lms, lms.school).deployments[0].school_id
            publish_defaults(app, lms.school_id, edit=_no_check)
            yield Production(url, env, lms, log)
        finally:
            lms.stop()
