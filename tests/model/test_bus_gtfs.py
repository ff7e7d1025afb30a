"""Bus lines read from GTFS inside a scenario (``[bus.gtfs]``), carrying cargo.

Two counties: a village graph built from the stops of the real GTFS sample feed (the
"Demo Transit Authority"), and the hand county of ``test_flows_hand.py`` with a tiny feed
written here, whose stops are mapped onto its nodes and whose times give exact hand-overs.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

import sim
from sim.network import gtfs_stop_graph, write_graphml
from sim.records.ledger import DELIVERED, PARCEL_IN, PARCEL_OUT

# ----------------------------------------------------------------------------- the sample feed
# From the feed's stop_times.txt: trip CITY1 leaves STAGECOACH at 6:00 and leaves NANAA,
# NADAV, DADAN, EMSI at 6:07, 6:14, 6:21, 6:28; frequencies.txt repeats it every 10 min
# from 8:00 to 10:00 and every 30 min from 10:00 to 16:00.
# Arrival at each stop after the 06:00 departure (sample feed, trip CITY1): hand-over is on arrival.
CITY_OFFSETS = {"NANAA": 5.0, "NADAV": 12.0, "DADAN": 19.0, "EMSI": 26.0}

SAMPLE_SCENARIO = """\
name = "sample-gtfs"
mode = "{mode}"
days = 3
warmup_days = 1

[network]
source = "graphml"
path = "sample.graphml"

[stations]
dispatch_times = ["15:00"]   # vans late in the day: buses from 09:00 are sooner

[bus]
generate_per_town = 0

