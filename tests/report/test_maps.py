"""The maps tested by what they draw (sim.report.maps): the artists, never file sizes.

On short real runs of the built-in county (km frame) in both modes and of the GTFS sample
county (lon/lat frame): one line per trip of the day whose vertices are the coordinates
of the fastest road path between its stops, villages coloured and ringed as
``village_table`` says, the legend outside the map, no two labels overlapping, a scale
bar as long as its label says, a north arrow, one panel per operator on one extent; bus
lines with a GTFS shape drawn along it (and the shape changes no KPI).
"""

from __future__ import annotations

import csv
import io
import warnings
import zipfile
from pathlib import Path

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pytest

import sim
from sim.kpi import village_table
from sim.records.ledger import PARCEL_IN
from sim.report import fonts, maps
from sim.report.maps import LABEL_GID, SCALE_BAR_GID, SCALE_LABEL_GID, county_map, map_frame, operator_maps

from ..golden.cases import gtfs as golden_gtfs_scenario
from ..kpi.helpers import A, B, C, RecordBuilder, at

LISHUI = Path(__file__).resolve().parents[2] / "scenarios" / "lishui.toml"
STYLE_OF_KIND = {"van": "-", "trunk": "--", "bus": ":"}


@pytest.fixture(scope="module", params=["separate", "integrated"])
def result(request):
    scenario = sim.derive(sim.load(LISHUI), {"days": 2, "warmup_days": 1, "mode": request.param})
    return sim.run(scenario, 1)


@pytest.fixture
def figure():
    made = []
    yield lambda fig: made.append(fig) or fig
    for fig in made:
        plt.close(fig)


def trip_lines(ax) -> dict[int, object]:
    return {
        int(line.get_gid().split(":")[1]): line
        for line in ax.get_lines()
        if str(line.get_gid()).startswith("trip:")
    }


def trips_of_day(rec, day, operator=None) -> list[int]:
    t = rec.trips.table()
    return [i for i in range(len(t["day"])) if t["day"][i] == day and operator in (None, t["operator"][i])]


def fastest_path_xy(world, stops) -> np.ndarray:
    """The coordinates of networkx's fastest paths between consecutive stops."""
    g = world.graph
    nodes = [world.nodes[stops[0]]]
    for a, b in zip(stops[:-1], stops[1:], strict=True):
        w = lambda u, v, d: d["length_km"] / d["speed_kmh"]  # noqa: E731
        nodes += nx.dijkstra_path(g, world.nodes[a], world.nodes[b], weight=w)[1:]
    return np.array([[g.nodes[n]["x"], g.nodes[n]["y"]] for n in nodes])


# -- routes ------------------------------------------------------------------------------


def test_one_line_per_trip_of_the_day_styled_by_kind(result, figure):
    rec = result.record
    ax = figure(county_map(result)).axes[0]
    lines, day = trip_lines(ax), rec.window.warmup_days
    assert sorted(lines) == trips_of_day(rec, day) != []
    kinds = rec.trips.table()["kind"]
    assert all(line.get_linestyle() == STYLE_OF_KIND[str(kinds[t])] for t, line in lines.items())


def test_routes_follow_the_fastest_road_paths(result, figure):
    rec, world = result.record, result.world
    lines = trip_lines(figure(county_map(result)).axes[0])
    bent = 0
    for t, line in lines.items():
        stops = rec.trips.routes[t]
        expected = fastest_path_xy(world, stops)
        assert np.allclose(line.get_xydata(), expected), t
        bent += len(expected) > len(stops)
        # the road path drawn is as long as the km the run counted for its legs
        km = np.hypot(*np.diff(expected, axis=0).T).sum()
        assert km <= world.km[stops[:-1], stops[1:]].sum() + 1e-6
    assert bent > 0  # some legs pass junctions or other places: not straight lines


def test_another_day_draws_that_days_trips(result, figure):
    rec = result.record
    day = rec.window.demand_days  # the first drain day
    assert sorted(trip_lines(figure(county_map(result, day=day)).axes[0])) == trips_of_day(rec, day)


# -- villages, stations, hub -------------------------------------------------------------


def village_scatter(fig):
    (sc,) = [c for c in fig.axes[0].collections if c.get_gid() == "villages"]
    return sc


def test_villages_coloured_by_share_and_ringed_where_covered(result, figure):
    rec = result.record
    fig = figure(county_map(result))
    fig.canvas.draw()
    sc, table = village_scatter(fig), village_table(rec)
    assert np.allclose(sc.get_offsets(), rec.places.xy[rec.places.villages])
    edges = sc.get_edgecolors()
    black = (edges[:, :3] == 0).all(axis=1) & (edges[:, 3] == 1)
    assert black.tolist() == table["covered"].tolist()
    assert np.asarray(sc.get_array()) == pytest.approx(table["in_village_share"])
    assert sc.get_facecolors() == pytest.approx(plt.get_cmap("RdYlGn")(table["in_village_share"]))


