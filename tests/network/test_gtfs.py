"""GTFS import: real feeds (cairns, the GTFS sample) and tiny hand-made feeds."""

from __future__ import annotations

import csv
import io
import tempfile
import time
import zipfile
from datetime import date, timedelta
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.network.gtfs import BusTimetable, GtfsError, gtfs_stop_graph, project_lonlat, read_gtfs

# ----------------------------------------------------------------------------- tiny feed

ROUTES = "route_id,route_short_name,route_long_name,route_type\nR1,1,Town - Hill,3\n"
TRIPS = "route_id,service_id,trip_id,direction_id\nR1,WK,T1,0\nR1,WK,T2,0\nR1,SAT,T3,1\n"
# A, B, C on one parallel: B is 1/4 of the way from A to C.
STOPS = "stop_id,stop_name,stop_lat,stop_lon\nA,Town,31.6,119.0\nB,Bridge,31.6,119.01\nC,Hill,31.6,119.04\n"
STOP_TIMES = (
    "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    "T1,08:00:00,08:00:00,A,1\n"
    "T1,08:10:00,08:10:00,B,2\n"
    "T1,08:20:00,08:20:00,C,3\n"
    "T2,23:50:00,23:50:00,A,1\n"
    "T2,24:04:00,24:05:00,B,2\n"
    "T2,24:10:30,24:10:30,C,3\n"
    "T3,9:00:00,9:00:00,C,1\n"
    "T3,9:10:00,9:10:00,B,2\n"
    "T3,9:20:00,9:20:00,A,3\n"
)
CALENDAR = (
    "service_id,monday,tuesday,wednesday,thursday,friday,saturday,sunday,start_date,end_date\n"
    "WK,1,1,1,1,1,0,0,20240101,20241231\nSAT,0,0,0,0,0,1,0,20240101,20241231\n"
)
TINY = {
    "routes.txt": ROUTES,
    "trips.txt": TRIPS,
    "stops.txt": STOPS,
    "stop_times.txt": STOP_TIMES,
    "calendar.txt": CALENDAR,
}
MONDAY = "20240603"


def write_feed(path: Path, files: dict[str, str | None]) -> Path:
    """Zip the given members (None drops a member of TINY) into ``path``."""
    members = {**TINY, **files}
    with zipfile.ZipFile(path, "w") as zf:
        for name, text in members.items():
            if text is not None:
                zf.writestr(name, text)
    return path


@pytest.fixture
def tiny(tmp_path: Path) -> Path:
    return write_feed(tmp_path / "tiny.zip", {})


def test_tiny_feed_gives_the_exact_timetable(tiny: Path) -> None:
    lines = read_gtfs(tiny, graph=gtfs_stop_graph(tiny), service_date=MONDAY)
    expected = BusTimetable(
        line_id="R1:0:0",
        name="1 Town - Hill",
        stops=("A", "B", "C"),
        gtfs_stop_ids=("A", "B", "C"),
        stop_times_min=np.array([[480.0, 490.0, 500.0], [1430.0, 1445.0, 1450.5]]),
        trip_ids=("T1", "T2"),
        service_date=MONDAY,
    )
    assert lines == [expected]
    assert lines[0].stop_times_min[1, -1] > 1440  # past midnight stays past 1440
    with pytest.raises(ValueError):
        lines[0].stop_times_min[0, 0] = 0.0  # read-only


def test_without_graph_stops_keep_ids_and_saturday_runs_the_other_direction(tiny: Path) -> None:
    (line,) = read_gtfs(tiny, service_date="20240608")
    assert line.line_id == "R1:1:0" and line.stops == ("C", "B", "A") and line.trip_ids == ("T3",)
    # default day: a weekday (2 trips beat 1), the earliest one in the calendar
    assert read_gtfs(tiny)[0].service_date == "20240101"


