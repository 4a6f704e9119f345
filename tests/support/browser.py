"""A test browser: requests with cookies, form auto-submission, and an LTI launch helper."""
from http.cookiejar import DefaultCookiePolicy
from urllib.parse import parse_qs, urljoin, urlsplit

import requests
from requests.cookies import get_cookie_header
from bs4 import BeautifulSoup


class LoopbackSecurePolicy(DefaultCookiePolicy):
    """Send Secure cookies to 127.0.0.1 over HTTP, as browsers do for loopback origins."""

    def return_ok_secure(self, cookie, request):
        host = urlsplit(request.get_full_url()).hostname
        return host in ("127.0.0.1", "localhost") or super().return_ok_secure(cookie, request)


class _Session(requests.Session):
    """requests rebuilds the cookie jar per request with the default policy; apply ours instead."""

    def prepare_request(self, request):
        prepared = super().prepare_request(request)
        prepared.headers.pop("Cookie", None)
        header = get_cookie_header(self.cookies, prepared)
        if header:
            prepared.headers["Cookie"] = header
        return prepared


class Browser:
    def __init__(self, tool_url: str, cookies: bool = True):
        self.tool_url = tool_url
        self.http = _Session()
        # Pages outside a launch follow the browser's language; this browser reads English.
        self.http.headers["Accept-Language"] = "en"
        self.http.cookies.set_policy(LoopbackSecurePolicy() if cookies else _NoCookies())

    def get(self, url, token: str | None = None, **kw):
        """GET a page of the tool; token is a launch token, sent as a tab's script sends it (a header)."""
        kw.setdefault("allow_redirects", False)
        return self.http.get(urljoin(self.tool_url + "/", url), timeout=30, **_with_token(token, kw))

    def post(self, url, token: str | None = None, **kw):
        """POST to the tool; token is a launch token, sent in the X-Launch-Token header."""
        kw.setdefault("allow_redirects", False)
        return self.http.post(urljoin(self.tool_url + "/", url), timeout=30, **_with_token(token, kw))

    def start_login(self, login_url: str) -> dict:
        """Do the tool's login step; return the auth request parameters it sent to the LMS."""
        resp = self.http.get(login_url, allow_redirects=False, timeout=30)
        assert resp.status_code == 302, resp.text
        location = resp.headers["Location"]
        params = {k: v[0] for k, v in parse_qs(urlsplit(location).query).items()}
        params["_location"] = location
        return params

    def launch(self, lms, user_key: str, **kw) -> requests.Response:
        """Launch the tool as user_key from the LMS, through every real step; return the tool's answer."""
        auth = self.start_login(lms.login_initiation_url(user_key, **kw))
        page = self.http.get(auth["_location"], allow_redirects=False, timeout=30)
        assert page.status_code == 200, page.text
        action, fields = form_of(page.text)
        return self.post(action, data=fields)

    def post_id_token(self, id_token: str, state: str) -> requests.Response:
        return self.post("/lti/launch", data={"id_token": id_token, "state": state})

    def follow(self, resp: requests.Response) -> requests.Response:
        """Follow redirects, and the tool's continue pages (a redirect for a tab that may keep no
        cookies: a form that static/js/autosubmit.js posts, carrying the launch token)."""
        while resp.status_code in (301, 302, 303) or continues(resp):
            if continues(resp):
                action, fields = form_of(resp.text, "form[data-autosubmit]")
                resp = self.post(urljoin(resp.url, action), data=fields)
            else:
                resp = self.get(urljoin(resp.url, resp.headers["Location"]))
        return at_its_address(resp)


def at_its_address(resp: requests.Response) -> requests.Response:
    """A page that names its own address (the launch's first page) moves there, as its script
    makes a browser do (static/js/page_address.js)."""
    if resp.status_code == 200 and 'name="vo-page-address"' in resp.text:
        meta = BeautifulSoup(resp.text, "html.parser").select_one('meta[name="vo-page-address"]')
        resp.url = urljoin(resp.url, meta["content"])
    return resp


def continues(resp: requests.Response) -> bool:
    """Whether the tool answered with a continue page: a redirect that carries the launch token in
    a POST body instead of an address (lti/navigation.py)."""
    return resp.status_code == 200 and 'name="_nav"' in resp.text and "data-autosubmit" in resp.text


def continues_to(resp: requests.Response) -> str | None:
    """Where a redirect or a continue page leads, or None."""
    if resp.status_code in (301, 302, 303):
        return resp.headers["Location"]
    return form_of(resp.text, "form[data-autosubmit]")[0] if continues(resp) else None


def launched(resp: requests.Response) -> bool:
    """Whether the tool accepted a launch: it answers with the first page, or sends the person on
    (to the code they must acknowledge first, the report form, or deep linking)."""
    return (resp.status_code == 200 and 'name="vo-page-address"' in resp.text) or continues(resp) \
        or resp.status_code in (302, 303)


TOKEN_HEADER = "X-Launch-Token"


def _with_token(token: str | None, kw: dict) -> dict:
    if token:
        kw["headers"] = {**(kw.get("headers") or {}), TOKEN_HEADER: token}
    return kw


def launch_token_of(html: str) -> str | None:
    """The launch token a page of the tool carries for its scripts and forms (never in its address)."""
    meta = BeautifulSoup(html, "html.parser").select_one('meta[name="vo-launch-token"]')
    return meta["content"] if meta is not None else None


class _NoCookies(DefaultCookiePolicy):
    def set_ok(self, cookie, request):
        return False


def form_of(html: str, selector: str = "form") -> tuple[str, dict]:
    """Return (action, fields) of the first form in html."""
    soup = BeautifulSoup(html, "html.parser")
    form = soup.select_one(selector)
    assert form is not None, html
    fields = {i["name"]: i.get("value", "") for i in form.select("input[name]")
              if i.get("type") not in ("checkbox", "radio") or i.has_attr("checked")}
    return form.get("action", ""), fields


def text_of(html: str) -> str:
    return " ".join(BeautifulSoup(html, "html.parser").get_text(" ").split())
