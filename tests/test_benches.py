"""Every bench still runs: each, in a tiny size on SQLite, sets itself up, drives the tool, prints
its figures with its target, and exits 0 (a bench exits non-zero only when something broke). Only
that it works is checked, never a timing nor whether a target was met at this size."""
import os
import subprocess
import sys

import pytest

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))

BENCHES = {
    "launch": ["--launches", "12", "--users", "4", "--rounds", "2", "--workers", "1"],
    "acknowledge": ["--count", "20", "--workers", "1"],
    "overview": ["--members", "30", "--page-size", "10", "--rounds", "2"],
    "queue": ["--small", "100", "--large", "300", "--requests", "3"],  # every view has rows
    "scores": ["--scores", "20", "--backoff", "0.05", "--backoff-cap", "0.2"],
    "load": ["--launches", "12", "--acknowledgements", "20", "--workers", "1", "--concurrency", "2"],
    "firstday": ["--schools", "2", "--pupils", "3", "--workers", "2", "--concurrency", "2"],
}


@pytest.mark.parametrize("name", sorted(BENCHES))
def test_the_bench_runs_and_reports_its_target(name, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    result = subprocess.run([sys.executable, os.path.join(ROOT, "bench", name), "--sqlite", *BENCHES[name]],
                            cwd=tmp_path, env=env, capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode == 0, output[-3000:]
    assert "target" in result.stdout or "lost: 0" in result.stdout, output[-3000:]
