"""The command line end to end: ``ruralsim`` / ``python -m sim`` on the built-in scenario.

A few runs go through a real subprocess (the installed ``ruralsim`` script and
``python -m sim``); the rest call ``sim.cli.main`` in-process, which is the same code
without the interpreter start-up. The horizon is short (4 days, 2 of them warm-up).
"""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim
from sim.cli import main

ROOT = Path(__file__).resolve().parents[1]
LISHUI = ROOT / "scenarios" / "lishui.toml"
RURALSIM = str(Path(sys.executable).with_name("ruralsim"))
SHORT = ["--days", "4", "--replications", "2"]
PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
DAILY_COLUMNS = {
    "day",
    "date",
    "measured",
    "items_created",
    "delivered_in_village",
    "fetched_by_villagers",
    "trips",
    "vehicle_km",
    "cost_yuan",
    "co2_kg",
    "seed",
}
TRIP_COLUMNS = {
    "trip",
    "day",
    "operator",
    "kind",
    "vehicle_type",
    "km",
    "items",
    "cost_yuan",
    "co2_kg",
    "seed",
}


def _cli(args: list[str], cwd: Path = ROOT) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "MPLBACKEND": "Agg"}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300, env=env)


def _strict_json(path: Path) -> dict:
    def refuse(token: str) -> object:
        raise AssertionError(f"{path.name} holds the non-JSON token {token}")

    return json.loads(path.read_text(encoding="utf-8"), parse_constant=refuse)


# -- ruralsim run, in a subprocess --------------------------------------------------------


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    out = tmp_path_factory.mktemp("run") / "lishui"
    proc = _cli([RURALSIM, "run", "scenarios/lishui.toml", *SHORT, "--out", str(out)])
    return proc, out


def test_run_exits_0_and_prints_the_kpi_table(run):
    proc, out = run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("Lishui: integrated mode, 4 days (2 warm-up), 2 replication(s)")
    header = next(line for line in lines if line.startswith("KPI"))
    assert "mean (n=2)" in header and "95% CI" in header
    kpis = _strict_json(out / "kpis.json")["summary"]
    for name in kpis:  # every KPI has a row, under its section
        assert any(line.split()[:1] == [name.split(".", 1)[1]] for line in lines), name
    assert "[Last kilometre (inbound parcels)]" in lines
    files = ", ".join(
        ["kpis.json", "daily.csv", "trips.csv", "fleets.csv", "backlog.csv", "scenario.toml"]
        + ["coverage_map.png", "lead_time.png", "villages.csv", "report.html"]
    )
    assert f"wrote {files} to {out}/" in lines


def test_run_writes_strict_kpis_json(run):
    _, out = run
    data = _strict_json(out / "kpis.json")
    assert set(data) >= {"summary", "runs"}
    assert data["meta"]["days"] == 4 and data["meta"]["warmup_days"] == 2
    assert [r["seed"] for r in data["runs"]] == [1, 2]  # the scenario's seed, then the next
    assert len(data["runs"]) == 2
    names = set(data["summary"])
    assert "last_km.on_time_share" in names and "cost.vehicle_km_per_day" in names
    for r in data["runs"]:
        assert set(r["kpis"]) == names
    for name, est in data["summary"].items():
        assert set(est) == {"mean", "ci95_half_width", "n"}
        values = [r["kpis"][name] for r in data["runs"]]
        if None in values:
            continue
        assert est["n"] == 2
        assert est["mean"] == pytest.approx(np.mean(values), rel=1e-12, abs=1e-12), name
        if values[0] != values[1]:
            assert est["ci95_half_width"] > 0, name


