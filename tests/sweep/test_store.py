"""The SQLite store: one row per run, done rows never replaced, NaN kept, a view for SQL."""

from __future__ import annotations

import math
import sqlite3
from pathlib import Path

from sim.sweep.store import RunRecord, Store


def _run(point: int, rep: int, status: str = "done", **kw) -> RunRecord:
    kpis = kw.pop("kpis", {"a.x": 1.0 + point, "b.y": 0.5} if status == "done" else None)
    return RunRecord(
        sweep="k1",
        point=point,
        replication=rep,
        seed=10 + rep,
        params={"mode": "integrated", "integrated.vans_per_town": point},
        status=status,
        kpis=kpis,
        error=None if status == "done" else "boom",
        wall_s=0.1,
        version="0.1.0",
        scenario_hash="h",
        **kw,
    )


def test_wal_unique_rows_and_upsert_rules(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    with Store(db) as store:
        store.register("k1", "test", None, ["mode", "integrated.vans_per_town"], {"any": 1})
        store.record(_run(0, 0, "failed"))
        store.record(_run(0, 0, "failed"))  # failed again: still one row, two attempts
        store.record(_run(0, 0))  # then done: replaces the failed row
        store.record(_run(0, 0, kpis={"a.x": 99.0, "b.y": 99.0}))  # a done row is never replaced
        store.record(_run(1, 0))
        assert store.done("k1") == {(0, 0), (1, 0)}
        runs = store.runs("k1")
    assert list(runs.columns[:7]) == [
        "sweep",
        "point",
        "replication",
        "seed",
        "status",
        "mode",
        "integrated.vans_per_town",
    ]
    assert runs["a.x"].tolist() == [1.0, 2.0]
    assert runs["attempts"].tolist() == [3, 1]
    assert runs["error"].isna().all()
    with sqlite3.connect(db) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert raw.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == 2
        view = raw.execute('SELECT "integrated.vans_per_town", "a.x" FROM results ORDER BY point').fetchall()
    assert view == [(0, 1.0), (1, 2.0)]


def test_nan_kpis_and_new_kpi_names(tmp_path: Path) -> None:
    with Store(tmp_path / "s.sqlite") as store:
        store.register("k1", "test", None, ["mode", "integrated.vans_per_town"], {})
        store.record(_run(0, 0, kpis={"a.x": math.nan, "b.y": math.inf}))
        store.record(_run(1, 0, kpis={"a.x": 2.0, "c.z": 3.0}))
        runs = store.runs("k1")
    assert math.isnan(runs["a.x"][0]) and math.isnan(runs["b.y"][0]) and math.isnan(runs["c.z"][0])
    assert runs["c.z"][1] == 3.0


def test_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    bad = tmp_path / "bad.sqlite"
    bad.write_text("this is not SQLite" * 100)
    import pytest

    import sim

    with pytest.raises(sim.ScenarioError, match="not a ruralsim results store"):
        Store(bad)
    with pytest.raises(sim.ScenarioError, match="no such results store"):
        Store.open_existing(tmp_path / "none.sqlite")
