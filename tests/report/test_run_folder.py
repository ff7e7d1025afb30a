"""A run's output folder (sim/report/run_folder.py, sim/report/run_files.py): checked by
writing before simulating, and its files replaced as one set after.

The probe refuses what root's ``os.access`` lets through (empty paths, the working
directory, dangling links, over-long names, files, the kernel's file systems, someone
else's files); the writers stage the files beside the folder and swap them in, so a
failure halfway (a full disk) leaves the previous run whole and no staging folder behind.
"""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest

import sim
from sim.report import run_files
from sim.report.run_files import RUN_FILES, prepare_folder, write_comparison, write_run
from sim.report.run_folder import RunFolderError, foreign_files, replaced

LISHUI = Path(__file__).resolve().parents[2] / "scenarios" / "lishui.toml"
TABLES = ["kpis.json", "daily.csv", "trips.csv", "fleets.csv", "backlog.csv", "scenario.toml", "villages.csv"]


@pytest.fixture(scope="module")
def results():
    scenario = sim.derive(sim.load(LISHUI), {"days": 1, "warmup_days": 0})
    return [sim.run(scenario, 1)]


def _siblings(folder: Path) -> list[str]:
    """Hidden entries beside ``folder``: staging or old folders left behind."""
    return sorted(p.name for p in folder.parent.iterdir() if p.name.startswith("."))


def _contents(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _previous_run(folder: Path) -> dict[str, bytes]:
    """A folder as an earlier run (with figures) left it."""
    folder.mkdir(parents=True)
    for name in [*TABLES, "coverage_map.png", "lead_time.png"]:
        (folder / name).write_text(f"old {name}\n", encoding="utf-8")
    return _contents(folder)


# -- the probe, before simulating -----------------------------------------------------------


def test_a_new_folder_is_probed_and_nothing_is_left(tmp_path):
    out = tmp_path / "runs" / "deep" / "lishui"
    (tmp_path / "runs").mkdir()
    assert prepare_folder(str(out)) == out.resolve()
    # the probe's staging folder, its file and the parents it made are gone: a run that
    # fails after this leaves nothing new; the folder appears with the run's files
    assert list((tmp_path / "runs").iterdir()) == []


def test_the_probe_writes_for_real_whatever_os_access_says(tmp_path, monkeypatch):
    monkeypatch.setattr(os, "access", lambda *a, **k: True)  # as for root

    def full(*args, **kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(tmp_path / "new" / ".probe"))

    monkeypatch.setattr("sim.report.run_folder.tempfile.mkdtemp", full)
    with pytest.raises(RunFolderError, match="No space left on device") as caught:
        prepare_folder(tmp_path / "new" / "out")
    assert caught.value.path == str(tmp_path / "new" / "out")
    assert not (tmp_path / "new").exists()  # the parents it created are removed again


def test_an_empty_path_is_refused():
    with pytest.raises(RunFolderError, match="is an empty path"):
        prepare_folder("")


@pytest.mark.parametrize("given", [".", "..", "./"])
def test_the_working_directory_is_refused(given, tmp_path, monkeypatch):
    (tmp_path / "work").mkdir()
    (tmp_path / "work" / "notes.txt").write_text("mine", encoding="utf-8")
    monkeypatch.chdir(tmp_path / "work")
    with pytest.raises(RunFolderError, match="is the working directory"):
        prepare_folder(given)
    assert (tmp_path / "work" / "notes.txt").read_text(encoding="utf-8") == "mine"


@pytest.mark.parametrize("below", ["", "sub"])
def test_a_dangling_link_is_refused(below, tmp_path):
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "nowhere")
    with pytest.raises(RunFolderError, match="which does not exist") as caught:
        prepare_folder(link / below if below else link)
    assert str(link) in str(caught.value) and "nowhere" in str(caught.value)
    assert not (tmp_path / "nowhere").exists()


def test_a_link_to_a_folder_is_written_through(tmp_path, results):
    (tmp_path / "real").mkdir()
    link = tmp_path / "out"
    link.symlink_to(tmp_path / "real")
    assert prepare_folder(link) == (tmp_path / "real").resolve()
    write_run(results, link, figures=False)
    assert link.is_symlink()
    assert sorted(p.name for p in (tmp_path / "real").iterdir()) == sorted(TABLES)


@pytest.mark.parametrize("length", [256, 300])
def test_an_over_long_name_is_refused(length, tmp_path):
    with pytest.raises(RunFolderError, match="ENAMETOOLONG") as caught:
        prepare_folder(tmp_path / ("a" * length))
    assert f"{length} bytes" in str(caught.value)


def test_the_longest_name_still_fits_its_staging_sibling(tmp_path, results):
    out = tmp_path / ("a" * 255)
    prepare_folder(out)
    write_run(results, out, figures=False)
    assert sorted(p.name for p in out.iterdir()) == sorted(TABLES)


def test_an_over_long_path_is_refused(tmp_path):
    out = tmp_path.joinpath(*["b" * 200] * 25)  # names that fit, 5,000 bytes in all
    with pytest.raises(RunFolderError, match="path is longer"):
        prepare_folder(out)
    assert list(tmp_path.iterdir()) == []


def test_a_file_is_not_a_folder(tmp_path):
    (tmp_path / "taken").write_text("a file", encoding="utf-8")
    with pytest.raises(RunFolderError, match="is a file, not a folder"):
        prepare_folder(tmp_path / "taken")
    with pytest.raises(RunFolderError, match=f"{tmp_path / 'taken'} is a file"):
        prepare_folder(tmp_path / "taken" / "out")
    assert (tmp_path / "taken").read_text(encoding="utf-8") == "a file"