def test_run_writes_daily_and_trips_consistent_with_the_kpis(run):
    _, out = run
    data = _strict_json(out / "kpis.json")
    daily = pd.read_csv(out / "daily.csv")
    trips = pd.read_csv(out / "trips.csv")
    fleets = pd.read_csv(out / "fleets.csv")
    backlog = pd.read_csv(out / "backlog.csv")
    assert DAILY_COLUMNS <= set(daily.columns)
    assert TRIP_COLUMNS <= set(trips.columns)
    assert sorted(daily["seed"].unique()) == [1, 2]
    assert sorted(trips["seed"].unique()) == [1, 2]
    for r in data["runs"]:
        kpis, d, t = r["kpis"], daily[daily["seed"] == r["seed"]], trips[trips["seed"] == r["seed"]]
        assert len(d) >= 4  # the demand days, and a few more so late parcels arrive
        assert d["day"].tolist() == list(range(len(d)))
        measured = d["measured"].astype(bool)
        assert d.loc[measured, "day"].tolist() == [2, 3]  # after the 2 warm-up days
        n = int(measured.sum())
        assert d.loc[measured, "vehicle_km"].sum() == pytest.approx(kpis["cost.vehicle_km_per_day"] * n)
        assert d.loc[measured, "cost_yuan"].sum() == pytest.approx(kpis["cost.operator_yuan_per_day"] * n)
        assert d.loc[measured, "co2_kg"].sum() == pytest.approx(kpis["cost.co2_kg_per_day"] * n)
        # trips.csv is the log behind daily.csv
        per_day = t.groupby("day")
        driven = t[t["kind"] != "bus"].groupby("day")  # bus km are the bus's own, not freight's
        bus = t[t["kind"] == "bus"].groupby("day")
        for col_daily, agg in (
            ("trips", per_day.size()),
            ("vehicle_km", driven["km"].sum()),
            ("bus_cargo_km", bus["km"].sum()),
        ):
            got = d.set_index("day")[col_daily]
            assert np.allclose(got, agg.reindex(got.index, fill_value=0)), col_daily
        t_measured = t[t["day"].isin(d.loc[measured, "day"])]
        for kind in ("van", "trunk"):
            assert (t_measured["kind"] == kind).sum() == pytest.approx(kpis[f"cost.{kind}_trips_per_day"] * n)
        assert (t["km"] >= 0).all() and (t["items"] >= 0).all()
        # fleets.csv: the owned fleets whose standing cost is in the daily cost
        f = fleets[fleets["seed"] == r["seed"]]
        assert f["standing_yuan_per_day"].sum() == pytest.approx(kpis["cost.fleet_standing_yuan_per_day"])
        assert f["vehicle_days_driven"].sum() / f["vehicle_days_owned"].sum() == pytest.approx(
            kpis["cost.vehicle_use_share"]
        )
        assert (d["cost_yuan"] - d["fleet_standing_yuan"]).sum() == pytest.approx(t["cost_yuan"].sum())
        # backlog.csv: the end-of-day backlog by town adds up to the largest in the KPIs
        bl = backlog[(backlog["seed"] == r["seed"]) & backlog["measured"].astype(bool)]
        assert bl.groupby("day")["items"].sum().max() == pytest.approx(kpis["peak.backlog_items_max"])


def test_run_draws_the_two_figures(run):
    """What the figures show is tested in tests/report/test_figures.py; here, that they are
    real PNG images with something drawn on them."""
    import matplotlib.image

    _, out = run
    for name in ("coverage_map.png", "lead_time.png"):
        data = (out / name).read_bytes()
        assert data.startswith(PNG_MAGIC), name
        image = matplotlib.image.imread(out / name)
        assert (image != image[0, 0]).any(), name  # not one colour all over
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [
            "kpis.json",
            "daily.csv",
            "trips.csv",
            "fleets.csv",
            "backlog.csv",
            "scenario.toml",
            "coverage_map.png",
            "lead_time.png",
            "villages.csv",
            "report.html",
        ]
    )  # and no temporary files left behind


# -- ruralsim compare ---------------------------------------------------------------------


