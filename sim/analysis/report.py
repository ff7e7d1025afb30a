"""An analysis as figures, as a section of the sweep's report page, as text and as files.

:func:`analysis_figures` draws (inside the report's font settings) the method's figure —
index bars with 95 % intervals, Morris mu* and sigma, extra-trees scores, or PRIM's
trajectory and box — then the sweep report's own charts for what was analysed: each KPI
against each parameter with 95 % bands (paired differences too) and the cost-coverage
Pareto front. :func:`write_files` writes ``<method>.csv``, ``<method>.json`` and one PNG
per figure, each whole or not at all.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd
from scipy import stats

import sim.analysis.figures as figures
from sim.analysis.sobol import CONFIDENCE
from sim.analysis.units import Units
from sim.report.fonts import report_style, set_fonts

if TYPE_CHECKING:  # sim.analysis.api imports this module (Analysis.figures): no import back
    from matplotlib.figure import Figure

    from sim.report.html import Section

FIGURE_DPI = 110
#: KPI rows of the KPI-against-parameter panels (one row per KPI).
MAX_PANEL_KPIS = 6
#: What each method's figure shows: (column, interval column, legend label), y label, title.
_BARS = {
    "sobol": (
        [("S1", "S1_ci95", "first order S1"), ("ST", "ST_ci95", "total ST")],
        "Sobol index",
        "Sobol indices (bars: 95 % bootstrap intervals)",
    ),
    "morris": (
        [("mu_star", "mu_star_ci95", "mu* (95 % bootstrap interval)"), ("sigma", None, "sigma")],
        "KPI change per full range",
        "Morris elementary effects",
    ),
    "importance": (
        [("score", "score_std", "extra-trees score (bars: sd over trees)")],
        "feature score",
        "Feature scores (extra trees)",
    ),
}
CAPTIONS = {
    "indices": "First-order (S1) and total (ST) Sobol indices per KPI, 95 % bootstrap intervals",
    "effects": (
        "Morris mu* (mean absolute elementary effect, 95 % interval) and sigma (interactions, non-linearity)"
    ),
    "scores": "Extra-trees feature scores per KPI (sum 1 per KPI), spread over the trees",
    "trajectory": "PRIM peeling trajectory: each box's coverage and density; ringed, the box chosen",
    "box": "The chosen PRIM box: its limits within each restricted parameter's range",
    "parameters": "Mean per point of what was analysed against each parameter; band and bars: 95 % CI",
    "pareto": "Cost against coverage per point; ringed, the Pareto front",
}


def analysis_figures(result: Any) -> Iterator[tuple[str, Figure]]:
    """(name, figure) of the analysis: the method's, then the KPI panels and the Pareto front."""
    from sim.report import charts
    from sim.report.html import SWEEP_COST_KPI, SWEEP_COVERAGE_KPI
    from sim.sweep.summary import point_summary

    units = result.units
    with report_style() as fonts:
        drawn: list[tuple[str, Figure]] = []
        if result.prim is not None:
            drawn.append(("trajectory", figures.prim_trajectory(result.prim, result.condition or "")))
            if not result.prim.limits.empty:
                drawn.append(("box", figures.prim_limits(result.prim)))
        else:
            measures, ylabel, title = _BARS[result.method]
            name = {"sobol": "indices", "morris": "effects", "importance": "scores"}[result.method]
            drawn.append((name, figures.index_bars(result.table, measures, ylabel=ylabel, title=title)))
        shown = result.kpis[:MAX_PANEL_KPIS]
        if units.inputs and shown:
            drawn.append(("parameters", charts.sweep_panels(unit_summary(units, shown), units.inputs, shown)))
        if {SWEEP_COST_KPI, SWEEP_COVERAGE_KPI} <= set(units.base_kpis) and units.points is not None:
            summary = point_summary(units.points, units.parameters)
            drawn.append(("pareto", charts.tradeoff_figure(summary, SWEEP_COST_KPI, SWEEP_COVERAGE_KPI)))
        for _, fig in drawn:
            set_fonts(fig, fonts)
    yield from drawn


