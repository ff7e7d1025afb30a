"""What an analysis reads: a sweep's done runs as *units*, one per row of its design.

A unit is what the estimators see as one sample: a point of the design, or, when the sweep
pairs a parameter (``mode``, or a ladder's steps), the set of points that differ only in
that parameter. Paired KPIs are named by level: ``integrated.cost.yuan_per_item``,
``separate.cost.yuan_per_item`` and the paired difference
``integrated_minus_separate.cost.yuan_per_item`` (each later level minus the first, run by
run: the same unit, the same replication, so on common random numbers the difference is
not noise). The methods analyse the mean of each unit over its replications;
:meth:`Units.noise` says how much of the variance of those means is replication noise.

- Saltelli and Morris designs pair on their crossed list parameter (unit = point // levels).
- Other designs pair on ``pair`` (default ``mode`` when it is swept): a unit is a set of
  points with equal values of the other parameters, complete when it has every level.
  A Latin hypercube or Sobol design that samples ``mode`` has no such sets: it is analysed
  point by point with ``mode`` as a parameter, and a note says so.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from sim.errors import did_you_mean
from sim.scenario import ScenarioError
from sim.sweep.design import SENSITIVITY_DESIGNS
from sim.sweep.summary import DEFAULT_KPIS, kpi_names

#: ``pair=`` values: choose by the design (``mode`` when swept), or never pair.
AUTO, NO_PAIR = "auto", "none"
#: The default parameter to pair on, when a sweep varies it.
DEFAULT_PAIR = "mode"
DIFFERENCE = "_minus_"
#: A variance of the unit means below this share of the KPI's square is rounding: no noise share.
_FLAT = 1e-20
_NOT_NAME = re.compile(r"[^A-Za-z0-9_]")


@dataclass
class Units:
    """A sweep's done runs as units: one row per (unit, replication).

    ``runs`` has ``unit``, ``replication``, the ``inputs`` (the parameters the methods
    vary) and the ``kpis`` columns. ``source`` names the store for messages.
    """

    name: str
    source: str | None
    design: str | None
    definition: dict[str, Any]
    inputs: list[str]
    kpis: list[str]
    runs: pd.DataFrame
    base_kpis: list[str]
    pair: str | None = None
    levels: list[str] = field(default_factory=list)
    points: pd.DataFrame | None = None  # the store's run table (done runs), one row per point run
    parameters: list[str] = field(default_factory=list)  # every parameter of the sweep
    notes: list[str] = field(default_factory=list)

    def means(self) -> pd.DataFrame:
        """One row per unit (sorted): the inputs and the mean of every KPI over replications."""
        grouped = self.runs.groupby("unit", sort=True)
        out = grouped[self.inputs].first() if self.inputs else pd.DataFrame(index=grouped.size().index)
        return out.join(grouped[self.kpis].mean())

    def replications(self) -> pd.Series:
        """Replications per unit (sorted by unit)."""
        return self.runs.groupby("unit", sort=True).size()

    def noise(self, kpi: str) -> float:
        """The share of the variance of the unit means that is replication noise.

        The noise is the unit x replication interaction of a two-way table (units with
        every replication): what is left of a run once its unit's mean and its
        replication's mean are taken out. With common random numbers a replication's
        luck moves every unit alike, no index sees it, and it is not counted. The share is
        (noise variance / replications) / variance of the unit means, at most 1; NaN with
        one replication or when the means do not vary. Near 0: the means are the
        parameters' doing; near 1: noise.
        """
        wide = self.runs.pivot_table(index="unit", columns="replication", values=kpi, aggfunc="first")
        wide = wide.dropna().to_numpy(dtype=float)
        units, replications = wide.shape if wide.size else (0, 0)
        if units < 2 or replications < 2:
            return math.nan
        residual = wide - wide.mean(axis=1, keepdims=True) - wide.mean(axis=0, keepdims=True) + wide.mean()
        noise = float((residual**2).sum()) / ((units - 1) * (replications - 1))
        between = float(wide.mean(axis=1).var(ddof=1))
        if between <= _FLAT * max(1.0, float(np.abs(wide).mean()) ** 2):  # rounding, not variance
            return math.nan
        return min(noise / replications / between, 1.0)

    def where(self, field_name: str | None = None) -> dict[str, Any]:
        """Keyword arguments locating an error in this input: the store, the option."""
        return {"path": self.source, "field": field_name}


def load_units(
    source: Any, *, sweep: str | None = None, parameters: Sequence[str] | None = None, pair: str = AUTO
) -> Units:
    """Read a store (a path or an open :class:`~sim.sweep.Store`) or a run table.

    A DataFrame (``sim.sweep(...)``'s table) needs ``parameters`` and has no design: it
    serves the model-free methods (``prim``, ``importance``).
    """
    name, path, definition, runs, params = _read(source, sweep, parameters)
    done = runs[runs["status"] == "done"].reset_index(drop=True)
    if done.empty:
        raise ScenarioError("the sweep has no done run to analyse", path=path)
    base_kpis = kpi_names(done, params)
    design = definition.get("design")
    chosen = _pair_parameter(design, definition, params, done, pair, path)
    units = Units(name, path, design, definition, [], [], pd.DataFrame(), base_kpis)
    units.points, units.parameters = done, list(params)
    if chosen is None:
        units.runs = done.assign(unit=done["point"])[["unit", "replication", *params, *base_kpis]]
        units.inputs, units.kpis = list(params), list(base_kpis)
        return units
    _pair_up(units, done, params, chosen)
    if units.pair is None:  # no complete set of levels: point by point
        units.notes.append(
            f"{chosen} is sampled, not crossed: no two points differ in {chosen} alone, so the "
            f"analysis is per point with {chosen} as a parameter (a saltelli or morris design, "
            f"or a grid, crosses it)"
        )
        units.runs = done.assign(unit=done["point"])[["unit", "replication", *params, *base_kpis]]
        units.inputs, units.kpis = list(params), list(base_kpis)
    return units


def _read(
    source: Any, sweep: str | None, parameters: Sequence[str] | None
) -> tuple[str, str | None, dict[str, Any], pd.DataFrame, list[str]]:
    """Name, path, definition, run table and parameter names of the source."""
    if isinstance(source, pd.DataFrame):
        if parameters is None:
            raise ScenarioError(
                "a run table needs its parameter names",
                field="parameters",
                expected="analyze(frame, parameters=[...]), or the store's path",
            )
        missing = [p for p in parameters if p not in source.columns]
        if missing:
            raise ScenarioError(
                "no such parameter column",
                field="parameters",
                expected="columns of the table",
                found=str(missing),
            )
        return "sweep", None, {}, source, list(parameters)
    from sim.sweep.store import Store
    from sim.sweep.summary import pick_sweep

    store = source if isinstance(source, Store) else Store.open_existing(Path(source))
    try:
        key, _ = pick_sweep(store, sweep)
        definition = store.definition(key)
        return definition.get("name", key), store.path, definition, store.runs(key), store.parameters(key)
    finally:
        if store is not source:
            store.close()


def _pair_parameter(
    design: str | None,
    definition: dict[str, Any],
    params: list[str],
    done: pd.DataFrame,
    wanted: str,
    path: str | None,
) -> str | None:
    """The parameter to pair on: a sensitivity design's crossed one, else ``wanted``."""
    if design in SENSITIVITY_DESIGNS:
        crossed = [p["name"] for p in definition.get("parameters", []) if p.get("values") is not None]
        if wanted not in (AUTO, *crossed):
            raise ScenarioError(
                f"a {design} design pairs on the list parameter it crosses with its sample",
                path=path,
                field="--pair",
                expected=repr(crossed[0]) if crossed else "no --pair (this design crosses none)",
                found=wanted,
            )
        return crossed[0] if crossed else None
    if wanted == NO_PAIR:
        return None
    if wanted == AUTO:
        return DEFAULT_PAIR if DEFAULT_PAIR in params and done[DEFAULT_PAIR].nunique() > 1 else None
    if wanted not in params:
        raise ScenarioError(
            f"unknown parameter{did_you_mean(wanted, params)}",
            path=path,
            field="--pair",
            expected=f"one of {params}, or 'none'",
            found=wanted,
        )
    return wanted


def level_label(pair: str, value: Any) -> str:
    """A level as a name part: ``integrated``; a number as ``vans_per_town_3``."""
    text = _NOT_NAME.sub("_", str(value))
    if not text or not (text[0].isalpha() or text[0] == "_"):
        text = f"{pair.rsplit('.', 1)[-1]}_{text}"
    return text


def _levels(definition: dict[str, Any], pair: str, done: pd.DataFrame) -> list[Any]:
    """The pair's values in the sweep file's order (else in order of appearance)."""
    for p in definition.get("parameters", []):
        if p.get("name") == pair and p.get("values") is not None:
            present = set(map(json.dumps, done[pair]))
            return [v for v in p["values"] if json.dumps(v) in present]
    return list(dict.fromkeys(done[pair]))


def _unit_ids(units: Units, done: pd.DataFrame, others: list[str], levels: int) -> pd.Series:
    """Which unit each run belongs to: a crossed design's row, else equal other values."""
    if units.design in SENSITIVITY_DESIGNS:
        return done["point"] // levels
    keys = done[others].apply(lambda row: json.dumps(list(row), default=str), axis=1) if others else None
    if keys is None:
        return pd.Series(0, index=done.index)
    return pd.Series(pd.factorize(keys)[0], index=done.index)


def _pair_up(units: Units, done: pd.DataFrame, params: list[str], pair: str) -> None:
    """Fill ``units`` with one row per (unit, replication) and a column per level and KPI.

    Leaves ``units.pair`` None when no unit has every level."""
    levels = _levels(units.definition, pair, done)
    others = [p for p in params if p != pair]
    done = done.assign(unit=_unit_ids(units, done, others, len(levels)))
    done = done.drop_duplicates(["unit", "replication", pair])  # equal points of a sample: equal runs
    done = done.assign(_level=done[pair].map(lambda v: levels.index(v) if v in levels else -1))
    done = done[done["_level"] >= 0]
    wide = done.set_index(["unit", "replication", "_level"])[[*units.base_kpis, "seed"]].unstack("_level")
    complete = wide["seed"].notna().all(axis=1) if len(levels) > 1 else pd.Series(False, index=wide.index)
    if not complete.any():
        return
    dropped = int((~complete).sum())
    wide = wide[complete]
    labels = [level_label(pair, v) for v in levels]
    columns: dict[str, pd.Series] = {}
    for kpi in units.base_kpis:
        for k, label in enumerate(labels):
            columns[f"{label}.{kpi}"] = wide[(kpi, k)]
        for k, label in enumerate(labels[1:], start=1):
            columns[f"{label}{DIFFERENCE}{labels[0]}.{kpi}"] = wide[(kpi, k)] - wide[(kpi, 0)]
    table = pd.DataFrame(columns).reset_index()
    first = done.drop_duplicates("unit").set_index("unit")[others]
    units.runs = table.join(first, on="unit")[["unit", "replication", *others, *columns]]
    units.inputs, units.kpis, units.pair, units.levels = others, list(columns), pair, labels
    if dropped:
        units.notes.append(f"{dropped} (unit, replication) pair(s) without every {pair} level left out")
    seeds = wide["seed"].to_numpy(dtype=float)
    if not np.all(seeds == seeds[:, :1]):
        units.notes.append(
            f"the {pair} levels ran on different seeds (common_random_numbers = false): "
            "their differences carry the noise of both"
        )


def choose_kpis(units: Units, wanted: Sequence[str] | None) -> list[str]:
    """The KPI columns to analyse: those named (a base KPI name gives every level and the
    differences), else the default few; an unknown name is a located error (``--kpi``)."""
    if not wanted:
        present = [k for k in DEFAULT_KPIS if k in units.base_kpis] or units.base_kpis[:4]
        wanted = present
    chosen: list[str] = []
    for name in wanted:
        if name in units.kpis:
            chosen.append(name)
        elif units.pair is not None and name in units.base_kpis:
            chosen += [k for k in units.kpis if k.split(".", 1)[1] == name]
        else:
            names = units.kpis + (units.base_kpis if units.pair else [])
            raise ScenarioError(
                f"unknown KPI{did_you_mean(name, names, cutoff=0.5)}",
                path=units.source,
                field="--kpi",
                expected=f"a KPI of the sweep, e.g. {names[:3]}",
                found=name,
            )
    return list(dict.fromkeys(chosen))