def test_compare_prints_both_modes_and_the_difference(tmp_path):
    proc = _cli([sys.executable, "-m", "sim", "compare", str(LISHUI), *SHORT, "--quiet"], cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "Lishui: separate, integrated on the same 2 seed(s), 4 days"
    header = next(line for line in lines if line.startswith("KPI"))
    assert header.split()[:6] == ["KPI", "separate", "integrated", "integrated", "-", "separate"]
    # the difference column is integrated minus separate (shares are printed to 3 decimals)
    row = next(line.split() for line in lines if line.split()[:1] == ["on_time_share"])
    separate, integrated, diff = (float(x) for x in row[1:4])
    assert diff == pytest.approx(integrated - separate, abs=0.0015)
    # the default output folder, relative to the working directory
    out = tmp_path / "runs" / "lishui-compare"
    data = _strict_json(out / "comparison.json")
    assert data["modes"] == ["separate", "integrated"]
    assert data["seeds"] == [1, 2]
    est, dif = data["estimates"], data["difference_to_separate"]["integrated"]
    for name, d in dif.items():
        a, b = est["separate"][name]["mean"], est["integrated"][name]["mean"]
        if None not in (a, b, d["mean"]):
            assert d["mean"] == pytest.approx(b - a, rel=1e-9, abs=1e-9), name
    table = pd.read_csv(out / "comparison.csv")
    assert sorted(zip(table["mode"], table["seed"], strict=True)) == [
        ("integrated", 1),
        ("integrated", 2),
        ("separate", 1),
        ("separate", 2),
    ]


def test_compare_needs_two_known_modes(capsys):
    assert main(["compare", str(LISHUI), "--modes", "integrated,both"]) == 2
    err = capsys.readouterr().err
    assert "--modes needs at least two of separate, integrated" in err
    assert "found:    integrated,both" in err


def test_compare_refuses_a_mode_twice(capsys):
    assert main(["compare", str(LISHUI), "--modes", "integrated, separate,integrated"]) == 2
    err = capsys.readouterr().err
    assert "--modes: names integrated more than once" in err
    assert "found:    integrated, separate,integrated" in err


# -- help, version, validate ---------------------------------------------------------------


def test_python_m_sim_help():
    proc = _cli([sys.executable, "-m", "sim", "--help"])
    assert proc.returncode == 0
    assert proc.stdout.startswith("usage: ruralsim")
    for command in ("run", "compare", "validate"):
        assert command in proc.stdout
    assert proc.stderr == ""


def test_ruralsim_version():
    proc = _cli([RURALSIM, "--version"])
    assert proc.returncode == 0
    assert proc.stdout == f"ruralsim {sim.__version__}\n"


def test_subcommand_help_lists_the_options(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "--help"])
    assert info.value.code == 0
    out = capsys.readouterr().out
    for option in ("--out", "--seed", "--days", "--replications", "--mode", "--no-figures"):
        assert option in out


COMMANDS = ("run", "compare", "validate", "sweep", "sweep-summary")


def _help(command: str, capsys) -> str:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"])
    assert info.value.code == 0
    return capsys.readouterr().out


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_help_says_what_it_does_and_shows_examples_that_parse(command, capsys):
    import shlex

    from sim.cli.app import build_parser

    text = _help(command, capsys)
    description = text.split("\n\n")[1]
    assert not description.startswith(("positional", "options")) and len(description) > 100
    assert max(len(line) for line in description.splitlines()) <= 88  # filled, not one long line
    examples = text.split("examples:\n", 1)[1].split("\n\n")[0].splitlines()
    assert examples and all(line.startswith(f"  ruralsim {command} ") for line in examples)
    for line in examples:
        for part in line.split("#")[0].split("&&"):
            args = shlex.split(part)[1:]
            assert build_parser().parse_args(args).command_handler is not None, line


def test_a_closed_stdout_ends_quietly(tmp_path):
    """``ruralsim run ... | head -1``: head has its line; ruralsim says nothing and ends 141
    (or 0 when its last write came before head exited)."""
    env = {**os.environ, "PYTHONWARNINGS": "ignore", "MPLBACKEND": "Agg"}
    argv = [RURALSIM, "run", str(LISHUI), "--days", "3", "--replications", "1", "--no-figures", "--quiet"]
    pipe = subprocess.PIPE
    writer = subprocess.Popen([*argv, "--out", str(tmp_path / "out")], stdout=pipe, stderr=pipe, env=env)
    head = subprocess.run(["head", "-1"], stdin=writer.stdout, capture_output=True, text=True, timeout=300)
    writer.stdout.close()
    stderr = writer.stderr.read().decode()
    writer.stderr.close()
    code = writer.wait(timeout=300)
    assert head.stdout.startswith("Lishui: integrated mode, 3 days")
    assert stderr == "" and code in (0, 141), (code, stderr)