@pytest.mark.skipif(not Path("/proc/self/mounts").exists(), reason="needs Linux's /proc")
@pytest.mark.parametrize(
    "out", ["/proc/ruralsim-x", "/proc/self/ruralsim-x", "/sys/ruralsim-x", "/dev/ruralsim-x"]
)
def test_the_kernels_file_systems_are_refused(out):
    with pytest.raises(RunFolderError, match="special file system"):
        prepare_folder(out)
    assert not os.path.lexists(out)


def test_someone_elses_files_are_refused(tmp_path):
    out = tmp_path / "out"
    _previous_run(out)
    (out / "notes.txt").write_text("my notes", encoding="utf-8")
    with pytest.raises(RunFolderError, match=r"holds 1 file\(s\) that no run wrote \(notes.txt\)"):
        prepare_folder(out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "my notes"


def test_a_previous_runs_folder_and_an_empty_one_are_accepted(tmp_path):
    _previous_run(tmp_path / "old")
    (tmp_path / "old" / ".kpis.json.x1y2.tmp").write_bytes(b"")  # left by a killed run
    (tmp_path / "empty").mkdir()
    assert prepare_folder(tmp_path / "old") == (tmp_path / "old").resolve()
    assert prepare_folder(tmp_path / "empty") == (tmp_path / "empty").resolve()
    assert foreign_files(tmp_path / "old", RUN_FILES) == []


# -- the files as one set, after simulating ---------------------------------------------------


def test_a_new_run_replaces_the_old_one_whole(tmp_path, results):
    out = tmp_path / "out"
    _previous_run(out)
    written = write_run(results, out, figures=False)
    assert written == [out / name for name in TABLES]
    # the old figures went with the old run: the folder holds one run, not a mix
    assert sorted(p.name for p in out.iterdir()) == sorted(TABLES)
    assert all(not p.read_bytes().startswith(b"old ") for p in out.iterdir())
    assert out.stat().st_mode & 0o777 == 0o755
    assert _siblings(out) == []


def test_a_full_disk_halfway_leaves_the_old_run_whole(tmp_path, results, monkeypatch):
    out = tmp_path / "out"
    before = _previous_run(out)
    real_write_csv = run_files.write_csv
    calls = []

    def full_on_the_third_file(target, table):  # kpis.json, daily.csv, then trips.csv
        calls.append(Path(target).name)
        if Path(target).name == "trips.csv":
            Path(target).write_text("trip,km\n0,", encoding="utf-8")  # half a file
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))
        real_write_csv(target, table)

    monkeypatch.setattr(run_files, "write_csv", full_on_the_third_file)
    with pytest.raises(OSError) as caught:
        write_run(results, out)
    assert calls == ["daily.csv", "trips.csv"]
    assert caught.value.errno == errno.ENOSPC
    assert caught.value.filename == str(out / "trips.csv")  # not the staging folder
    assert f"{out} is unchanged" in caught.value.strerror
    assert _contents(out) == before
    assert _siblings(out) == []


def test_a_failure_without_an_old_folder_creates_none(tmp_path, results, monkeypatch):
    def full(target, table):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(run_files, "write_csv", full)
    with pytest.raises(OSError, match="was not created"):
        write_comparison({"separate": results, "integrated": results}, tmp_path / "out")
    assert list(tmp_path.iterdir()) == []


def test_an_interrupt_while_writing_leaves_the_old_run(tmp_path):
    out = tmp_path / "out"
    before = _previous_run(out)
    with pytest.raises(KeyboardInterrupt), replaced(out, RUN_FILES) as staging:
        (staging / "kpis.json").write_text("{}", encoding="utf-8")
        raise KeyboardInterrupt
    assert _contents(out) == before
    assert _siblings(out) == []


def test_a_failed_swap_puts_the_old_folder_back(tmp_path, monkeypatch):
    out = tmp_path / "out"
    before = _previous_run(out)
    real_rename = os.rename

    def refuse_the_new_one(src, dst):
        if Path(src).name.startswith(".out.tmp-"):
            raise OSError(errno.EIO, os.strerror(errno.EIO), str(src))
        real_rename(src, dst)

    monkeypatch.setattr("sim.report.run_folder.os.rename", refuse_the_new_one)
    with pytest.raises(OSError, match="Input/output error") as caught, replaced(out, RUN_FILES) as staging:
        (staging / "kpis.json").write_text("{}", encoding="utf-8")
    assert caught.value.filename == str(out)
    assert _contents(out) == before
    assert _siblings(out) == []


def test_files_that_appear_during_the_run_stop_the_swap(tmp_path):
    out = tmp_path / "out"
    _previous_run(out)
    with (
        pytest.raises(OSError, match="holds files that no run wrote") as caught,
        replaced(out, RUN_FILES) as staging,
    ):
        (staging / "kpis.json").write_text("{}", encoding="utf-8")
        (out / "notes.txt").write_text("written while it ran", encoding="utf-8")
    assert caught.value.filename == str(out)
    assert (out / "notes.txt").read_text(encoding="utf-8") == "written while it ran"
    assert (out / "kpis.json").read_text(encoding="utf-8") == "old kpis.json\n"
    assert _siblings(out) == []
