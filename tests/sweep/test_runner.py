"""Running sweeps: identical KPIs whatever the executor, failed runs recorded, resuming."""

from __future__ import annotations

import math
import multiprocessing
import os
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.sweep import Store, load_sweep, runner
from sim.sweep.spec import scenario_hash
from sim.sweep.worker import run_task

META = ["wall_s", "worker", "attempts"]


def _kpis(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.drop(columns=META).reset_index(drop=True)


def _sequential(path: Path) -> dict[tuple[int, int], dict[str, float]]:
    """The same runs as plain sim.run calls on scenarios built by hand."""
    spec = load_sweep(path)
    base = spec.base.model_dump(mode="json")
    out = {}
    for i, point in enumerate(spec.points):
        data = {**base, "mode": point["mode"], "integrated": {**base["integrated"]}}
        data["integrated"]["vans_per_town"] = point["integrated.vans_per_town"]
        data["carriers"] = [
            {**c, "vans_per_town": point["integrated.vans_per_town"]} for c in base["carriers"]
        ]
        scenario = sim.from_dict(data)
        for r in range(spec.replications):
            out[i, r] = sim.run(scenario, seed=spec.seed + r).kpis
    return out


def test_identical_kpis_inline_pool_dask_and_sequential(small_sweep: Path, tmp_path: Path) -> None:
    distributed = pytest.importorskip("distributed")
    one = sim.sweep(small_sweep, workers=1, db=tmp_path / "one.sqlite")
    two = sim.sweep(small_sweep, workers=2, db=tmp_path / "two.sqlite")
    # A real LocalCluster of 2 worker processes, reached by its tcp:// address as a
    # cluster on other machines would be (--scheduler tcp://host:8786).
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0"
    ) as cluster:
        assert cluster.scheduler_address.startswith("tcp://")
        dask = sim.sweep(small_sweep, scheduler=cluster.scheduler_address, db=tmp_path / "dask.sqlite")
    assert len(one) == 8 and (one["status"] == "done").all()
    assert one["worker"].nunique() == 1 and two["worker"].nunique() == 2
    assert dask["worker"].nunique() == 2 and not set(dask["worker"]) & set(two["worker"])
    pd.testing.assert_frame_equal(_kpis(one), _kpis(two), check_exact=True)
    pd.testing.assert_frame_equal(_kpis(one), _kpis(dask), check_exact=True)
    reference = _sequential(small_sweep)
    for row in one.itertuples(index=False):
        expected = reference[row.point, row.replication]
        for name, value in expected.items():
            stored = one.loc[
                (one["point"] == row.point) & (one["replication"] == row.replication), name
            ].item()
            assert stored == value or (math.isnan(stored) and math.isnan(value)), name
    # common random numbers: replication r has the same seed at every point
    assert one.groupby("replication")["seed"].nunique().eq(1).all()
    assert sorted(one["seed"].unique()) == [5, 6]


def test_invalid_values_fail_readably_and_the_rest_completes(write_sweep, tmp_path: Path) -> None:
    path = write_sweep(
        """\
        scenario = "base.toml"
        replications = 2
        [parameters]
        "integrated.vans_per_town" = [1, 2]
        "hub.node" = ["no_such_node"]
        """
    )
    # hub.node is checked only when the world is built, in the worker: every run fails there
    db = tmp_path / "bad.sqlite"
    runs = sim.sweep(path, workers=2, db=db)
    assert (runs["status"] == "failed").all()
    assert runs["error"].str.contains("hub.node").all() and runs["error"].str.contains("no_such_node").all()
    assert not runs["error"].str.contains("Traceback").any()

    path = write_sweep(
        """\
        scenario = "base.toml"
        replications = 2
        [parameters]
        "integrated.vans_per_town" = [1, -3, 2]
        mode = ["integrated", "seperate"]
        """,
        "mixed.toml",
    )
    runs = sim.sweep(path, workers=2, db=tmp_path / "mixed.sqlite")
    assert len(runs) == 12
    bad = (runs["integrated.vans_per_town"] == -3) | (runs["mode"] == "seperate")
    assert (runs.loc[bad, "status"] == "failed").all() and (runs.loc[~bad, "status"] == "done").all()
    errors = runs.loc[bad, "error"]
    assert errors[runs["mode"] == "seperate"].str.contains("mode: invalid value").all()
    assert errors[runs["integrated.vans_per_town"] == -3].str.contains("integrated.vans_per_town").any()
    assert runs.loc[bad, "last_km.on_time_share"].isna().all()
    assert runs.loc[~bad, "last_km.on_time_share"].notna().all()


