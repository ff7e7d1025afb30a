"""``sim.analyze(...)``: from a sweep store to findings, as a result object.

>>> import sim
>>> result = sim.analyze("scenarios/sweeps/integration.sqlite", method="sobol")   # doctest: +SKIP
>>> result.to_frame()        # one row per (KPI, parameter): S1, ST and their intervals
>>> result.figures()         # name -> matplotlib Figure

The methods: ``sobol`` (a saltelli design), ``morris`` (a morris design), ``prim`` (any
design, with a ``condition``) and ``importance`` (any design). Each reads the units of
:mod:`sim.analysis.units` (replication means; paired levels and differences) and reports
the noise share of every KPI it analyses. Bad input (an unknown KPI, a condition that does
not parse, a design the method cannot read, too few points) is a
:class:`~sim.ScenarioError` naming the store and the option.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from sim.analysis.condition import Condition
from sim.analysis.importance import feature_scores
from sim.analysis.morris import morris_effects
from sim.analysis.prim import DEFAULT_DENSITY, PrimFinding, prim_box
from sim.analysis.sobol import sobol_indices
from sim.analysis.units import AUTO, Units, choose_kpis, load_units
from sim.scenario import ScenarioError

if TYPE_CHECKING:
    from matplotlib.figure import Figure

METHODS = ("sobol", "morris", "prim", "importance")
DEFAULT_RESAMPLES = 1000
#: Fewer replications per point than this: the noise share is a rough guess.
MIN_REPLICATIONS = 3
#: A noise share above this blurs the indices: more replications are needed.
NOISE_WARNING_SHARE = 0.2


@dataclass
class Analysis:
    """What :func:`analyze` found: ``table`` (the findings), ``noise`` (per KPI), notes,
    warnings, and for PRIM the box (``prim``) and its ``condition``."""

    method: str
    name: str
    units: Units
    kpis: list[str]
    table: pd.DataFrame
    noise: pd.DataFrame
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    prim: PrimFinding | None = None
    condition: str | None = None

    def to_frame(self) -> pd.DataFrame:
        """The findings as one table: per (KPI, parameter) for the index methods, with the
        KPI's noise share; per restricted parameter of the box for PRIM, with its stats."""
        if self.prim is not None:
            chosen = self.prim.trajectory.loc[self.prim.chosen]
            out = self.table.copy()
            for column in ("coverage", "density", "mass", "res_dim"):
                out[column] = chosen[column]
            out.insert(0, "condition", self.condition)
            return out
        return self.table.merge(self.noise, on="kpi", how="left")

    def to_json(self) -> dict[str, Any]:
        """JSON-ready: the sweep, the method, the findings, noise, notes and warnings."""
        data: dict[str, Any] = {
            "sweep": self.name,
            "method": self.method,
            "design": self.units.design,
            "pair": self.units.pair,
            "levels": self.units.levels,
            "parameters": self.units.inputs,
            "kpis": self.kpis,
            "findings": _records(self.to_frame()),
            "noise": _records(self.noise),
            "notes": self.notes,
            "warnings": self.warnings,
        }
        if self.prim is not None:
            data["trajectory"] = _records(self.prim.trajectory)
            data["cases"] = {"points": self.prim.units, "condition_holds": self.prim.cases}
        return data

    def figures(self) -> dict[str, Figure]:
        """The figures of the analysis by name (matplotlib Figures; see :mod:`sim.analysis.report`)."""
        from sim.analysis.report import analysis_figures

        return dict(analysis_figures(self))


def analyze(
    source: Any,
    method: str = "importance",
    kpis: Sequence[str] | None = None,
    *,
    condition: str | None = None,
    sweep: str | None = None,
    parameters: Sequence[str] | None = None,
    pair: str = AUTO,
    resamples: int = DEFAULT_RESAMPLES,
    seed: int = 0,
    density: float = DEFAULT_DENSITY,
) -> Analysis:
    """Analyse a sweep: ``source`` is a store's path, an open Store, or a run table (then
    with ``parameters``; ``prim`` and ``importance`` only).

    ``kpis``: KPI names (a base KPI of a paired sweep gives each level and the difference);
    default a few key ones. ``condition``: PRIM's (e.g. ``"last_km.on_time_share >= 0.95"``).
    ``pair``: the parameter whose levels are compared run by run (default ``mode`` when
    swept; ``"none"`` not to pair; Saltelli and Morris designs pair on their crossed list
    parameter). ``resamples`` and ``seed``: the bootstrap of the Sobol and Morris intervals
    and the trees' seed. ``density``: PRIM's density threshold.
    """
    if method not in METHODS:
        expected = f"one of {list(METHODS)}"
        raise ScenarioError("unknown method", field="--method", expected=expected, found=method)
    units = load_units(source, sweep=sweep, parameters=parameters, pair=pair)
    result = Analysis(method, units.name, units, [], pd.DataFrame(), pd.DataFrame(), notes=list(units.notes))
    if method == "prim":
        if not condition:
            example = "e.g. 'last_km.on_time_share >= 0.95'"
            raise ScenarioError("PRIM needs a condition", **units.where("--condition"), expected=example)
        parsed = Condition(condition, units.kpis, units.source)
        result.kpis, result.condition = list(dict.fromkeys(parsed.names)), condition
        result.prim = prim_box(units, parsed, density)
        result.table = result.prim.limits
    else:
        result.kpis = choose_kpis(units, kpis)
        if method == "sobol":
            result.table = sobol_indices(units, result.kpis, resamples, seed)
        elif method == "morris":
            result.table = morris_effects(units, result.kpis, resamples, seed)
        else:
            result.table = feature_scores(units, result.kpis, seed)
    result.noise = noise_table(units, result.kpis)
    result.warnings = noise_warnings(result.noise)
    return result


def noise_table(units: Units, kpis: Sequence[str]) -> pd.DataFrame:
    """Per KPI: replications per unit (least, mean) and the noise share of the unit means."""
    counts = units.replications()
    rows = [
        {
            "kpi": kpi,
            "replications_min": int(counts.min()),
            "replications_mean": float(counts.mean()),
            "noise_share": units.noise(kpi),
        }
        for kpi in kpis
    ]
    return pd.DataFrame(rows, columns=["kpi", "replications_min", "replications_mean", "noise_share"])


def noise_warnings(noise: pd.DataFrame) -> list[str]:
    """Fewer than MIN_REPLICATIONS replications; KPIs whose means are mostly noise."""
    out = []
    if not noise.empty and noise["replications_min"].min() < MIN_REPLICATIONS:
        least = int(noise["replications_min"].min())
        out.append(
            f"fewer than {MIN_REPLICATIONS} replications per point (least: {least}): the noise share "
            "is a rough guess or unknown; raise replications and run the sweep again (it resumes)"
        )
    for row in noise.itertuples():
        if not math.isnan(row.noise_share) and row.noise_share > NOISE_WARNING_SHARE:
            out.append(
                f"{row.kpi}: {row.noise_share:.0%} of the variance of the point means is replication "
                "noise: indices and boxes are blurred; more replications would sharpen them"
            )
    return out


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as plain dicts; NaN as None (JSON null)."""
    rows = frame.astype(object).where(frame.notna(), None).to_dict("records")
    return [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()} for row in rows]
