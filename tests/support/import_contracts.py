"""An import-linter contract of our own: nothing in the package imports itself back through others.

Between modules (the default), a cycle hidden inside one package (two views importing each other)
or across packages is refused alike. Between packages (`between = "packages"`), each direct child of
the package stands for all its modules: lti_tool.cases.views importing lti_tool.reports.models is
cases importing reports, and reports may then import nothing of cases, so the features form layers.
A function-level import counts like any other: a cycle is broken by moving the shared piece or by
a hook (lti_tool/hooks.py), not by hiding it.
"""
import grimp
from importlinter import Contract, ContractCheck, fields, output


def cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """One cycle (a list of modules, each importing the next and the last the first) per tangle."""
    modules = sorted(m for m in graph.modules if m == package or m.startswith(package + "."))
    found = []
    for tangle in _strongly_connected(graph, modules):
        start = min(tangle)
        step = min(m for m in graph.find_modules_directly_imported_by(start) if m in tangle)
        back = graph.find_shortest_chain(importer=step, imported=start) or (step, start)
        found.append([start, *back[:-1]])
    return sorted(found)


def package_cycles(graph: grimp.ImportGraph, package: str) -> list[list[str]]:
    """cycles() between the direct children of package, each standing for all of its modules."""
    return cycles(packages_graph(graph, package), package)


def packages_graph(graph: grimp.ImportGraph, package: str) -> grimp.ImportGraph:
    """The import graph of package's direct children: one child imports another if any module does."""
    squashed = grimp.ImportGraph()
    for importer in graph.modules:
        if not _within(importer, package):
            continue
        squashed.add_module(child_of(importer, package))
        for imported in graph.find_modules_directly_imported_by(importer):
            if _within(imported, package) and child_of(imported, package) != child_of(importer, package):
                squashed.add_import(importer=child_of(importer, package), imported=child_of(imported, package))
    return squashed


def child_of(module: str, package: str) -> str:
    """The direct child of package that holds module (the package itself for its own __init__)."""
    rest = module[len(package) + 1:].split(".", 1)[0] if module != package else ""
    return f"{package}.{rest}" if rest else package


def example_import(graph: grimp.ImportGraph, importer: str, imported: str) -> tuple[str, str] | None:
    """One module of importer that imports one of imported (for a readable message)."""
    for module in sorted(m for m in graph.modules if m == importer or m.startswith(importer + ".")):
        for target in sorted(graph.find_modules_directly_imported_by(module)):
            if target == imported or target.startswith(imported + "."):
                return module, target
    return None


def _within(module: str, package: str) -> bool:
    return module == package or module.startswith(package + ".")


def _strongly_connected(graph, modules: list[str]) -> list[set[str]]:
    """Tarjan's algorithm, iteratively: the groups of two or more modules that reach each other."""
    inside = set(modules)
    index, low, on_stack, stack, groups, counter = {}, {}, set(), [], [], 0
    for root in modules:
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root) & inside)))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.find_modules_directly_imported_by(child) & inside))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                group = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    group.add(member)
                    if member == node:
                        break
                if len(group) > 1:
                    groups.append(group)
    return groups


class NoCyclesContract(Contract):
    """Contract type `no_cycles`: the modules (or the direct child packages) of `package` import
    each other without any cycle."""

    type_name = "no_cycles"
    package = fields.StringField()
    between = fields.StringField(required=False, default="modules")  # or "packages"

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        if self.between not in ("modules", "packages"):
            raise ValueError(f'between must be "modules" or "packages", not {self.between!r}')
        if self.between == "modules":
            found, steps = cycles(graph, self.package), None
        else:
            found = package_cycles(graph, self.package)
            steps = [[example_import(graph, a, b) for a, b in zip(cycle, [*cycle[1:], cycle[0]])] for cycle in found]
        return ContractCheck(kept=not found, metadata={"cycles": found, "steps": steps})

    def render_broken_contract(self, check: ContractCheck) -> None:
        found = check.metadata["cycles"]
        for cycle, steps in zip(found, check.metadata["steps"] or [[]] * len(found)):
            output.print_error(" -> ".join([*cycle, cycle[0]]))
            for step in filter(None, steps):
                output.print_error(f"    ({step[0]} imports {step[1]})")
            output.new_line()