def test_no_command_prints_help_and_exits_2(capsys):
    assert main([]) == 2
    assert "usage: ruralsim" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv",
    [["run"], ["run", "x.toml", "--days", "many"], ["frobnicate"], ["run", "x.toml", "--mode", "both"]],
)
def test_bad_arguments_exit_2_with_usage(argv, capsys):
    with pytest.raises(SystemExit) as info:
        main(argv)
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.startswith("usage: ruralsim")
    assert "error:" in err


def test_validate_the_built_in_scenario(capsys):
    assert main(["validate", str(LISHUI)]) == 0
    out = capsys.readouterr().out
    assert out == f"{LISHUI}: valid (integrated mode, 28 days, 90 villages, 8 towns, 6 carriers)\n"


@pytest.mark.parametrize(
    ("flags", "field"),
    [(["--replications", "0"], "replications"), (["--days", "0"], "days"), (["--seed", "-1"], "seed")],
)
def test_bad_overrides_are_bad_input(flags, field, capsys, tmp_path):
    code = main(["run", str(LISHUI), *flags, "--out", str(tmp_path / "out"), "--quiet"])
    assert code == 2
    err = capsys.readouterr().err
    assert f"{LISHUI}: {field}: invalid value (after {flags[0]} {flags[1]})" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


# -- seeds ---------------------------------------------------------------------------------


def _run_in_process(out: Path, seed: int) -> dict:
    argv = ["run", str(LISHUI), "--days", "3", "--replications", "1", "--seed", str(seed)]
    assert main([*argv, "--out", str(out), "--no-figures", "--quiet"]) == 0
    return _strict_json(out / "kpis.json")


def test_the_same_seed_gives_identical_outputs(tmp_path, capsys):
    a = _run_in_process(tmp_path / "a", 5)
    b = _run_in_process(tmp_path / "b", 5)
    c = _run_in_process(tmp_path / "c", 6)
    capsys.readouterr()
    assert a["meta"]["seeds"] == [5]
    assert a["runs"] == b["runs"] and a["summary"] == b["summary"]
    for name in ("daily.csv", "trips.csv"):
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes()
    assert c["meta"]["seeds"] == [6]
    assert a["runs"][0]["kpis"] != c["runs"][0]["kpis"]  # another seed, other parcels


# -- output folders that cannot be written -------------------------------------------------


def _unwritable(tmp_path: Path) -> Path:
    """A folder path that cannot be created, even by root: its parent is a file."""
    blocker = tmp_path / "blocker"
    blocker.write_text("a file, not a folder", encoding="utf-8")
    return blocker / "out"


