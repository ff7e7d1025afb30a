"""Published instances (CVRPLIB A and X, Solomon): feasible, within a loose bound of BKS.

The bounds catch regressions; they are not the quality targets (those are measured by
``benchmarks/routing.py`` at fixed time budgets). Default tests use iteration limits
so they are deterministic and quick; the 1-second runs are marked slow.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.routing import check_solution, solve

pytest.importorskip("vrplib")

from sim.routing.instances import read_instance  # noqa: E402

ROOT = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "vrp"


def _files(sub: str, pattern: str, max_n: int = 10**9) -> list[Path]:
    if not (ROOT / sub).is_dir():
        return []
    out = []
    for p in sorted((ROOT / sub).glob(pattern)):
        m = re.search(r"-n(\d+)-", p.name)
        if m is None or int(m.group(1)) <= max_n:
            out.append(p)
    return out


SMALL = _files("A", "*.vrp") + _files("Solomon", "*.txt")
X200 = _files("X", "*.vrp", max_n=201)
ids = lambda p: p.stem  # noqa: E731


def _gap(path: Path, **kw: object) -> tuple[float, str]:
    b = read_instance(path)
    s = solve(b.problem, **kw)  # type: ignore[arg-type]
    assert check_solution(b.problem, s) == []
    assert s.unserved.size == 0
    assert b.bks is not None
    return s.cost / b.scale / b.bks - 1.0, b.kind


@pytest.mark.parametrize("path", SMALL, ids=ids)
def test_fast_mode_feasible_and_within_bound(path: Path, shared_data: Path) -> None:
    gap, kind = _gap(path)
    assert gap < (0.12 if kind == "cvrp" else 0.40), f"gap {gap:.1%}"


@pytest.mark.parametrize("path", SMALL, ids=ids)
def test_short_search_feasible_and_within_bound(path: Path, shared_data: Path) -> None:
    gap, kind = _gap(path, max_iterations=150, seed=1)
    assert gap < (0.06 if kind == "cvrp" else 0.15), f"gap {gap:.1%}"


@pytest.mark.parametrize("path", X200, ids=ids)
def test_x_instances_short_search(path: Path, shared_data: Path) -> None:
    gap, _ = _gap(path, max_iterations=60, seed=1)
    assert gap < 0.12, f"gap {gap:.1%}"


@pytest.mark.slow
@pytest.mark.parametrize("path", SMALL + _files("X", "*.vrp", max_n=301), ids=ids)
def test_one_second_within_bound(path: Path, shared_data: Path) -> None:
    gap, kind = _gap(path, time_limit_s=1.0, seed=0)
    assert gap < (0.08 if kind == "cvrp" else 0.10), f"gap {gap:.1%}"