[bus.gtfs]
path = "{feed}"
{extra}
"""


def sample_county(tmp_path: Path, feed: Path, *, drop: str | None = None, mode="integrated", extra=""):
    """Graph of the feed's stops: the busiest stop (BEATTY_AIRPORT) is the county hub; the
    CITY line's terminus STAGECOACH is made the town station (the generator picks BULLFROG,
    from which no freight-hour trip leaves), every other stop is a village of 800."""
    G = gtfs_stop_graph(feed, population=800)
    assert G.nodes["BEATTY_AIRPORT"]["kind"] == "county_hub"
    G.nodes["STAGECOACH"]["kind"] = "town_station"
    G.nodes["BULLFROG"]["kind"] = "village"
    if drop is not None:
        G.remove_node(drop)
    write_graphml(G, tmp_path / "sample.graphml")
    path = tmp_path / "sample.toml"
    path.write_text(SAMPLE_SCENARIO.format(mode=mode, feed=feed.as_posix(), extra=extra))
    return sim.load(path)


@pytest.fixture
def sample_feed(shared_data) -> Path:
    return shared_data / "gtfs" / "sample_gtfs.zip"


def test_lines_from_the_sample_feed_carry_cargo(tmp_path, sample_feed):
    scenario = sample_county(tmp_path, sample_feed)
    result = sim.run(scenario)
    raw, trips, led = result.record, result.trips, result.record.ledger
    assert raw.bus_lines > 0
    bus = trips[trips.kind == "bus"]
    assert len(bus) > 0 and bus["items"].sum() > 0
    assert set(bus.vehicle_type) == {"CITY:0:0"}  # the only line from the station to villages
    # Freight only on trips leaving in the default window 09:00-16:00, as the feed runs them:
    # every 10 min until 10:00, then every 30 min.
    dep = bus.start_t.to_numpy() % 1440
    assert (dep >= 540).all() and (dep <= 960).all()
    assert np.isin(dep, [540, 550, 560, 570, 580, 590, *range(600, 961, 30)]).all()
    assert (bus.peak_load_share <= 1.0 + 1e-9).all() and (bus["items"] <= 40).all()
    # Hand-over at a stop = trip departure + the arrival offset of the stop in the feed.
    names = np.array(result.world.nodes)
    on_bus = np.flatnonzero((led.status == DELIVERED) & (trips.kind.to_numpy()[led.trip] == "bus"))
    assert len(on_bus) > 0
    start = trips.start_t.to_numpy()[led.trip[on_bus]]
    want = np.array([CITY_OFFSETS[n] for n in names[led.destination[on_bus]]])
    assert np.allclose(led.delivered_t[on_bus] - start, want)
    # Fee: one line-day charge per day the line carried cargo (fee_per_item is 0).
    per_day = bus.groupby("day").cost_yuan.sum()
    assert np.allclose(per_day, scenario.bus.fee_per_line_day)
    k = result.kpis
    assert k["bus.freight_lines"] == raw.bus_lines
    assert k["bus.items_per_day"] > 0


def test_separate_mode_puts_no_freight_on_buses(tmp_path, sample_feed):
    result = sim.run(sample_county(tmp_path, sample_feed, mode="separate"))
    assert "bus" not in set(result.trips.kind)
    assert result.record.bus_lines == 0


def test_unmapped_stop_is_a_scenario_error_naming_the_field_and_the_stop(tmp_path, sample_feed):
    """EMSI is left out of the graph; its nearest node (DADAN) is 0.68 km away, beyond the
    0.5 km tolerance."""
    scenario = sample_county(tmp_path, sample_feed, drop="EMSI")
    with pytest.raises(sim.ScenarioError) as info:
        sim.run(scenario)
    err = info.value
    assert err.field == "bus.gtfs.path"
    assert "EMSI" in str(err)
    assert err.line == SAMPLE_SCENARIO.splitlines().index('path = "{feed}"') + 1
    # A wider tolerance maps EMSI onto DADAN, and the run goes through.
    scenario = sample_county(tmp_path, sample_feed, drop="EMSI", extra="tolerance_km = 1.0")
    assert sim.run(scenario).record.bus_lines > 0


# ----------------------------------------------------------------------------- a tiny feed
NODES = """\
id,kind,x,y,population,town,name
hub,county_hub,0,0,0,T,Hub
st,town_station,10,0,0,T,Station
A,village,10,6,1000,T,A
B,village,10,10,1000,T,B
"""
EDGES = """\
source,target,road_class,length_km,speed_kmh
hub,st,county,10,60
st,A,town,6,30
A,B,village,4,30
"""
FEED = {
    "routes.txt": "route_id,route_short_name,route_long_name,route_type\nR,1,Loop,3\n",
    "trips.txt": "route_id,service_id,trip_id,direction_id\nR,ALL,T1,0\nR,ALL,T2,0\n",
    "stops.txt": (
        "stop_id,stop_name,stop_lat,stop_lon\nS,Station,31.6,119.1\nVA,A,31.65,119.1\nVB,B,31.69,119.1\n"
    ),
    "stop_times.txt": (
        "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
        "T1,07:00:00,07:00:00,S,1\nT1,07:20:00,07:20:00,VA,2\nT1,07:35:00,07:35:00,VB,3\n"
        "T1,07:50:00,07:50:00,VA,4\nT1,08:10:00,08:10:00,S,5\n"
        "T2,10:00:00,10:00:00,S,1\nT2,10:17:00,10:17:00,VA,2\nT2,10:30:00,10:30:00,VB,3\n"
        "T2,10:45:00,10:45:00,VA,4\nT2,11:00:00,11:00:00,S,5\n"
    ),
    "calendar.txt": (
        "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
        "ALL,1,1,1,1,1,1,1,20260101,20261231\n"
    ),
}
TINY_SCENARIO = """\
name = "tiny-gtfs"
mode = "integrated"
days = 2
warmup_days = 0
start_date = 2026-01-05

[network]
source = "csv"
nodes_csv = "nodes.csv"
edges_csv = "edges.csv"

[parcels]
fixed_per_village = {{ A = 2, B = 1 }}
weight_sigma = 0.0
promotion_dates = []

[[carriers]]
name = "postal"
kind = "postal"
share = 1.0
linehaul_arrival = "06:00"

[hub]
sort_min = 60.0
trunk_departure = "07:30"
collection_departure = "15:00"

[stations]
sort_min = 30.0
dispatch_times = ["12:00"]

[bus]
generate_per_town = 0
fee_per_line_day = 10.0
fee_per_item = 1.0

[bus.gtfs]
path = "feed.zip"
stop_mapping = {{ {mapping} }}

[outbound]
per_1000_residents_per_day = 2.0
created_from = "08:00"
created_until = "08:00"

