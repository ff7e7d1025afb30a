"""The unit samples of the sensitivity designs: Saltelli's (Sobol indices) and Morris's.

Both are made here with ``scipy`` and ``numpy`` so that running a sweep needs nothing
more; the estimators that read them are SALib's (:mod:`sim.analysis`, the ``analysis``
extra). The layouts are exactly those SALib's estimators expect:

- **Saltelli** (``design = "saltelli"``, ``samples = N``): a scrambled Sobol sequence of
  ``2 D`` dimensions gives the matrices A (first D columns) and B (last D); for each of the
  N rows, in order: A, then A with column j taken from B for j = 1 .. D, then B. N (D + 2)
  rows, as ``SALib.sample.sobol.sample(..., calc_second_order=False)`` lays them out and
  ``SALib.analyze.sobol.analyze(..., calc_second_order=False)`` reads them.
- **Morris** (``design = "morris"``, ``samples = r`` trajectories, ``levels = p``): each
  trajectory starts at a point of the p-level grid {0, 1/(p-1), .., 1} and moves one
  parameter at a time, in a random order, by delta = p / (2 (p - 1)) (up from the lower
  half of the grid, down from the upper half): D + 1 rows per trajectory, r (D + 1) rows,
  the layout of ``SALib.sample.morris.sample`` that ``SALib.analyze.morris.analyze`` reads.

Rows are points of the unit cube; :meth:`sim.sweep.design.Parameter.from_unit` maps each
column onto its parameter. Everything is seeded by ``design_seed``.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy.stats import qmc

#: Morris grid levels when the sweep file gives none (SALib's and the literature's usual 4).
DEFAULT_MORRIS_LEVELS = 4


def saltelli_rows(dimensions: int) -> int:
    """Rows per base sample of a Saltelli design of ``dimensions`` parameters: A, D mixes, B."""
    return dimensions + 2


def saltelli_unit(dimensions: int, samples: int, design_seed: int) -> np.ndarray:
    """The ``samples * (dimensions + 2)`` rows of a Saltelli design in the unit cube."""
    engine = qmc_engine(qmc.Sobol, 2 * dimensions, design_seed)
    with warnings.catch_warnings():
        # Sobol's balance needs a power of two; other sizes are still valid samples.
        warnings.simplefilter("ignore", UserWarning)
        base = engine.random(samples)
    a, b = base[:, :dimensions], base[:, dimensions:]
    rows = np.empty((samples, saltelli_rows(dimensions), dimensions))
    rows[:, 0] = a
    for j in range(dimensions):
        mixed = a.copy()
        mixed[:, j] = b[:, j]
        rows[:, j + 1] = mixed
    rows[:, -1] = b
    return rows.reshape(samples * saltelli_rows(dimensions), dimensions)


def morris_delta(levels: int) -> float:
    """The step of a Morris trajectory on a grid of ``levels`` levels: p / (2 (p - 1))."""
    return levels / (2.0 * (levels - 1))


def morris_unit(dimensions: int, trajectories: int, levels: int, design_seed: int) -> np.ndarray:
    """The ``trajectories * (dimensions + 1)`` rows of a Morris design in the unit cube."""
    rng = np.random.default_rng(design_seed)
    jump = levels // 2  # delta in grid steps: delta = jump / (levels - 1)
    rows = np.empty((trajectories, dimensions + 1, dimensions))
    for t in range(trajectories):
        start = rng.integers(0, levels, size=dimensions)
        step = np.where(start < levels - jump, jump, -jump)
        point = start.astype(float)
        rows[t, 0] = point
        for k, j in enumerate(rng.permutation(dimensions)):
            point = point.copy()
            point[j] += step[j]
            rows[t, k + 1] = point
    return rows.reshape(trajectories * (dimensions + 1), dimensions) / (levels - 1)


def qmc_engine(cls: Any, dimensions: int, seed: int) -> Any:
    """A ``scipy.stats.qmc`` engine of ``dimensions`` seeded by ``seed`` (scrambled)."""
    try:
        return cls(dimensions, rng=np.random.default_rng(seed))
    except TypeError:  # scipy < 1.15 calls it ``seed``
        return cls(dimensions, seed=np.random.default_rng(seed))
