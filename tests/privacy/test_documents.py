"""docs/privacy/ says what the code does: every marked term equals the code's default, every term of the
code is in each register, every file and test a claim names exists; and no table keeps an IP address."""
import ast
import pathlib
import re

import pytest

from lti_tool.extensions import db
from lti_tool.privacy import terms

ROOT = pathlib.Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs" / "privacy"
MARK = re.compile(r"<!--\s*term:(\w+)=(\d+)\s*-->")
# A claim's proof: a path in backticks, optionally ::name (a function, class or test in that file).
NAMED = re.compile(r"`((?:lti_tool|tests|templates)/[\w/.\-]+)(?:::(\w+))?`")
DOCUMENTS = sorted(DOCS.glob("*.md"))


def test_the_documents_come_in_dutch_and_english():
    stems = {path.name.rsplit(".", 2)[0] for path in DOCUMENTS if path.name.count(".") == 2}
    assert stems == {"register", "verwerkersovereenkomst", "dpia"}
    for stem in stems:
        assert (DOCS / f"{stem}.nl.md").exists() and (DOCS / f"{stem}.en.md").exists()


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_every_marked_term_is_the_codes_default(app, path):
    with app.app_context():
        defaults = {d.key: d.value for d in terms.defaults()}
    for key, value in MARK.findall(path.read_text()):
        assert key in defaults, f"{path.name} marks an unknown term {key}"
        assert int(value) == defaults[key], f"{path.name}: {key} is {value} in the text, {defaults[key]} in the code"


@pytest.mark.parametrize("name", ["register.nl.md", "register.en.md", "verwerkersovereenkomst.nl.md",
                                  "verwerkersovereenkomst.en.md"])
def test_every_term_of_the_code_is_in_the_registers(app, name):
    with app.app_context():
        keys = {d.key for d in terms.defaults()}
    assert keys <= {key for key, _ in MARK.findall((DOCS / name).read_text())}


def _names_in(path: pathlib.Path) -> set[str]:
    tree = ast.parse(path.read_text())
    return {node.name for node in ast.walk(tree)
            if isinstance(node, (ast.FunctionDef, ast.ClassDef, ast.AsyncFunctionDef))}


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.name)
def test_every_file_and_test_a_claim_names_exists(path):
    named = NAMED.findall(path.read_text())
    assert named or path.name == "README.md"
    for file, name in named:
        target = ROOT / file
        assert target.exists(), f"{path.name} names {file}, which does not exist"
        if name:
            assert name in _names_in(target), f"{path.name} names {file}::{name}, which does not exist"


def test_no_table_keeps_an_ip_address_or_a_device(app):
    suspicious = re.compile(r"(^|_)(ip|ip_address|remote_addr|user_agent|device|fingerprint|latitude|longitude)($|_)")
    columns = [f"{table.name}.{column.name}" for table in db.metadata.sorted_tables for column in table.columns]
    assert columns and not [c for c in columns if suspicious.search(c.split(".", 1)[1])]


def test_the_defaults_are_read_from_the_columns_not_copied(app):
    from lti_tool.cases.models import CaseSettings
    from lti_tool.privacy.models import PrivacySettings
    with app.app_context():
        found = {d.key: d.value for d in terms.defaults()}
    assert found["report_contents_months"] == CaseSettings.__table__.c.retention_months.default.arg
    assert found["pupil_years"] == PrivacySettings.__table__.c.pupil_years.default.arg
    assert found["launch_hours"] * 3600 == app.config["LTI_LAUNCH_TOKEN_SECONDS"]


# Every module that opens a network connection, and whom it talks to (the DPA annex: no sub-processors).
TALKS_TO = {
    "lti_tool/lti/outbound.py": "the LMS (dynamic registration)",
    "lti_tool/lti/jwks_cache.py": "the LMS (its key set)",
    "lti_tool/courses/roster.py": "the LMS (rosters, NRPS)",
    "lti_tool/platforms/services.py": "the LMS (LTI Advantage services: gradebook, roster)",
    "lti_tool/gradebook/delivery.py": "the LMS (gradebook, AGS)",
    "lti_tool/cases/mail.py": "the school's own mail server",
    "lti_tool/demo/platform.py": "the demo LMS in the same process",
    "lti_tool/demo/mailbox.py": "the demo mailbox in the same process",
}
NETWORK = {"requests", "socket", "smtplib", "urllib.request", "http.client", "httpx", "aiohttp", "urllib3"}


def _imports(path: pathlib.Path) -> set[str]:
    names = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and not node.level:
            names.add(node.module)
    return names


def test_the_tool_talks_only_to_the_lms_and_the_schools_mail_server():
    talking = {str(path.relative_to(ROOT)) for path in (ROOT / "lti_tool").rglob("*.py")
               if _imports(path) & NETWORK}
    assert talking == set(TALKS_TO), "a new network peer: name it in docs/privacy (sub-processors) and here"