def test_calendar_dates_remove_and_add(tmp_path: Path) -> None:
    dates = "service_id,date,exception_type\nWK,20240603,2\nSAT,20240603,1\n"
    feed = write_feed(tmp_path / "f.zip", {"calendar_dates.txt": dates})
    assert [t.line_id for t in read_gtfs(feed, service_date=MONDAY)] == ["R1:1:0"]
    only_dates = write_feed(tmp_path / "g.zip", {"calendar.txt": None, "calendar_dates.txt": dates})
    assert [t.trip_ids for t in read_gtfs(only_dates)] == [("T3",)]


def test_blank_intermediate_time_is_interpolated_by_distance(tmp_path: Path) -> None:
    feed = write_feed(tmp_path / "f.zip", {"stop_times.txt": STOP_TIMES.replace("08:10:00,08:10:00", ",")})
    (line,) = read_gtfs(feed, service_date=MONDAY)
    np.testing.assert_allclose(line.stop_times_min[0], [480.0, 485.0, 500.0])


def test_stop_beyond_tolerance_is_named(tiny: Path) -> None:
    graph = gtfs_stop_graph(tiny)
    graph.nodes["C"]["x"] += 2.0  # the Hill node now lies 2 km from the Hill stop
    with pytest.raises(GtfsError) as err:
        read_gtfs(tiny, graph=graph, service_date=MONDAY)
    message = str(err.value)
    assert "C 'Hill'" in message and "0.5 km" in message and "Bridge" not in message
    # an explicit mapping overrides the nearest-node search
    (line,) = read_gtfs(tiny, graph=graph, stop_mapping={"C": "C"}, service_date=MONDAY)
    assert line.stops == ("A", "B", "C")


def test_explicit_mapping_overrides_nearest(tiny: Path) -> None:
    graph = gtfs_stop_graph(tiny)
    (line,) = read_gtfs(tiny, graph=graph, stop_mapping={"B": "A"}, service_date=MONDAY)
    assert line.stops == ("A", "A", "C") and line.gtfs_stop_ids == ("A", "B", "C")
    with pytest.raises(GtfsError, match="not in the graph"):
        read_gtfs(tiny, graph=graph, stop_mapping={"B": "nowhere"}, service_date=MONDAY)


def test_graph_without_origin_needs_a_mapping(tiny: Path) -> None:
    graph = gtfs_stop_graph(tiny)
    del graph.graph["lon0"]
    with pytest.raises(GtfsError, match="lon0"):
        read_gtfs(tiny, graph=graph, service_date=MONDAY)
    mapping = {"A": "A", "B": "B", "C": "C"}
    assert read_gtfs(tiny, graph=graph, stop_mapping=mapping, service_date=MONDAY)


@pytest.mark.parametrize(
    ("files", "names"),
    [
        ({"stop_times.txt": None}, ["stop_times.txt", "missing"]),
        ({"calendar.txt": None}, ["calendar", "neither"]),
        ({"stop_times.txt": STOP_TIMES.replace(",stop_sequence", ",seq")}, ["stop_sequence"]),
        ({"trips.txt": TRIPS.replace("trip_id,", "id,")}, ["trips.txt", "trip_id"]),
    ],
)
def test_missing_file_or_column_is_named(tmp_path: Path, files: dict, names: list[str]) -> None:
    with pytest.raises(GtfsError) as err:
        read_gtfs(write_feed(tmp_path / "f.zip", files), service_date=MONDAY)
    assert all(name in str(err.value) for name in names), str(err.value)


def test_bad_time_names_file_line_and_column(tmp_path: Path) -> None:
    bad = STOP_TIMES.replace("08:10:00,08:10:00", "08:10:00,25:61:00")
    with pytest.raises(GtfsError) as err:
        read_gtfs(write_feed(tmp_path / "f.zip", {"stop_times.txt": bad}))
    assert err.value.line == 3
    assert "f.zip/stop_times.txt:3: departure_time" in str(err.value)
    assert "'25:61:00'" in str(err.value)


