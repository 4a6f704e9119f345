"""The layers hold: import-linter's contracts in pyproject.toml are kept, and a cycle is found wherever it hides."""
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import grimp
import pytest
from importlinter.contracts.layers import LayersContract

from lti_tool import HOOKS, create_app
from lti_tool.hooks import Hook
from tests.support.import_contracts import NoCyclesContract, cycles, package_cycles

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


def _contract(name_starts: str) -> dict:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
    return next(c for c in config["contracts"] if c["name"].startswith(name_starts))


def _tool_graph_with(*imports: tuple[str, str]) -> grimp.ImportGraph:
    graph = grimp.build_graph("lti_tool")
    for importer, imported in imports:
        graph.add_import(importer=importer, imported=imported)
    return graph


def test_packages_in_a_cycle_are_found_even_when_no_two_modules_are():
    graph = grimp.ImportGraph()
    for importer, imported in [("app.low.operations", "app.high.models"),   # no module cycle at all,
                               ("app.high.views", "app.low.queries"),       # but low and high need each other
                               ("app.high.views", "app.core"), ("app.low.queries", "app.core")]:
        graph.add_import(importer=importer, imported=imported)
    assert cycles(graph, "app") == []
    assert package_cycles(graph, "app") == [["app.high", "app.low"]]


def test_the_package_contract_fails_on_a_cycle_brought_in_by_one_local_import():
    """A careless fix (publishing calls the gradebook directly again) is refused, and shown with its import."""
    options = {k: v for k, v in _contract("No import cycles between").items() if k not in ("name", "type")}
    contract = NoCyclesContract(name="packages", session_options={"root_packages": ["lti_tool"]},
                                contract_options=options)
    assert contract.check(grimp.build_graph("lti_tool"), verbose=False).kept
    broken = contract.check(_tool_graph_with(("lti_tool.conduct.operations", "lti_tool.gradebook.operations")),
                            verbose=False)
    assert not broken.kept
    cycle = broken.metadata["cycles"][0]
    assert {"lti_tool.conduct", "lti_tool.gradebook"} <= set(cycle)
    assert ("lti_tool.conduct.operations", "lti_tool.gradebook.operations") in broken.metadata["steps"][0]


def test_the_layers_contract_refuses_a_lower_feature_importing_a_higher_one():
    options = {k: v for k, v in _contract("The features form layers").items() if k not in ("name", "type")}
    contract = LayersContract(name="layers", session_options={"root_packages": ["lti_tool"]},
                              contract_options=options)
    assert contract.check(grimp.build_graph("lti_tool"), verbose=False).kept
    # reports reaching into cases (the audit log) instead of sending its hook
    assert not contract.check(_tool_graph_with(("lti_tool.reports.operations", "lti_tool.cases.audit")),
                              verbose=False).kept


@pytest.fixture
def bare_app(tmp_path, monkeypatch):
    """An app as create_app builds it, with its instance folder out of the way (no database is used)."""
    monkeypatch.setenv("LTI_TOOL_INSTANCE", str(tmp_path))
    return create_app({"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://"})


def test_every_hook_a_package_declares_is_answered_by_the_factory(bare_app):
    """A hook nobody connected would skip what it stands for (an exclusion, a score): each has a handler."""
    assert Hook.declared
    for hook in Hook.declared:
        assert hook.handlers(bare_app), f"{hook.name} has no handler in create_app's HOOKS"
    assert len({hook.name for hook in Hook.declared}) == len(Hook.declared)
    assert len(HOOKS) == len(set(HOOKS))


def test_a_hook_without_its_handler_refuses_rather_than_doing_nothing(bare_app):
    lonely = Hook("tests.lonely")
    try:
        with bare_app.app_context(), pytest.raises(RuntimeError, match="Nothing answers tests.lonely"):
            lonely.send()
    finally:
        Hook.declared.remove(lonely)