def test_an_unwritable_output_folder_fails_readably(tmp_path, capsys):
    out = _unwritable(tmp_path)
    code = main(["run", str(LISHUI), "--days", "3", "--replications", "1", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert code != 0
    assert "Traceback" not in err
    assert str(tmp_path / "blocker") in err
    assert len(err.strip().splitlines()) <= 3
    assert (tmp_path / "blocker").read_text(encoding="utf-8") == "a file, not a folder"


def test_an_unwritable_output_folder_is_not_called_an_internal_error(tmp_path, capsys):
    out = _unwritable(tmp_path)
    main(["run", str(LISHUI), "--days", "3", "--replications", "1", "--out", str(out), "--quiet"])
    err = capsys.readouterr().err
    assert "internal error" not in err
    assert "please report" not in err


def test_unwritable_output_through_the_real_command(tmp_path):
    out = _unwritable(tmp_path)
    proc = _cli([RURALSIM, "run", str(LISHUI), "--days", "3", "--replications", "1", "--out", str(out)])
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr + proc.stdout
    assert str(tmp_path / "blocker") in proc.stderr


@pytest.mark.parametrize("command", [["run"], ["compare"], ["compare", "--ladder"]])
def test_a_bad_output_folder_is_found_before_simulating(command, tmp_path, monkeypatch, capsys):
    def no_simulating(*args, **kwargs):
        raise AssertionError("simulated before the output folder was checked")

    for name in ("replicate", "compare"):
        monkeypatch.setattr(sim, name, no_simulating)
    monkeypatch.setattr(sim.api, "ladder", no_simulating)
    link = tmp_path / "dangling"
    link.symlink_to(tmp_path / "nowhere")
    assert main([command[0], str(LISHUI), *command[1:], "--days", "1", "--out", str(link), "--quiet"]) == 2
    err = capsys.readouterr().err
    assert (
        f"error: {link}: --out: {link} is a symbolic link to {tmp_path / 'nowhere'}, which does not exist"
        in err
    )
    assert main([command[0], str(LISHUI), *command[1:], "--days", "1", "--out", "", "--quiet"]) == 2
    assert "--out: is an empty path" in capsys.readouterr().err
    assert list(tmp_path.iterdir()) == [link]


def test_a_second_run_replaces_the_first_as_one_set(tmp_path, capsys):
    out = tmp_path / "out"
    argv = ["run", str(LISHUI), "--days", "1", "--replications", "1", "--out", str(out), "--quiet"]
    assert main(argv) == 0
    assert (out / "coverage_map.png").exists()
    assert main([*argv, "--no-figures", "--seed", "7"]) == 0
    capsys.readouterr()
    assert sorted(p.name for p in out.iterdir()) == sorted(
        ["kpis.json", "daily.csv", "trips.csv", "fleets.csv", "backlog.csv", "scenario.toml", "villages.csv"]
    )  # no figure (nor report.html) of the first run left beside the second run's tables
    assert _strict_json(out / "kpis.json")["meta"]["seeds"] == [7]
    (out / "notes.txt").write_text("mine", encoding="utf-8")
    assert main(argv) == 2
    assert "holds 1 file(s) that no run wrote (notes.txt)" in capsys.readouterr().err
    assert (out / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_full_disk_after_simulating_is_exit_1_and_keeps_the_old_run(tmp_path, monkeypatch, capsys):
    import errno

    from sim.report import run_files

    out = tmp_path / "out"
    argv = [
        "run",
        str(LISHUI),
        "--days",
        "1",
        "--replications",
        "1",
        "--out",
        str(out),
        "--quiet",
        "--no-figures",
    ]
    assert main(argv) == 0
    before = {p.name: p.read_bytes() for p in out.iterdir()}

    def full(target, table):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), str(target))

    monkeypatch.setattr(run_files, "write_csv", full)
    capsys.readouterr()
    assert main([*argv, "--seed", "9"]) == 1
    err = capsys.readouterr().err
    assert f"error: cannot write {out / 'daily.csv'}: No space left on device ({out} is unchanged)" in err
    assert {p.name: p.read_bytes() for p in out.iterdir()} == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out"]


# -- start-up ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def help_imports():
    code = (
        "import sys\n"
        "from sim.cli import main\n"
        "try:\n    main(['--help'])\nexcept SystemExit:\n    pass\n"
        "print(' '.join(m for m in ('matplotlib', 'pandas', 'scipy.stats') if m in sys.modules))"
    )
    proc = _cli([sys.executable, "-c", code])
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.splitlines()[-1].split()


def test_help_does_not_import_matplotlib(help_imports):
    """DESIGN.md: matplotlib is imported inside the report code, so --help answers at once."""
    assert "matplotlib" not in help_imports


def test_help_does_not_import_the_simulation_stack(help_imports):
    assert "pandas" not in help_imports and "scipy.stats" not in help_imports


def test_interrupt_exits_130(monkeypatch, capsys):
    import sim.cli.run

    def interrupted(args):
        raise KeyboardInterrupt

    monkeypatch.setattr(sim.cli.run, "cmd_validate", interrupted)
    assert main(["validate", str(LISHUI)]) == 130
    assert capsys.readouterr().err == "interrupted\n"


def test_nan_kpis_are_null_in_kpis_json(tmp_path, capsys):
    """No NaN token even when a KPI is undefined (no parcels: lead times have no value)."""
    scenario = tmp_path / "quiet.toml"
    scenario.write_text(
        'name = "quiet"\ndays = 3\nwarmup_days = 1\n[parcels]\nper_1000_residents_per_day = 0.0\n'
        "[poi]\nparcels_per_day = 0.0\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    assert (
        main(["run", str(scenario), "--replications", "1", "--out", str(out), "--no-figures", "--quiet"]) == 0
    )
    capsys.readouterr()
    data = _strict_json(out / "kpis.json")
    values = data["runs"][0]["kpis"]
    assert values["last_km.parcels_per_day"] == 0
    assert values["last_km.lead_time_h_p50"] is None
    assert all(v is None or math.isfinite(v) for v in values.values())


# -- ruralsim compare --ladder -------------------------------------------------------------

LADDER_LEVELS = ["separate", "express_codelivery", "post_express", "plus_bus", "plus_supply", "five_in_one"]


@pytest.fixture(scope="module")
def ladder_run(tmp_path_factory):
    cwd = tmp_path_factory.mktemp("ladder")
    proc = _cli([sys.executable, "-m", "sim", "compare", str(LISHUI), "--ladder", *SHORT, "--quiet"], cwd=cwd)
    return proc, cwd / "runs" / "lishui-ladder"  # the default folder, relative to the working directory


def test_ladder_prints_each_step_and_the_total(ladder_run):
    from sim.report.tables import fmt

    proc, out = ladder_run
    assert proc.returncode == 0, proc.stderr
    assert "Traceback" not in proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0] == "Lishui: the integration ladder, 6 levels on the same 2 seed(s), 4 days"
    assert "  express co-delivery      pools express_a, express_b, express_c, express_d, express_e" in lines
    assert "  + bus                    adds bus" in lines
    data = _strict_json(out / "ladder.json")
    # the block of one KPI: each level's mean, then what the step to it adds, then the total
    start = lines.index("[operator cost, yuan/day (cost.operator_yuan_per_day)]")
    block = lines[start + 1 : start + 8]
    labels = [lv["label"] for lv in data["levels"]]
    assert [row[: len(label)] for row, label in zip(block, [*labels, "total"], strict=True)] == [
        *labels,
        "total",
    ]
    name = "cost.operator_yuan_per_day"
    means = [fmt(data["estimates"][lv][name]["mean"], name) for lv in LADDER_LEVELS]
    adds = [fmt(s["difference"][name]["mean"], name) for s in data["steps"]]
    assert block[0].split()[-1] == means[0]
    for row, mean, add in zip(block[1:6], means[1:], adds, strict=True):
        signed = add if add.startswith("-") or not add.strip("0.,") else f"+{add}"  # 0.000 has no sign
        assert row.split()[-5:-3] == [mean, signed], row
    total = fmt(data["total"]["difference"][name]["mean"], name)
    assert block[6].startswith("total: separate -> five_in_one") and total in block[6].split()
    # every headline KPI has its block; the folder holds the three files and nothing else
    for kpi in ("cost.yuan_per_item", "last_km.lead_time_h_p90", "finance.villager_travel_km_per_day"):
        assert any(line.startswith("[") and line.endswith(f"({kpi})]") for line in lines), kpi
    social = [k for k in data["estimates"]["separate"] if k.startswith("social.")]  # shown when present
    assert sum(line.startswith("[") for line in lines) == 16 + len(social)
    written = "ladder.json, ladder.csv, scenario.toml, villages.csv, report.html"
    assert lines[-1] == f"wrote {written} to {out.relative_to(out.parents[1])}/"
    assert sorted(p.name for p in out.iterdir()) == [
        "ladder.csv",
        "ladder.json",
        "report.html",
        "scenario.toml",
        "villages.csv",
    ]


