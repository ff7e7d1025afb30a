"""Where a sweep looks: the points of a design and the seed of every run.

A *point* is one assignment of values to the sweep's parameters. A full grid
takes every combination of the listed values; a Latin hypercube or a Sobol
sample (``scipy.stats.qmc``) draws ``samples`` points from the unit cube and
maps each coordinate onto its parameter: linearly (or log-uniformly) onto a
range, evenly onto the integers of an integer range, and onto equal-width bins
for a list of values (a categorical parameter). The sensitivity designs
(``saltelli``, ``morris``: :mod:`sim.sweep.sensitivity`) sample the ranges in
the layout their estimators need and cross the list parameters (e.g. ``mode``)
with the sample: every row runs at every listed value, so that modes are
compared at the same point, on the same seeds.

Seeds depend only on the base seed, the point and the replication, never on
the order in which runs finish or on the number of workers.
"""

from __future__ import annotations

import itertools
import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import qmc

from sim.sweep.sensitivity import (
    DEFAULT_MORRIS_LEVELS,
    morris_unit,
    qmc_engine,
    saltelli_rows,
    saltelli_unit,
)

DESIGNS = ("grid", "lhs", "sobol", "saltelli", "morris")
#: The designs made for an estimator (:mod:`sim.sweep.sensitivity`): their list parameters
#: are crossed with the sample instead of sampled.
SENSITIVITY_DESIGNS = ("saltelli", "morris")

#: The most runs (points x replications) one sweep may have: checked before any point
#: is made, so that a grid of 10^15 points is an error, not minutes of work and a MemoryError.
MAX_SWEEP_RUNS = 1_000_000
#: The largest seed of a run: the store keeps seeds in an SQLite INTEGER (signed 64 bits).
MAX_RUN_SEED = 2**63 - 1


@dataclass(frozen=True)
class Parameter:
    """One swept parameter: the column ``name`` and the scenario ``paths`` it sets.

    Either ``values`` (grid levels, or categories in a sampled design) or a
    range ``low`` .. ``high`` (sampled designs only), integer or not, linear or
    logarithmic. ``line`` is where the sweep file defines it, for errors.
    """

    name: str
    paths: tuple[str, ...]
    values: tuple[Any, ...] | None = None
    low: float | None = None
    high: float | None = None
    integer: bool = False
    log: bool = False
    line: int | None = None

    def from_unit(self, u: np.ndarray) -> list[Any]:
        """Map coordinates in [0, 1) onto this parameter's values (plain Python scalars)."""
        u = np.clip(np.asarray(u, dtype=float), 0.0, np.nextafter(1.0, 0.0))
        if self.values is not None:
            index = np.floor(u * len(self.values)).astype(int)
            return [self.values[i] for i in index]
        assert self.low is not None and self.high is not None
        if self.integer:
            lo, hi = math.ceil(self.low), math.floor(self.high)
            return [int(v) for v in np.minimum(lo + np.floor(u * (hi - lo + 1)), hi)]
        if self.log:
            values = np.exp(np.log(self.low) + u * (np.log(self.high) - np.log(self.low)))
        else:
            values = self.low + u * (self.high - self.low)
        return [float(v) for v in values]


def grid_points(parameters: Sequence[Parameter]) -> list[dict[str, Any]]:
    """Every combination of the parameters' values, the last parameter varying fastest."""
    levels = []
    for p in parameters:
        if p.values is None:
            raise ValueError(f"parameter {p.name!r} is a range; a grid needs a list of values")
        levels.append(p.values)
    names = [p.name for p in parameters]
    return [dict(zip(names, combo, strict=True)) for combo in itertools.product(*levels)]