def test_stations_and_the_hub_are_marked(result, figure):
    w = result.world
    offsets = [np.asarray(c.get_offsets()) for c in figure(county_map(result)).axes[0].collections[1:]]
    assert any(o.shape == (len(w.station), 2) and np.allclose(o, w.xy[w.station]) for o in offsets)
    assert any(o.shape == (1, 2) and np.allclose(o, w.xy[[w.hub]]) for o in offsets)


def test_the_map_of_a_hand_made_record_draws_straight_legs():
    b = RecordBuilder(warmup_days=1, days=8, kpi={"min_service_days": 1.0})
    for day in range(1, 8):  # A: every parcel in the village; B: half of them; C: none
        b.item(PARCEL_IN, dest=A, created_t=at(day, 6), delivered_t=at(day, 10))
        b.item(PARCEL_IN, dest=B, created_t=at(day, 6), delivered_t=at(day, 10))
        b.item(PARCEL_IN, dest=B, created_t=at(day, 6), fetched_t=at(day + 1, 10))
        b.item(PARCEL_IN, dest=C, created_t=at(day, 6), fetched_t=at(day + 1, 10))
    b.trip(1, kind="van", path=(1, 3, 4, 1))
    b.trip(1, kind="trunk", path=(0, 1, 2, 0))
    b.trip(2, kind="van")  # another day
    rec = b.record()
    fig = county_map(rec)
    try:
        lines = trip_lines(fig.axes[0])
        assert sorted(lines) == [0, 1]
        assert np.allclose(lines[0].get_xydata(), rec.places.xy[[1, 3, 4, 1]])  # no graph: straight
        fig.canvas.draw()
        assert np.asarray(village_scatter(fig).get_array()) == pytest.approx([1.0, 0.5, 0.0])
    finally:
        plt.close(fig)


# -- what makes a map readable -------------------------------------------------------------


def test_the_legend_sits_outside_the_map(result, figure):
    fig = figure(county_map(result))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax = fig.axes[0]
    legend = ax.get_legend().get_window_extent(renderer)
    assert not legend.overlaps(ax.get_window_extent(renderer))
    assert legend.x0 > ax.get_window_extent(renderer).x1


def labels(fig) -> list:
    return [t for ax in fig.axes for t in ax.texts if t.get_gid() == LABEL_GID]


def assert_no_two_overlap(fig) -> None:
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in labels(fig)]
    for i, (a, box_a) in enumerate(boxes):
        for b, box_b in boxes[i + 1 :]:
            assert not box_a.overlaps(box_b), (a, b)


