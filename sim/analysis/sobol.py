"""Sobol first-order and total indices of a Saltelli design, with bootstrap intervals (SALib).

The sweep's ``saltelli`` design (:mod:`sim.sweep.sensitivity`) lays its points out as
``SALib.analyze.sobol`` reads them: per base sample A, the D mixes of A and B, then B. Each
unit's KPI is its mean over replications. A base sample with a unit missing (its runs
failed) is left out whole, so the remaining samples keep the layout. Any other design is
refused with a located error: a space-filling ``sobol`` or ``lhs`` sample does not have the
points the estimator reads, and indices computed from it would be wrong.
"""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd

from sim.analysis.extras import require
from sim.analysis.units import Units
from sim.scenario import ScenarioError
from sim.sweep.sensitivity import saltelli_rows

#: Fewer complete base samples than this give intervals too wide to read.
MIN_BASE_SAMPLES = 8
CONFIDENCE = 0.95


def salib_seed(seed: int) -> int:
    """The seed given to SALib's bootstrap: ``seed + 1``, since SALib takes a seed of 0
    for "no seed" (``if seed:``) and its intervals would change from call to call."""
    return int(seed) + 1


def check_saltelli(units: Units) -> None:
    """A located error unless the sweep is a Saltelli design (what Sobol indices need)."""
    if units.design == "saltelli":
        return
    design = units.design or "unknown (a run table without its store)"
    hint = {
        "sobol": "a space-filling Sobol sequence: good for --method importance or prim, "
        "but not the points the Sobol estimator reads",
        "lhs": "a Latin hypercube: use --method importance or prim",
        "grid": "a grid: use --method importance or prim",
        "morris": "a Morris design: use --method morris",
    }.get(units.design or "", "read the store, not a table")
    raise ScenarioError(
        f"Sobol indices need a saltelli design; this sweep's design is {design}",
        path=units.source,
        field="--method",
        expected='design = "saltelli" in the sweep file (samples = N base samples)',
        found=f"design {units.design!r}: {hint}",
    )


def complete_blocks(units: Units, present: pd.Index, rows: int) -> np.ndarray:
    """The design blocks (base samples, trajectories) with every one of their ``rows`` units."""
    samples = int(units.definition.get("samples") or 0)
    have = np.zeros(samples * rows, dtype=bool)
    index = present.to_numpy(dtype=int)
    have[index[index < len(have)]] = True
    return np.flatnonzero(have.reshape(samples, rows).all(axis=1))


def sobol_indices(units: Units, kpis: list[str], resamples: int, seed: int) -> pd.DataFrame:
    """One row per (KPI, parameter): ``S1``, ``S1_ci95``, ``ST``, ``ST_ci95`` (half-widths of
    the bootstrap intervals), and the base samples used."""
    check_saltelli(units)
    analyze = require("SALib.analyze.sobol", "sobol").analyze
    rows = saltelli_rows(len(units.inputs))
    problem = {
        "num_vars": len(units.inputs),
        "names": units.inputs,
        "bounds": [[0.0, 1.0]] * len(units.inputs),
    }
    means = units.means()
    out = []
    for kpi in kpis:
        y = means[kpi].dropna()
        blocks = complete_blocks(units, y.index, rows)
        if len(blocks) < MIN_BASE_SAMPLES:
            raise ScenarioError(
                f"too few complete base samples for Sobol indices of {kpi}",
                path=units.source,
                field="--kpi",
                expected=f"at least {MIN_BASE_SAMPLES} base samples with every point done and the KPI set",
                found=f"{len(blocks)} of {units.definition.get('samples')}",
            )
        values = y.reindex((blocks[:, None] * rows + np.arange(rows)).ravel()).to_numpy(dtype=float)
        with warnings.catch_warnings(), np.errstate(all="ignore"):
            warnings.simplefilter("ignore", RuntimeWarning)  # a constant KPI: NaN indices
            result = analyze(
                problem,
                values,
                calc_second_order=False,
                num_resamples=resamples,
                conf_level=CONFIDENCE,
                seed=salib_seed(seed),
                print_to_console=False,
            )
        for j, name in enumerate(units.inputs):
            out.append(
                {
                    "kpi": kpi,
                    "parameter": name,
                    "S1": float(result["S1"][j]),
                    "S1_ci95": float(result["S1_conf"][j]),
                    "ST": float(result["ST"][j]),
                    "ST_ci95": float(result["ST_conf"][j]),
                    "samples": len(blocks),
                }
            )
    return pd.DataFrame(out, columns=["kpi", "parameter", "S1", "S1_ci95", "ST", "ST_ci95", "samples"])
