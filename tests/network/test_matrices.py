"""Travel matrices: hand-computed cases, agreement with networkx, errors."""

from __future__ import annotations

import random

import networkx as nx
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.network import (
    NetworkError,
    generate_county,
    nodes_of_kind,
    travel_matrices,
    villages_by_town,
)


def _triangle() -> nx.Graph:
    """a-c direct is shortest (10 km at 25 km/h = 24 min); a-b-c is longer but faster
    (8 + 8 km at 60 km/h = 16 min)."""
    G = nx.Graph()
    G.add_edge("a", "c", length_km=10.0, speed_kmh=25.0, road_class="village")
    G.add_edge("a", "b", length_km=8.0, speed_kmh=60.0, road_class="county")
    G.add_edge("b", "c", length_km=8.0, speed_kmh=60.0, road_class="county")
    return G


@pytest.fixture(scope="module")
def county() -> nx.Graph:
    return generate_county(seed=0)


@pytest.fixture(scope="module")
def key_nodes(county) -> list[str]:
    return [v for v, k in county.nodes(data="kind") if k != "junction"]


@pytest.fixture(scope="module")
def matrices(county, key_nodes):
    return travel_matrices(county, key_nodes)


def test_fastest_path_is_not_the_shortest():
    m = travel_matrices(_triangle(), ["a", "c", "b"])
    assert m.nodes == ("a", "c", "b")
    assert m.index == {"a": 0, "c": 1, "b": 2}
    assert m.minutes[0, 1] == pytest.approx(16.0, abs=1e-12)
    assert m.km[0, 1] == pytest.approx(16.0, abs=1e-12)  # km of the fast path, not 10
    assert m.minutes[0, 2] == pytest.approx(8.0, abs=1e-12)
    assert m.km[0, 2] == pytest.approx(8.0, abs=1e-12)


def test_speed_factor_scales_time_not_distance():
    slow = travel_matrices(_triangle(), ["a", "c"], speed_factor=0.5)
    assert slow.minutes[0, 1] == pytest.approx(32.0)
    assert slow.km[0, 1] == pytest.approx(16.0)
    with pytest.raises(NetworkError, match="speed factor"):
        travel_matrices(_triangle(), ["a", "c"], speed_factor=0.0)


def test_slow_enough_fast_road_loses():
    G = _triangle()
    G.edges["a", "b"]["speed_kmh"] = 20.0  # a-b-c now 24 + 8 = 32 min > 24 min direct
    m = travel_matrices(G, ["a", "c"])
    assert m.minutes[0, 1] == pytest.approx(24.0)
    assert m.km[0, 1] == pytest.approx(10.0)


def test_long_chain_km_sums_every_edge():
    """A path of 100 edges checks the pointer jumping over many rounds."""
    G = nx.path_graph([f"n{i}" for i in range(101)])
    for i, (u, v) in enumerate(G.edges()):
        G.edges[u, v].update(length_km=float(i + 1), speed_kmh=60.0)
    m = travel_matrices(G, ["n0", "n50", "n100"])
    assert m.km[0, 2] == pytest.approx(sum(range(1, 101)))
    assert m.km[1, 2] == pytest.approx(sum(range(51, 101)))
    assert m.minutes[0, 2] == pytest.approx(sum(range(1, 101)))


def test_shapes_symmetry_and_diagonal(matrices, key_nodes):
    k = len(key_nodes)
    assert matrices.minutes.shape == matrices.km.shape == (k, k)
    assert np.array_equal(matrices.minutes, matrices.minutes.T)
    assert np.array_equal(matrices.km, matrices.km.T)
    assert np.all(np.diag(matrices.minutes) == 0) and np.all(np.diag(matrices.km) == 0)
    off = ~np.eye(k, dtype=bool)
    assert np.all(matrices.minutes[off] > 0) and np.all(matrices.km[off] > 0)


def test_triangle_inequality_on_minutes(matrices):
    t = matrices.minutes
    # t[i, j] <= t[i, m] + t[m, j] for every intermediate m
    via = (t[:, :, None] + t[None, :, :]).min(axis=1)
    assert np.all(t <= via + 1e-9)


def test_km_at_least_straight_line(county, matrices, key_nodes):
    xy = np.array([[county.nodes[v]["x"], county.nodes[v]["y"]] for v in key_nodes])
    straight = np.linalg.norm(xy[:, None] - xy[None], axis=2)
    assert np.all(matrices.km >= straight - 1e-9)


