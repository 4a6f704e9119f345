"""An import-linter contract of our own: no module of the package imports itself back through others.

import-linter's acyclic_siblings looks at packages; this looks at modules, so a cycle hidden inside
one package (two views importing each other) or across packages is refused alike. A function-level
import counts like any other: a cycle is broken by moving the shared piece, not by hiding it.
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
    """Contract type `no_cycles`: the modules of `package` import each other without any cycle."""

    type_name = "no_cycles"
    package = fields.StringField()

    def check(self, graph: grimp.ImportGraph, verbose: bool) -> ContractCheck:
        found = cycles(graph, self.package)
        return ContractCheck(kept=not found, metadata={"cycles": found})

    def render_broken_contract(self, check: ContractCheck) -> None:
        for cycle in check.metadata["cycles"]:
            output.print_error(" -> ".join([*cycle, cycle[0]]))
            output.new_line()
