"""The package's structure (docs/ARCHITECTURE.md): no import cycle anywhere — imports inside
functions included — and each layer imports only the layers below it."""

import ast
import subprocess
import sys
import pathlib

import pytest

import stability

ROOT = pathlib.Path(stability.__file__).parent


def _module_name(path):
    parts = list(path.relative_to(ROOT.parent).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports():
    """``{module: {modules of the package it imports, at any depth of its code}}``."""
    graph = {}
    for path in ROOT.rglob("*.py"):
        name = _module_name(path)
        package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
        found = set()
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom) and node.level:
                base = package.split(".")[:len(package.split(".")) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
                for alias in node.names:  # "from . import games" imports the submodule
                    sub = f"{target}.{alias.name}"
                    found.add(sub if (ROOT.parent / sub.replace(".", "/")).exists()
                              or (ROOT.parent / (sub.replace(".", "/") + ".py")).exists() else target)
            elif isinstance(node, ast.Import):
                found |= {a.name for a in node.names if a.name.startswith("stability")}
        graph[name] = {m for m in found if m != name}
    return graph


def _owner(module, graph):
    """The module a name resolves to (a package's modules are reached through its __init__)."""
    while module not in graph and "." in module:
        module = module.rsplit(".", 1)[0]
    return module


def test_no_import_cycle():
    graph = _imports()
    edges = {m: {_owner(t, graph) for t in targets} - {m} for m, targets in graph.items()}
    # a package's __init__ importing its own submodules is how it re-exports: not a cycle
    for m in list(edges):
        edges[m] = {t for t in edges[m] if not (m.startswith(t + ".") and t in graph)}
    state = {}

    def visit(m, path):
        state[m] = "open"
        for t in sorted(edges.get(m, ())):
            if state.get(t) == "open":
                pytest.fail(" → ".join(path + [m, t]))
            if t not in state:
                visit(t, path + [m])
        state[m] = "done"
    for m in sorted(edges):
        if m not in state:
            visit(m, [])


@pytest.mark.parametrize("lower, higher", [
    ("stability.games", ("stability.equilibria", "stability.algorithms", "stability.spectral",
                         "stability.matrixfree", "stability.engine")),
    ("stability.equilibria", ("stability.algorithms", "stability.spectral", "stability.matrixfree")),
    ("stability.linalg", ("stability.games", "stability.equilibria", "stability.algorithms")),
    ("stability.algorithms", ("stability.spectral", "stability.matrixfree", "stability.engine")),
])
def test_layers_import_only_downwards(lower, higher):
    for module, targets in _imports().items():
        if module == lower or module.startswith(lower + "."):
            bad = sorted(t for t in targets if t.startswith(higher))
            assert not bad, f"{module} imports {bad}"


def test_the_testing_kit_is_a_leaf():
    """Nothing in the package imports stability.testing, and importing the kit (but not its
    strategies) needs no Hypothesis: the plugin loads wherever the package is installed."""
    for module, targets in _imports().items():
        if not module.startswith("stability.testing"):
            assert not any(t.startswith("stability.testing") for t in targets), module
    blocked = ("import sys; sys.modules['hypothesis'] = None; "  # any import of it now fails
               "import stability.testing, stability.testing.plugin")
    result = subprocess.run([sys.executable, "-c", blocked], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
