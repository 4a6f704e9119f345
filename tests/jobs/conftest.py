"""Job queue set-up: a Redis server of this run's own on 127.0.0.1, the app pointed at it with a
queue of its own, and a real RQ worker that runs what is queued (burst mode) in the test process."""
import contextlib
import secrets
import shutil
import subprocess
import time

import pytest
from redis import Redis

from lti_tool import redis_client
from lti_tool.tasks import queue as job_queue
from tests.gradebook.conftest import _reset_gradebook_lms, gb_lms, link  # noqa: F401  (fixtures)
from tests.support.servers import reserve_port


@contextlib.contextmanager
def redis_server(port: int | None = None):
    """A private redis-server (never the shared one) that keeps nothing on disk; yields its URL and process."""
    if shutil.which("redis-server") is None:
        pytest.skip("redis-server is not installed")
    port = port or reserve_port()
    process = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
                                "--appendonly", "no"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    try:
        client = Redis.from_url(url)
        for _ in range(100):
            try:
                client.ping()
                break
            except Exception:  # noqa: BLE001  (still starting)
                time.sleep(0.05)
        client.close()
        yield url, process
    finally:
        process.kill()
        process.wait(5)


@pytest.fixture(scope="session")
def redis_url():
    with redis_server() as (url, _):
        yield url


@contextlib.contextmanager
def using_redis(app, url: str, **config):
    """The app with REDIS_URL = url and a queue and key prefix of its own, for the with block."""
    names = ("REDIS_URL", "JOBS_QUEUE", "REDIS_PREFIX", "JOBS_RETRY_INTERVALS", *config)
    saved = {name: app.config.get(name) for name in names}
    run = "vo-test-" + secrets.token_hex(4)
    app.config.update(REDIS_URL=url, JOBS_QUEUE=run, REDIS_PREFIX=run, JOBS_RETRY_INTERVALS="1,1", **config)
    app.extensions.pop("redis", None)
    app.extensions.pop("redis_down_until", None)
    try:
        yield app
    finally:
        client = app.extensions.pop("redis", None)
        if client is not None:
            client.close()
        app.extensions.pop("redis_down_until", None)
        app.config.update(saved)


@pytest.fixture
def queued(app, redis_url):
    """The app with the job queue on (as with REDIS_URL set), on a queue of this test's own."""
    with using_redis(app, redis_url):
        yield app


@contextlib.contextmanager
def enqueue_on_commit(app, task: str):
    """What the runner sets up when the task's switch is "rq": the commit that wakes it enqueues it."""
    executors = app.extensions["tasks"].executors
    saved = executors.get(task)
    executors[task] = job_queue.Enqueuer(app, task)
    try:
        yield
    finally:
        executors.pop(task, None)
        if saved is not None:
            executors[task] = saved


def work(app) -> list:
    """Run an RQ worker (no fork, as `lti-tool jobs worker`) until the queue is empty; the jobs it ran."""
    with app.app_context():
        queue = job_queue.queue()
        worker = job_queue.Worker([queue], connection=redis_client.redis())
        before = set(queue.finished_job_registry.get_job_ids()) | set(queue.failed_job_registry.get_job_ids())
        worker.work(burst=True, with_scheduler=True)
        after = set(queue.finished_job_registry.get_job_ids()) | set(queue.failed_job_registry.get_job_ids())
        return [queue.fetch_job(job_id) for job_id in after - before]


def queued_jobs(app) -> list:
    with app.app_context():
        return job_queue.queue().get_jobs()
