"""The analyses' figures, as matplotlib Figures: index bars with intervals, PRIM's trajectory
and box. The KPI-against-parameter panels and the cost-coverage Pareto front are the sweep
report's own (:func:`sim.report.charts.sweep_panels`, :func:`~sim.report.charts.tradeoff_figure`).

Drawn inside :func:`sim.report.fonts.report_style` by the caller (fonts, SVG text as text).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from sim.report.fonts import pyplot

if TYPE_CHECKING:
    from matplotlib.figure import Figure

    from sim.analysis.prim import PrimFinding

PANEL_COLUMNS = 2
PANEL_INCHES = (5.0, 2.8)
CHOSEN_COLOR = "#c00000"
BOX_COLOR = "#1f77b4"
RANGE_COLOR = "#dddddd"


def index_bars(
    table: pd.DataFrame, measures: Sequence[tuple[str, str | None, str]], *, ylabel: str, title: str
) -> Figure:
    """One panel per KPI, one group of bars per parameter: each ``(column, ci column or
    None, label)`` of ``measures`` a bar with its 95 % interval as error bar."""
    plt = pyplot()
    kpis = list(dict.fromkeys(table["kpi"]))
    rows = max(math.ceil(len(kpis) / PANEL_COLUMNS), 1)
    cols = min(max(len(kpis), 1), PANEL_COLUMNS)
    fig, axes = plt.subplots(
        rows, cols, figsize=(PANEL_INCHES[0] * cols, PANEL_INCHES[1] * rows), squeeze=False
    )
    width = 0.8 / max(len(measures), 1)
    for ax, kpi in zip(axes.flat, kpis, strict=False):
        part = table[table["kpi"] == kpi]
        x = np.arange(len(part))
        for m, (column, ci, label) in enumerate(measures):
            errors = np.nan_to_num(part[ci].to_numpy(float)) if ci else None
            ax.bar(
                x + (m - (len(measures) - 1) / 2) * width,
                np.nan_to_num(part[column].to_numpy(float)),
                width,
                yerr=errors,
                capsize=3,
                label=label,
            )
        ax.set_xticks(x, [_short(p) for p in part["parameter"]], fontsize=7, rotation=15)
        ax.set_title(kpi, fontsize=8)
        ax.set_ylabel(ylabel, fontsize=8)
        ax.axhline(0.0, color="black", lw=0.5)
    for ax in axes.flat[len(kpis) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=max(len(labels), 1))
    fig.suptitle(title)
    fig.set_layout_engine("constrained")
    return fig


def prim_trajectory(finding: PrimFinding, condition: str) -> Figure:
    """PRIM's peeling trajectory: density against coverage, coloured by the number of
    restricted parameters, the chosen box ringed (EMA Workbench's trade-off view; a legend,
    not a colour bar, which constrained layout cannot always place)."""
    plt = pyplot()
    t = finding.trajectory
    fig, ax = plt.subplots(figsize=(6.5, 4.2))
    colors = plt.get_cmap("viridis")
    dims = sorted(int(d) for d in t["res_dim"].unique())
    for k, dim in enumerate(dims):
        part = t[t["res_dim"] == dim]
        color = colors(k / max(len(dims) - 1, 1))
        ax.scatter(part["coverage"], part["density"], color=color, s=18, label=f"{dim} restricted")
    chosen = t.loc[finding.chosen]
    ax.scatter(
        [chosen["coverage"]],
        [chosen["density"]],
        s=140,
        facecolors="none",
        edgecolors=CHOSEN_COLOR,
        label=f"box {finding.chosen}: coverage {chosen['coverage']:.2f}, density {chosen['density']:.2f}",
    )
    ax.set_xlabel("coverage (share of the cases in the box)")
    ax.set_ylabel("density (share of the box that are cases)")
    ax.set_title(f"PRIM peeling trajectory: {condition}", fontsize=9)
    ax.legend(loc="lower left", fontsize=7)
    fig.set_layout_engine("constrained")
    return fig


def prim_limits(finding: PrimFinding) -> Figure:
    """The chosen box's limits: per restricted parameter its full range (grey) and the box
    (blue), scaled to the range, with the numbers written beside."""
    plt = pyplot()
    limits = finding.limits
    fig, ax = plt.subplots(figsize=(6.5, 0.6 * max(len(limits), 1) + 1.2))
    for i, row in enumerate(limits.itertuples()):
        ax.barh(i, 1.0, color=RANGE_COLOR)
        if isinstance(row.low, str):  # categories
            ax.barh(i, 1.0, color=BOX_COLOR, alpha=0.5)
            ax.text(0.5, i, row.low, ha="center", va="center", fontsize=7)
            continue
        span = float(row.full_high) - float(row.full_low) or 1.0
        lo, hi = (float(row.low) - float(row.full_low)) / span, (float(row.high) - float(row.full_low)) / span
        ax.barh(i, hi - lo, left=lo, color=BOX_COLOR)
        ax.text(lo, i + 0.3, f"{float(row.low):.4g}", ha="center", fontsize=7)
        ax.text(hi, i + 0.3, f"{float(row.high):.4g}", ha="center", fontsize=7)
    ax.set_yticks(np.arange(len(limits)), [_short(p) for p in limits["parameter"]], fontsize=8)
    ax.set_xlim(-0.05, 1.05)
    ax.set_xticks([0, 1], ["range low", "range high"], fontsize=7)
    ax.set_title(f"PRIM box {finding.chosen}: where the condition holds", fontsize=9)
    fig.set_layout_engine("constrained")
    return fig


def _short(name: str) -> str:
    """A field path shortened for a tick label: its last two parts."""
    parts = str(name).split(".")
    return ".".join(parts[-2:])