def test_agrees_with_networkx_dijkstra(county, matrices, key_nodes):
    rng = random.Random(3)

    def minutes(u, v, d):
        return d["length_km"] / d["speed_kmh"] * 60.0

    for _ in range(40):
        a, b = rng.sample(key_nodes, 2)
        t, path = nx.single_source_dijkstra(county, a, b, weight=minutes)
        km = sum(county.edges[u, v]["length_km"] for u, v in zip(path, path[1:], strict=False))
        i, j = matrices.index[a], matrices.index[b]
        assert matrices.minutes[i, j] == pytest.approx(t, rel=1e-12)
        assert matrices.km[i, j] == pytest.approx(km, rel=1e-12)


def test_plausible_county_times(county, matrices):
    """Hub to every village within 1.5 h and no village further than ~60 km by road."""
    hub = matrices.index["hub"]
    villages = matrices.rows(nodes_of_kind(county, "village"))
    assert matrices.minutes[hub, villages].max() < 90
    assert matrices.km[hub, villages].max() < 60


def test_unreachable_node_is_named():
    G = _triangle()
    G.add_node("island")
    G.add_edge("island", "rock", length_km=1.0, speed_kmh=25.0)
    with pytest.raises(NetworkError) as info:
        travel_matrices(G, ["a", "b", "c", "island"])
    assert "island" in str(info.value) and "'a'" in str(info.value)
    assert "rock" not in str(info.value)  # only requested nodes are named
    assert info.value.field == "nodes"
    # Unrequested islands do not matter.
    assert travel_matrices(G, ["a", "c"]).minutes[0, 1] == pytest.approx(16.0)


def test_cut_village_in_generated_county(county):
    G = county.copy()
    village = nodes_of_kind(G, "village")[0]
    G.remove_edges_from(list(G.edges(village)))
    with pytest.raises(NetworkError, match=village):
        travel_matrices(G, ["hub", *nodes_of_kind(G, "village")])


def test_unknown_and_duplicate_nodes():
    with pytest.raises(NetworkError, match="nowhere"):
        travel_matrices(_triangle(), ["a", "nowhere"])
    with pytest.raises(NetworkError, match="twice"):
        travel_matrices(_triangle(), ["a", "b", "a"])


def test_empty_and_single():
    assert travel_matrices(_triangle(), []).minutes.shape == (0, 0)
    one = travel_matrices(_triangle(), ["b"])
    assert one.minutes.tolist() == [[0.0]] and one.km.tolist() == [[0.0]]


def test_blocked_sources_give_the_same_result(county, key_nodes, matrices, monkeypatch):
    import sim.network.matrices as mod

    monkeypatch.setattr(mod, "_BLOCK", 1000)  # a few sources per Dijkstra call
    blocked = travel_matrices(county, key_nodes)
    assert np.array_equal(blocked.minutes, matrices.minutes)
    assert np.array_equal(blocked.km, matrices.km)


def test_helpers_are_sorted(county):
    villages = nodes_of_kind(county, "village")
    assert villages == sorted(villages) and len(villages) == 90
    groups = villages_by_town(county)
    assert list(groups) == sorted(groups)
    assert all(ids == sorted(ids) for ids in groups.values())


@settings(max_examples=40, deadline=None)
@given(st.integers(min_value=2, max_value=25), st.integers(min_value=0, max_value=2**32 - 1))
def test_random_graphs_match_networkx(n, seed):
    """On random connected graphs, minutes match networkx and km is the km of a
    networkx fastest path (random float weights make ties practically impossible)."""
    rng = np.random.default_rng(seed)
    G = nx.Graph()
    G.add_nodes_from(f"v{i}" for i in range(n))
    for i in range(1, n):  # a random tree keeps it connected
        G.add_edge(f"v{i}", f"v{int(rng.integers(i))}")
    for _ in range(n):  # plus random shortcuts
        a, b = rng.integers(n, size=2)
        if a != b:
            G.add_edge(f"v{a}", f"v{b}")
    for u, v in G.edges():
        G.edges[u, v].update(length_km=float(rng.uniform(0.5, 10)), speed_kmh=float(rng.choice([25, 40, 60])))
    nodes = sorted(G, key=lambda _: rng.random())[: max(2, n // 2)]
    m = travel_matrices(G, nodes)

    def minutes(u, v, d):
        return d["length_km"] / d["speed_kmh"] * 60.0

    for a in nodes:
        times, paths = nx.single_source_dijkstra(G, a, weight=minutes)
        for b in nodes:
            km = sum(G.edges[u, v]["length_km"] for u, v in zip(paths[b], paths[b][1:], strict=False))
            assert m.minutes[m.index[a], m.index[b]] == pytest.approx(times[b], rel=1e-9, abs=1e-12)
            assert m.km[m.index[a], m.index[b]] == pytest.approx(km, rel=1e-9, abs=1e-12)
