"""Units of an analysis: pairs across modes on common random numbers, replication noise."""

from __future__ import annotations

import numpy as np
import pytest
from models import INTEGRATION_SAVING, ISHIGAMI_FIELDS, modal_cost
from stores import ranges, run_sweep

import sim
from sim.analysis.units import load_units

X1 = "operations.stop_service_min"
DIFFERENCE = "integrated_minus_separate.cost.yuan_per_item"


def test_a_grid_over_mode_is_paired_and_common_random_numbers_cancel_the_noise(tmp_path):
    db = run_sweep(
        tmp_path / "g.sqlite",
        modal_cost,
        replications=4,
        parameters={"mode": ["separate", "integrated"], X1: {"min": 2.0, "max": 12.0, "step": 1.0}},
    )
    units = load_units(db)
    assert units.pair == "mode" and units.levels == ["separate", "integrated"] and units.inputs == [X1]
    assert len(units.runs) == 11 * 4  # 11 units x 4 replications
    np.testing.assert_allclose(units.runs[DIFFERENCE].to_numpy(), -INTEGRATION_SAVING, rtol=1e-12)
    assert np.isnan(units.noise(DIFFERENCE))  # no variance left at all
    # the level KPIs keep their noise: sd 1 over 4 replications, against a spread of 2 * x1
    assert 0.0 < units.noise("separate.cost.yuan_per_item") < 0.2
    # with common random numbers a replication's luck is the same at every point: no index sees it
    assert np.isnan(units.noise("separate.pure_noise"))
    result = sim.analyze(db, method="importance", kpis=["cost.yuan_per_item"])
    assert set(result.kpis) == {"separate.cost.yuan_per_item", "integrated.cost.yuan_per_item", DIFFERENCE}
    assert not result.warnings  # 4 replications, little noise in these


def test_a_saltelli_design_crosses_mode_and_pairs_its_rows(tmp_path):
    db = run_sweep(
        tmp_path / "s.sqlite",
        modal_cost,
        design="saltelli",
        samples=8,
        replications=2,
        parameters={"mode": ["separate", "integrated"], **ranges(ISHIGAMI_FIELDS)},
    )
    runs = sim.sweep.Store(db).runs()
    assert len(runs) == 8 * 5 * 2 * 2
    first, second = runs[runs["point"] == 0].iloc[0], runs[runs["point"] == 1].iloc[0]
    assert (first["mode"], second["mode"]) == ("separate", "integrated")
    assert all(first[k] == second[k] for k in ISHIGAMI_FIELDS)
    units = load_units(db)
    assert (
        units.pair == "mode" and units.inputs == list(ISHIGAMI_FIELDS) and units.runs["unit"].nunique() == 40
    )
    np.testing.assert_allclose(units.runs[DIFFERENCE].to_numpy(), -INTEGRATION_SAVING, rtol=1e-12)
    indices = sim.analyze(db, method="sobol", kpis=["separate.cost.yuan_per_item"]).table
    assert indices.set_index("parameter").loc[X1, "S1"] > 0.5  # x1 drives the cost


def test_without_common_random_numbers_the_pairs_say_so(tmp_path):
    db = run_sweep(
        tmp_path / "n.sqlite",
        modal_cost,
        replications=2,
        common_random_numbers=False,
        parameters={"mode": ["separate", "integrated"], X1: [2.0, 12.0]},
    )
    units = load_units(db)
    assert any("different seeds" in note for note in units.notes)
    assert 0.3 < units.noise("separate.pure_noise") <= 1.0  # now it is all noise
    assert not np.allclose(units.runs[DIFFERENCE].to_numpy(), -INTEGRATION_SAVING)


def test_unknown_kpi_and_pair_are_located(tmp_path):
    db = run_sweep(
        tmp_path / "k.sqlite", modal_cost, parameters={"mode": ["separate", "integrated"], X1: [2.0, 12.0]}
    )
    with pytest.raises(sim.ScenarioError, match="did you mean 'cost.yuan_per_item'") as error:
        sim.analyze(db, kpis=["cost.yuan_per_itme"])
    assert error.value.field == "--kpi"
    with pytest.raises(sim.ScenarioError, match="unknown parameter"):
        sim.analyze(db, pair="mdoe")
    unpaired = load_units(db, pair="none")
    assert unpaired.pair is None and "mode" in unpaired.inputs and "cost.yuan_per_item" in unpaired.kpis
