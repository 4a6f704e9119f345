"""The demo LMS: a small but real LTI 1.3 platform, for the demo and as a peer in tests.

It signs id_tokens with its own RSA key, serves its JWKS, checks the tool's client assertions
against the tool's JWKS before it hands out access tokens, and keeps line items, scores and a
roster in memory. It never reads the tool's database: everything crosses HTTP, as with a real LMS.
"""
import json
import random
import secrets
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlencode, urlsplit

import jwt
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwcrypto.jwk import JWK

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
LTI_DL = "https://purl.imsglobal.org/spec/lti-dl/claim/"
AGS_CLAIM = "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint"
NRPS_CLAIM = "https://purl.imsglobal.org/spec/lti-nrps/claim/namesroleservice"
LIS = "http://purl.imsglobal.org/vocab/lis/v2/"
AGS_SCOPES = {
    "lineitem": "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "lineitem.readonly": "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem.readonly",
    "result.readonly": "https://purl.imsglobal.org/spec/lti-ags/scope/result.readonly",
    "score": "https://purl.imsglobal.org/spec/lti-ags/scope/score",
}
NRPS_SCOPE = "https://purl.imsglobal.org/spec/lti-nrps/scope/contextmembership.readonly"
LEARNER, INSTRUCTOR = LIS + "membership#Learner", LIS + "membership#Instructor"
ADMIN = LIS + "institution/person#Administrator"


class ServiceError(Exception):
    """A refusal of one of the LMS's services, answered as JSON with this status."""

    def __init__(self, status: int, message: str):
        super().__init__(message)
        self.status, self.message = status, message


@dataclass
class DemoUser:
    key: str
    sub: str
    given_name: str
    family_name: str
    roles: list[str]
    locale: str = "nl-NL"
    in_course: bool = True

    @property
    def name(self) -> str:
        return f"{self.given_name} {self.family_name}"

    @property
    def kind(self) -> str:
        """What the person is in the demo school: admin, teacher or student."""
        return "admin" if ADMIN in self.roles else "teacher" if INSTRUCTOR in self.roles else "student"

    @property
    def email(self) -> str:
        return f"{self.given_name.lower()}.{self.key}@demoschool.example"


@dataclass
class ResourceLink:
    id: str
    title: str
    custom: dict = field(default_factory=dict)
    line_item_id: str | None = None


def _demo_users() -> dict[str, DemoUser]:
    people = [
        DemoUser("student", "demo-student-1", "Sanne", "de Vries", [LEARNER]),
        DemoUser("student2", "demo-student-2", "Daan", "Jansen", [LEARNER]),
        DemoUser("student3", "demo-student-3", "Noor", "El Amrani", [LEARNER]),
        DemoUser("student4", "demo-student-4", "Milan", "Bos", [LEARNER], locale="en-GB"),
        DemoUser("teacher", "demo-teacher-1", "Mark", "Bakker", [INSTRUCTOR]),
        DemoUser("coordinator", "demo-staff-2", "Fatima", "Yilmaz", [INSTRUCTOR]),
        DemoUser("admin", "demo-admin-1", "Ingrid", "Smit", [ADMIN], in_course=False),
    ]
    return {p.key: p for p in people}