@pytest.mark.parametrize("village_names", [False, True])
def test_labels_never_overlap_and_every_town_is_named(result, figure, village_names):
    fig = figure(county_map(result, village_names=village_names))
    assert_no_two_overlap(fig)
    texts = [t.get_text() for t in labels(fig)]
    w = result.world
    assert set(w.towns) - {w.towns[k] for k in np.flatnonzero(w.station == w.hub)} <= set(texts)
    assert any(t.startswith("county hub") for t in texts)
    villages = set(texts) & {w.graph.nodes[v]["name"] for v in w.village_names}
    assert (len(villages) > len(w.villages) // 2) if village_names else not villages


def test_the_hub_label_keeps_off_the_markers(result, figure):
    """The hub's label sits beside it, not over it or over the town stations' squares."""
    fig = figure(county_map(result))
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    ax, w = fig.axes[0], result.world
    (hub,) = [t for t in labels(fig) if t.get_text().startswith("county hub")]
    box = hub.get_window_extent(renderer)
    for x, y in ax.transData.transform(w.xy[[w.hub, *w.station]]):
        assert not box.contains(x, y)


def scale_bar(ax):
    (bar,) = [line for line in ax.get_lines() if line.get_gid() == SCALE_BAR_GID]
    (text,) = [t for t in ax.texts if t.get_gid() == SCALE_LABEL_GID]
    return bar, text


def test_the_scale_bar_is_as_long_as_its_label(result, figure):
    ax = figure(county_map(result)).axes[0]
    bar, text = scale_bar(ax)
    km = float(text.get_text().removesuffix(" km"))
    assert abs(np.diff(bar.get_xdata())[0]) == pytest.approx(km)  # km frame: one unit is a km
    assert km in (1, 2, 5, 10, 20, 50)
    assert ax.get_xlabel() == "km east"


def test_a_north_arrow_points_up(result, figure):
    ax = figure(county_map(result)).axes[0]
    (arrow,) = [t for t in ax.texts if t.get_gid() == maps.NORTH_ARROW_GID]
    assert arrow.get_text() == "N"
    assert arrow.xy[1] > arrow.xyann[1] and arrow.xy[0] == arrow.xyann[0]


def test_nice_km():
    assert [maps.nice_km(k) for k in (0.07, 1.0, 3.0, 9.9, 12.0, 49.0)] == [0.05, 1.0, 2.0, 5.0, 10.0, 20.0]


# -- one panel per operator ----------------------------------------------------------------


def test_one_panel_per_operator_on_one_extent(result, figure):
    rec = result.record
    fig = figure(operator_maps(result))
    panels = [ax for ax in fig.axes if ax.get_visible()]
    ops = sorted(set(rec.trips.table()["operator"].tolist()))
    assert [ax.get_title().split(":")[0] for ax in panels] == ops
    if result.scenario.mode == "separate":
        assert len(ops) >= 3  # the postal service, the express brands, the cooperative
    limits = {(ax.get_xlim(), ax.get_ylim()) for ax in panels}
    assert len(limits) == 1
    day = rec.window.warmup_days
    for ax, op in zip(panels, ops, strict=True):
        assert sorted(trip_lines(ax)) == trips_of_day(rec, day, op)
    assert_no_two_overlap(fig)


# -- lon/lat: the GTFS sample county -------------------------------------------------------


def test_the_frame_inverts_the_networks_projection(shared_data):
    g = sim.network.gtfs_stop_graph(shared_data / "gtfs" / "sample_gtfs.zip")
    frame = map_frame(g)
    assert frame.lonlat
    xy = np.array([[d["x"], d["y"]] for _, d in g.nodes(data=True)])
    lonlat = np.array([[d["lon"], d["lat"]] for _, d in g.nodes(data=True)])
    assert np.allclose(frame.to_map(xy), lonlat, atol=1e-7)
    assert frame.aspect == pytest.approx(1 / np.cos(np.radians(g.graph["lat0"])), rel=1e-6)
    assert not map_frame(sim.network.generate_county(0, n_villages=10)).lonlat  # no lon/lat: km
    node = next(iter(g))
    g.nodes[node]["lon"] += 0.01  # one node's lon/lat disagrees with its x/y by ~1 km
    assert not map_frame(g).lonlat


def shaped_feed(source: Path, target: Path) -> Path:
    """The sample feed with a shapes.txt: each trip's shape runs through its stops with a
    bend of 0.002 degrees north between each pair."""
    with zipfile.ZipFile(source) as zf:
        files = {Path(n).name: zf.read(n).decode() for n in zf.namelist() if n.endswith(".txt")}
    stops = {
        r["stop_id"]: (float(r["stop_lon"]), float(r["stop_lat"]))
        for r in csv.DictReader(io.StringIO(files["stops.txt"]))
    }
    times = sorted(
        csv.DictReader(io.StringIO(files["stop_times.txt"])),
        key=lambda r: (r["trip_id"], int(r["stop_sequence"])),
    )
    rows, seq, last = ["shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence"], {}, (0.0, 0.0)
    for r in times:
        k = seq.get(r["trip_id"], 0)
        lon, lat = stops[r["stop_id"]]
        if k:
            plon, plat = last
            rows.append(f"sh_{r['trip_id']},{(lat + plat) / 2 + 0.002},{(lon + plon) / 2},{k}")
        rows.append(f"sh_{r['trip_id']},{lat},{lon},{k + 1}")
        seq[r["trip_id"]], last = k + 2, (lon, lat)
    files["shapes.txt"] = "\n".join(rows) + "\n"
    trips = list(csv.DictReader(io.StringIO(files["trips.txt"])))
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(trips[0]))
    writer.writeheader()
    writer.writerows({**t, "shape_id": f"sh_{t['trip_id']}"} for t in trips)
    files["trips.txt"] = out.getvalue()
    with zipfile.ZipFile(target, "w") as zf:
        for name, text in files.items():
            zf.writestr(name, text)
    return target


