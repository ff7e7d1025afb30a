"""Published instances (CVRPLIB A and X, Solomon): feasible, within a loose bound of BKS."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.routing import check_solution, solve

pytest.importorskip("vrplib")

from sim.routing.instances import read_instance  # noqa: E402

ROOT = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "vrp"


def _files(sub: str, pattern: str) -> list[Path]:
    return sorted((ROOT / sub).glob(pattern)) if (ROOT / sub).is_dir() else []


@pytest.mark.parametrize("path", _files("A", "*.vrp") + _files("Solomon", "*.txt"), ids=lambda p: p.stem)
def test_fast_mode_feasible_and_within_bound(path: Path, shared_data: Path) -> None:
    b = read_instance(path)
    s = solve(b.problem)
    assert check_solution(b.problem, s) == []
    assert s.unserved.size == 0
    gap = s.cost / b.scale / b.bks - 1.0
    bound = 0.12 if b.kind == "cvrp" else 0.40
    assert gap < bound, f"{b.name}: gap {gap:.1%}"
