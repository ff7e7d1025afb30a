"""``ruralsim sweep`` and ``ruralsim sweep-summary`` end to end."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from sim.cli import main


def test_sweep_then_summary_and_exports(
    small_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    db = tmp_path / "small.sqlite"
    assert main(["sweep", str(small_sweep), "--workers", "2", "--db", str(db)]) == 0
    out = capsys.readouterr().out
    assert "4 point(s) x 2 replication(s) = 8 runs" in out and "8 done, 0 failed" in out
    assert "on_time_share" in out  # the summary table
    csv, runs_csv = tmp_path / "summary.csv", tmp_path / "runs.csv"
    assert main(["sweep-summary", str(db), "--kpi", "cost.van_utilisation", "--csv", str(csv)]) == 0
    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0].startswith("sweep (sweep ") and "4 point(s), 8 done and 0 failed" in lines[0]
    assert "cost.van_utilisation" in out and "±" in out and "on_time_share" not in out
    summary = pd.read_csv(csv)
    assert len(summary) == 4 and (summary["done"] == 2).all()
    assert {"last_km.on_time_share.mean", "last_km.on_time_share.ci95", "mode"} <= set(summary.columns)
    assert main(["sweep-summary", str(db), "--runs", "--csv", str(runs_csv)]) == 0
    runs = pd.read_csv(runs_csv)
    assert len(runs) == 8
    # the interval is the t interval of the stored runs
    from sim.kpi.stats import estimate

    first = runs[runs["point"] == 0]["last_km.on_time_share"]
    assert summary.loc[0, "last_km.on_time_share.mean"] == pytest.approx(estimate(first.tolist()).mean)
    assert summary.loc[0, "last_km.on_time_share.ci95"] == pytest.approx(estimate(first.tolist()).half_width)


def test_parquet_export(small_sweep: Path, tmp_path: Path) -> None:
    pytest.importorskip("pyarrow")
    db = tmp_path / "p.sqlite"
    assert main(["sweep", str(small_sweep), "--workers", "1", "--db", str(db), "--quiet"]) == 0
    target = tmp_path / "out" / "summary.parquet"
    assert main(["sweep-summary", str(db), "--parquet", str(target)]) == 0
    table = pd.read_parquet(target)
    assert len(table) == 4 and "cost.operator_yuan_per_day.mean" in table.columns
    assert [p.name for p in target.parent.iterdir()] == ["summary.parquet"]  # no temporary left


def test_default_db_beside_the_sweep_file(small_sweep: Path) -> None:
    assert main(["sweep", str(small_sweep), "--workers", "1", "--quiet"]) == 0
    assert small_sweep.with_suffix(".sqlite").is_file()


def test_summary_errors_exit_2(small_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["sweep-summary", str(tmp_path / "none.sqlite")]) == 2
    db = tmp_path / "e.sqlite"
    assert main(["sweep", str(small_sweep), "--workers", "1", "--db", str(db), "--quiet"]) == 0
    capsys.readouterr()
    assert main(["sweep-summary", str(db), "--kpi", "last_km.on_time_shar"]) == 2
    assert "did you mean 'last_km.on_time_share'" in capsys.readouterr().err


def test_failed_runs_exit_1_with_the_error(
    write_sweep, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    path = write_sweep(
        'scenario = "base.toml"\nreplications = 1\n[parameters]\nmode = ["integrated", "seperate"]\n'
    )
    assert main(["sweep", str(path), "--workers", "1", "--db", str(tmp_path / "f.sqlite"), "--quiet"]) == 1
    captured = capsys.readouterr()
    assert "1 done, 1 failed" in captured.out
    assert "mode: invalid value" in captured.err and "'seperate'" in captured.err


def test_help_lists_the_commands(capsys: pytest.CaptureFixture) -> None:
    with pytest.raises(SystemExit):
        main(["--help"])
    out = capsys.readouterr().out
    assert "sweep" in out and "sweep-summary" in out


@pytest.mark.slow
def test_scheduler_local_starts_a_dask_cluster(small_sweep: Path, tmp_path: Path, capsys) -> None:
    pytest.importorskip("distributed")
    db = tmp_path / "local.sqlite"
    assert main(["sweep", str(small_sweep), "--scheduler", "local", "--workers", "2", "--db", str(db)]) == 0
    captured = capsys.readouterr()
    assert "Dask LocalCluster of 2 worker processes" in captured.out and "8 done" in captured.out
    assert "Dask dashboard: http" in captured.err


def test_unusable_scheduler_address_exit_2(small_sweep: Path, tmp_path: Path, capsys) -> None:
    pytest.importorskip("distributed")
    db = tmp_path / "never.sqlite"
    assert main(["sweep", str(small_sweep), "--scheduler", "no-port-here", "--db", str(db)]) == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert not db.exists()


def test_sim_sweep_is_one_callable_package() -> None:
    import inspect
    import subprocess
    import sys

    import sim
    import sim.sweep as package
    from sim.sweep import Store, sweep

    assert sim.sweep is package is sweep and callable(sim.sweep)
    assert sim.sweep.Store is Store and "workers" in inspect.signature(sim.sweep).parameters
    # registering the subcommands must not load the sweep machinery (numpy, pandas, ...):
    # the sweep commands live in sim.cli.sweep, which imports sim.sweep only when a command runs
    code = (
        "import sys, sim.cli.app; sim.cli.app.build_parser(); "
        "print(sorted(m for m in sys.modules if m.startswith('sim.sweep')), 'sim.cli.sweep' in sys.modules)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[] True"
