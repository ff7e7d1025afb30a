"""Sobol indices through the same code path as any sweep: sweep -> store -> sim.analyze."""

from __future__ import annotations

import numpy as np
import pytest
from models import ISHIGAMI_FIELDS, ISHIGAMI_S1, ISHIGAMI_ST, ishigami
from stores import ranges, run_sweep

import sim

#: A 95 % interval this wide would say nothing: the test also fails on useless intervals.
MAX_HALF_WIDTH = 0.2


def test_ishigami_indices_are_the_analytic_ones_within_their_intervals(ishigami_store):
    table = sim.analyze(ishigami_store, method="sobol", kpis=["ishigami"]).to_frame()
    assert list(table["parameter"]) == list(ISHIGAMI_FIELDS)
    for row, s1, st in zip(table.itertuples(), ISHIGAMI_S1, ISHIGAMI_ST, strict=True):
        assert abs(row.S1 - s1) <= row.S1_ci95, (row.parameter, row.S1, row.S1_ci95, s1)
        assert abs(row.ST - st) <= row.ST_ci95, (row.parameter, row.ST, row.ST_ci95, st)
        assert 0 < row.S1_ci95 < MAX_HALF_WIDTH and 0 < row.ST_ci95 < MAX_HALF_WIDTH
    assert (table["samples"] == 256).all()


def test_indices_do_not_depend_on_the_kpi_scale_and_are_reproducible(ishigami_store):
    """ishigami_half = ishigami / 2: the same indices; the same seed, the same intervals."""
    first = sim.analyze(ishigami_store, method="sobol", kpis=["ishigami", "ishigami_half"]).table
    again = sim.analyze(ishigami_store, method="sobol", kpis=["ishigami", "ishigami_half"]).table
    assert first.equals(again)
    whole, half = first[first["kpi"] == "ishigami"], first[first["kpi"] == "ishigami_half"]
    for column in ("S1", "S1_ci95", "ST", "ST_ci95"):
        np.testing.assert_allclose(whole[column].to_numpy(), half[column].to_numpy(), rtol=1e-9)


def test_one_replication_is_warned_about_and_its_noise_share_is_unknown(ishigami_store):
    result = sim.analyze(ishigami_store, method="sobol", kpis=["ishigami"])
    assert any("fewer than 3 replications" in w for w in result.warnings)
    assert result.noise["noise_share"].isna().all()


def test_a_space_filling_sobol_design_is_refused_not_misread(tmp_path):
    db = run_sweep(
        tmp_path / "s.sqlite", ishigami, design="sobol", samples=64, parameters=ranges(ISHIGAMI_FIELDS)
    )
    with pytest.raises(sim.ScenarioError) as error:
        sim.analyze(db, method="sobol", kpis=["ishigami"])
    assert "saltelli" in str(error.value) and "space-filling" in str(error.value)
    assert error.value.field == "--method" and str(db) in str(error.value)
    # the model-free score reads the same store
    scores = sim.analyze(db, method="importance", kpis=["ishigami"]).table
    assert scores["score"].sum() == pytest.approx(1.0)


def test_a_failed_point_leaves_its_base_sample_out(ishigami_store, tmp_path):
    """The estimator needs whole blocks of D + 2 points: a block with a missing point is dropped."""
    import shutil
    import sqlite3

    db = tmp_path / "holed.sqlite"
    shutil.copyfile(ishigami_store, db)
    with sqlite3.connect(db) as con:
        con.execute("DELETE FROM runs WHERE point IN (7, 8)")  # block 1 (points 5-9)
    table = sim.analyze(db, method="sobol", kpis=["ishigami"]).table
    assert (table["samples"] == 255).all()