def findings_text(result: Any) -> str:
    """The findings for the terminal: the table, the noise per KPI and the notes (the
    warnings are :attr:`Analysis.warnings`, which the command writes to stderr)."""
    lines = [f"{result.method} analysis of sweep {result.name} ({result.units.design or 'a run table'})"]
    if result.units.pair:
        lines.append(
            f"paired on {result.units.pair}: levels {', '.join(result.units.levels)}; "
            f"<level>_minus_{result.units.levels[0]}.<kpi> is the run-by-run difference"
        )
    if result.prim is not None:
        chosen = result.prim.trajectory.loc[result.prim.chosen]
        lines.append(
            f"condition: {result.condition} holds at {result.prim.cases} of {result.prim.units} points; "
            f"box {result.prim.chosen}: coverage {chosen['coverage']:.3f}, density {chosen['density']:.3f}, "
            f"mass {chosen['mass']:.3f}, {int(chosen['res_dim'])} parameter(s) restricted"
        )
    counts = [c for c in ("samples", "trajectories", "points", "box") if c in result.table]
    table = result.table.drop(columns=counts)
    shown = table.to_string(index=False, float_format=lambda v: f"{v:.4g}")
    lines.append(shown if not table.empty else "(no box)")
    lines.append("noise share (replication noise / variance of the point means):")
    for row in result.noise.itertuples():
        share = "n/a" if math.isnan(row.noise_share) else f"{row.noise_share:.1%}"
        lines.append(f"  {row.kpi}: {share} ({row.replications_min}+ replications)")
    lines += [f"note: {n}" for n in result.notes]
    return "\n".join(lines)


def analysis_section(result: Any, drawn: list[tuple[str, Figure]]) -> Section:
    """The analysis as a section of the sweep report: the findings table and the figures."""
    from sim.report.html import Section, Table

    section = Section(f"analysis-{result.method}", f"Analysis: {result.method}")
    section.intro = " ".join([*result.notes, *(f"Warning: {w}" for w in result.warnings)])
    frame = result.to_frame()
    rows = [{"cells": [_cell(v) for v in row]} for row in frame.itertuples(index=False)]
    section.tables.append(Table("findings", [str(c) for c in frame.columns], rows, text_columns=(0, 1)))
    for name, fig in drawn:
        section.add_figure(fig, CAPTIONS.get(name, name))
    return section


def write_files(result: Any, folder: Path, drawn: list[tuple[str, Figure]]) -> list[Path]:
    """``<method>.csv`` (:meth:`Analysis.to_frame`), ``<method>.json`` and
    ``<method>-<figure>.png`` in ``folder``; returns the paths written."""
    from sim.atomic import atomic_path, write_text
    from sim.sweep.summary import export

    folder.mkdir(parents=True, exist_ok=True)
    written = [export(result.to_frame(), folder / f"{result.method}.csv", option="--out")]
    target = folder / f"{result.method}.json"
    write_text(target, json.dumps(result.to_json(), indent=2, default=str) + "\n")
    written.append(target)
    for name, fig in drawn:
        target = folder / f"{result.method}-{name}.png"
        with atomic_path(target) as tmp:
            fig.savefig(tmp, dpi=FIGURE_DPI, format="png")
        written.append(target)
    return written


def _cell(value: object) -> str:
    if isinstance(value, float):
        return "" if math.isnan(value) else f"{value:.4g}"
    return "" if value is None or (isinstance(value, float) and pd.isna(value)) else str(value)


def unit_summary(units: Units, kpis: Sequence[str]) -> pd.DataFrame:
    """Per unit, in :func:`sim.sweep.summary.point_summary`'s layout (``point``, inputs,
    ``done``, ``<kpi>.mean``, ``<kpi>.ci95``), for the sweep report's charts."""
    grouped = units.runs.groupby("unit", sort=True)
    out = grouped[units.inputs].first().reset_index().rename(columns={"unit": "point"})
    out["done"], out["failed"] = grouped.size().to_numpy(), 0
    for kpi in kpis:
        n = grouped[kpi].count().to_numpy(dtype=float)
        with np.errstate(all="ignore"):
            t = stats.t.ppf(0.5 + CONFIDENCE / 2.0, np.maximum(n - 1, 1))
            half = np.where(n > 1, t * grouped[kpi].std(ddof=1).to_numpy(dtype=float) / np.sqrt(n), math.nan)
        out[f"{kpi}.mean"], out[f"{kpi}.ci95"] = grouped[kpi].mean().to_numpy(dtype=float), half
    return out