class DemoLMS:
    """One LMS with one course, its people, the tool's placements, a gradebook and a roster."""

    course_id = "course-2b"
    course_title = "2B Mentoruur"
    course_label = "2B-MENTOR"

    def __init__(self, issuer: str, tool_base_url: str, client_id: str, deployment_id: str,
                 school_name: str):
        self.issuer = issuer.rstrip("/")
        self.tool_base_url = tool_base_url.rstrip("/")
        self.client_id = client_id
        self.deployment_id = deployment_id
        self.school_name = school_name
        self.registration_token: str | None = None
        self.registered_client_id: str | None = None  # set by the first dynamic registration
        self.users = _demo_users()
        self.links: dict[str, ResourceLink] = {
            "code": ResourceLink("code", "Gedragscode", {"placement": "code"}),
            "report": ResourceLink("report", "Meld een incident", {"placement": "report"}),
        }
        self.placed_items: list[dict] = []
        self.line_items: dict[str, dict] = {}
        self.item_course: dict[str, str] = {}  # line item id -> the course whose gradebook holds it
        self.scores: dict[str, dict[str, dict]] = {}   # line item id -> user id -> latest score
        self.score_log: list[dict] = []
        self.tokens: dict[str, tuple[set, float]] = {}
        self.token_requests = 0
        self.fail_rate = 0.0
        self.nrps_page_size = 100
        # Moodle's privacy settings "share launcher's name / e-mail with the tool": launches and roster alike.
        self.shares_names = True
        self.shares_email = True
        self._used_jti: set[str] = set()
        self._lock = threading.Lock()
        self._random = random.Random()
        self._tool_keys: dict = {"at": 0.0, "keys": []}
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.private_key_pem = private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption())
        self.kid = "demo-" + secrets.token_hex(6)
        self.public_jwk = json.loads(JWK.from_pem(self.private_key_pem).export_public())
        self.public_jwk.update({"kid": self.kid, "alg": "RS256", "use": "sig"})

    # --- addresses ------------------------------------------------------------------------------
    @property
    def tool_origin(self) -> str:
        """Where the tool's frame posts from: the only origin whose platform-storage messages count."""
        parts = urlsplit(self.tool_base_url)
        return f"{parts.scheme}://{parts.netloc}"

    @property
    def auth_url(self) -> str:
        return self.issuer + "/auth"

    @property
    def token_url(self) -> str:
        return self.issuer + "/token"

    @property
    def jwks_url(self) -> str:
        return self.issuer + "/jwks"

    @property
    def openid_configuration_url(self) -> str:
        return self.issuer + "/.well-known/openid-configuration"

    @property
    def registration_url(self) -> str:
        return self.issuer + "/register"

    @property
    def deep_link_return_url(self) -> str:
        return self.issuer + "/deep-link-return"

    @property
    def lineitems_url(self) -> str:
        return f"{self.issuer}/api/courses/{self.course_id}/lineitems"

    @property
    def memberships_url(self) -> str:
        return f"{self.issuer}/api/courses/{self.course_id}/memberships"

    @property
    def redirect_uri(self) -> str:
        return self.tool_base_url + "/lti/launch"

    # --- launching ------------------------------------------------------------------------------
    def login_initiation_url(self, user_key: str, message_type: str = "LtiResourceLinkRequest",
                             link: str = "code", locale: str | None = None,
                             target_link_uri: str | None = None, storage: bool = False) -> str:
        """The third-party initiated login the LMS sends the browser to, for one user and link.

        storage: offer LTI platform storage (the course page keeps the tool's login secrets, as
        Canvas or Brightspace do), so a launch works inside the frame with every cookie blocked.
        """
        hint = json.dumps({"type": message_type, "link": link, "locale": locale})
        params = {
            "iss": self.issuer, "login_hint": user_key, "client_id": self.client_id,
            "target_link_uri": target_link_uri or self.tool_base_url + "/",
            "lti_deployment_id": self.deployment_id, "lti_message_hint": hint,
        }
        if storage:
            params["lti_storage_target"] = "_parent"
        return self.tool_base_url + "/lti/login?" + urlencode(params)

    def id_token_claims(self, user_key: str, nonce: str, message_type: str = "LtiResourceLinkRequest",
                        link: str = "code", locale: str | None = None) -> dict:
        """Every claim an id_token for this user carries, as a real platform would send them."""
        user = self.users[user_key]
        now = int(time.time())
        claims = {
            "iss": self.issuer, "aud": self.client_id, "azp": self.client_id, "sub": user.sub,
            "iat": now, "exp": now + 300, "nonce": nonce, **self._shared(user),
            LTI + "version": "1.3.0",
            LTI + "message_type": message_type,
            LTI + "deployment_id": self.deployment_id,
            LTI + "target_link_uri": self.tool_base_url + "/",
            LTI + "roles": list(user.roles),
            LTI + "context": {"id": self.course_id, "label": self.course_label,
                              "title": self.course_title,
                              "type": ["http://purl.imsglobal.org/vocab/lis/v2/course#CourseOffering"]},
            LTI + "tool_platform": {"guid": self.issuer, "name": "Demo LMS",
                                    "product_family_code": "veilig-online-demo", "version": "1"},
            LTI + "launch_presentation": {"document_target": "iframe",
                                          "locale": locale or user.locale,
                                          "return_url": self.issuer + "/"},
            AGS_CLAIM: {"scope": sorted(AGS_SCOPES.values()), "lineitems": self.lineitems_url},
            NRPS_CLAIM: {"context_memberships_url": self.memberships_url, "service_versions": ["2.0"]},
        }
        if message_type == "LtiDeepLinkingRequest":
            claims[LTI_DL + "deep_linking_settings"] = {
                "deep_link_return_url": self.deep_link_return_url,
                "accept_types": ["ltiResourceLink"],
                "accept_presentation_document_targets": ["iframe", "window"],
                "accept_multiple": True, "auto_create": True,
                "title": self.course_title, "data": "dl-" + secrets.token_hex(4),
            }
        else:
            resource = self.links.get(link) or next(iter(self.links.values()))
            claims[LTI + "resource_link"] = {"id": resource.id, "title": resource.title}
            claims[LTI + "custom"] = dict(resource.custom)
            if resource.line_item_id:
                claims[AGS_CLAIM]["lineitem"] = self.line_item_url(resource.line_item_id)
        return claims

    def sign(self, claims: dict) -> str:
        """Sign with the private key loaded once, as a real platform keeps it.

        Handed the PEM, PyJWT reloads and re-checks the RSA key for every token (~100 ms of CPU);
        the loaded key is kept with the PEM it came from, so a replaced PEM is loaded anew.
        """
        cached = getattr(self, "_signing_key", None)
        if cached is None or cached[0] != self.private_key_pem:
            cached = self._signing_key = (
                self.private_key_pem, serialization.load_pem_private_key(self.private_key_pem, None))
        return jwt.encode(claims, cached[1], algorithm="RS256", headers={"kid": self.kid})

    def authorize(self, params: dict) -> tuple[str, dict]:
        """Answer the tool's OIDC authentication request: (redirect URI, form fields to post)."""
        if params.get("client_id") != self.client_id:
            raise ServiceError(400, "unknown client_id")
        if params.get("redirect_uri") != self.redirect_uri:
            raise ServiceError(400, "redirect_uri is not registered for this tool")
        if params.get("response_type") != "id_token" or params.get("scope") != "openid":
            raise ServiceError(400, "unsupported response_type or scope")
        user_key = params.get("login_hint", "")
        if user_key not in self.users or not params.get("nonce"):
            raise ServiceError(400, "unknown login_hint or missing nonce")
        try:
            hint = json.loads(params.get("lti_message_hint") or "{}")
        except ValueError:
            hint = {}
        claims = self.id_token_claims(user_key, params["nonce"],
                                      message_type=hint.get("type") or "LtiResourceLinkRequest",
                                      link=hint.get("link") or "code", locale=hint.get("locale"))
        return self.redirect_uri, {"id_token": self.sign(claims), "state": params.get("state", "")}

    # --- the tool's identity --------------------------------------------------------------------
    @property
    def tool_jwks_url(self) -> str:
        return self.tool_base_url + "/lti/jwks"

    def _tool_key(self, kid: str):
        """The tool's public key with this kid, refetching its JWKS when the kid is new."""
        for attempt in range(2):
            if attempt or time.monotonic() - self._tool_keys["at"] > 300:
                keys = requests.get(self.tool_jwks_url, timeout=10).json().get("keys", [])
                self._tool_keys = {"at": time.monotonic(), "keys": keys}
            for key in self._tool_keys["keys"]:
                if key.get("kid") == kid:
                    return jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(key))
        raise ServiceError(401, "the tool's key is not in its JWKS")

    def verify_tool_jwt(self, token: str, audience: str) -> dict:
        """Check a JWT signed by the tool (client assertion, deep-linking response)."""
        try:
            header = jwt.get_unverified_header(token)
            key = self._tool_key(header.get("kid", ""))
            return jwt.decode(token, key, algorithms=["RS256"], audience=audience,
                              issuer=self.client_id, leeway=30,
                              options={"require": ["iss", "aud", "exp", "iat"]})
        except (jwt.InvalidTokenError, requests.RequestException, ValueError) as exc:
            raise ServiceError(401, f"invalid tool JWT: {exc}") from exc

    # --- services -------------------------------------------------------------------------------
    def maybe_fail(self) -> None:
        """Fail like an overloaded LMS, as often as fail_rate says (for delivery tests)."""
        if self.fail_rate and self._random.random() < self.fail_rate:
            raise ServiceError(503, "the LMS is temporarily unavailable")

    def issue_token(self, form: dict) -> dict:
        """Client-credentials grant with a JWT client assertion (LTI Security Framework 4.1)."""
        self.maybe_fail()
        if form.get("grant_type") != "client_credentials" or form.get("client_assertion_type") != \
                "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            raise ServiceError(400, "unsupported_grant_type")
        claims = self.verify_tool_jwt(form.get("client_assertion", ""), self.token_url)
        if claims.get("sub") != self.client_id or not claims.get("jti"):
            raise ServiceError(401, "invalid_client")
        allowed = set(AGS_SCOPES.values()) | {NRPS_SCOPE}
        scopes = set((form.get("scope") or "").split()) & allowed
        if not scopes:
            raise ServiceError(400, "invalid_scope")
        with self._lock:
            if claims["jti"] in self._used_jti:
                raise ServiceError(401, "client assertion already used")
            self._used_jti.add(claims["jti"])
            token = secrets.token_urlsafe(24)
            self.tokens[token] = (scopes, time.time() + 3600)
            self.token_requests += 1
        return {"access_token": token, "token_type": "Bearer", "expires_in": 3600,
                "scope": " ".join(sorted(scopes))}

    def check_token(self, authorization: str | None, *scopes: str) -> None:
        """Refuse a service call without a live bearer token holding one of scopes."""
        token = (authorization or "").removeprefix("Bearer ").strip()
        granted, expires = self.tokens.get(token, (set(), 0.0))
        if expires < time.time():
            raise ServiceError(401, "missing or expired access token")
        if not granted & set(scopes):
            raise ServiceError(403, "the access token lacks the scope for this service")

    def line_item_url(self, item_id: str) -> str:
        return f"{self.lineitems_url}/{item_id}"

    def create_line_item(self, data: dict, course_id: str | None = None) -> dict:
        if not isinstance(data, dict) or not isinstance(data.get("scoreMaximum"), (int, float)) \
                or data["scoreMaximum"] <= 0 or not data.get("label"):
            raise ServiceError(400, "a line item needs a label and a positive scoreMaximum")
        with self._lock:
            item_id = str(len(self.line_items) + 1)
            item = {k: data[k] for k in ("label", "scoreMaximum", "tag", "resourceId",
                                         "resourceLinkId", "startDateTime", "endDateTime")
                    if k in data}
            item["id"] = self.line_item_url(item_id)
            self.line_items[item_id] = item
            self.item_course[item_id] = course_id or self.course_id
            self.scores[item_id] = {}
        return item

    def find_line_items(self, filters: dict, course_id: str | None = None) -> list[dict]:
        """The course's line items matching the filters (each course has a gradebook of its own)."""
        course_id = course_id or self.course_id
        items = [item for item_id, item in self.line_items.items() if self.item_course.get(item_id) == course_id]
        for name in ("tag", "resource_id", "resource_link_id"):
            if filters.get(name):
                key = {"tag": "tag", "resource_id": "resourceId",
                       "resource_link_id": "resourceLinkId"}[name]
                items = [i for i in items if i.get(key) == filters[name]]
        return items

    def post_score(self, item_id: str, score: dict) -> None:
        """Keep the newest score per user; an older timestamp is ignored, as the spec asks."""
        if item_id not in self.line_items:
            raise ServiceError(404, "no such line item")
        required = ("userId", "activityProgress", "gradingProgress", "timestamp")
        if not isinstance(score, dict) or any(not score.get(k) for k in required):
            raise ServiceError(400, "a score needs userId, activityProgress, gradingProgress, timestamp")
        with self._lock:
            self.score_log.append({"line_item": item_id, **score})
            current = self.scores[item_id].get(score["userId"])
            if current is None or current["timestamp"] <= score["timestamp"]:
                self.scores[item_id][score["userId"]] = score

    def members(self) -> list[dict]:
        """The course roster as NRPS 2.0 members."""
        return [{"status": "Active", "user_id": u.sub, "roles": list(u.roles), **self._shared(u)}
                for u in self.users.values() if u.in_course]

    def add_newcomer(self) -> DemoUser:
        """A pupil joins the course mid-year: the tool first sees them in the roster or at their launch."""
        with self._lock:
            n = sum(1 for key in self.users if key.startswith("newcomer-")) + 1
            names = ("Lotte", "Sem", "Yara", "Finn", "Aya", "Levi")
            person = DemoUser(f"newcomer-{n}", f"demo-newcomer-{n}", names[(n - 1) % len(names)],
                              f"Nieuwkomer {n}", [LEARNER])
            self.users[person.key] = person
        return person

    def _shared(self, user) -> dict:
        """The personal claims the privacy settings let through: none of a kind that is switched off."""
        names = {"name": user.name, "given_name": user.given_name, "family_name": user.family_name}
        return {**(names if self.shares_names else {}), **({"email": user.email} if self.shares_email else {})}

    def add_students(self, count: int, prefix: str = "bulk") -> None:
        """Add generated students to the course (for large-roster tests and benches)."""
        for n in range(count):
            key = f"{prefix}-{n}"
            self.users[key] = DemoUser(key, f"{prefix}-sub-{n}", f"Leerling{n}", "Demo", [LEARNER])

    def memberships_page(self, page: int, limit: int | None, role: str | None) -> tuple[dict, str | None]:
        """One page of the roster and the URL of the next one (the Link rel=next header)."""
        self.maybe_fail()
        members = self.members()
        if role:
            members = [m for m in members if any(r == role or r.endswith("#" + role) for r in m["roles"])]
        size = max(1, min(limit or self.nrps_page_size, self.nrps_page_size))
        start = (page - 1) * size
        chunk = members[start:start + size]
        next_url = None
        if start + size < len(members):
            query = {"page": page + 1, **({"limit": limit} if limit else {}), **({"role": role} if role else {})}
            next_url = self.memberships_url + "?" + urlencode(query)
        body = {"id": self.memberships_url,
                "context": {"id": self.course_id, "label": self.course_label, "title": self.course_title},
                "members": chunk}
        return body, next_url

    # --- deep linking and registration -----------------------------------------------------------
    def accept_deep_link_response(self, token: str) -> list[dict]:
        """Verify the tool's signed deep-linking response and place its items in the course."""
        claims = self.verify_tool_jwt(token, self.issuer)
        if claims.get(LTI + "message_type") != "LtiDeepLinkingResponse" or \
                claims.get(LTI + "deployment_id") != self.deployment_id or not claims.get("nonce"):
            raise ServiceError(400, "not a deep-linking response for this deployment")
        placed = []
        for item in claims.get(LTI_DL + "content_items") or []:
            if not isinstance(item, dict) or item.get("type") != "ltiResourceLink":
                continue
            with self._lock:
                link = ResourceLink(f"rl-{len(self.links) + 1}", item.get("title") or "Veilig Online",
                                    dict(item.get("custom") or {}))
                self.links[link.id] = link
                self.placed_items.append(item)
            if isinstance(item.get("lineItem"), dict):
                created = self.create_line_item({
                    **item["lineItem"], "resourceLinkId": link.id,
                    "label": item["lineItem"].get("label") or link.title})
                link.line_item_id = created["id"].rsplit("/", 1)[1]
            placed.append(item)
        return placed

    def openid_configuration(self) -> dict:
        return {
            "issuer": self.issuer, "authorization_endpoint": self.auth_url,
            "token_endpoint": self.token_url, "jwks_uri": self.jwks_url,
            "registration_endpoint": self.registration_url,
            "token_endpoint_auth_methods_supported": ["private_key_jwt"],
            "token_endpoint_auth_signing_alg_values_supported": ["RS256"],
            "scopes_supported": ["openid", NRPS_SCOPE, *AGS_SCOPES.values()],
            "response_types_supported": ["id_token"], "subject_types_supported": ["public", "pairwise"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "claims_supported": ["sub", "iss", "name", "given_name", "family_name", "email"],
            "https://purl.imsglobal.org/spec/lti-platform-configuration": {
                "product_family_code": "veilig-online-demo", "version": "1",
                "messages_supported": [{"type": "LtiResourceLinkRequest"},
                                       {"type": "LtiDeepLinkingRequest"}],
            },
        }

    def register_tool(self, authorization: str | None, document: dict) -> dict:
        """Dynamic registration: accept the tool's registration, give it a client and deployment id."""
        if not self.registration_token or authorization != f"Bearer {self.registration_token}":
            raise ServiceError(401, "invalid registration token")
        conf = document.get("https://purl.imsglobal.org/spec/lti-tool-configuration") \
            if isinstance(document, dict) else None
        needed = ("initiate_login_uri", "redirect_uris", "jwks_uri", "client_name")
        if not isinstance(conf, dict) or any(not document.get(k) for k in needed):
            raise ServiceError(400, "invalid_client_metadata")
        tool = urlsplit(document["initiate_login_uri"])
        with self._lock:
            if self.registered_client_id is None:
                self.registered_client_id = "dyn-" + secrets.token_hex(6)
                self.deployment_id = str(100 + secrets.randbelow(900))
            # Registering again is Moodle's "Update": the tool keeps its client id (and deployment).
            self.client_id = self.registered_client_id
            self.tool_base_url = f"{tool.scheme}://{tool.netloc}"
            self.registration_token = None  # a registration token is good for one registration
        return {**document, "client_id": self.client_id,
                "https://purl.imsglobal.org/spec/lti-tool-configuration": {
                    **conf, "deployment_id": self.deployment_id}}
