"""A private PostgreSQL cluster for one test, which it may stop and start (the shared one, never)."""
import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time

import psycopg
import pytest

from tests.support.servers import reserve_port


def bindir() -> str | None:
    """The directory of initdb and pg_ctl (pg_config's, else the newest under /usr/lib/postgresql)."""
    candidates = []
    if shutil.which("pg_config"):
        out = subprocess.run(["pg_config", "--bindir"], capture_output=True, text=True)
        candidates.append(out.stdout.strip())
    candidates += sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda p: int(p.split("/")[-2]),
                         reverse=True)
    for folder in candidates:
        if os.path.exists(os.path.join(folder, "initdb")) and os.path.exists(os.path.join(folder, "pg_ctl")):
            return folder
    return None


class Cluster:
    """One cluster in a folder of its own, on a port of its own; stop() and start() as a restart does."""

    def __init__(self, folder: str, port: int, binaries: str):
        self.folder, self.port, self.bin = folder, port, binaries
        self.data, self.log = os.path.join(folder, "data"), os.path.join(folder, "server.log")
        self.url = f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres"

    def _run(self, *args: str, check: bool = True):
        # The server refuses to run as root: on CI (root) it runs as the postgres user.
        prefix = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        return subprocess.run(prefix + [os.path.join(self.bin, args[0]), *args[1:]], check=check,
                              capture_output=True, text=True, timeout=120)

    def init(self) -> None:
        self._run("initdb", "-D", self.data, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8")

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run("pg_ctl", "-D", self.data, "-o", options, "-l", self.log, "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", self.data, "-m", mode, "-w", "stop", check=False)

    def ready(self) -> bool:
        try:
            psycopg.connect(self.url.replace("+psycopg", ""), connect_timeout=2).close()
            return True
        except psycopg.OperationalError:
            return False


@contextlib.contextmanager
def private_postgres():
    """Start a throw-away cluster; skip without PostgreSQL's binaries (fail when CI=true)."""
    binaries = bindir()
    if binaries is None or (os.geteuid() == 0 and shutil.which("runuser") is None):
        if os.environ.get("CI") == "true":
            pytest.fail("PostgreSQL's server binaries (initdb, pg_ctl) are required in CI")
        pytest.skip("PostgreSQL's server binaries (initdb, pg_ctl) are not installed")
    folder = tempfile.mkdtemp(prefix="vo-pg-")
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    os.chmod(folder, 0o700)
    cluster = Cluster(folder, reserve_port(), binaries)
    try:
        cluster.init()
        cluster.start()
        deadline = time.monotonic() + 30
        while not cluster.ready():
            assert time.monotonic() < deadline, open(cluster.log).read()
            time.sleep(0.2)
        yield cluster
    finally:
        cluster.stop("immediate")
        shutil.rmtree(folder, ignore_errors=True)
