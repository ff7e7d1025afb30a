"""The figures tested by what they draw (sim.report.figures), not by the size of a file.

On a short real run of the built-in county in both modes (two days, the first a warm-up):
one route line per trip of the day drawn (vans solid, trunks dashed, buses dotted), one
point per village, ringed exactly where ``village_table`` says covered, coloured by the
in-village share; the lead-time histogram holds every delivered and fetched parcel, with
the SLA line where the scenario puts it. A few hand-made records check what a short run
cannot show.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib.image
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.colors import to_rgba

import sim
from sim.kpi import village_table
from sim.records.ledger import DELIVERED, FETCHED, PARCEL_IN
from sim.report.figures import coverage_figure, coverage_map, lead_time_figure, lead_time_histogram

from ..kpi.helpers import A, B, C, RecordBuilder, at

LISHUI = Path(__file__).resolve().parents[2] / "scenarios" / "lishui.toml"

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
STYLE_OF_KIND = {"van": "-", "trunk": "--", "bus": ":"}
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


def drawn_routes(fig) -> dict[str, list[tuple]]:
    """Per line style, the routes drawn (as x coordinates); legend entries have no data."""
    out: dict[str, list[tuple]] = {style: [] for style in STYLE_OF_KIND.values()}
    for line in fig.axes[0].get_lines():
        if len(line.get_xdata()):
            out[line.get_linestyle()].append(tuple(np.round(line.get_xdata(), 9)))
    return out


def routes_of_day(rec, day: int) -> dict[str, list[tuple]]:
    trips = rec.trips.table()
    out: dict[str, list[tuple]] = {style: [] for style in STYLE_OF_KIND.values()}
    for t, path in enumerate(rec.trips.routes):
        if trips["day"][t] == day:
            out[STYLE_OF_KIND[str(trips["kind"][t])]].append(tuple(np.round(rec.places.xy[path][:, 0], 9)))
    return out


def village_scatter(rec, fig):
    (sc,) = [c for c in fig.axes[0].collections if len(c.get_offsets()) == len(rec.places.villages)]
    return sc


# -- coverage map -------------------------------------------------------------------------


def test_one_route_line_per_trip_of_the_day_by_kind(rec, figure):
    fig = figure(coverage_figure(rec))
    day = rec.window.warmup_days  # the first measured day, by default
    drawn, expected = drawn_routes(fig), routes_of_day(rec, day)
    trips = rec.trips.table()
    for kind, style in STYLE_OF_KIND.items():
        n = int(((trips["day"] == day) & (trips["kind"] == kind)).sum())
        assert len(drawn[style]) == n, kind
        assert sorted(drawn[style]) == sorted(expected[style]), kind
    assert sum(len(v) for v in drawn.values()) > 0  # the run had trips that day


def test_another_day_draws_that_days_trips(rec, figure):
    day = rec.window.demand_days  # the first drain day
    drawn = drawn_routes(figure(coverage_figure(rec, day=day)))
    expected = routes_of_day(rec, day)
    assert {k: sorted(v) for k, v in drawn.items()} == {k: sorted(v) for k, v in expected.items()}


def test_one_point_per_village_ringed_where_covered(rec, figure):
    fig = figure(coverage_figure(rec))
    sc, table = village_scatter(rec, fig), village_table(rec)
    assert np.allclose(sc.get_offsets(), rec.places.xy[rec.places.villages])
    edges = sc.get_edgecolors()
    black = (edges[:, :3] == 0).all(axis=1) & (edges[:, 3] == 1)
    assert black.tolist() == table["covered"].tolist()
    assert (edges[~black, 3] == 0).all()  # the others have no edge at all


def test_village_colours_follow_the_in_village_share(rec, figure):
    fig = figure(coverage_figure(rec))
    fig.canvas.draw()  # colours are mapped at draw time
    sc, table = village_scatter(rec, fig), village_table(rec)
    assert np.asarray(sc.get_array()) == pytest.approx(table["in_village_share"])
    assert (sc.norm.vmin, sc.norm.vmax) == (0, 1)
    expected = plt.get_cmap("RdYlGn")(table["in_village_share"])
    assert sc.get_facecolors() == pytest.approx(expected)


def test_stations_and_the_hub_are_marked(rec, figure):
    fig = figure(coverage_figure(rec))
    w = rec.places
    offsets = [np.asarray(c.get_offsets()) for c in fig.axes[0].collections[1:]]
    assert any(o.shape == (len(w.station), 2) and np.allclose(o, w.xy[w.station]) for o in offsets)
    assert any(o.shape == (1, 2) and np.allclose(o, w.xy[[w.hub]]) for o in offsets)


def test_the_map_of_a_hand_made_record():
    b = RecordBuilder(warmup_days=1, days=8, kpi={"min_service_days": 1.0})
    for day in range(1, 8):  # A: every parcel in the village; B: half of them; C: none
        b.item(PARCEL_IN, dest=A, created_t=at(day, 6), delivered_t=at(day, 10))
        b.item(PARCEL_IN, dest=B, created_t=at(day, 6), delivered_t=at(day, 10))
        b.item(PARCEL_IN, dest=B, created_t=at(day, 6), fetched_t=at(day + 1, 10))
        b.item(PARCEL_IN, dest=C, created_t=at(day, 6), fetched_t=at(day + 1, 10))
    b.trip(1, kind="van", path=(1, 3, 4, 1))
    b.trip(1, kind="van", path=(2, 5, 2))
    b.trip(1, kind="trunk", path=(0, 1, 2, 0))
    b.trip(1, kind="bus", fee=5.0, path=(1, 4, 1))
    b.trip(2, kind="van")  # another day
    rec = b.record()
    fig = coverage_figure(rec)
    try:
        assert {k: len(v) for k, v in drawn_routes(fig).items()} == {"-": 2, "--": 1, ":": 1}
        fig.canvas.draw()
        sc = village_scatter(rec, fig)
        assert np.asarray(sc.get_array()) == pytest.approx([1.0, 0.5, 0.0])
        assert (sc.get_edgecolors()[:, 3] == 1).tolist() == [True, False, False]  # only A: 100 %
        assert sc.get_facecolors() == pytest.approx(plt.get_cmap("RdYlGn")([1.0, 0.5, 0.0]))
    finally:
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