@pytest.fixture(scope="module")
def gtfs_results(tmp_path_factory, shared_data):
    """The golden GTFS county run for 3 days, with the sample feed and with a shaped copy
    (``shared_data`` skips when ../shared/data is not there)."""
    if not (shared_data / "gtfs" / "sample_gtfs.zip").is_file():
        pytest.skip("the GTFS sample feed is not in ../shared/data")
    tmp = tmp_path_factory.mktemp("gtfs")
    plain = golden_gtfs_scenario(tmp)
    shaped_path = shaped_feed(Path(plain.bus.gtfs.path), tmp / "shaped.zip")
    changes = {"days": 3, "warmup_days": 1, "mode": "integrated"}
    plain = sim.derive(plain, changes)
    shaped = sim.derive(plain, {"bus": {"gtfs": {"path": str(shaped_path)}}})
    return sim.run(plain, 1), sim.run(shaped, 1)


def bus_day(rec) -> int:
    t = rec.trips.table()
    days = sorted({int(d) for d, k in zip(t["day"], t["kind"], strict=True) if k == "bus"})
    assert days, "the GTFS run had no bus trip with cargo"
    return days[0]


def test_a_lonlat_network_is_drawn_in_degrees_with_a_true_scale(gtfs_results, figure):
    plain, _ = gtfs_results
    ax = figure(county_map(plain)).axes[0]
    assert ax.get_xlabel().startswith("longitude") and ax.get_ylabel().startswith("latitude")
    g = plain.world.graph
    ((hx, hy),) = [c for c in ax.collections if c.get_gid() == "hub"][0].get_offsets()
    hub = g.nodes[plain.world.nodes[plain.world.hub]]
    assert (hx, hy) == pytest.approx((hub["lon"], hub["lat"]), abs=1e-7)
    bar, text = scale_bar(ax)
    km = float(text.get_text().removesuffix(" km"))
    frame = map_frame(g)
    length_deg = abs(np.diff(bar.get_xdata())[0])
    km_per_deg = np.radians(1.0) * sim.network.geography.EARTH_RADIUS_KM * np.cos(np.radians(g.graph["lat0"]))
    assert length_deg * km_per_deg == pytest.approx(km, rel=1e-6)
    assert frame.km_per_unit_x == pytest.approx(km_per_deg, rel=1e-6)


def test_bus_lines_follow_their_gtfs_shapes_and_the_shapes_change_no_kpi(gtfs_results, figure):
    plain, shaped = gtfs_results
    assert shaped.kpis.keys() == plain.kpis.keys()  # drawing only: the same KPIs, NaN where NaN
    assert all(np.isclose(shaped.kpis[k], v, rtol=0, atol=0, equal_nan=True) for k, v in plain.kpis.items())
    lines = {ln.name: ln for ln in shaped.world.bus_lines}
    assert all(ln.shape_lonlat is not None for ln in lines.values())
    assert all(ln.shape_lonlat is None for ln in plain.world.bus_lines)  # the sample feed has none
    day = bus_day(shaped.record)
    rec, kinds = shaped.record, shaped.record.trips.table()
    for res, shapes in ((shaped, True), (plain, False)):
        drawn = trip_lines(figure(county_map(res, day=day)).axes[0])
        buses = [t for t in drawn if kinds["kind"][t] == "bus"]
        assert buses
        for t in buses:
            line = lines[str(kinds["vehicle_type"][t])]
            if shapes:
                assert np.allclose(drawn[t].get_xydata(), line.shape_lonlat)
            else:
                frame = map_frame(res.world.graph)
                expected = frame.to_map(fastest_path_xy(res.world, rec.trips.routes[t]))
                assert np.allclose(drawn[t].get_xydata(), expected)


# -- fonts -----------------------------------------------------------------------------------


def test_chinese_names_are_kept_as_text_in_svg_and_warn_once(result, tmp_path, monkeypatch):
    from sim.report.figures import _save

    rec = result.record
    towns = tuple("李家" if t == rec.places.towns[0] else t for t in rec.places.towns)
    monkeypatch.setattr(rec.places, "towns", towns)
    monkeypatch.setattr(fonts, "_warned_no_cjk", False)
    monkeypatch.setattr(fonts, "font_list", lambda: [fonts.BASE_FONT])
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fig = county_map(rec)
        _save(fig, tmp_path / "map.svg")
        _save(county_map(rec), tmp_path / "map.png")
    svg = (tmp_path / "map.svg").read_text()
    assert "李家" in svg  # text as text: the viewer's fonts render it
    messages = [str(w.message) for w in caught]
    assert sum("no CJK font" in m for m in messages) == 1
    assert not [m for m in messages if "missing from font" in m]


def test_the_fonts_fall_back_to_installed_cjk_fonts(result, figure):
    fig = figure(county_map(result))
    (hub,) = [t for t in labels(fig) if t.get_text().startswith("county hub")]
    assert hub.get_fontfamily() == fonts.font_list()
