"""The package's floors (docs/design.md "Floors"): arrows point one way, no cycles.

Every ``import`` in ``sim/`` is read from the source (also those inside functions, which
run lazily), so a forbidden arrow fails here even if no test happens to execute it.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

SIM = Path(__file__).resolve().parents[1] / "sim"
BOTTOM = {"units", "errors", "atomic", "version"}
LEAVES = {"routing", "network", "demand", "records", "scenario"}
# Package -> the packages it may import (besides itself and the bottom floor).
ALLOWED = {
    "cli": {"api", "analysis", "sweep", "report", "kpi", "model", "setup", *LEAVES},
    "__init__": {"api", "analysis", "sweep", "scenario"},
    "analysis": {"sweep", "report", "scenario"},
    "__main__": {"cli"},
    "sweep": {"api", "kpi", "scenario"},
    "api": {"model", "setup", "kpi", "records", "scenario"},
    "report": {"kpi", "records", "scenario"},
    "kpi": {"records", "scenario"},
    "model": {"setup", "routing", "demand", "records", "scenario"},
    "setup": {"routing", "network", "records", "scenario"},
    "demand": {"records", "scenario"},
    "records": {"scenario"},
    "scenario": set(),
    "network": set(),
    "routing": set(),
    **{name: set() for name in BOTTOM},
}


def _module_name(path: Path) -> str:
    parts = path.relative_to(SIM.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imports(path: Path) -> set[str]:
    """Every sim module named by an import statement anywhere in the file."""
    found = set()
    package = _module_name(path) if path.name == "__init__.py" else _module_name(path).rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "sim"}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")
                prefix = ".".join(parts[: len(parts) - node.level + 1])
                base = f"{prefix}.{base}" if base else prefix
            if base.split(".")[0] == "sim":
                found.add(base)
                found |= {f"{base}.{a.name}" for a in node.names}
    return found


def _graph() -> dict[str, set[str]]:
    """Module -> the sim modules it imports (names resolved to existing modules)."""
    files = {_module_name(p): p for p in SIM.rglob("*.py")}
    graph = {}
    for name, path in files.items():
        graph[name] = {m for m in _imports(path) if m in files and m != name}
    return graph


def _floor(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "__init__"


def test_every_import_points_down_or_sideways_within_a_package():
    wrong = []
    for module, targets in _graph().items():
        floor = _floor(module)
        allowed = ALLOWED[floor] | BOTTOM | {floor}
        wrong += [f"{module} -> {t}" for t in sorted(targets) if _floor(t) not in allowed and t != "sim"]
    assert not wrong, "imports against the floors:\n" + "\n".join(wrong)


def test_no_import_cycle_between_modules():
    graph = _graph()
    state: dict[str, int] = {}
    cycles = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycles.append(" -> ".join(stack[stack.index(nxt) :] + [nxt]))
            elif nxt not in state:
                visit(nxt, [*stack, nxt])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [node])
    assert not cycles, "import cycles:\n" + "\n".join(cycles)


@pytest.mark.parametrize("module", ["sim.kpi", "sim.report", "sim.report.figures", "sim.records"])
def test_reading_results_does_not_load_simpy(module):
    code = f"import sys, {module}; assert 'simpy' not in sys.modules, sorted(sys.modules)"
    subprocess.run([sys.executable, "-c", code], check=True)
