"""The figures tested by what they draw (sim.report.figures), not by the size of a file.

On a short real run of the built-in county in both modes (two days, the first a warm-up):
the lead-time histogram holds every delivered and fetched parcel, with the SLA line where
the scenario puts it; the save wrappers write PNGs (the coverage map is
:func:`sim.report.maps.county_map`, tested in test_maps.py). A few hand-made records check
what a short run cannot show.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

import sim
from sim.records.ledger import DELIVERED, FETCHED, PARCEL_IN
from sim.report.figures import coverage_map, lead_time_figure, lead_time_histogram

from ..kpi.helpers import A, B, RecordBuilder, at

LISHUI = Path(__file__).resolve().parents[2] / "scenarios" / "lishui.toml"

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
GREEN, ORANGE = to_rgba("#2e7d32"), to_rgba("#ef6c00")  # delivered in the village, fetched


@pytest.fixture(scope="module", params=["separate", "integrated"])
def rec(request):
    scenario = sim.derive(sim.load(LISHUI), {"days": 2, "warmup_days": 1, "mode": request.param})
    return sim.run(scenario, 1).record


@pytest.fixture
def figure():
    """Figures made in a test, closed after it."""
    made = []

    def keep(fig):
        made.append(fig)
        return fig

    yield keep
    for fig in made:
        plt.close(fig)


# -- lead-time histogram ------------------------------------------------------------------


def bar_counts(fig) -> dict[tuple, float]:
    counts: dict[tuple, float] = {}
    for p in fig.axes[0].patches:
        key = tuple(np.round(p.get_facecolor(), 6))
        counts[key] = counts.get(key, 0.0) + p.get_height()
    return counts


def test_the_histogram_holds_every_delivered_and_fetched_parcel(rec, figure):
    fig = figure(lead_time_figure(rec))
    status = rec.ledger.status[rec.measured_rows(PARCEL_IN)]
    counts = bar_counts(fig)
    assert counts.get(tuple(np.round(GREEN, 6)), 0) == (status == DELIVERED).sum()
    assert counts.get(tuple(np.round(ORANGE, 6)), 0) == (status == FETCHED).sum()
    assert sum(counts.values()) == ((status == DELIVERED) | (status == FETCHED)).sum()


def test_the_sla_line_is_at_sla_hours(rec, figure):
    fig = figure(lead_time_figure(rec))
    lines = [line for line in fig.axes[0].get_lines() if line.get_linestyle() == "--"]
    assert len(lines) == 1
    assert list(lines[0].get_xdata()) == [rec.scenario.kpi.sla_hours] * 2


def test_the_sla_line_moves_with_the_scenario():
    b = RecordBuilder(kpi={"sla_hours": 20.0})
    b.item(PARCEL_IN, dest=A, created_t=at(1, 6), delivered_t=at(1, 12))
    fig = lead_time_figure(b.record())
    try:
        (line,) = [line for line in fig.axes[0].get_lines() if line.get_linestyle() == "--"]
        assert list(line.get_xdata()) == [20.0, 20.0]
        assert sum(bar_counts(fig).values()) == 1
    finally:
        plt.close(fig)


def test_a_late_parcel_beyond_the_bins_is_still_counted():
    b = RecordBuilder()
    for _ in range(200):
        b.item(PARCEL_IN, dest=A, created_t=at(1, 6), delivered_t=at(1, 16))  # 10 h
    b.item(PARCEL_IN, dest=B, created_t=at(1, 6), fetched_t=at(1, 6) + 200 * 60)  # 200 h
    fig = lead_time_figure(b.record())
    try:
        assert sum(bar_counts(fig).values()) == 201  # the 200 h parcel is in the last bar
    finally:
        plt.close(fig)


# -- the save wrappers --------------------------------------------------------------------


def test_the_wrappers_save_pngs(rec, tmp_path):
    coverage_map(rec, tmp_path / "map.png")
    lead_time_histogram(rec, tmp_path / "lead.png")
    for name in ("map.png", "lead.png"):
        data = (tmp_path / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        image = matplotlib.image.imread(tmp_path / name)
        assert (image != image[0, 0]).any(), name  # not one colour all over
    assert sorted(p.name for p in tmp_path.iterdir()) == ["lead.png", "map.png"]
    assert not plt.get_fignums()  # the wrappers close what they draw
