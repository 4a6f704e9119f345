"""The baseline that bench/launch compares the tool with: an LTI launch's irreducible work, no more.

Same routes as the tool (/lti/login, /lti/launch, /), served by gunicorn with the tool's worker
count and settings, and driven by the same clients through the same demo LMS:

- login: make a state (and a nonce derived from it), set the state cookie, redirect to the LMS;
- launch: check the state cookie, verify the id_token's RS256 signature with the LMS's public key
  (fetched once per worker, then cached), check issuer, audience, expiry and nonce, insert the nonce
  into a one-table database (the unique key refuses a replay) and commit, keep who launched in a
  signed session cookie and redirect home;
- home: render a small page for the launched user.

Configured by environment variables (BASELINE_DATABASE_URL, BASELINE_ISSUER, BASELINE_CLIENT_ID,
BASELINE_AUTH_URL, BASELINE_JWKS_URL, SECRET_KEY); `create_schema(url)` makes its table, once,
before the workers start. Run as `gunicorn --pythonpath bench 'baseline_app:create_app()'`.
"""
import hashlib
import hmac
import json
import os
import secrets
import threading
import time
from urllib.parse import urlencode

import jwt
import requests
from flask import Flask, abort, redirect, render_template_string, request, session, url_for
from sqlalchemy import Column, Float, MetaData, String, Table, create_engine, insert
from sqlalchemy.exc import IntegrityError

STATE_COOKIE_PREFIX = "state-"
LTI = "https://purl.imsglobal.org/spec/lti/claim/"

metadata = MetaData()
nonces = Table("bench_baseline_nonce", metadata,
               Column("nonce", String(64), primary_key=True),
               Column("used_at", Float, nullable=False))

HOME = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Baseline</title></head>
<body>
{% if user %}
<h1>Welcome, {{ user.name or "you" }}</h1>
<dl><dt>Course</dt><dd>{{ user.course or "-" }}</dd><dt>Roles</dt><dd>{{ user.roles|join(", ") }}</dd></dl>
{% else %}
<h1>Baseline for bench/launch</h1><p>Launch from the LMS.</p>
{% endif %}
</body></html>"""


def create_schema(database_url: str) -> None:
    """Create the nonce table (before gunicorn starts, so that workers never race to create it)."""
    engine = create_engine(database_url)
    try:
        metadata.create_all(engine)
    finally:
        engine.dispose()


def create_app() -> Flask:
    env = os.environ
    app = Flask(__name__)
    app.config.update(SECRET_KEY=env["SECRET_KEY"], SESSION_COOKIE_NAME="baseline_session",
                      SESSION_COOKIE_SECURE=True, SESSION_COOKIE_SAMESITE="None",
                      SESSION_COOKIE_PARTITIONED=True, SESSION_COOKIE_HTTPONLY=True)
    engine = create_engine(env["BASELINE_DATABASE_URL"], pool_pre_ping=True)
    issuer, client_id = env["BASELINE_ISSUER"], env["BASELINE_CLIENT_ID"]
    auth_url, jwks_url = env["BASELINE_AUTH_URL"], env["BASELINE_JWKS_URL"]
    secret = env["SECRET_KEY"].encode()
    keys: dict = {}
    keys_lock = threading.Lock()

    def nonce_for(state: str) -> str:
        return hmac.new(secret, state.encode(), hashlib.sha256).hexdigest()

    def public_key(kid: str):
        with keys_lock:
            if kid not in keys:
                for jwk in requests.get(jwks_url, timeout=10).json().get("keys", []):
                    keys[jwk.get("kid")] = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))
            return keys.get(kid)

    @app.route("/lti/login", methods=["GET", "POST"])
    def login():
        params = request.values
        if params.get("iss") != issuer or not params.get("login_hint"):
            abort(400)
        state = secrets.token_urlsafe(32)
        auth = {"scope": "openid", "response_type": "id_token", "response_mode": "form_post",
                "prompt": "none", "client_id": client_id,
                "redirect_uri": url_for("launch", _external=True), "state": state,
                "nonce": nonce_for(state), "login_hint": params["login_hint"]}
        if params.get("lti_message_hint"):
            auth["lti_message_hint"] = params["lti_message_hint"]
        response = redirect(auth_url + "?" + urlencode(auth))
        response.set_cookie(STATE_COOKIE_PREFIX + state, state, max_age=600, path="/", secure=True,
                            httponly=True, samesite="None", partitioned=True)
        return response

    @app.route("/lti/launch", methods=["POST"])
    def launch():
        state = request.form.get("state", "")
        if not state or len(state) > 64 or request.cookies.get(STATE_COOKIE_PREFIX + state) != state:
            abort(401)
        token = request.form.get("id_token", "")
        try:
            key = public_key(jwt.get_unverified_header(token).get("kid") or "")
            if key is None:
                abort(401)
            claims = jwt.decode(token, key, algorithms=["RS256"], audience=client_id, issuer=issuer,
                                leeway=60, options={"require": ["exp", "iat", "sub", "nonce"]})
        except jwt.InvalidTokenError:
            abort(401)
        if not hmac.compare_digest(str(claims["nonce"]), nonce_for(state)):
            abort(401)
        try:
            with engine.begin() as conn:
                conn.execute(insert(nonces).values(nonce=claims["nonce"], used_at=time.time()))
        except IntegrityError:
            abort(401)  # a replayed id_token
        context = claims.get(LTI + "context") or {}
        session["user"] = {"sub": claims["sub"], "name": claims.get("name"),
                           "course": context.get("title"), "roles": claims.get(LTI + "roles", [])}
        return home()  # the first page answers the launch, as the tool's does

    @app.route("/")
    def home():
        return render_template_string(HOME, user=session.get("user"))

    return app