def sampled_points(
    parameters: Sequence[Parameter], design: str, samples: int, design_seed: int
) -> list[dict[str, Any]]:
    """``samples`` points of a scrambled Latin hypercube or Sobol sequence, seeded."""
    if not parameters:
        return [{}]
    dim = len(parameters)
    if design == "lhs":
        engine = qmc_engine(qmc.LatinHypercube, dim, design_seed)
    elif design == "sobol":
        engine = qmc_engine(qmc.Sobol, dim, design_seed)
    else:
        raise ValueError(f"unknown sampled design {design!r}")
    with warnings.catch_warnings():
        # Sobol's balance needs a power of two; other sizes are still valid samples.
        warnings.simplefilter("ignore", UserWarning)
        unit = engine.random(samples)
    columns = [p.from_unit(unit[:, j]) for j, p in enumerate(parameters)]
    names = [p.name for p in parameters]
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def sampled_and_crossed(parameters: Sequence[Parameter]) -> tuple[list[Parameter], list[Parameter]]:
    """The parameters of a sensitivity design: ranges (sampled) and lists (crossed)."""
    return [p for p in parameters if p.values is None], [p for p in parameters if p.values is not None]


def unit_design(design: str, dimensions: int, samples: int, design_seed: int, levels: int) -> np.ndarray:
    """The unit-cube rows of a Saltelli or Morris design (one column per sampled parameter)."""
    if design == "saltelli":
        return saltelli_unit(dimensions, samples, design_seed)
    if design == "morris":
        return morris_unit(dimensions, samples, levels, design_seed)
    raise ValueError(f"{design!r} is not a sensitivity design")


def sensitivity_points(
    parameters: Sequence[Parameter], design: str, samples: int, design_seed: int, levels: int
) -> list[dict[str, Any]]:
    """The points of a Saltelli or Morris design: its rows in order, each at every value of
    the crossed (list) parameter; point ``row * len(values) + k`` is row ``row`` at value ``k``."""
    sampled, crossed = sampled_and_crossed(parameters)
    unit = unit_design(design, len(sampled), samples, design_seed, levels)
    columns = {p.name: p.from_unit(unit[:, j]) for j, p in enumerate(sampled)}
    combos = list(itertools.product(*(p.values or () for p in crossed)))
    points = []
    for row in range(len(unit)):
        for combo in combos:
            values = {name: column[row] for name, column in columns.items()}
            values.update(zip((p.name for p in crossed), combo, strict=True))
            points.append({p.name: values[p.name] for p in parameters})
    return points


def design_points(
    parameters: Sequence[Parameter], design: str, samples: int | None, levels: int = DEFAULT_MORRIS_LEVELS
) -> int:
    """How many points the design has, computed without making them."""
    if design in SENSITIVITY_DESIGNS:
        sampled, crossed = sampled_and_crossed(parameters)
        rows = saltelli_rows(len(sampled)) if design == "saltelli" else len(sampled) + 1
        return (samples or 0) * rows * math.prod(len(p.values or ()) for p in crossed)
    if design != "grid":
        return samples if parameters and samples is not None else 1
    return math.prod(len(p.values) for p in parameters if p.values is not None)


def make_points(
    parameters: Sequence[Parameter],
    design: str,
    samples: int | None,
    design_seed: int,
    levels: int = DEFAULT_MORRIS_LEVELS,
) -> list[dict[str, Any]]:
    """The points of a design, in a fixed order: point ``i`` is always the same values."""
    if design == "grid":
        return grid_points(parameters)
    if samples is None:
        raise ValueError(f"design {design!r} needs samples")
    if design in SENSITIVITY_DESIGNS:
        return sensitivity_points(parameters, design, samples, design_seed, levels)
    return sampled_points(parameters, design, samples, design_seed)


def run_seed(base_seed: int, point: int, replication: int, common_random_numbers: bool = True) -> int:
    """The seed of one run.

    With common random numbers (the default) replication ``r`` uses
    ``base_seed + r`` at every point, as ``ruralsim run`` does, so that points
    differ by their parameters and not by noise. Without, every (point,
    replication) gets an independent seed from a ``numpy`` SeedSequence keyed by
    both, folded into a non-negative 63-bit integer.
    """
    if common_random_numbers:
        return int(base_seed) + int(replication)
    sequence = np.random.SeedSequence(int(base_seed), spawn_key=(int(point), int(replication)))
    return int(sequence.generate_state(1, np.uint64)[0] >> np.uint64(1))