@pytest.mark.parametrize(
    ("kwargs", "text"),
    [
        ({"route_ids": ["R9"]}, "R9"),
        ({"service_date": "2024-06-03"}, "YYYYMMDD"),
        ({"service_date": "20300101"}, "20240101..20241231"),
    ],
)
def test_bad_requests_are_explained(tiny: Path, kwargs: dict, text: str) -> None:
    with pytest.raises(GtfsError, match=text):
        read_gtfs(tiny, **kwargs)


def test_unknown_stop_and_backwards_trip(tmp_path: Path) -> None:
    with pytest.raises(GtfsError, match=r"stop_times.txt:4: stop_id"):
        read_gtfs(write_feed(tmp_path / "a.zip", {"stop_times.txt": STOP_TIMES.replace(",C,3", ",Z,3", 1)}))
    back = STOP_TIMES.replace("08:20:00,08:20:00", "07:20:00,07:20:00")
    with pytest.raises(GtfsError, match="back in time"):
        read_gtfs(write_feed(tmp_path / "b.zip", {"stop_times.txt": back}))


@settings(max_examples=25, deadline=None)
@given(st.lists(st.lists(st.integers(0, 600), min_size=3, max_size=3), min_size=1, max_size=6))
def test_times_round_trip_through_a_feed(gaps: list[list[int]]) -> None:
    """Any second-resolution times, past 24:00 too, come back exactly, sorted by departure."""
    times = np.cumsum(np.array(gaps) * 7, axis=1) + 20 * 3600  # seconds, from 20:00
    body = "".join(
        f"T{i},{h},{h},{s},{j + 1}\n"
        for i, row in enumerate(times)
        for j, (s, t) in enumerate(zip("ABC", row, strict=True))
        for h in [f"{t // 3600}:{t // 60 % 60:02d}:{t % 60:02d}"]
    )
    trips = "route_id,service_id,trip_id,direction_id\n" + "".join(
        f"R1,WK,T{i},0\n" for i in range(len(times))
    )
    head = "trip_id,arrival_time,departure_time,stop_id,stop_sequence\n"
    with tempfile.TemporaryDirectory() as tmp:
        feed = write_feed(Path(tmp) / "f.zip", {"trips.txt": trips, "stop_times.txt": head + body})
        (line,) = read_gtfs(feed, service_date=MONDAY)
    order = sorted(range(len(times)), key=lambda i: (times[i, 0], f"T{i}"))
    np.testing.assert_allclose(line.stop_times_min, times[order] / 60, rtol=0, atol=1e-9)
    assert line.trip_ids == tuple(f"T{i}" for i in order)


def test_project_lonlat_is_vectorised_and_metric() -> None:
    x, y = project_lonlat(np.array([119.0, 119.1]), np.array([31.6, 31.7]), 119.0, 31.6)
    assert x.shape == (2,) and x[0] == 0.0 and y[0] == 0.0
    assert y[1] == pytest.approx(11.12, abs=0.01)  # 0.1 degree of latitude
    assert x[1] == pytest.approx(11.12 * np.cos(np.radians(31.6)), abs=0.01)


# ----------------------------------------------------------------------------- sample feed


def test_sample_frequencies_expand_to_hand_computed_departures(shared_data: Path) -> None:
    lines = {t.line_id: t for t in read_gtfs(shared_data / "gtfs" / "sample_gtfs.zip",
                                             service_date="20070605")}  # fmt: skip
    city = lines["CITY:0:0"]
    # frequencies.txt for CITY1: [start, end) every headway; end_time itself is not served
    hand = [*range(360, 480, 30), *range(480, 600, 10), *range(600, 960, 30)]
    hand += [*range(960, 1140, 10), *range(1140, 1320, 30)]
    assert len(hand) == 52
    np.testing.assert_array_equal(city.stop_times_min[:, 0], hand)
    np.testing.assert_array_equal(city.stop_times_min - city.stop_times_min[:, :1],
                                  np.tile([0, 7, 14, 21, 28], (52, 1)))  # fmt: skip
    assert city.trip_ids[:2] == ("CITY1@06:00:00", "CITY1@06:30:00")
    stba = lines["STBA::0"]  # 6:00 to 22:00 every 30 min, 22:00 excluded
    np.testing.assert_array_equal(stba.stop_times_min[:, 0], np.arange(360, 1320, 30))
    # a Tuesday: FULLW runs, the weekend-only route AAMV does not
    assert not any(k.startswith("AAMV") for k in lines)
    assert lines["AB:0:0"].trip_ids == ("AB1",)


