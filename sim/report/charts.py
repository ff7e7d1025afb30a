"""Charts of the report: estimates as bars with 95 % error bars, daily series, sweep plots.

Every chart function returns a :class:`matplotlib.figure.Figure` (a notebook shows it;
:mod:`sim.report.html` embeds it as SVG). They draw what they are given and compute
nothing of the simulation: estimates are read by their ``mean`` and ``half_width``. The
sweep charts read :func:`sim.sweep.summary.point_summary`'s table (``<kpi>.mean`` and
``<kpi>.ci95`` columns).

Fonts and the back end are :mod:`sim.report.fonts`' (draw inside
:func:`~sim.report.fonts.report_style`). matplotlib is imported inside the functions
(``ruralsim validate`` should not pay it).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import numpy as np

from sim.report.fonts import pyplot

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from sim.kpi.stats import Estimate

PANEL_COLUMNS = 3  # KPI panels per row
PANEL_INCHES = (3.6, 2.6)  # width, height of one panel
BAND_ALPHA = 0.2  # CI bands of the sweep lines
MAX_SWEEP_LINES = 8  # more groups of the other parameters than this: points, not lines
PARETO_COLOR = "#c00000"


def _half_widths(estimates: Sequence[Estimate | None]) -> np.ndarray:
    """Half-widths for error bars: 0 where there is no interval (one replication, no value)."""
    return np.array(
        [0.0 if e is None or math.isnan(e.half_width) else e.half_width for e in estimates], dtype=float
    )


def _means(estimates: Sequence[Estimate | None]) -> np.ndarray:
    return np.array([math.nan if e is None else e.mean for e in estimates], dtype=float)


def _bars(ax: Axes, groups: Mapping[str, Mapping[str, Estimate]], keys: Sequence[str]) -> None:
    """Beside each other for every key, one bar per group (mean) with its 95 % error bar."""
    plt = pyplot()
    width = 0.8 / max(len(groups), 1)
    colors = plt.get_cmap("tab10")
    x = np.arange(len(keys))
    for g, (group, estimates) in enumerate(groups.items()):
        chosen = [estimates.get(k) for k in keys]
        ax.bar(
            x + (g - (len(groups) - 1) / 2) * width,
            np.nan_to_num(_means(chosen)),
            width,
            yerr=_half_widths(chosen),
            capsize=3,
            color=colors(g % 10),
            label=group,
        )


def kpi_bars(
    groups: Mapping[str, Mapping[str, Estimate]], kpis: Sequence[tuple[str, str]], *, title: str = ""
) -> Figure:
    """One panel per KPI (``kpis`` are (name, label)), one bar per group (mode or ladder
    level) at its mean, with the 95 % interval as error bar; KPIs no group has are left out."""
    plt = pyplot()
    shown = [(k, label) for k, label in kpis if any(k in g for g in groups.values())]
    rows = max(math.ceil(len(shown) / PANEL_COLUMNS), 1)
    cols = min(max(len(shown), 1), PANEL_COLUMNS)
    fig, axes = plt.subplots(
        rows, cols, figsize=(PANEL_INCHES[0] * cols, PANEL_INCHES[1] * rows), squeeze=False
    )
    for ax, (name, label) in zip(axes.flat, shown, strict=False):
        _bars(ax, groups, [name])
        ax.set_xticks([])
        ax.set_title(label, fontsize=9)
    for ax in axes.flat[len(shown) :]:
        ax.set_visible(False)
    handles, labels = axes.flat[0].get_legend_handles_labels()
    fig.legend(handles, labels, loc="outside lower center", ncols=max(len(labels), 1))
    if title:
        fig.suptitle(title)
    fig.set_layout_engine("constrained")
    return fig


def grouped_bars(
    groups: Mapping[str, Mapping[str, Estimate]],
    categories: Sequence[tuple[str, str]],
    *,
    ylabel: str,
    title: str = "",
) -> Figure:
    """Bars of one unit side by side: ``categories`` (key, label) along x (flows, vehicle
    kinds), one bar per group at its mean with the 95 % interval as error bar."""
    plt = pyplot()
    fig, ax = plt.subplots(figsize=(7.5, 3.4))
    _bars(ax, groups, [k for k, _ in categories])
    ax.set_xticks(np.arange(len(categories)), [label for _, label in categories])
    ax.set_ylabel(ylabel)
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    if title:
        ax.set_title(title)
    fig.set_layout_engine("constrained")
    return fig


DAILY_PANELS = (
    ("items_created", "items per day (all flows)"),
    ("on_time_share", "share of the day's items on time"),
    ("backlog_items", "end-of-day backlog, items"),
)


def daily_lines(series: Mapping[str, pd.DataFrame]) -> Figure:
    """The measured days, one line per group: volume, on-time share, backlog (the columns of
    :data:`DAILY_PANELS` of each group's table, by ``date``)."""
    plt = pyplot()
    fig, axes = plt.subplots(len(DAILY_PANELS), 1, figsize=(7.5, 2.2 * len(DAILY_PANELS)), sharex=True)
    for ax, (column, label) in zip(axes, DAILY_PANELS, strict=True):
        for group, table in series.items():
            ax.plot(table["day"].to_numpy(), table[column].to_numpy(), marker=".", label=group)
        ax.set_ylabel(label, fontsize=8)
    axes[0].legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    axes[-1].set_xlabel("simulated day")
    fig.set_layout_engine("constrained")
    return fig


def pareto_front(cost: Sequence[float], coverage: Sequence[float]) -> np.ndarray:
    """Mask of the points no other point beats: none with cost as low or lower and coverage
    as high or higher, better in one of them. Points with a NaN are never on the front.

    >>> pareto_front([1.0, 2.0, 3.0, 2.0], [0.5, 0.9, 0.8, 0.4]).tolist()
    [True, True, False, False]
    """
    c, v = np.asarray(cost, dtype=float), np.asarray(coverage, dtype=float)
    valid = ~(np.isnan(c) | np.isnan(v))
    no_worse = (c[None, :] <= c[:, None]) & (v[None, :] >= v[:, None])
    better = (c[None, :] < c[:, None]) | (v[None, :] > v[:, None])
    dominated = (no_worse & better & valid[None, :]).any(axis=1)
    return valid & ~dominated


def tradeoff_figure(summary: pd.DataFrame, cost_kpi: str, coverage_kpi: str) -> Figure:
    """Cost against coverage, one point per sweep point with its 95 % intervals both ways;
    the Pareto front (:func:`pareto_front`) ringed in red and joined in order of cost."""
    plt = pyplot()
    cost, cov = summary[f"{cost_kpi}.mean"].to_numpy(float), summary[f"{coverage_kpi}.mean"].to_numpy(float)
    front = pareto_front(cost, cov)
    fig, ax = plt.subplots(figsize=(7.0, 4.6))
    ax.errorbar(
        cost,
        cov,
        xerr=np.nan_to_num(summary[f"{cost_kpi}.ci95"].to_numpy(float)),
        yerr=np.nan_to_num(summary[f"{coverage_kpi}.ci95"].to_numpy(float)),
        fmt="o",
        color="#777777",
        ecolor="#bbbbbb",
        label="sweep points (95% CI)",
    )
    order = np.argsort(cost[front])
    ax.plot(
        cost[front][order],
        cov[front][order],
        "o-",
        color=PARETO_COLOR,
        mfc="none",
        ms=10,
        label="Pareto front",
        gid="pareto",
    )
    for point, x, y in zip(summary["point"], cost, cov, strict=True):
        ax.annotate(str(point), (x, y), xytext=(4, 3), textcoords="offset points", fontsize=7)
    ax.set_xlabel(cost_kpi)
    ax.set_ylabel(coverage_kpi)
    ax.set_title("cost against coverage: upper left is better")
    ax.legend(loc="upper left", bbox_to_anchor=(1.0, 1.0))
    fig.set_layout_engine("constrained")
    return fig


def _axis_values(values: pd.Series) -> tuple[np.ndarray, list[str] | None]:
    """A parameter's values as x positions: numbers as they are, anything else as categories
    (returns the positions and the category labels, None for numbers)."""
    try:
        return values.to_numpy(dtype=float), None
    except (TypeError, ValueError):
        labels = sorted({str(v) for v in values})
        return np.array([labels.index(str(v)) for v in values], dtype=float), labels


def _parameter_panel(ax: Axes, summary: pd.DataFrame, parameter: str, kpi: str, others: list[str]) -> None:
    """KPI against one parameter: a line with its CI band per combination of the other
    parameters (points with error bars when there are too many of them, or single points)."""
    x_all, labels = _axis_values(summary[parameter])
    keys = summary[others].astype(str).agg(" ".join, axis=1) if others else None
    groups = list(dict.fromkeys(keys)) if keys is not None else [None]
    lines = len(groups) <= MAX_SWEEP_LINES
    if not lines:  # a sampled design: every point alone, drawn at once (thousands of points)
        mean, half = summary[f"{kpi}.mean"].to_numpy(float), summary[f"{kpi}.ci95"].to_numpy(float)
        ax.errorbar(x_all, mean, yerr=np.nan_to_num(half), fmt="o", ms=2, elinewidth=0.5, alpha=0.6)
        groups = []
    for group in groups:
        pick = np.ones(len(summary), bool) if group is None else (keys == group).to_numpy()
        order = np.argsort(x_all[pick], kind="stable")
        x = x_all[pick][order]
        mean = summary[f"{kpi}.mean"].to_numpy(float)[pick][order]
        half = np.nan_to_num(summary[f"{kpi}.ci95"].to_numpy(float)[pick][order])
        label = None if group is None or not lines else group
        if lines and len(x) > 1:
            (line,) = ax.plot(x, mean, marker="o", ms=3, label=label)
            ax.fill_between(x, mean - half, mean + half, alpha=BAND_ALPHA, color=line.get_color())
        else:
            ax.errorbar(x, mean, yerr=half, fmt="o", ms=3, capsize=2, label=label)
    if labels is not None:
        ax.set_xticks(np.arange(len(labels)), labels, fontsize=7, rotation=20)
    ax.set_xlabel(parameter, fontsize=8)
    ax.set_ylabel(kpi, fontsize=8)


def sweep_panels(summary: pd.DataFrame, parameters: Sequence[str], kpis: Sequence[str]) -> Figure:
    """Each KPI (rows) against each parameter (columns) of a sweep, mean and 95 % CI band."""
    plt = pyplot()
    fig, axes = plt.subplots(
        len(kpis),
        len(parameters),
        figsize=(PANEL_INCHES[0] * len(parameters) + 1.5, PANEL_INCHES[1] * len(kpis)),
        squeeze=False,
    )
    for r, kpi in enumerate(kpis):
        for c, parameter in enumerate(parameters):
            others = [p for p in parameters if p != parameter]
            _parameter_panel(axes[r][c], summary, parameter, kpi, others)
            if r == 0 and axes[r][c].get_legend_handles_labels()[1]:
                axes[r][c].legend(fontsize=6, title=", ".join(others), title_fontsize=6)
    fig.set_layout_engine("constrained")
    return fig
