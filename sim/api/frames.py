"""Results as a notebook wants them: tidy DataFrames of estimates and short reprs.

Every frame has one row per KPI (and per mode or level) and the columns of
:data:`ESTIMATE_COLUMNS`: the mean over replications and its 95 % t interval (low, high,
half-width) with the number of runs behind it; one run has no interval (NaN). A paired
difference adds the same four numbers under a prefix (``difference_`` against the
baseline mode, ``step_`` against the level before). Reprs name the scenario, the mode,
the days, the seeds and :data:`HEADLINE_KPIS`, never the whole scenario.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import pandas as pd

from sim.kpi import Estimate

#: The columns of an estimate, in frame order.
ESTIMATE_COLUMNS = ("mean", "ci95_low", "ci95_high", "ci95_half_width", "n")
#: The KPIs a repr shows: service, coverage, cost and emissions of the last kilometre.
HEADLINE_KPIS = (
    "last_km.on_time_share",
    "last_km.village_coverage",
    "cost.yuan_per_item",
    "cost.co2_kg_per_day",
)
_NO_ESTIMATE = Estimate(math.nan, math.nan, 0)


def estimate_columns(e: Estimate | None, prefix: str = "") -> dict[str, float]:
    """The :data:`ESTIMATE_COLUMNS` of ``e`` (NaN and n = 0 when there is none)."""
    e = _NO_ESTIMATE if e is None else e
    values = (e.mean, e.low, e.high, e.half_width, e.n)
    return {f"{prefix}{name}": value for name, value in zip(ESTIMATE_COLUMNS, values, strict=True)}


def estimates_frame(
    estimates: Mapping[str, Estimate],
    keys: Mapping[str, object] | None = None,
    differences: Mapping[str, Estimate] | None = None,
    prefix: str = "difference_",
) -> pd.DataFrame:
    """One row per KPI of ``estimates``: ``keys`` (constant columns first), ``kpi``, the
    estimate, and (when ``differences`` is given) the paired difference under ``prefix``."""
    rows = []
    for kpi, e in estimates.items():
        row = {**(keys or {}), "kpi": kpi, **estimate_columns(e)}
        if differences is not None:
            row |= estimate_columns(differences.get(kpi), prefix)
        rows.append(row)
    columns = [*(keys or {}), "kpi", *ESTIMATE_COLUMNS]
    if differences is not None:
        columns += [f"{prefix}{c}" for c in ESTIMATE_COLUMNS]
    return pd.DataFrame(rows, columns=columns)


def short_number(value: float) -> str:
    """A number short enough for a repr: 0.617, 4.14, 3,368; ``-`` for NaN."""
    if value is None or not math.isfinite(value):
        return "-"
    if abs(value) >= 1000:
        return f"{value:,.0f}"
    return f"{value:.3g}" if abs(value) >= 0.001 or value == 0 else f"{value:.2g}"


def seeds_text(seeds: Sequence[int]) -> str:
    """``seed 1``, ``seeds 1..3`` (consecutive) or ``seeds [1, 5, 9]``."""
    seeds = list(seeds)
    if len(seeds) == 1:
        return f"seed {seeds[0]}"
    if seeds == list(range(seeds[0], seeds[0] + len(seeds))):
        return f"seeds {seeds[0]}..{seeds[-1]}"
    return f"seeds {seeds}"


def headline_lines(
    columns: Sequence[str], estimates: Sequence[Mapping[str, Estimate]], difference: Mapping[str, Estimate]
) -> list[str]:
    """Indented lines of :data:`HEADLINE_KPIS`: each column's mean, then the last column
    minus the first with its 95 % interval (KPIs no column has are left out)."""
    names = [k for k in HEADLINE_KPIS if any(k in est for est in estimates)]
    width = max((len(k) for k in names), default=0)
    lines = [f"  {'':<{width}}  " + "  ".join(f"{c:>10}" for c in columns) + "  difference (95% CI)"]
    for kpi in names:
        means = "  ".join(f"{short_number(est.get(kpi, _NO_ESTIMATE).mean):>10}" for est in estimates)
        d = difference.get(kpi, _NO_ESTIMATE)
        ci = f" ± {short_number(d.half_width)}" if math.isfinite(d.half_width) else ""
        sign = "+" if d.mean > 0 else ""
        lines.append(f"  {kpi:<{width}}  {means}  {sign}{short_number(d.mean)}{ci}")
    return lines