def test_sample_calendar_exception_removes_the_day(shared_data: Path) -> None:
    feed = shared_data / "gtfs" / "sample_gtfs.zip"
    with pytest.raises(GtfsError, match="no selected trip runs on 20070604"):
        read_gtfs(feed, service_date="20070604")  # FULLW removed, WE only at weekends
    weekend = read_gtfs(feed, service_date="20070609")
    assert {t.line_id.split(":")[0] for t in weekend} == {"AB", "BFC", "CITY", "STBA", "AAMV"}


# ----------------------------------------------------------------------------- cairns feed


def _independent_trip_count(feed: Path, day: str) -> int:
    """Trips of trips.txt whose service runs on ``day``, counted straight from the CSVs."""
    with zipfile.ZipFile(feed) as zf:

        def rows(name: str) -> list[dict[str, str]]:
            return list(csv.DictReader(io.TextIOWrapper(zf.open(name), "utf-8-sig")))

        calendar, dates, trips = rows("calendar.txt"), rows("calendar_dates.txt"), rows("trips.txt")
    weekday = date(int(day[:4]), int(day[4:6]), int(day[6:])).strftime("%A").lower()
    running = {c["service_id"] for c in calendar
               if c["start_date"] <= day <= c["end_date"] and c[weekday] == "1"}  # fmt: skip
    for d in dates:
        if d["date"] == day:
            (running.add if d["exception_type"] == "1" else running.discard)(d["service_id"])
    return sum(t["service_id"] in running for t in trips)


@pytest.fixture(scope="module")
def cairns(shared_data: Path):
    feed = shared_data / "gtfs" / "cairns_gtfs.zip"
    start = time.perf_counter()
    graph = gtfs_stop_graph(feed)
    lines = read_gtfs(feed, graph=graph, service_date="20140609")
    return feed, graph, lines, time.perf_counter() - start


def test_cairns_lines_on_a_holiday_match_an_independent_count(cairns) -> None:
    feed, graph, lines, seconds = cairns
    # 2014-06-09, a Monday, was a public holiday: weekday service removed, Sunday's added
    assert sum(t.n_trips for t in lines) == _independent_trip_count(feed, "20140609") > 0
    assert len({t.line_id.split(":")[0] for t in lines}) >= 10
    for t in lines:
        assert t.stops == t.gtfs_stop_ids and all(s in graph for s in t.stops)
        assert np.all(np.diff(t.stop_times_min, axis=1) >= 0), t.line_id
        assert np.all(np.diff(t.stop_times_min[:, 0]) >= 0), t.line_id
    assert seconds < 3.0  # graph + lines; about 0.5 s on the reference machine


def test_cairns_default_day_is_the_busiest(cairns) -> None:
    feed = cairns[0]
    lines = read_gtfs(feed)
    day = lines[0].service_date
    first = date(2014, 5, 26)
    counts = {
        d: _independent_trip_count(feed, d)
        for d in ((first + timedelta(days=i)).strftime("%Y%m%d") for i in range(0, 28))
    }
    assert sum(t.n_trips for t in lines) == counts[day] == max(counts.values())
    assert day == min(d for d, n in counts.items() if n == counts[day])


def test_cairns_stop_graph_meets_the_network_contract(cairns) -> None:
    _, graph, _, _ = cairns
    contract = pytest.importorskip("sim.network.contract")
    contract.validate_graph(graph)
    kinds = [k for _, k in graph.nodes(data="kind")]
    assert kinds.count("county_hub") == 1 and kinds.count("town_station") == 1
    speeds = np.array([s for *_, s in graph.edges(data="speed_kmh")])
    assert np.all((speeds >= 5) & (speeds <= 80)) and 15 < np.median(speeds) < 60