def test_resume_skips_done_and_reruns_failed(small_sweep: Path, tmp_path: Path) -> None:
    db = tmp_path / "r.sqlite"
    spec = load_sweep(small_sweep)
    first = sim.sweep(spec, workers=1, db=db)
    seen = []
    again = sim.sweep(spec, workers=1, db=db, on_progress=seen.append)
    assert seen == [] or seen[-1].to_run == 0
    pd.testing.assert_frame_equal(_kpis(first), _kpis(again), check_exact=True)
    # raise the replications: only the new runs are done
    more = small_sweep.parent / "more.toml"
    more.write_text(small_sweep.read_text().replace("replications = 2", "replications = 3"))
    counts = []
    bigger = sim.sweep(more, workers=2, db=db, on_progress=lambda p: counts.append((p.skipped, p.to_run)))
    assert counts[-1] == (8, 4) and len(bigger) == 12
    pd.testing.assert_frame_equal(_kpis(bigger[bigger["replication"] < 2]), _kpis(first), check_exact=True)
    with Store(db) as store:
        assert len(store.sweeps()) == 1
    # scenario hash and version recorded per run
    assert set(bigger["version"]) == {sim.__version__}
    assert bigger.loc[0, "scenario_hash"] == scenario_hash(spec.scenario_at(spec.points[0]))


def test_independent_seeds_option(write_sweep, tmp_path: Path) -> None:
    path = write_sweep(
        """\
        scenario = "base.toml"
        replications = 2
        common_random_numbers = false
        [parameters]
        "integrated.vans_per_town" = [2, 3]
        """
    )
    runs = sim.sweep(path, workers=1, db=tmp_path / "i.sqlite")
    assert runs["seed"].nunique() == 4


def test_dataframe_from_a_mapping_in_memory(tmp_path: Path) -> None:
    base = tmp_path / "base.toml"
    base.write_text("days = 3\nwarmup_days = 1\n[network]\nn_villages = 20\n")
    runs = sim.sweep(
        {"scenario": str(base), "replications": 1, "parameters": {"mode": ["separate", "integrated"]}},
        workers=1,
    )
    assert runs["mode"].tolist() == ["separate", "integrated"]
    assert runs["cost.operator_yuan_per_day"].notna().all()


@pytest.mark.parametrize("design", ["lhs", "sobol"])
def test_sampled_designs_run(write_sweep, tmp_path: Path, design: str) -> None:
    path = write_sweep(
        f"""\
        scenario = "base.toml"
        design = "{design}"
        samples = 4
        replications = 1
        [parameters]
        "integrated.vans_per_town" = {{ min = 1, max = 3 }}
        "operations.stop_service_min" = {{ min = 2.0, max = 9.0 }}
        """
    )
    runs = sim.sweep(path, workers=1, db=tmp_path / f"{design}.sqlite")
    assert len(runs) == 4 and (runs["status"] == "done").all()
    assert runs["operations.stop_service_min"].between(2.0, 9.0).all()


def _crash_on_point_1(task):
    """A run that takes its worker process down, as a segfault or the OOM killer would."""
    if task.point == 1:
        os._exit(3)
    return run_task(task)


def test_a_dying_worker_fails_its_runs_and_the_sweep_goes_on(
    small_sweep: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    if multiprocessing.get_start_method() != "fork":
        pytest.skip("the patched task reaches pool workers only when they are forked")
    db = tmp_path / "crash.sqlite"
    monkeypatch.setattr(runner, "run_task", _crash_on_point_1)
    runs = sim.sweep(small_sweep, workers=2, db=db)
    assert len(runs) == 8
    crashed = runs[runs["point"] == 1]
    assert (crashed["status"] == "failed").all()
    assert crashed["error"].str.contains("the worker process died during this run").all()
    # the runs in flight beside the crash were rerun one at a time, and are done
    assert (runs.loc[runs["point"] != 1, "status"] == "done").all()
    monkeypatch.undo()
    again = sim.sweep(small_sweep, workers=2, db=db)
    assert (again["status"] == "done").all()
