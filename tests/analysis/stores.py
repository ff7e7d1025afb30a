"""Sweep stores of the tiny county run with the test-only models (no simulation)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import sim

TINY = Path(__file__).resolve().parents[2] / "scenarios" / "tiny_county.toml"


def ranges(fields: dict[str, tuple[float, float]]) -> dict[str, dict[str, float]]:
    """Sweep-file ranges ``{min, max}`` of each field."""
    return {k: {"min": lo, "max": hi} for k, (lo, hi) in fields.items()}


def run_sweep(db: Path, model: Callable, **spec) -> Path:
    """Run a sweep of the tiny county with ``model`` in place of the simulation into ``db``."""
    sim.sweep({"scenario": sim.load(TINY), "replications": 1, **spec}, workers=1, db=db, model=model)
    return db
