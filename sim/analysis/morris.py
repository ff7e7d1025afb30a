"""Morris elementary effects (mu*, mu, sigma) of a Morris design, for screening (SALib).

The sweep's ``morris`` design (:mod:`sim.sweep.sensitivity`) is r trajectories of D + 1
points; its unit-cube rows are made again from the stored definition (and checked against
the stored parameter values), since SALib reads the direction of every step from them. An
elementary effect is the change of the KPI over a step of delta (a share of the
parameter's range) divided by delta: mu* is in KPI units per full range of the parameter.
A trajectory with a unit missing is left out whole.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from sim.analysis.extras import require
from sim.analysis.sobol import CONFIDENCE, complete_blocks, salib_seed
from sim.analysis.units import Units
from sim.scenario import ScenarioError
from sim.sweep.design import Parameter, unit_design

#: Fewer complete trajectories than this say little even for a screening.
MIN_TRAJECTORIES = 4
_VALUE_TOLERANCE = 1e-9


def check_morris(units: Units) -> None:
    """A located error unless the sweep is a Morris design."""
    if units.design != "morris":
        raise ScenarioError(
            f"Morris elementary effects need a morris design; this sweep's design is {units.design!r}",
            path=units.source,
            field="--method",
            expected='design = "morris" in the sweep file (samples = N trajectories)',
            found=f"design {units.design!r}" + ("; use --method sobol" if units.design == "saltelli" else ""),
        )


def design_rows(units: Units) -> np.ndarray:
    """The Morris design's unit-cube rows, made again and checked against the stored points."""
    d = units.definition
    rows = unit_design(
        "morris", len(units.inputs), int(d["samples"]), int(d.get("design_seed", 0)), int(d["levels"])
    )
    stored = {p["name"]: p for p in d.get("parameters", [])}
    means = units.means()
    for j, name in enumerate(units.inputs):
        p = stored[name]
        parameter = Parameter(
            name, tuple(p["paths"]), None, p["min"], p["max"], bool(p.get("integer")), bool(p.get("log"))
        )
        expected = np.asarray(parameter.from_unit(rows[means.index.to_numpy(dtype=int), j]), dtype=float)
        found = means[name].to_numpy(dtype=float)
        if not np.allclose(expected, found, rtol=_VALUE_TOLERANCE, atol=_VALUE_TOLERANCE):
            raise ScenarioError(
                "the store's points are not this ruralsim's Morris design (written by another version?)",
                path=units.source,
                field=name,
                expected="the points of the stored definition",
                found="other values",
            )
    return rows


def morris_effects(units: Units, kpis: list[str], resamples: int, seed: int) -> pd.DataFrame:
    """One row per (KPI, parameter): ``mu_star`` and its ``mu_star_ci95`` (bootstrap
    half-width), ``mu`` and ``sigma``, and the trajectories used."""
    check_morris(units)
    analyze = require("SALib.analyze.morris", "morris").analyze
    x = design_rows(units)
    width = len(units.inputs) + 1
    problem = {
        "num_vars": len(units.inputs),
        "names": units.inputs,
        "bounds": [[0.0, 1.0]] * len(units.inputs),
    }
    means = units.means()
    out = []
    for kpi in kpis:
        y = means[kpi].dropna()
        blocks = complete_blocks(units, y.index, width)
        if len(blocks) < MIN_TRAJECTORIES:
            raise ScenarioError(
                f"too few complete trajectories for Morris effects of {kpi}",
                path=units.source,
                field="--kpi",
                expected=f"at least {MIN_TRAJECTORIES} trajectories with every point done and the KPI set",
                found=f"{len(blocks)} of {units.definition.get('samples')}",
            )
        index = (blocks[:, None] * width + np.arange(width)).ravel()
        result = analyze(
            problem,
            x[index],
            y.reindex(index).to_numpy(dtype=float),
            num_resamples=resamples,
            conf_level=CONFIDENCE,
            num_levels=int(units.definition["levels"]),
            seed=salib_seed(seed),
        )
        for j, name in enumerate(units.inputs):
            out.append(
                {
                    "kpi": kpi,
                    "parameter": name,
                    "mu_star": float(result["mu_star"][j]),
                    "mu_star_ci95": float(result["mu_star_conf"][j]),
                    "mu": float(result["mu"][j]),
                    "sigma": float(result["sigma"][j]),
                    "trajectories": len(blocks),
                }
            )
    columns = ["kpi", "parameter", "mu_star", "mu_star_ci95", "mu", "sigma", "trajectories"]
    frame = pd.DataFrame(out, columns=columns)
    frame["sigma"] = frame["sigma"].map(lambda v: v if math.isfinite(v) else math.nan)
    return frame
