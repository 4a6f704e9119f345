"""A registering LMS for the security tests: its documents are whatever a test makes them, and it
records every request it gets (so a test can prove the tool never called it, or never sent it a token)."""
import contextlib
import json
import secrets
from urllib.parse import quote

from werkzeug.wrappers import Request, Response

from tests.support.servers import reserve_port, serve


class RegisteringLMS:
    """Serves /lms/.well-known/openid-configuration and /lms/register on base (any host name)."""

    def __init__(self, base: str):
        self.base = base
        self.issuer = base + "/lms"
        self.requests: list[tuple[str, str, dict]] = []
        self.client_id = "client-" + secrets.token_hex(4)
        self.deployment_id = "dep-" + secrets.token_hex(3)
        self.conf_overrides: dict = {}
        self.routes = {"/lms/.well-known/openid-configuration": self._configuration,
                       "/lms/register": self._register}

    @property
    def configuration_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    def configuration(self) -> dict:
        conf = {"issuer": self.issuer, "authorization_endpoint": self.issuer + "/auth",
                "token_endpoint": self.issuer + "/token", "jwks_uri": self.issuer + "/jwks",
                "registration_endpoint": self.issuer + "/register"}
        return {**conf, **self.conf_overrides}

    def _configuration(self, request):
        return Response(json.dumps(self.configuration()), mimetype="application/json")

    def _register(self, request):
        if request.method != "POST":
            return Response("", 405)
        return Response(json.dumps({
            "client_id": self.client_id,
            "https://purl.imsglobal.org/spec/lti-tool-configuration": {"deployment_id": self.deployment_id}}),
            mimetype="application/json")

    def __call__(self, environ, start_response):
        request = Request(environ)
        self.requests.append((request.method, request.path, dict(request.headers)))
        handler = self.routes.get(request.path)
        response = handler(request) if handler else Response("not here", 404)
        return response(environ, start_response)

    def registration_path(self, url: str | None = None, token: str = "reg-token") -> str:
        """The tool's registration address as the LMS's administrator would open it."""
        return ("/lti/register?openid_configuration=" + quote(url or self.configuration_url, safe="")
                + "&registration_token=" + quote(token))


@contextlib.contextmanager
def registering_lms(host: str = "127.0.0.1", name: str | None = None, port: int | None = None):
    """A RegisteringLMS served on host; its URLs use name (a host name a test resolves) if given."""
    port = port or reserve_port(host)
    lms = RegisteringLMS(f"http://{name or host}:{port}")
    with serve(lms, host=host, port=port):
        yield lms
