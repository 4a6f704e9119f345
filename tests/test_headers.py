"""Security headers: a launch's pages only its own LMS may frame; no inline script anywhere; HSTS over HTTPS.

tests/security/test_headers_csp.py holds the rest: pending platforms, size, pages without a launch."""
import pathlib
import re

import requests

from tests.support.pages import launch

TEMPLATES = pathlib.Path(__file__).parent.parent / "templates"


def test_a_launchs_pages_may_be_framed_only_by_its_lms(browser, lms, tool_url):
    page, _ = launch(browser, lms, "admin")
    csp = page.headers["Content-Security-Policy"]
    ancestors = re.search(r"frame-ancestors ([^;]+)", csp).group(1).split()
    origin = lms.issuer.split("/lms")[0]
    assert "'self'" in ancestors and origin in ancestors
    assert ancestors == ["'self'", origin]
    assert "script-src 'self'" in csp and "'unsafe-inline'" not in csp
    assert page.headers["X-Content-Type-Options"] == "nosniff"
    assert page.headers["Referrer-Policy"] == "no-referrer"
    landing = requests.get(tool_url + "/", timeout=30)
    assert "frame-ancestors" in landing.headers["Content-Security-Policy"]


# A file the tool hands out, never serves: the access request's archive page is read offline, from
# the zip, so it carries its own few style rules (no page of the tool does).
OFFLINE_FILES = {"privacy/archive.html"}


def test_no_template_has_inline_script_or_style():
    for path in TEMPLATES.rglob("*.html"):
        if path.relative_to(TEMPLATES).as_posix() in OFFLINE_FILES:
            assert "<script" not in path.read_text(), f"a script in the offline file {path}"
            continue
        text = path.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            assert "src=" in tag, f"inline script in {path}"
        assert not re.search(r"<style\b", text), f"inline style block in {path}"
        assert not re.search(r"\sstyle=", text), f"style attribute in {path}"
        assert not re.search(r"\son[a-z]+=", text), f"inline event handler in {path}"


def test_hsts_is_sent_over_https_only(app):
    client = app.test_client()
    assert "Strict-Transport-Security" not in client.get("/").headers
    secure = client.get("/", base_url="https://vo.example.org")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")
