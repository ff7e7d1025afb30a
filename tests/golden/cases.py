"""The scenarios whose KPIs are recorded in ``tests/golden/*.json``.

Three cases, each run in both modes on fixed seeds:

- ``lishui``: the built-in scenario, 14 days, seeds 1-3;
- ``generated_bus``: a smaller generated county with three generated bus lines per town
  over every village, 10 days, seeds 1-2;
- ``gtfs``: a county made of the stops of the real GTFS sample feed in ``../shared/data``,
  with its bus lines read from the feed, 7 days, seeds 1-2.

``python tests/golden/record.py`` writes the files; ``test_golden.py`` reproduces them.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

import sim
from sim.network import gtfs_stop_graph, write_graphml

ROOT = Path(__file__).resolve().parents[2]
GOLDEN = Path(__file__).resolve().parent
SAMPLE_FEED = ROOT.parent / "shared" / "data" / "gtfs" / "sample_gtfs.zip"
MODES = ("separate", "integrated")

GTFS_SCENARIO = """\
name = "golden-gtfs"
days = 7
warmup_days = 1

[network]
source = "graphml"
path = "sample.graphml"

[stations]
dispatch_times = ["15:00"]

[bus]
generate_per_town = 0

[bus.gtfs]
path = "{feed}"
"""


def lishui(_tmp: Path) -> sim.Scenario:
    base = sim.load(ROOT / "scenarios" / "lishui.toml")
    return sim.scenario.derive(base, {"days": 14, "warmup_days": min(base.warmup_days, 13)})


def generated_bus(_tmp: Path) -> sim.Scenario:
    base = sim.load(ROOT / "scenarios" / "lishui.toml")
    changes = {
        "days": 10,
        "warmup_days": 2,
        "network": {"n_villages": 40},
        "bus": {"generate_per_town": 3, "generated_coverage": 1.0},
    }
    return sim.scenario.derive(base, changes)


def gtfs(tmp: Path) -> sim.Scenario:
    graph = gtfs_stop_graph(SAMPLE_FEED, population=800)
    graph.nodes["STAGECOACH"]["kind"] = "town_station"
    graph.nodes["BULLFROG"]["kind"] = "village"
    write_graphml(graph, tmp / "sample.graphml")
    path = tmp / "golden-gtfs.toml"
    path.write_text(GTFS_SCENARIO.format(feed=SAMPLE_FEED.as_posix()))
    return sim.load(path)


CASES: dict[str, tuple[Callable[[Path], sim.Scenario], tuple[int, ...]]] = {
    "lishui": (lishui, (1, 2, 3)),
    "generated_bus": (generated_bus, (1, 2)),
    "gtfs": (gtfs, (1, 2)),
}


def golden_path(case: str, mode: str) -> Path:
    return GOLDEN / f"{case}-{mode}.json"


def record(case: str, mode: str, tmp: Path) -> dict:
    """Per seed, the KPIs and the end state of the items (counts by status)."""
    build, seeds = CASES[case]
    scenario = sim.scenario.derive(build(tmp), {"mode": mode})
    runs = []
    for seed in seeds:
        result = sim.run(scenario, seed)
        status = result.items["status"].value_counts().to_dict()
        runs.append(
            {
                "seed": seed,
                "kpis": {k: _json_float(v) for k, v in sorted(result.kpis.items())},
                "items_by_status": {k: int(v) for k, v in sorted(status.items())},
                "trips": len(result.trips),
            }
        )
    return {"case": case, "mode": mode, "runs": runs}


def _json_float(value: float) -> float | None:
    """NaN and infinities as null (strict JSON); every other float exactly as repr keeps it."""
    return float(value) if math.isfinite(value) else None
