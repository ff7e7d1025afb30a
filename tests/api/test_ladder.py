"""The integration ladder (``sim.api.ladder``): its levels, shared seeds, steps that add up.

One short ladder of the built-in scenario (4 days, 2 of them warm-up, 2 replications on
seeds 3 and 4) is run once for the module.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest

import sim
from sim.api import Ladder, ladder, ladder_levels

ROOT = Path(__file__).resolve().parents[2]
LISHUI = sim.load(ROOT / "scenarios" / "lishui.toml")
NAMES = ["separate", "express_codelivery", "post_express", "plus_bus", "plus_supply", "five_in_one"]
CARRIERS = ["postal", "express_a", "express_b", "express_c", "express_d", "express_e"]
# Demand never depends on the level: the same seed sees the same parcels, cases, customers.
DEMAND_KPIS = ["last_km.parcels_per_day", "supply.cases_per_day", "finance.transactions_per_day"]


def _short(scenario: sim.Scenario, **changes) -> sim.Scenario:
    return sim.derive(scenario, {"days": 4, "warmup_days": 2, "seed": 3, **changes})


@pytest.fixture(scope="module")
def short_ladder() -> tuple[Ladder, list[tuple[str, int]]]:
    done: list[tuple[str, int]] = []
    result = ladder(_short(LISHUI), replications=2, on_done=lambda name, r: done.append((name, r.seed)))
    return result, done


def _finite(values) -> bool:
    return all(v is not None and math.isfinite(v) for v in values)


def _close(a: float, b: float, scale: float) -> bool:
    """Equal up to float rounding: 1e-9 relative to the size of the values involved."""
    return abs(a - b) <= 1e-9 * max(abs(a), abs(b), scale, 1e-300)


# -- the levels ---------------------------------------------------------------------------


def test_levels_of_the_built_in_scenario():
    levels = ladder_levels(LISHUI)
    assert [lv.name for lv in levels] == NAMES
    assert [lv.label for lv in levels] == [
        "separate",
        "express co-delivery",
        "post + express",
        "+ bus",
        "+ supply",
        "+ finance (five-in-one)",
    ]
    assert [lv.pooled for lv in levels] == [
        (),
        tuple(CARRIERS[1:]),
        tuple(CARRIERS),
        (*CARRIERS, "bus"),
        (*CARRIERS, "bus", "supply"),
        (*CARRIERS, "bus", "supply", "finance"),
    ]
    assert [lv.scenario.mode for lv in levels] == ["separate"] + ["integrated"] * 5
    for lv in levels:  # what the model pools is what the level says
        assert lv.scenario.pooled == set(lv.pooled), lv.name
        assert lv.note == ""
        assert lv.scenario.days == LISHUI.days and lv.scenario.integrated.vans_per_town == 3
    # the last level is integrated mode with the default pool
    assert levels[-1].scenario.pooled == sim.derive(LISHUI, {"mode": "integrated"}).pooled


def test_levels_with_only_a_postal_carrier():
    postal_only = sim.derive(LISHUI, {"carriers": [{"name": "post", "kind": "postal", "share": 1.0}]})
    levels = ladder_levels(postal_only)
    assert [lv.name for lv in levels] == [
        "separate",
        "post_express",
        "plus_bus",
        "plus_supply",
        "five_in_one",
    ]
    assert [lv.pooled for lv in levels] == [
        (),
        ("post",),
        ("post", "bus"),
        ("post", "bus", "supply"),
        ("post", "bus", "supply", "finance"),
    ]
    assert "express co-delivery left out: no express carrier" in levels[0].note
    assert "post alone on the pooled fleet" in levels[1].note
    assert all(lv.note == "" for lv in levels[2:])


def test_levels_without_a_postal_carrier():
    express_only = sim.derive(
        LISHUI, {"carriers": [{"name": "x", "share": 0.6}, {"name": "y", "share": 0.4}]}
    )
    levels = ladder_levels(express_only)
    assert [lv.name for lv in levels] == ["separate", "express_codelivery", *NAMES[3:]]
    assert levels[1].pooled == ("x", "y")
    assert "post + express left out: no postal carrier" in levels[1].note


def test_a_pool_in_the_file_does_not_change_the_levels():
    partial = sim.derive(LISHUI, {"integrated": {"pooled": ["postal", "express_a"]}})
    assert [lv.pooled for lv in ladder_levels(partial)] == [lv.pooled for lv in ladder_levels(LISHUI)]


# -- the runs -----------------------------------------------------------------------------


def test_every_level_runs_on_the_same_seeds(short_ladder):
    lad, done = short_ladder
    assert lad.names == tuple(NAMES)
    assert lad.seeds == (3, 4)  # the scenario's seed, then the next
    assert done == [(name, seed) for name in NAMES for seed in (3, 4)]
    for name in NAMES:
        runs = lad.results[name]
        assert [r.seed for r in runs] == [3, 4]
        assert runs[0].scenario is lad.level(name).scenario
        for first, other in zip(lad.results["separate"], runs, strict=True):
            for kpi in DEMAND_KPIS:  # the same items, whatever the level
                assert other.kpis[kpi] == first.kpis[kpi], (name, kpi)
    # and the levels do differ: pooling changes what it costs
    costs = {name: lad.estimates(name)["cost.operator_yuan_per_day"].mean for name in NAMES}
    assert len(set(costs.values())) >= 4, costs


def test_the_five_in_one_level_is_integrated_mode(short_ladder):
    lad, _ = short_ladder
    integrated = sim.run(sim.derive(_short(LISHUI), {"mode": "integrated"}), seed=3)
    level = lad.results["five_in_one"][0].kpis
    assert set(level) == set(integrated.kpis)
    for name, value in integrated.kpis.items():
        assert value == level[name] or (math.isnan(value) and math.isnan(level[name])), name


def test_steps_chain_the_levels(short_ladder):
    lad, _ = short_ladder
    steps = lad.steps()
    assert [(s.before, s.after) for s in steps] == list(zip(NAMES[:-1], NAMES[1:], strict=True))
    assert [s.name for s in steps] == NAMES[1:]
    total = lad.total()
    assert (total.name, total.before, total.after) == ("total", "separate", "five_in_one")
    runs = {name: [r.kpis for r in lad.results[name]] for name in NAMES}
    cost = "cost.operator_yuan_per_day"
    for s in steps:  # each step is after - before, paired by seed
        pairs = zip(runs[s.before], runs[s.after], strict=True)
        expected = sum(b[cost] - a[cost] for a, b in pairs) / 2
        assert s.difference[cost].mean == pytest.approx(expected, rel=1e-12)
        assert s.difference[cost].n == 2


def test_the_steps_add_up_to_the_total(short_ladder):
    lad, _ = short_ladder
    steps, total = lad.steps(), lad.total()
    runs = {name: [r.kpis for r in lad.results[name]] for name in NAMES}
    checked = moving = 0
    for kpi in lad.kpi_names():
        values = [runs[name][i][kpi] for name in NAMES for i in range(2)]
        if not _finite(values):
            continue
        scale = max(abs(v) for v in values)
        for i in range(2):  # per seed, the run values telescope
            per_run = sum(runs[b][i][kpi] - runs[a][i][kpi] for a, b in zip(NAMES, NAMES[1:], strict=False))
            assert _close(per_run, runs[NAMES[-1]][i][kpi] - runs[NAMES[0]][i][kpi], scale), (kpi, i)
        means = [s.difference[kpi].mean for s in steps]
        assert _close(sum(means), total.difference[kpi].mean, scale), kpi
        checked += 1
        moving += sum(abs(m) > 1e-9 * scale for m in means) >= 2
    assert checked >= 30  # most KPIs have a value at every level
    assert moving >= 5  # and for several the change is spread over more than one step


def test_estimates_are_per_level(short_ladder):
    lad, _ = short_ladder
    summary = lad.summarize()
    assert list(summary) == NAMES
    values = [r.kpis["cost.vehicle_km_per_day"] for r in lad.results["plus_bus"]]
    e = summary["plus_bus"]["cost.vehicle_km_per_day"]
    assert (e.mean, e.n) == (pytest.approx(sum(values) / 2, rel=1e-12), 2)
    with pytest.raises(KeyError, match="no level 'integrated'"):
        lad.level("integrated")


def test_table_has_one_row_per_step_and_kpi(short_ladder):
    lad, _ = short_ladder
    table = lad.table()
    kpis = lad.kpi_names()
    assert list(table.columns) == ["step", "label", "kpi", "mean", "ci95_half_width", "n", "before", "after"]
    assert len(table) == (len(NAMES) - 1 + 1) * len(kpis)
    assert table["step"].drop_duplicates().tolist() == [*NAMES[1:], "total"]
    summary = lad.summarize()
    row = table[(table["step"] == "plus_supply") & (table["kpi"] == "cost.co2_kg_per_day")].iloc[0]
    step = lad.steps()[3]
    assert row["label"] == "+ supply"
    assert row["mean"] == step.difference["cost.co2_kg_per_day"].mean
    assert row["ci95_half_width"] == step.difference["cost.co2_kg_per_day"].half_width
    assert row["before"] == summary["plus_bus"]["cost.co2_kg_per_day"].mean
    assert row["after"] == summary["plus_supply"]["cost.co2_kg_per_day"].mean
    assert row["after"] - row["before"] == pytest.approx(row["mean"], rel=1e-9)
    total = table[(table["step"] == "total") & (table["kpi"] == "cost.co2_kg_per_day")].iloc[0]
    assert total["before"] == summary["separate"]["cost.co2_kg_per_day"].mean
    assert total["after"] == summary["five_in_one"]["cost.co2_kg_per_day"].mean
    chosen = lad.table(kpis=["finance.local_share", "cost.yuan_per_item"])
    assert len(chosen) == len(NAMES) * 2
    assert chosen["kpi"].tolist()[:2] == ["finance.local_share", "cost.yuan_per_item"]
