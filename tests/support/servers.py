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
