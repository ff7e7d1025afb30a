"""Scenario discovery: PRIM boxes where a condition holds (EMA Workbench).

The condition (:mod:`sim.analysis.condition`) is evaluated on every unit's means; PRIM
(``ema_workbench.analysis.prim.Prim``, binary mode) peels the parameter space towards the
units where it holds. Along the peeling trajectory each box has a **coverage** (the share
of all units where the condition holds that lie in the box), a **density** (the share of
the units in the box where it holds), a mass (the share of units in the box) and the
number of parameters it restricts, as EMA Workbench reports them. The box chosen is the
one of highest coverage (then density) among those of density at least ``density`` (EMA's
threshold; default 0.8), else the densest; its limits are given for the parameters it restricts, with
EMA's quasi-p-values (how likely such a restriction is by chance).
"""

from __future__ import annotations

import logging
import warnings
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.analysis.condition import Condition
from sim.analysis.extras import require
from sim.analysis.units import Units
from sim.scenario import ScenarioError

DEFAULT_DENSITY = 0.8
#: PRIM needs enough units to peel 5 % at a time and still hold cases of both kinds.
MIN_UNITS = 20
TRAJECTORY_COLUMNS = ["box", "coverage", "density", "mass", "res_dim", "n", "k"]


@dataclass
class PrimFinding:
    """The chosen box: its limits (one row per restricted parameter), the trajectory,
    the chosen box's number, and the counts (units, units where the condition holds)."""

    limits: pd.DataFrame
    trajectory: pd.DataFrame
    chosen: int
    units: int
    cases: int
    ranges: dict[str, tuple[object, object]]


def prim_box(units: Units, condition: Condition, density: float = DEFAULT_DENSITY) -> PrimFinding:
    """Find the box of ``condition`` (see the module's docstring)."""
    prim_module = require("ema_workbench.analysis.prim", "prim")
    means = units.means()
    means = means.dropna(subset=condition.names)
    y = condition.holds(means).astype(int)
    _check_cases(units, condition, y)
    x = _inputs(means, units.inputs)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        logging.getLogger("EMA").setLevel(logging.WARNING)
        prim = prim_module.Prim(x, y, threshold=density)
        box = prim.find_box()
    trajectory = box.peeling_trajectory.reset_index(drop=True)
    trajectory.insert(0, "box", np.arange(len(trajectory)))
    trajectory = trajectory[TRAJECTORY_COLUMNS]
    dense = trajectory[trajectory["density"] >= density]
    pool = dense if not dense.empty else trajectory[trajectory["density"] == trajectory["density"].max()]
    chosen = int(pool.sort_values(["coverage", "density"], ascending=False, kind="stable").index[0])
    _, table = box.inspect(chosen, style="data")[0]
    limits = _limits(table, x, chosen)
    ranges = {name: _full_range(x[name]) for name in units.inputs}
    return PrimFinding(limits, trajectory, chosen, len(y), int(y.sum()), ranges)


def _check_cases(units: Units, condition: Condition, y: np.ndarray) -> None:
    if len(y) < MIN_UNITS:
        raise ScenarioError(
            "too few points for PRIM",
            path=units.source,
            field="--condition",
            expected=f"at least {MIN_UNITS} points with the condition's KPIs set",
            found=str(len(y)),
        )
    if y.all() or not y.any():
        where = "every" if y.all() else "no"
        raise ScenarioError(
            f"the condition holds at {where} point ({int(y.sum())} of {len(y)}): nothing to separate",
            path=units.source,
            field="--condition",
            expected="a condition that holds at some points and not at others",
            found=condition.text,
        )


def _inputs(means: pd.DataFrame, inputs: list[str]) -> pd.DataFrame:
    """Parameters as PRIM reads them: numbers as floats, categories for the rest."""
    x = means[inputs].reset_index(drop=True).copy()
    for name in inputs:
        column = x[name]
        if column.dtype == bool:
            x[name] = column.astype(str).astype("category")
        elif not pd.api.types.is_numeric_dtype(column):
            x[name] = column.astype(str).astype("category")
        else:  # integers too: EMA Workbench 2.5.3 writes peeling midpoints (1.5) into an
            # integer column's limits, which pandas 3 refuses
            x[name] = column.astype(float)
    return x


def _full_range(column: pd.Series) -> tuple[object, object]:
    if isinstance(column.dtype, pd.CategoricalDtype):
        return ("{" + ", ".join(sorted(map(str, column.unique()))) + "}", "")
    return (column.min().item(), column.max().item())


def _limits(table: pd.DataFrame, x: pd.DataFrame, chosen: int) -> pd.DataFrame:
    """One row per restricted parameter: the box's low and high (or its categories), the
    parameter's full range, EMA's quasi-p-values of the two limits."""
    rows = []
    for name, row in table.iterrows():
        low, high, qp_low, qp_high = (row.iloc[k] for k in range(4))
        if isinstance(low, set):
            low, high = "{" + ", ".join(sorted(map(str, low))) + "}", ""
        full_low, full_high = _full_range(x[name])
        rows.append(
            {
                "parameter": name,
                "low": _plain(low),
                "high": _plain(high),
                "full_low": full_low,
                "full_high": full_high,
                "qp_low": _plain(qp_low),
                "qp_high": _plain(qp_high),
                "box": chosen,
            }
        )
    return pd.DataFrame(
        rows, columns=["parameter", "low", "high", "full_low", "full_high", "qp_low", "qp_high", "box"]
    )


def _plain(value: object) -> object:
    """numpy scalars as Python numbers (for JSON), NaN kept."""
    return value.item() if isinstance(value, np.generic) else value
