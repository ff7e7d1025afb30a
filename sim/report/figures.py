"""Figures: the county map coloured by coverage with one day's routes, lead times.

matplotlib is imported inside the functions: it costs about 0.4 s, which
``ruralsim validate`` and ``--help`` should not pay.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.kpi import village_table
from sim.records import RunRecord
from sim.records.ledger import DELIVERED, FETCHED, PARCEL_IN
from sim.report.output import atomic_path
from sim.units import MINUTES_PER_HOUR

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def _pyplot():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def coverage_map(rec: RunRecord, target: str | Path, day: int | None = None) -> None:
    """Save :func:`coverage_figure` to ``target``."""
    _save(coverage_figure(rec, day), target)


def lead_time_histogram(rec: RunRecord, target: str | Path) -> None:
    """Save :func:`lead_time_figure` to ``target``."""
    _save(lead_time_figure(rec), target)


def coverage_figure(rec: RunRecord, day: int | None = None) -> Figure:
    """Villages coloured by in-village share (covered ones ringed), roads, and one day's routes
    (the first measured day unless ``day`` is given): vans solid, trunks dashed, buses dotted."""
    plt = _pyplot()
    w = rec.places
    fig, ax = plt.subplots(figsize=(9, 8))
    if len(w.road_xy):
        from matplotlib.collections import LineCollection

        ax.add_collection(LineCollection(w.road_xy, colors="#cccccc", linewidths=0.6, zorder=1))
    if day is None:
        day = rec.scenario.warmup_days
    trips = rec.trips.table()
    colors = plt.get_cmap("tab10")
    ops = sorted(set(trips["operator"].tolist())) if len(trips["trip"]) else []
    styles = {"van": ("-", 1.2), "trunk": ("--", 1.0), "bus": (":", 1.6)}
    for t, path in enumerate(rec.trips.routes):
        if trips["day"][t] != day:
            continue
        pts = w.xy[path]
        kind = str(trips["kind"][t])
        style, width = styles.get(kind, ("-", 1.0))
        color = "#e65100" if kind == "bus" else colors(ops.index(trips["operator"][t]) % 10)
        ax.plot(pts[:, 0], pts[:, 1], style, lw=width, alpha=0.8, zorder=2, color=color)
    for k, op in enumerate(ops):
        ax.plot([], [], color=colors(k % 10), label=f"{op} vans (day {day})")
    ax.plot([], [], "--", color="#555555", label="trunks (hub - stations)")
    if len(trips["trip"]) and (trips["kind"] == "bus").any():
        ax.plot([], [], ":", lw=1.6, color="#e65100", label="bus trips with cargo")
    table = village_table(rec)
    vxy = w.xy[w.villages]
    sc = ax.scatter(
        vxy[:, 0],
        vxy[:, 1],
        c=table["in_village_share"],
        cmap="RdYlGn",
        vmin=0,
        vmax=1,
        s=20 + table["population"] / 100,
        edgecolors=np.where(table["covered"], "black", "none"),
        linewidths=1.2,
        zorder=3,
    )
    fig.colorbar(sc, ax=ax, label="share of parcels delivered in the village")
    sxy = w.xy[w.station]
    ax.scatter(sxy[:, 0], sxy[:, 1], marker="s", s=70, color="#1f4e79", zorder=4, label="town station")
    for name, (x, y) in zip(w.towns, sxy, strict=True):
        ax.annotate(name, (x, y), xytext=(4, 4), textcoords="offset points", fontsize=8)
    hx, hy = w.xy[w.hub]
    ax.scatter([hx], [hy], marker="*", s=250, color="#c00000", zorder=5, label="county hub")
    cov = table["covered"].mean()
    ax.set_title(f"{rec.scenario.name} ({rec.scenario.mode}): village coverage {cov:.0%} (ringed = covered)")
    ax.set_xlabel("km")
    ax.set_ylabel("km")
    ax.set_aspect("equal")
    ax.legend(loc="lower left", fontsize=7)
    return fig


def lead_time_figure(rec: RunRecord) -> Figure:
    """Distribution of lead times, delivered in the village versus fetched, with the SLA line."""
    plt = _pyplot()
    led = rec.ledger
    rows = rec.measured_rows(PARCEL_IN)
    lead_h = (led.delivered_t[rows] - led.created_t[rows]) / MINUTES_PER_HOUR
    status = led.status[rows]
    fig, ax = plt.subplots(figsize=(8, 4.5))
    finite = lead_h[np.isfinite(lead_h)]
    top = float(np.percentile(finite, 99.5)) if len(finite) else 72.0
    bins = np.linspace(0, max(top, rec.scenario.kpi.sla_hours) * 1.05, 60)
    shown = np.minimum(lead_h, bins[-1])  # the rare parcels later than that count in the last bar
    ax.hist(
        [shown[status == DELIVERED], shown[status == FETCHED]],
        bins=bins,
        stacked=True,
        label=["delivered in the village", "fetched from the town outlet"],
        color=["#2e7d32", "#ef6c00"],
    )
    ax.axvline(
        rec.scenario.kpi.sla_hours,
        color="black",
        ls="--",
        label=f"SLA {rec.scenario.kpi.sla_hours:g} h",
    )
    ax.set_xlabel("lead time from hub arrival (hours)")
    ax.set_ylabel("parcels")
    ax.set_title(f"{rec.scenario.name} ({rec.scenario.mode}): last-kilometre lead time")
    ax.legend()
    return fig


def _save(fig: Figure, target: str | Path) -> None:
    plt = _pyplot()
    with atomic_path(target) as tmp:
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format=Path(target).suffix.lstrip(".") or "png")
    plt.close(fig)
