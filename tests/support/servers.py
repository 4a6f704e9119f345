"""Serve a WSGI app over real HTTP on 127.0.0.1 in a background thread, for tests and benches."""
import contextlib
import threading

from werkzeug.serving import make_server


@contextlib.contextmanager
def serve(app, host: str = "127.0.0.1", port: int = 0):
    """Run app on host:port (0 picks a free port); yield its base URL, stop it afterwards."""
    server = make_server(host, port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://{host}:{server.server_port}"
    finally:
        server.shutdown()
        thread.join(timeout=5)


def reserve_port(host: str = "127.0.0.1") -> int:
    """Return a port that is free now (for apps that must know their own URL before serving)."""
    import socket
    with socket.socket() as sock:
        sock.bind((host, 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def gunicorn(env: dict, workers: int, log_path: str):
    """Run the tool under gunicorn with several worker processes; yield its base URL.

    The access log names the worker (pid) that answered each request, so a test can tell that
    requests landed on different workers.
    """
    import os
    import subprocess
    import sys
    import time

    import requests

    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    port = reserve_port()
    url = f"http://127.0.0.1:{port}"
    command = [sys.executable, "-m", "gunicorn", "-c", os.path.join(root, "deploy", "gunicorn.conf.py"),
               "--bind", f"127.0.0.1:{port}", "--workers", str(workers),
               "--access-logformat", "worker=%(p)s %(m)s %(U)s %(s)s", "lti_tool:create_app()"]
    with open(log_path, "wb") as log:
        process = subprocess.Popen(command, cwd=root, env=env, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(url + "/lti/jwks", timeout=2).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start:\n" + open(log_path, errors="replace").read())
                time.sleep(0.2)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)