def test_ladder_csv_has_a_row_per_step_and_kpi(ladder_run):
    _, out = ladder_run
    data = _strict_json(out / "ladder.json")
    table = pd.read_csv(out / "ladder.csv")
    kpis = list(data["estimates"]["separate"])
    assert list(table.columns) == ["step", "label", "kpi", "mean", "ci95_half_width", "n", "before", "after"]
    assert len(table) == (len(LADDER_LEVELS) - 1 + 1) * len(kpis)  # 5 steps and the total, every KPI
    assert sorted(zip(table["step"], table["kpi"], strict=True)) == sorted(
        (step, kpi) for step in [*LADDER_LEVELS[1:], "total"] for kpi in kpis
    )
    km = "cost.vehicle_km_per_day"
    row = table[(table["step"] == "plus_bus") & (table["kpi"] == km)].iloc[0]
    assert row["before"] == pytest.approx(data["estimates"]["post_express"][km]["mean"])
    assert row["after"] == pytest.approx(data["estimates"]["plus_bus"][km]["mean"])
    assert row["mean"] == pytest.approx(data["steps"][2]["difference"][km]["mean"])


def test_ladder_json_steps_add_up_to_the_total(ladder_run):
    _, out = ladder_run
    data = _strict_json(out / "ladder.json")
    assert [lv["name"] for lv in data["levels"]] == LADDER_LEVELS
    assert data["levels"][-1]["pooled"][-3:] == ["bus", "supply", "finance"]
    assert data["seeds"] == [1, 2]
    assert [(s["before"], s["after"]) for s in data["steps"]] == list(
        zip(LADDER_LEVELS[:-1], LADDER_LEVELS[1:], strict=True)
    )
    assert (data["total"]["before"], data["total"]["after"]) == ("separate", "five_in_one")
    for lv in LADDER_LEVELS:
        assert [r["seed"] for r in data["runs"][lv]] == [1, 2]
    checked = 0
    for name, total in data["total"]["difference"].items():
        steps = [s["difference"][name]["mean"] for s in data["steps"]]
        if total["mean"] is None or None in steps:
            continue
        scale = max(abs(e[name]["mean"]) for e in data["estimates"].values())
        assert sum(steps) == pytest.approx(total["mean"], rel=1e-9, abs=1e-9 * scale), name
        assert total["n"] == 2 and total["ci95_half_width"] is not None
        checked += 1
    assert checked >= 30
    assert data["total"]["difference"]["cost.operator_yuan_per_day"]["mean"] != 0


