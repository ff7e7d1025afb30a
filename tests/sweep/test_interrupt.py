"""A sweep killed part-way (SIGKILL) or stopped with Ctrl-C (SIGINT) resumes without gaps or duplicates."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pandas as pd
import pytest

import sim
from sim.cli import main
from sim.sweep.store import Store
from sim.sweep.summary import kpi_names

pytestmark = pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="POSIX signals")

# 6 points x 6 replications of the tiny county: a few seconds on 2 workers.
LONGER_SWEEP = """\
scenario = "base.toml"
replications = 6
seed = 11
[parameters]
mode = ["separate", "integrated"]
"integrated.vans_per_town" = { values = [1, 2, 3], also = ["carriers.*.vans_per_town"] }
"""
TOTAL = 36
VANS = "integrated.vans_per_town"


def _start(path: Path, db: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "sim", "sweep", str(path), "--workers", "2", "--db", str(db)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,  # its own process group: the pool workers go with it
    )


def _rows(db: Path) -> list[tuple]:
    if not db.exists():
        return []
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=30) as con:
        try:
            return con.execute(
                "SELECT point, replication, status, kpis, finished, worker FROM runs "
                "ORDER BY point, replication"
            ).fetchall()
        except sqlite3.OperationalError:  # tables not created yet
            return []


def _wait_for_rows(proc: subprocess.Popen, db: Path, n: int, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while len(_rows(db)) < n:
        if proc.poll() is not None:
            out, err = proc.communicate()
            pytest.fail(f"the sweep ended before it could be stopped (rc {proc.returncode}): {err[-2000:]}")
        if time.monotonic() > deadline:
            os.killpg(proc.pid, signal.SIGKILL)
            pytest.fail("no runs stored in time")
        time.sleep(0.02)


def _check_complete(db: Path, reference: pd.DataFrame) -> None:
    with sqlite3.connect(db) as con:
        assert con.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert con.execute("SELECT COUNT(*) FROM runs").fetchone()[0] == TOTAL
        keys = con.execute("SELECT point, replication FROM runs").fetchall()
        assert sorted(keys) == [(p, r) for p in range(6) for r in range(6)]  # no gap, no duplicate
        assert con.execute("SELECT COUNT(*) FROM runs WHERE status <> 'done'").fetchone()[0] == 0
    with Store(db) as store:
        (key,) = store.sweeps()["sweep"]
        runs = store.runs(key)
    meta = ["wall_s", "worker", "attempts"]
    pd.testing.assert_frame_equal(runs.drop(columns=meta), reference.drop(columns=meta), check_exact=True)


@pytest.fixture(scope="module")
def longer(tmp_path_factory: pytest.TempPathFactory, tiny_scenario: str) -> tuple[Path, pd.DataFrame]:
    """The sweep file and its complete, uninterrupted results (computed once)."""
    folder = tmp_path_factory.mktemp("longer")
    (folder / "base.toml").write_text(tiny_scenario)
    path = folder / "sweep.toml"
    path.write_text(LONGER_SWEEP)
    return path, sim.sweep(path, workers=2, db=folder / "reference.sqlite")


def test_sigkill_then_resume_has_every_run_once(longer, tmp_path: Path) -> None:
    path, reference = longer
    db = tmp_path / "killed.sqlite"
    proc = _start(path, db)
    _wait_for_rows(proc, db, 5)
    os.killpg(proc.pid, signal.SIGKILL)
    proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    before = _rows(db)
    assert 5 <= len(before) < TOTAL, "the kill came too late to test anything"
    for _, _, status, kpis, _, _ in before:  # every stored row is whole
        assert status == "done" and list(json.loads(kpis)) == kpi_names(reference, ["mode", VANS])
    runs = sim.sweep(path, workers=2, db=db)
    assert len(runs) == TOTAL
    _check_complete(db, reference)
    after = {(r[0], r[1]): r for r in _rows(db)}
    for row in before:  # done runs were skipped, not redone
        assert after[row[0], row[1]] == row


def test_ctrl_c_stops_cleanly_and_resumes(longer, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path, reference = longer
    db = tmp_path / "stopped.sqlite"
    proc = _start(path, db)
    _wait_for_rows(proc, db, 5)
    os.kill(proc.pid, signal.SIGINT)
    sent = time.monotonic()
    try:
        out, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGKILL)
    assert proc.returncode == 130, err
    assert time.monotonic() - sent < 10, "stopping took too long"
    assert "interrupted" in err and "run the same command again to resume" in err
    assert "Traceback" not in err
    stored = len(_rows(db))
    assert 5 <= stored < TOTAL
    time.sleep(0.5)
    with pytest.raises(ProcessLookupError):  # no pool worker left behind
        os.killpg(proc.pid, 0)
    assert main(["sweep", str(path), "--workers", "2", "--db", str(db), "--quiet"]) == 0
    assert f"{stored} were already done" in capsys.readouterr().out
    _check_complete(db, reference)
