"""GTFS shapes (sim.network.gtfs_feed.load_shapes): the road geometry of trips, for maps.

Hand-made copies of the GTFS sample feed with a shapes.txt, and the real Cairns feed's.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import numpy as np
import pytest

from sim.network.gtfs_feed import Feed, load_shapes
from sim.network.gtfs_files import GtfsError

SHAPES_HEADER = "shape_id,shape_pt_lat,shape_pt_lon,shape_pt_sequence\n"


def sample_folder(shared_data: Path, tmp_path: Path, shapes: str | None, shape_of: dict[str, str]) -> Path:
    """The sample feed as a folder, trips given ``shape_of`` their shape ids and ``shapes``
    as shapes.txt (None: no shapes.txt)."""
    folder = tmp_path / "feed"
    folder.mkdir()
    with zipfile.ZipFile(shared_data / "gtfs" / "sample_gtfs.zip") as zf:
        for name in zf.namelist():
            if name.endswith(".txt") and name != "shapes.txt":
                (folder / Path(name).name).write_bytes(zf.read(name))
    lines = (folder / "trips.txt").read_text().splitlines()
    header = lines[0].split(",")
    k, t = header.index("shape_id"), header.index("trip_id")
    rows = [line.split(",") for line in lines[1:]]
    for row in rows:
        row[k] = shape_of.get(row[t], row[k])
    (folder / "trips.txt").write_text("\n".join([lines[0], *(",".join(r) for r in rows)]) + "\n")
    if shapes is not None:
        (folder / "shapes.txt").write_text(shapes)
    return folder


def test_a_trip_gets_its_shape_in_sequence_order(shared_data, tmp_path):
    shapes = SHAPES_HEADER + "S1,36.9,-116.7,20\nS1,36.8,-116.8,3\nS1,36.7,-116.9,10\nS2,36.0,-117.0,1\n"
    feed = sample_folder(shared_data, tmp_path, shapes, {"AB1": "S1", "AB2": "S2"})
    got = load_shapes(feed, ["AB1", "AB2", "STBA"])
    assert sorted(got) == ["AB1", "AB2"]  # STBA has no shape_id
    assert got["AB1"].tolist() == [[-116.8, 36.8], [-116.9, 36.7], [-116.7, 36.9]]  # lon, lat by sequence
    assert got["AB2"].tolist() == [[-117.0, 36.0]]
    assert sorted(load_shapes(feed, ["AB2"])) == ["AB2"]  # only the trips asked for


def test_a_feed_without_shapes_gives_none(shared_data, tmp_path):
    assert load_shapes(sample_folder(shared_data, tmp_path, None, {"AB1": "S1"}), ["AB1"]) == {}
    assert load_shapes(shared_data / "gtfs" / "sample_gtfs.zip", ["AB1", "AB2"]) == {}  # empty shapes.txt


@pytest.mark.parametrize(
    ("shapes", "shape_of", "where", "words"),
    [
        (SHAPES_HEADER + "S1,36.9,-116.7,1\n", {"AB1": "S9"}, "trips.txt:2", "S9"),
        (SHAPES_HEADER + "S1,136.9,-116.7,1\n", {"AB1": "S1"}, "shapes.txt:2", "latitude"),
        (SHAPES_HEADER + "S1,36.9,-216.7,1\n", {"AB1": "S1"}, "shapes.txt:2", "longitude"),
        (SHAPES_HEADER + "S1,36.9,-116.7,1\nS1,36.8,-116.7,1\n", {"AB1": "S1"}, "shapes.txt:3", "repeats"),
        (SHAPES_HEADER + "S1,36.9,-116.7,x\n", {"AB1": "S1"}, "shapes.txt:2", "shape_pt_sequence"),
        ("shape_id,shape_pt_lat\nS1,36.9\n", {"AB1": "S1"}, "shapes.txt:1", "shape_pt_lon"),
    ],
)
def test_a_bad_shape_is_named_by_file_and_line(shared_data, tmp_path, shapes, shape_of, where, words):
    feed = sample_folder(shared_data, tmp_path, shapes, shape_of)
    with pytest.raises(GtfsError) as info:
        load_shapes(feed, ["AB1"])
    assert where in str(info.value)
    assert words in str(info.value)


def test_the_cairns_shapes_follow_their_stops(shared_data):
    path = shared_data / "gtfs" / "cairns_gtfs.zip"
    trips = Feed(path).table("trips.txt", ["trip_id"]).col("trip_id")[:20]
    got = load_shapes(path, trips)
    assert sorted(got) == sorted(trips)
    for points in got.values():
        assert points.shape[0] > 10 and points.shape[1] == 2
        assert np.all((points[:, 0] > 145.0) & (points[:, 0] < 146.5))  # Cairns: lon ~145.7, lat ~-16.9
        assert np.all((points[:, 1] > -17.5) & (points[:, 1] < -16.0))