def test_ladder_and_modes_exclude_each_other(tmp_path, capsys):
    with pytest.raises(SystemExit) as info:
        main(["compare", str(LISHUI), "--ladder", "--modes", "x", "--out", str(tmp_path / "out")])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "error: argument --modes: not allowed with argument --ladder" in err
    assert "Traceback" not in err
    assert not (tmp_path / "out").exists()


def test_the_ladder_table_shows_social_kpis_when_there_are_any():
    from sim.kpi import Estimate
    from sim.report.tables import ladder_kpis, ladder_table

    names = ["cost.operator_yuan_per_day", "social.cost_yuan_per_day", "bus.freight_lines"]
    kpis = ladder_kpis(names)
    assert [k for k, _ in kpis] == ["cost.operator_yuan_per_day", "social.cost_yuan_per_day"]
    levels = [("separate", "separate"), ("five_in_one", "+ finance")]
    est = {
        "separate": {n: Estimate(100.0, 1.0, 2) for n in names},
        "five_in_one": {n: Estimate(60.0, 1.0, 2) for n in names},
    }
    diff = {n: Estimate(-40.0, 2.5, 2) for n in names}
    text = ladder_table(levels, est, [diff], diff, kpis, total_label="total")
    lines = text.splitlines()
    start = lines.index("[social: cost yuan per day (social.cost_yuan_per_day)]")
    assert lines[start + 1].split() == ["separate", "100.0"]
    assert lines[start + 2].split() == ["+", "finance", "60.000", "-40.000", "±", "2.500", "-40%"]
    assert lines[start + 3].split() == ["total", "-40.000", "±", "2.500", "-40%"]


# -- what the output folder says about the run ---------------------------------------------


def _kpis_of_runs(folder: Path) -> list[dict]:
    return [run["kpis"] for run in _strict_json(folder / "kpis.json")["runs"]]