[supply]
kg_per_resident_per_week = 0.0
farm_inputs = []
[produce]
crops = []
[finance]
per_1000_residents_per_day = 0.0
[poi]
parcels_per_day = 0.0
[variability]
enabled = false   # hand-computed times
"""


def tiny_county(
    tmp_path: Path, mapping: str = 'S = "st", VA = "A", VB = "B"', feed: dict[str, str] = FEED
) -> sim.Scenario:
    (tmp_path / "nodes.csv").write_text(NODES)
    (tmp_path / "edges.csv").write_text(EDGES)
    with zipfile.ZipFile(tmp_path / "feed.zip", "w") as zf:
        for name, text in feed.items():
            zf.writestr(name, text)
    path = tmp_path / "tiny.toml"
    path.write_text(TINY_SCENARIO.format(mapping=mapping))
    return sim.load(path)


def test_tiny_feed_hands_over_at_the_feed_times(tmp_path):
    """The feed's loop S -> A -> B -> A -> S runs at 07:00 and 10:00 (within the freight
    window 09:00-16:00 only the 10:00 trip). Parcels (A 2, B 1 a day) are ready at the
    station at 08:10 (hub 06:00 + 60 sort, trunk 07:30-07:40, station sort 30); the van
    leaves at 12:00, so the 10:00 bus takes them all: A at 10:17, B at 10:30 (feed times).
    Outbound parcels handed in at 08:00 are collected on the way (A at 10:17, B at 10:30),
    back at the station at 11:00, sorted by 11:30, and reach the hub on the 15:00 trunk
    (light_truck, speed factor 0.9: 10 / 0.9 min each way). Fee: 10 a line-day plus 1 an item."""
    result = sim.run(tiny_county(tmp_path))
    led, trips, k = result.record.ledger, result.trips, result.kpis
    assert result.record.bus_lines == 1
    assert (led.status == DELIVERED).all()
    names = np.array(result.world.nodes)
    day_min = led.delivered_t % 1440
    inbound = led.flow == PARCEL_IN
    for village, at in (("A", 10 * 60 + 17.0), ("B", 10 * 60 + 30.0)):
        mine = inbound & (names[led.destination] == village)
        assert mine.sum() == (4 if village == "A" else 2)
        assert np.allclose(day_min[mine], at)
        outgoing = (led.flow == PARCEL_OUT) & (names[led.origin] == village)
        assert np.allclose(led.picked_t[outgoing] % 1440, at)
    out = led.flow == PARCEL_OUT
    assert out.sum() > 0
    assert np.allclose(day_min[out], 15 * 60 + 2 * 10 / 0.9)
    bus = trips[trips.kind == "bus"]
    assert np.allclose(bus.start_t % 1440, 600.0) and np.allclose(bus.end_t - bus.start_t, 60.0)
    assert "van" not in set(trips.kind)
    items_per_day = np.bincount(led.created_t.astype(int) // 1440, minlength=2)
    assert np.allclose(bus.sort_values("day").cost_yuan, 10.0 + items_per_day)
    assert k["first_km.outbound_cutoff_share"] == 1.0
    assert k["last_km.lead_time_h_p50"] == pytest.approx((10 * 60 + 17.0 - 360.0) / 60.0)


def test_tiny_feed_stop_left_unmapped_is_named(tmp_path):
    """Without a mapping for VB, and with no lon/lat origin on a CSV graph, the stop cannot be
    placed: one ScenarioError naming bus.gtfs.path, its line and the stop."""
    scenario = tiny_county(tmp_path, mapping='S = "st", VA = "A"')
    with pytest.raises(sim.ScenarioError) as info:
        sim.run(scenario)
    err = info.value
    assert err.field == "bus.gtfs.path"
    found = str(err).split("found", 1)[1]
    assert "VB" in found and "VA" not in found and "S " not in found
    lines = (tmp_path / "tiny.toml").read_text().splitlines()
    assert lines[err.line - 1] == 'path = "feed.zip"'


def test_tiny_feed_hands_over_on_arrival_at_the_stop(tmp_path):
    """The 10:00 trip arrives at A at 10:15 and leaves at 10:17 (a 2 min dwell in the feed):
    the hand-over is at 10:15, as for a bus line written in the scenario."""
    feed = dict(FEED)
    feed["stop_times.txt"] = FEED["stop_times.txt"].replace(
        "T2,10:17:00,10:17:00,VA,2", "T2,10:15:00,10:17:00,VA,2"
    )
    result = sim.run(tiny_county(tmp_path, feed=feed))
    led = result.record.ledger
    names = np.array(result.world.nodes)
    at_a = (led.flow == PARCEL_IN) & (names[led.destination] == "A")
    assert (led.status[at_a] == DELIVERED).all()
    assert np.allclose(led.delivered_t[at_a] % 1440, 10 * 60 + 15.0)
