"""Print the dependency graph of twingraph's packages: each package -> the packages it imports.

Usage: .venv/bin/python scripts/package_graph.py [--modules]

A "package" is a direct child of ``twingraph`` (``web``, ``store``, ``release``, ...). The graph is
grimp's (the library import-linter builds its contracts on), so it counts imports inside functions
too and leaves out those under ``if TYPE_CHECKING:``, as the contracts do. Imports between two
modules of one package are left out; ``--modules`` lists, for each edge, the module pairs behind it.
Pairs of packages importing each other are printed at the end.
"""

from __future__ import annotations

import sys
from collections import defaultdict

import grimp

ROOT = "twingraph"


def package_of(module: str) -> str:
    """``twingraph.web.conneg`` -> ``web``; ``twingraph`` itself -> ``__init__``.

    >>> package_of("twingraph.web.conneg"), package_of("twingraph.release"), package_of("twingraph")
    ('web', 'release', '__init__')
    """
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def package_edges(graph: grimp.ImportGraph) -> dict[tuple[str, str], set[tuple[str, str]]]:
    """(importer package, imported package) -> the module pairs behind that edge."""
    edges: dict[tuple[str, str], set[tuple[str, str]]] = defaultdict(set)
    for importer in graph.modules:
        for imported in graph.find_modules_directly_imported_by(importer):
            a, b = package_of(importer), package_of(imported)
            if a != b and imported.startswith(ROOT):
                edges[(a, b)].add((importer, imported))
    return edges


def cycles(edges: dict[tuple[str, str], set[tuple[str, str]]]) -> list[tuple[str, str]]:
    """Pairs of packages that import each other (directly)."""
    return sorted((a, b) for (a, b) in edges if a < b and (b, a) in edges)


def main(argv: list[str]) -> int:
    graph = grimp.build_graph(ROOT, exclude_type_checking_imports=True)  # as the contracts do
    edges = package_edges(graph)
    targets: dict[str, set[str]] = defaultdict(set)
    for a, b in edges:
        targets[a].add(b)
    packages = sorted({package_of(m) for m in graph.modules})
    for package in packages:
        print(f"{package} -> {', '.join(sorted(targets[package])) or '(nothing)'}")
        if "--modules" in argv:
            for b in sorted(targets[package]):
                for importer, imported in sorted(edges[(package, b)]):
                    print(f"    {importer} -> {imported}")
    found = cycles(edges)
    print("cycles: " + (", ".join(f"{a} <-> {b}" for a, b in found) if found else "none"))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
