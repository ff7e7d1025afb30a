"""Means and 95 % confidence intervals over replications (Student's t)."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from scipy import stats


@dataclass(frozen=True)
class Estimate:
    """Mean of ``n`` replications with a two-sided 95 % t interval (half-width)."""

    mean: float
    half_width: float
    n: int

    @property
    def low(self) -> float:
        return self.mean - self.half_width

    @property
    def high(self) -> float:
        return self.mean + self.half_width


def share(part: float, whole: float) -> float:
    """``part / whole`` as a float; NaN when ``whole`` is 0 (nothing to measure).

    >>> share(3, 4), share(0, 0)
    (0.75, nan)
    """
    return float(part) / float(whole) if whole else float("nan")


def estimate(values: Sequence[float], confidence: float = 0.95) -> Estimate:
    """Mean and t-interval half-width; the half-width is NaN for one value.

    >>> e = estimate([1.0, 2.0, 3.0])
    >>> round(e.mean, 6), round(e.half_width, 4)
    (2.0, 2.4841)
    """
    x = np.asarray(values, dtype=float)
    x = x[~np.isnan(x)]
    n = len(x)
    if n == 0:
        return Estimate(math.nan, math.nan, 0)
    if n == 1:
        return Estimate(float(x[0]), math.nan, 1)
    t = stats.t.ppf(0.5 + confidence / 2.0, n - 1)
    return Estimate(float(x.mean()), float(t * x.std(ddof=1) / math.sqrt(n)), n)


def summarize(runs: Sequence[Mapping[str, float]]) -> dict[str, Estimate]:
    """Per KPI name, the estimate over runs (KPIs missing in a run are skipped)."""
    names = list(dict.fromkeys(name for run in runs for name in run))
    return {name: estimate([run[name] for run in runs if name in run]) for name in names}


def paired_difference(
    a: Sequence[Mapping[str, float]], b: Sequence[Mapping[str, float]]
) -> dict[str, Estimate]:
    """Per KPI, the estimate of b - a over runs paired by seed (common random numbers)."""
    if len(a) != len(b):
        raise ValueError(f"paired runs need equal counts, found {len(a)} and {len(b)}")
    names = [n for n in a[0] if n in b[0]] if a else []
    return {n: estimate([y[n] - x[n] for x, y in zip(a, b, strict=True)]) for n in names}