def test_scenario_toml_is_the_run_with_its_overrides_and_runs_again_to_the_same_kpis(tmp_path, capsys):
    first, again = tmp_path / "first", tmp_path / "again"
    argv = ["run", str(LISHUI), "--days", "3", "--seed", "5", "--replications", "2", "--mode", "separate"]
    assert main([*argv, "--out", str(first), "--no-figures", "--quiet"]) == 0
    written = sim.load(first / "scenario.toml")
    assert (written.days, written.seed, written.replications, written.mode) == (3, 5, 2, "separate")
    assert main(["run", str(first / "scenario.toml"), "--out", str(again), "--no-figures", "--quiet"]) == 0
    capsys.readouterr()
    assert _kpis_of_runs(again) == _kpis_of_runs(first)
    assert _strict_json(again / "kpis.json")["meta"]["seeds"] == [5, 6]


def test_scenario_toml_names_the_network_files_so_it_runs_from_any_folder(tmp_path, monkeypatch, capsys):
    from sim.network.county import generate_county
    from sim.network.files import write_csv

    county = tmp_path / "county"
    county.mkdir()
    write_csv(generate_county(seed=2, n_villages=20), county / "n.csv", county / "e.csv")
    scenario = tmp_path / "county.toml"
    scenario.write_text(
        'name = "csv county"\ndays = 3\nwarmup_days = 1\nreplications = 1\n'
        '[network]\nsource = "csv"\nnodes_csv = "county/n.csv"\nedges_csv = "county/e.csv"\n',
        encoding="utf-8",
    )
    monkeypatch.chdir(tmp_path)
    assert main(["run", "county.toml", "--out", "first", "--no-figures", "--quiet"]) == 0
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.chdir(elsewhere)
    assert main(["run", "../first/scenario.toml", "--out", "again", "--no-figures", "--quiet"]) == 0
    capsys.readouterr()
    assert _kpis_of_runs(elsewhere / "again") == _kpis_of_runs(tmp_path / "first")


def _assert_meta(meta: dict, seeds: list[int], command: str) -> None:
    assert meta["seeds"] == seeds and meta["replications"] == len(seeds)
    assert meta["ruralsim_version"] == sim.__version__
    assert meta["written"][:4].isdigit() and "T" in meta["written"]
    assert meta["wall_time_s"] > 0
    assert meta["command_line"].startswith(f"ruralsim {command} ")
    assert meta["settings"] == "scenario.toml" and meta["scenario"] == "Lishui"


def test_every_json_file_holds_the_metadata_of_its_command(tmp_path, capsys):
    base = [str(LISHUI), "--days", "3", "--replications", "2", "--seed", "4", "--quiet"]
    assert main(["run", *base, "--no-figures", "--out", str(tmp_path / "r")]) == 0
    assert main(["compare", *base, "--out", str(tmp_path / "c")]) == 0
    capsys.readouterr()
    _assert_meta(_strict_json(tmp_path / "r" / "kpis.json")["meta"], [4, 5], "run")
    _assert_meta(_strict_json(tmp_path / "c" / "comparison.json")["meta"], [4, 5], "compare")
    assert sim.load(tmp_path / "c" / "scenario.toml").days == 3


def test_the_ladder_folder_keeps_its_scenario_and_metadata(ladder_run):
    _proc, out = ladder_run
    meta = _strict_json(out / "ladder.json")["meta"]
    assert meta["command_line"].startswith("ruralsim compare ") and "--ladder" in meta["command_line"]
    assert meta["replications"] == len(meta["seeds"]) and meta["wall_time_s"] > 0
    written = sim.load(out / "scenario.toml")
    assert written.days == meta["days"] and written.mode == "integrated"


def test_a_separate_run_draws_each_operator_on_its_own_panel(tmp_path, capsys):
    out = tmp_path / "sep"
    argv = ["run", str(LISHUI), "--mode", "separate", "--days", "2", "--replications", "1", "--quiet"]
    assert main([*argv, "--out", str(out)]) == 0
    assert "coverage_map.png, operator_maps.png, lead_time.png" in capsys.readouterr().out
    assert (out / "operator_maps.png").is_file()  # what the panels hold: tests/report/test_maps.py
    together = tmp_path / "int"
    assert main([*argv[:2], "--days", "2", "--replications", "1", "--quiet", "--out", str(together)]) == 0
    assert not (together / "operator_maps.png").exists()  # one pooled fleet: the county map says it all
