"""The layers hold: import-linter's contracts in pyproject.toml are kept, and a cycle is found wherever it hides."""
import shutil
import subprocess
import sys
from pathlib import Path

import grimp
import pytest

from tests.support.import_contracts import cycles

ROOT = Path(__file__).resolve().parents[1]


def test_the_import_contracts_are_kept():
    lint = shutil.which("lint-imports", path=str(Path(sys.executable).parent)) or shutil.which("lint-imports")
    if lint is None:
        pytest.fail("lint-imports is missing: pip install -e '.[test]'")
    result = subprocess.run([lint, "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr


def test_a_cycle_between_modules_is_found_in_any_package_and_shown_as_a_path():
    graph = grimp.ImportGraph()
    for importer, imported in [("app.a", "app.b"), ("app.b", "app.c"), ("app.c", "app.a"),  # across one package
                               ("app.x.views", "app.x.dashboard"), ("app.x.dashboard", "app.x.views"),
                               ("app.a", "app.x.views"), ("app.d", "app.a")]:
        graph.add_import(importer=importer, imported=imported)
    assert cycles(graph, "app") == [["app.a", "app.b", "app.c"], ["app.x.dashboard", "app.x.views"]]
    assert cycles(graph, "app.x") == [["app.x.dashboard", "app.x.views"]]


def test_the_tool_has_no_cycle():
    assert cycles(grimp.build_graph("lti_tool"), "lti_tool") == []
