"""Helpers for fault tests: the tool's production processes, an LMS that can go down, a killer."""
import contextlib
import os
import secrets
import signal
import subprocess
import sys
import time

from tests.support.servers import reserve_port, serve


def tool_env(database_url: str, secret_key: str, folder, lti_config) -> dict:
    """The environment production gives the tool's processes, on this database; no background threads."""
    env = {**os.environ, "DATABASE_URL": database_url, "SECRET_KEY": secret_key,
           "LTI_TOOL_INSTANCE": str(folder / "instance"), "LTI_CONFIG": str(lti_config),
           "LTI_TOOL_ENV": "development", "GRADEBOOK_DELIVERY": "off", "MAIL_DELIVERY": "off",
           "CASES_PURGE": "off", "CASES_REMINDERS": "off", "ROSTER_REFRESH": "off", "LTI_HTTP_TIMEOUT": "3"}
    for name in ("PROXY_COUNT", "FORCE_HTTPS", "BIND", "WEB_CONCURRENCY", "REDIS_URL"):
        env.pop(name, None)
    return env


def lti_tool_command(env: dict, *args: str) -> subprocess.CompletedProcess:
    """Run `lti-tool …` as an administrator (or a systemd unit) would, in a process of its own."""
    command = [os.path.join(os.path.dirname(sys.executable), "lti-tool"), *args]
    return subprocess.run(command, env=env, capture_output=True, text=True, timeout=120)


class StoppableLMS:
    """A demo LMS on a fixed port whose server can be stopped and started again, keeping its data."""

    def __init__(self, tool_url: str, name: str):
        from lti_tool.demo.platform import DemoLMS
        self.port = reserve_port()
        suffix = secrets.token_hex(3)
        self.school = f"{name} {suffix}"
        self.lms = DemoLMS(issuer=f"http://127.0.0.1:{self.port}/lms-{suffix}", tool_base_url=tool_url,
                           client_id="f-" + suffix, deployment_id="dep-" + suffix, school_name=self.school)
        self._server = None

    def start(self) -> None:
        from lti_tool.demo.views import create_lms_app
        self._server = serve(create_lms_app(self.lms), port=self.port)
        self._server.__enter__()

    def stop(self) -> None:
        if self._server is not None:
            self._server.__exit__(None, None, None)
            self._server = None


def _socket_inodes(local_port: int, established: bool = False) -> list[str]:
    """The inodes of this host's TCP sockets on 127.0.0.1:local_port (from /proc/net/tcp)."""
    wanted, inodes = f"0100007F:{local_port:04X}", []
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            # Inode 0: an earlier socket in TIME_WAIT; state 01: an established connection.
            if fields[1] == wanted and fields[9] != "0" and (not established or fields[3] == "01"):
                inodes.append(fields[9])
    return inodes


def _holds(pid: int | str, inodes: list[str]) -> bool:
    targets = {f"socket:[{inode}]" for inode in inodes}
    with contextlib.suppress(OSError):
        for fd in os.listdir(f"/proc/{pid}/fd"):
            with contextlib.suppress(OSError):
                if os.readlink(f"/proc/{pid}/fd/{fd}") in targets:
                    return True
    return False


def process_with_port(local_port: int) -> int | None:
    """The pid of the process holding the client socket on local_port (a database connection)."""
    inodes = _socket_inodes(local_port)
    if not inodes:
        return None
    return next((int(pid) for pid in filter(str.isdigit, os.listdir("/proc")) if _holds(pid, inodes)), None)


def kill_worker(pid: int) -> bool:
    """SIGKILL one gunicorn worker (never anything else), as the OOM killer or a crash would; wait
    until it is dead. False when it had ended by itself first (its process is gone)."""
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
            assert b"gunicorn" in cmdline.read(), f"pid {pid} is not a gunicorn worker"
        os.kill(pid, signal.SIGKILL)
    except (FileNotFoundError, ProcessLookupError):
        return False
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat") as stat:
                if stat.read().split(") ")[1].startswith("Z"):
                    break  # dead, waiting for its parent to reap it
        except FileNotFoundError:
            break  # dead and reaped already
        time.sleep(0.05)
    return True


def busy_workers(url: str) -> list[int]:
    """The workers of the gunicorn serving url that hold a client's connection: answering a request."""
    clients = _socket_inodes(int(url.rsplit(":", 1)[1]), established=True)
    return [pid for pid in gunicorn_workers(url) if _holds(pid, clients)]


def gunicorn_workers(url: str) -> list[int]:
    """The pids of the worker processes of the gunicorn (a child of this process) serving url."""
    bind = b"127.0.0.1:" + url.rsplit(":", 1)[1].encode()
    for master in _children(os.getpid()):
        with contextlib.suppress(OSError):
            with open(f"/proc/{master}/cmdline", "rb") as cmdline:
                if bind in cmdline.read().split(b"\0"):
                    return _children(master)
    return []


def _children(pid: int) -> list[int]:
    children = []
    for task in os.listdir(f"/proc/{pid}/task"):
        with contextlib.suppress(OSError):
            with open(f"/proc/{pid}/task/{task}/children") as listing:
                children += [int(child) for child in listing.read().split()]
    return children
