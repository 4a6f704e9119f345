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
        from lti_tool.demo.platform import create_lms_app
        self._server = serve(create_lms_app(self.lms), port=self.port)
        self._server.__enter__()

    def stop(self) -> None:
        if self._server is not None:
            self._server.__exit__(None, None, None)
            self._server = None


def _socket_inode(local_port: int) -> str | None:
    """The inode of this host's TCP socket bound to 127.0.0.1:local_port (from /proc/net/tcp)."""
    wanted = f"0100007F:{local_port:04X}"
    with open("/proc/net/tcp") as table:
        for line in table.readlines()[1:]:
            fields = line.split()
            if fields[1] == wanted and fields[9] != "0":  # not an earlier socket in TIME_WAIT
                return fields[9]
    return None


def process_with_port(local_port: int) -> int | None:
    """The pid of the process holding the client socket on local_port (a database connection)."""
    inode = _socket_inode(local_port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in filter(str.isdigit, os.listdir("/proc")):
        with contextlib.suppress(OSError):
            for fd in os.listdir(f"/proc/{pid}/fd"):
                with contextlib.suppress(OSError):
                    if os.readlink(f"/proc/{pid}/fd/{fd}") == target:
                        return int(pid)
    return None


def kill_worker(pid: int) -> None:
    """SIGKILL one gunicorn worker (never anything else), as the OOM killer or a crash would."""
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        assert b"gunicorn" in cmdline.read(), f"pid {pid} is not a gunicorn worker"
    os.kill(pid, signal.SIGKILL)
    deadline = time.monotonic() + 10
    while os.path.exists(f"/proc/{pid}") and time.monotonic() < deadline:
        with open(f"/proc/{pid}/stat") as stat:
            if stat.read().split(") ")[1].startswith("Z"):
                break  # dead, waiting for its parent to reap it
        time.sleep(0.05)
