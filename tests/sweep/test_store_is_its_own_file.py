"""The store is its own file (issue 11, class 8), sweeps are bounded (class 10), and the
summary export replaces its file (class 6): what the catalogue cannot check by exit codes."""

from __future__ import annotations

import hashlib
import os
import shutil
import sqlite3
from pathlib import Path

import pytest

import sim
from sim.cli import main
from sim.sweep.design import MAX_SWEEP_RUNS, Parameter, design_points
from sim.sweep.executors import capped_workers, default_workers
from sim.sweep.store import FORMAT_VERSION, MARKER_TABLE, RunRecord, Store

STORE_CASES = Path(__file__).resolve().parents[1] / "data" / "bad" / "08-store"
COMMITTED = ("foreign.db", "not_sqlite.db", "empty.db", "newer_format.db", "legacy.db", "corrupted.db")


def _digest(folder: Path) -> dict[str, str]:
    """Every file of a folder and its sha256: a changed byte or a new -wal/-shm file shows."""
    files = sorted(p for p in folder.iterdir() if p.is_file())
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in files}


def _run(point: int, replication: int = 0) -> RunRecord:
    return RunRecord("k1", point, replication, 5, {"x": point}, "done", {"a.b": 1.0}, version="0.1.0")


def test_catalogue_commands_leave_the_committed_files_as_they_are(
    small_sweep: Path, capsys: pytest.CaptureFixture
) -> None:
    before = _digest(STORE_CASES)
    for name in COMMITTED:
        db = str(STORE_CASES / name)
        expected = 0 if name == "legacy.db" else 2
        assert main(["sweep-summary", db]) == expected, name
        if name not in ("empty.db", "legacy.db", "corrupted.db"):  # would be written: must be refused
            assert main(["sweep", str(small_sweep), "--db", db, "--workers", "1", "--quiet"]) == 2, name
    capsys.readouterr()
    assert _digest(STORE_CASES) == before


def test_a_foreign_database_gets_nothing(tmp_path: Path, small_sweep: Path) -> None:
    db = tmp_path / "contacts.db"
    shutil.copy(STORE_CASES / "foreign.db", db)
    before = _digest(tmp_path)
    with pytest.raises(sim.ScenarioError, match="not a ruralsim results store") as caught:
        sim.sweep(small_sweep, db=db, workers=1)
    assert caught.value.path == str(db)
    with sqlite3.connect(f"file:{db}?mode=ro", uri=True) as raw:
        assert raw.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert _digest(tmp_path) == before


def test_a_new_store_is_made_only_with_its_first_run(write_sweep, tmp_path: Path) -> None:
    """A sweep that fails before its first run (every point invalid) leaves no file, nor its folder."""
    sweep = write_sweep('scenario = "base.toml"\n[parameters]\n"network.n_villages" = [-1, -2]\n')
    db = tmp_path / "new" / "s.sqlite"
    with pytest.raises(sim.ScenarioError, match="every point of the sweep is invalid"):
        sim.sweep(sweep, db=db, workers=1)
    assert not db.parent.exists()


def test_a_store_from_before_the_marker_is_adopted_at_its_first_write(tmp_path: Path) -> None:
    db = tmp_path / "old.sqlite"
    with Store(db) as store:
        store.register("k1", "old", None, ["x"], {})
        store.record(_run(0))
    with sqlite3.connect(db) as raw:
        raw.execute(f"DROP TABLE {MARKER_TABLE}")
    with Store(db, read_only=True) as store:  # read as it is: format 1, nothing written
        assert store.done("k1") == {(0, 0)}
    with sqlite3.connect(db) as raw:
        assert MARKER_TABLE not in {n for (n,) in raw.execute("SELECT name FROM sqlite_master")}
    with Store(db) as store:  # writing: the marker is added, the runs kept
        store.register("k1", "old", None, ["x"], {})
        store.record(_run(1))
        assert store.done("k1") == {(0, 0), (1, 0)}
    with sqlite3.connect(db) as raw:
        assert raw.execute(f"SELECT format_version FROM {MARKER_TABLE}").fetchall() == [(FORMAT_VERSION,)]


def test_a_store_on_read_only_media_can_be_summarised(tmp_path: Path) -> None:
    """Where SQLite cannot create the WAL files beside the store (here: folders in their
    place), read-only opening falls back to immutable=1."""
    db = tmp_path / "s.sqlite"
    with Store(db) as store:
        store.register("k1", "s", None, ["x"], {})
        store.record(_run(0))
    for suffix in ("-wal", "-shm"):
        Path(f"{db}{suffix}").mkdir()
    with pytest.raises(sqlite3.OperationalError):
        sqlite3.connect(f"file:{db}?mode=ro", uri=True).execute("SELECT * FROM runs").fetchall()
    os.chmod(db, 0o444)
    with Store(db, read_only=True) as store:
        assert store.done("k1") == {(0, 0)}
        assert len(store.runs("k1")) == 1


def test_read_only_store_never_writes(tmp_path: Path) -> None:
    db = tmp_path / "s.sqlite"
    with Store(db) as store:
        store.register("k1", "s", None, ["x"], {})
        store.record(_run(0))
    with Store(db, read_only=True) as store, pytest.raises(RuntimeError, match="read-only"):
        store.record(_run(1))


def test_csv_export_replaces_an_existing_file_and_names_it(
    small_sweep: Path, tmp_path: Path, capsys: pytest.CaptureFixture
) -> None:
    db = tmp_path / "s.sqlite"
    assert main(["sweep", str(small_sweep), "--workers", "1", "--db", str(db), "--quiet"]) == 0
    out = tmp_path / "exports"
    out.mkdir()
    csv = out / "summary.csv"
    csv.write_text("an older export\n")
    assert main(["sweep-summary", str(db), "--csv", str(csv)]) == 0
    assert csv.read_text().startswith("point,") and [p.name for p in out.iterdir()] == ["summary.csv"]
    capsys.readouterr()
    assert main(["sweep-summary", str(db), "--csv", str(out)]) == 2  # a folder
    assert main(["sweep-summary", str(db), "--csv", str(csv / "x.csv")]) == 2  # under a file
    err = capsys.readouterr().err
    assert f"{out}: --csv: cannot write the export: it is a folder" in err
    assert f"{csv / 'x.csv'}: --csv: cannot write the export" in err and "is a file, not a folder" in err
    assert ".tmp" not in err and [p.name for p in out.iterdir()] == ["summary.csv"]


def test_design_size_is_counted_without_making_points() -> None:
    huge = [Parameter(f"p{i}", (f"p{i}",), values=tuple(range(1000))) for i in range(5)]
    assert design_points(huge, "grid", None) == 10**15
    assert design_points(huge, "lhs", 7) == 7
    assert design_points([], "sobol", 7) == 1
    assert MAX_SWEEP_RUNS == 1_000_000


def test_workers_are_capped_at_the_cores_with_a_note() -> None:
    notes: list[str] = []
    assert capped_workers(100_000, notes.append) == default_workers()
    assert notes and "100000 workers asked for" in notes[0]
    assert capped_workers(1, notes.append) == 1 and len(notes) == 1
    with pytest.warns(UserWarning, match="100000 workers"):
        capped_workers(100_000)
