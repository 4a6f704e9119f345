"""With Redis the platforms' key sets are cached once for every worker, and the once-a-minute
refetch on an unknown kid holds across them; with Redis away each process caches for itself."""
import time

from lti_tool.lti import jwks_cache
from tests.jobs.conftest import redis_server, redis_url, using_redis  # noqa: F401  (redis_url: a fixture)
from tests.lti.test_jwks_cache import keyset_server  # noqa: F401  (a fixture)


def _another_process():
    jwks_cache.clear()  # what a worker that never fetched the set holds in memory


def test_workers_share_the_key_set_and_its_refetch_limit(app, redis_url, keyset_server):  # noqa: F811
    url, served = keyset_server
    url += "/jwks"
    with using_redis(app, redis_url, LTI_JWKS_REFETCH_SECONDS=1), app.app_context():
        _another_process()
        assert jwks_cache.find_key(url, "a")["kid"] == "a"
        _another_process()
        assert jwks_cache.find_key(url, "a")["kid"] == "a"
        assert served["hits"] == 1
        served["keys"] = [{"kid": "a"}, {"kid": "b"}]
        _another_process()
        assert jwks_cache.find_key(url, "b") is None  # too soon for any worker to refetch
        assert served["hits"] == 1
        time.sleep(1.1)
        _another_process()
        assert jwks_cache.find_key(url, "b")["kid"] == "b"  # the rotated key, fetched by one worker
        for _ in range(3):
            _another_process()
            assert jwks_cache.find_key(url, "never") is None
            assert jwks_cache.find_key(url, "b")["kid"] == "b"
        assert served["hits"] == 2
    jwks_cache.clear()


def test_with_redis_away_each_process_caches_for_itself(app, keyset_server):  # noqa: F811
    url, served = keyset_server
    url += "/jwks"
    with redis_server() as (redis_at, process):
        process.kill()
        process.wait(5)
        with using_redis(app, redis_at), app.app_context():
            _another_process()
            assert jwks_cache.find_key(url, "a")["kid"] == "a"  # the launch goes on
            assert jwks_cache.find_key(url, "a")["kid"] == "a"
            assert served["hits"] == 1 and app.extensions["redis_down_until"] > time.monotonic()
    jwks_cache.clear()
