"""Figures: the lead-time histogram, and saving figures (the maps are :mod:`sim.report.maps`).

matplotlib is imported inside the functions: it costs about 0.4 s, which
``ruralsim validate`` and ``--help`` should not pay.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

import numpy as np

from sim.records import RunRecord
from sim.records.ledger import DELIVERED, FETCHED, PARCEL_IN
from sim.report.fonts import pyplot, quiet_glyphs
from sim.report.output import atomic_path
from sim.units import MINUTES_PER_HOUR

if TYPE_CHECKING:
    from matplotlib.figure import Figure


def coverage_map(rec: RunRecord, target: str | Path, day: int | None = None) -> None:
    """Save :func:`sim.report.maps.county_map` of ``rec`` (the trips of ``day``) to ``target``."""
    from sim.report.maps import county_map

    _save(county_map(rec, day=day), target)


def operator_panels(rec: RunRecord, target: str | Path, day: int | None = None) -> None:
    """Save :func:`sim.report.maps.operator_maps` of ``rec`` (one panel per operator) to ``target``."""
    from sim.report.maps import operator_maps

    _save(operator_maps(rec, day=day), target)


def lead_time_histogram(rec: RunRecord, target: str | Path) -> None:
    """Save :func:`lead_time_figure` to ``target``."""
    _save(lead_time_figure(rec), target)


def lead_time_figure(rec: RunRecord) -> Figure:
    """Distribution of lead times, delivered in the village versus fetched, with the SLA line."""
    plt = pyplot()
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
    """Write ``fig`` (format from the suffix; SVG keeps text as text) and close it."""
    import matplotlib

    plt = pyplot()
    with atomic_path(target) as tmp, matplotlib.rc_context({"svg.fonttype": "none"}), quiet_glyphs():
        fig.savefig(tmp, dpi=110, bbox_inches="tight", format=Path(target).suffix.lstrip(".") or "png")
    plt.close(fig)
