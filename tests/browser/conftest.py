"""Real-browser tests: headless Chromium with third-party cookies blocked, the tool in an LMS iframe.

The demo LMS is served as http://localhost:<port> and the tool as http://127.0.0.1:<port>: two sites,
so the tool's frame is third-party, as in a real LMS. These tests exercise the browser, not the
database, so they run on SQLite only. Without chromium/chromedriver they skip (fail when CI=true).

axe-core (test_accessibility.py) comes from npm, pinned in package.json and package-lock.json next
to this file: when tests/browser/node_modules lacks it, the axe_source fixture runs `npm ci` itself,
so the README's test command works on a fresh machine with node; without npm (or offline) those
tests skip, and fail when CI=true.
"""
import contextlib
import os
import secrets
import shutil
import subprocess
from pathlib import Path

import pytest


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or shutil.which("google-chrome")
CHROMEDRIVER = shutil.which("chromedriver")
ARTIFACTS = Path(__file__).parent / "artifacts"
WAIT = 20  # seconds an explicit wait may take before the test fails (the suite runs a process per core)
NODE_PREFIX = Path(__file__).parent
AXE = NODE_PREFIX / "node_modules" / "axe-core" / "axe.min.js"


def pytest_collection_modifyitems(config, items):
    """Only the SQLite instance of the app: skip before any PostgreSQL is set up."""
    here = Path(__file__).parent
    skip = pytest.mark.skip(reason="browser tests run on SQLite only")
    for item in items:
        callspec = getattr(item, "callspec", None)
        if here in Path(str(item.fspath)).parents and callspec \
                and callspec.params.get("database_url", "sqlite") != "sqlite":
            item.add_marker(skip)


def _skip_or_fail_in_ci(message: str) -> None:
    if os.environ.get("CI") == "true":
        pytest.fail(message + " in CI")
    pytest.skip(message)


def _chromium_or_skip() -> None:
    missing = [name for name, path in (("chromium", CHROMIUM), ("chromedriver", CHROMEDRIVER)) if not path]
    try:
        import selenium  # noqa: F401
    except ImportError:
        missing.append("selenium (pip install -e '.[test]')")
    if missing:
        _skip_or_fail_in_ci("browser tests need " + ", ".join(missing))


@pytest.fixture(scope="session")
def axe_source() -> str:
    """The source of axe-core, installed with `npm ci` from the lock file when it is missing."""
    problem = ""
    if not AXE.exists():
        npm = shutil.which("npm")
        if npm is None:
            problem = "npm (node) to install axe-core"
        else:
            done = subprocess.run([npm, "ci", "--prefix", str(NODE_PREFIX), "--no-audit", "--no-fund"],
                                  capture_output=True, text=True, timeout=300)
            if done.returncode or not AXE.exists():
                problem = f"axe-core (`npm ci --prefix tests/browser` failed: {done.stderr.strip()[-500:]})"
    if problem:
        _skip_or_fail_in_ci("accessibility tests need " + problem)
    return AXE.read_text(encoding="utf-8")


@pytest.fixture(scope="module")
def frame_lms(app, tool_url):
    """The demo LMS on http://localhost (another site than the tool), with a school of its own."""
    from tests.conftest import demo_lms
    from tests.support.pages import publish_defaults
    with demo_lms(app, tool_url, "Frame school " + secrets.token_hex(3), "frame", "dep-frame",
                  host="localhost") as lms:
        publish_defaults(app, lms.school_id)
        yield lms


def _start_chromium(profile: Path, *, every_cookie_blocked: bool = False):
    """A fresh headless Chromium that blocks third-party cookies (or, if asked, every cookie)."""
    _chromium_or_skip()
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-dev-shm-usage", "--test-third-party-cookie-phaseout",
                "--window-size=1280,1400", "--lang=en-GB", f"--user-data-dir={profile}"):
        options.add_argument(arg)
    prefs = {"profile.block_third_party_cookies": True, "profile.cookie_controls_mode": 1,
             "intl.accept_languages": "en-GB,en"}
    if every_cookie_blocked:
        prefs["profile.default_content_setting_values.cookies"] = 2
    options.add_experimental_option("prefs", prefs)
    driver = webdriver.Chrome(options=options, service=Service(CHROMEDRIVER))
    driver.set_page_load_timeout(20)
    return driver


@contextlib.contextmanager
def _kept_on_failure(request, driver, suffix: str = ""):
    try:
        yield driver
    finally:
        failed = getattr(request.node, "rep_call", None)
        if failed is not None and failed.failed:
            _screenshot(driver, request.node.name + suffix + "-FAILED")
        driver.quit()


@pytest.fixture
def chrome(request, tmp_path):
    """A fresh headless Chromium that blocks third-party cookies; a screenshot is kept on failure."""
    with _kept_on_failure(request, _start_chromium(tmp_path / "profile")) as driver:
        yield driver


@pytest.fixture
def cookieless_chrome(request, tmp_path):
    """A fresh headless Chromium that refuses every cookie, first-party ones included."""
    with _kept_on_failure(request, _start_chromium(tmp_path / "no-cookies", every_cookie_blocked=True)) as driver:
        yield driver


@pytest.fixture
def other_chrome(request, tmp_path):
    """A second, fresh browser: someone else's, to open an address that was copied."""
    with _kept_on_failure(request, _start_chromium(tmp_path / "other"), "-other") as driver:
        yield driver


def _screenshot(driver, name: str) -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    driver.switch_to.default_content()
    driver.save_screenshot(str(path))
    return path


@pytest.fixture
def screenshot(request, chrome):
    """Keep a screenshot of the whole LMS page (the tool's frame inside it) as a test artifact."""
    def take(suffix: str = "final") -> Path:
        path = _screenshot(chrome, f"{request.node.name}-{suffix}")
        print(f"screenshot: {path}")
        return path
    return take


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    outcome = yield
    report = outcome.get_result()
    setattr(item, "rep_" + report.when, report)
