"""The catalogue of bad scenario files: every one gives a planner's message and exit code 2.

Each file in ``bad/`` starts with a comment saying what is wrong. The table below says,
per file, what the message must name: the field path, the line in the file (checked
against the file itself by ``test_table_points_at_the_right_lines``), the problem, and
the expected / found text. Most files go through ``sim.cli.main`` in-process; a few go
through the real command line in a subprocess.
"""

from __future__ import annotations

import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

import sim
from sim.cli import main

BAD = Path(__file__).parent / "bad"
EXIT_BAD_INPUT = 2


@dataclass(frozen=True)
class Case:
    file: str
    field: str | None  # dotted path the headline names (None: no field, e.g. TOML syntax)
    line: int | None  # line the headline names
    on_line: str | None  # text that is on that line of the file (guards the table)
    message: str  # the problem, in words
    expected: str | None = None  # text after "expected:"
    found: str | None = None  # text after "found:"


CASES = [
    Case(
        "freight_not_in_timetable.toml",
        "bus.generated_freight_departures.1",
        6,
        "generated_freight_departures",
        "a freight departure that is not in the lines' timetable",
        expected="one of bus.generated_departures",
        found="13:30",
    ),
    Case(
        "syntax_clock.toml",
        None,
        6,
        "dispatch_times = [09:00]",
        "TOML syntax error",
        expected='clock times are quoted strings in TOML, e.g. "06:30"',
        found="dispatch_times = [09:00]",
    ),
    Case(
        "wrong_type.toml",
        "days",
        3,
        "days =",
        "invalid value",
        expected="a valid integer",
        found="'many'",
    ),
    Case(
        "negative_capacity.toml",
        "vehicle_types.micro_van.capacity_kg",
        6,
        "capacity_kg = -5",
        "invalid value",
        expected="greater than 0",
        found="-5",
    ),
    Case(
        "unknown_key.toml",
        "integrated.vans_per_twon",
        6,
        "vans_per_twon",
        "unknown key 'vans_per_twon' (did you mean 'vans_per_town'?)",
        expected="one of ['pooled', 'vans_per_town', 'vehicle', 'piece_rate_yuan_per_parcel', 'van_days', "
        "'trunk_deadline']",
    ),
    Case(
        "unknown_key_in_array.toml",
        "carriers.1.colour",
        12,
        "colour =",
        "unknown key 'colour'",
        expected="'linehaul_arrival'",
    ),
    Case(
        "clock_out_of_range.toml",
        "hub.trunk_departure",
        6,
        '"25:00"',
        "invalid value",
        expected='a clock time between "00:00" and "23:59"',
        found="'25:00'",
    ),
    Case(
        "empty_fleet.toml",
        "integrated.vans_per_town",
        6,
        "vans_per_town = 0",
        "the integrated fleet is empty",
        expected="at least 1 van per town",
        found="0",
    ),
    Case(
        "unknown_hub_node.toml",
        "hub.node",
        8,
        'node = "nowhere"',
        "unknown node id",
        expected="a node of the network",
        found="'nowhere'",
    ),
    Case(
        "fixed_not_a_village.toml",
        "parcels.fixed_per_village.st_baima",
        13,
        "st_baima = 5",
        "unknown village node id",
        expected="a village node of the network",
        found="'st_baima'",
    ),
    Case(
        "unreachable_village.toml",
        "network",
        5,
        "[network]",
        "not every place is reachable by road",
        found="v_island",  # the unreachable village is named (inline, see the xfail below)
    ),
    Case(
        "shares_not_one.toml",
        "carriers",
        4,
        "[[carriers]]",
        "carrier shares must add up to 1",
        expected="1.0",
        found="0.900",
    ),
    Case(
        "unknown_vehicle.toml",
        "carriers.1.vehicle",
        12,
        'vehicle = "micro_vna"',
        "unknown vehicle type (did you mean 'micro_van'?)",
        expected="one of ['coop_truck', 'light_truck', 'micro_van']",
        found="'micro_vna'",
    ),
    Case(
        "warmup_too_long.toml",
        "warmup_days",
        4,
        "warmup_days = 5",
        "warm-up must be shorter than the run",
        expected="fewer than days = 5",
        found="5",
    ),
    Case(
        "bad_mode.toml",
        "mode",
        3,
        'mode = "both"',
        "invalid value",
        expected="'separate' or 'integrated'",
        found="'both'",
    ),
    Case(
        "bad_date.toml",
        "parcels.promotion_dates.1",
        7,
        '"02-30"',
        "invalid value",
        expected='a real date of the year "MM-DD"',
        found="'02-30'",
    ),
    Case(
        "duplicate_carrier.toml",
        "carriers.1.name",
        10,
        'name = "postal"',
        "carrier names must be unique",
        expected="a new name",
        found="'postal'",
    ),
    Case(
        "csv_missing_edges.toml",
        "network",
        4,
        "[network]",
        "invalid value",
        expected='source = "csv" needs nodes_csv and edges_csv',
    ),
    Case(
        "network_file_missing.toml",
        "network.path",
        6,
        'path = "no_such_county.graphml"',
        "bad network file",
        found="no_such_county.graphml: no such network file",
    ),
    Case(
        "pooled_unknown.toml",
        "integrated.pooled.1",
        5,
        '"expres_a"',
        "unknown carrier (did you mean 'express_a'?)",
        expected="'express_a'",
        found="'expres_a'",
    ),
]


def _headline(path: Path, case: Case) -> str:
    where = f"{path}:{case.line}: " if case.line is not None else f"{path}: "
    return where + (f"{case.field}: " if case.field else "") + case.message


def _check_message(text: str, path: Path, case: Case) -> None:
    assert "Traceback" not in text
    assert _headline(path, case) in text, text
    if case.expected is not None:
        expected = text.split("expected:", 1)[1].split("\n")[0] if "expected:" in text else ""
        assert case.expected in expected, text
    if case.found is not None:
        assert case.found in text.split(case.message, 1)[1], text


def test_the_catalogue_is_complete():
    """Every file in bad/ is in the table (a new file must say what it expects)."""
    listed = {c.file for c in CASES} | {"several_problems.toml", "several_consistency.toml"}
    assert {p.name for p in BAD.glob("*.toml")} == listed
    assert len(CASES) >= 12


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file)
def test_table_points_at_the_right_lines(case: Case):
    """The line in the table is the one with the problem, and each file says what is wrong."""
    lines = (BAD / case.file).read_text(encoding="utf-8").split("\n")
    assert lines[0].startswith("# Bad: ")
    if case.line is not None:
        assert case.on_line in lines[case.line - 1]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file)
def test_validate_reports_the_problem(case: Case, capsys):
    path = BAD / case.file
    code = main(["validate", str(path)])
    out, err = capsys.readouterr()
    assert code == EXIT_BAD_INPUT
    assert out == ""
    assert err.startswith("error: ")
    _check_message(err, path, case)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.file)
def test_load_raises_a_scenario_error_with_the_same_facts(case: Case):
    """The Python API carries the facts as attributes (the CLI only prints them)."""
    path = BAD / case.file
    with pytest.raises(sim.ScenarioError) as info:
        scenario = sim.load(path)
        from sim.setup import build_world

        build_world(scenario)  # node ids and roads are checked against the network
    exc = info.value
    assert exc.path == str(path)
    assert exc.field == case.field
    assert exc.line == case.line
    assert case.message in exc.message
    assert len(exc.problems) == 1


def test_missing_file(capsys, tmp_path):
    path = tmp_path / "no_such_scenario.toml"
    assert main(["validate", str(path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"{path}: cannot read the scenario file" in err
    assert "expected: an existing TOML file" in err
    assert "found:    no such file" in err
    assert "Traceback" not in err


def test_a_folder_is_not_a_scenario(capsys, tmp_path):
    assert main(["validate", str(tmp_path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"{tmp_path}: cannot read the scenario file" in err
    assert "not a regular file" in err


def test_a_file_that_is_not_utf8(capsys, tmp_path):
    path = tmp_path / "latin1.toml"
    path.write_bytes('name = "Lishui \xe9t\xe9"\n'.encode("latin-1"))
    assert main(["validate", str(path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert f"{path}:1: the file is not UTF-8 text" in err
    assert "Latin-1/Windows-1252" in err  # the likely encoding, guessed from the bytes
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("text", "line"),
    [
        ('name = "x"\n\n[hub]\ntrunk_departure = 07:30\n', 4),
        ('[stations]\ndispatch_times = [\n    "09:00",\n    14:00,\n]\n', 4),
        ("[carriers]\nlinehaul_arrival = 6:00  # bare\n", 2),
    ],
)
def test_bare_clock_times_get_the_quoting_hint(text, line, tmp_path):
    path = tmp_path / "clock.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load(path)
    assert info.value.line == line
    assert info.value.expected == 'clock times are quoted strings in TOML, e.g. "06:30"'


def test_other_syntax_errors_get_no_clock_hint(tmp_path):
    path = tmp_path / "syntax.toml"
    path.write_text('name = "09:00 run"\ndays = = 3\n', encoding="utf-8")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load(path)
    assert info.value.line == 2
    assert info.value.expected is None
    assert info.value.found == "days = = 3"


def test_several_problems_are_all_reported_in_file_order(capsys):
    path = BAD / "several_problems.toml"
    assert main(["validate", str(path)]) == EXIT_BAD_INPUT
    err = capsys.readouterr().err
    assert "3 problems in the scenario" in err
    heads = [
        f"{path}:3: days: invalid value",
        f"{path}:4: mode: invalid value",
        f"{path}:7: operations.shift_hourz: unknown key 'shift_hourz' (did you mean 'shift_hours'?)",
    ]
    positions = [err.index(h) for h in heads]
    assert positions == sorted(positions)
    with pytest.raises(sim.ScenarioError) as info:
        sim.load(path)
    assert [p.field for p in info.value.problems] == ["days", "mode", "operations.shift_hourz"]
    assert [p.line for p in info.value.problems] == [3, 4, 7]


def test_several_consistency_problems_are_all_reported():
    with pytest.raises(sim.ScenarioError) as info:
        sim.load(BAD / "several_consistency.toml")
    got = [(p.field, p.line) for p in info.value.problems]
    assert got == [
        ("warmup_days", 6),
        ("carriers", 8),
        ("carriers.1.name", 14),
        ("carriers.1.vehicle", 16),
    ]
    assert "4 problems in the scenario" in str(info.value)


def test_many_problems_are_summarised():
    data = {f"unknown_{i:02d}": 1 for i in range(25)}
    with pytest.raises(sim.ScenarioError) as info:
        sim.from_dict(data)
    assert len(info.value.problems) == 25
    text = str(info.value)
    assert text.startswith("25 problems in the scenario:")
    assert "... and 5 more problems" in text
    assert "unknown_19" in text and "unknown_20" not in text


def test_unreachable_village_message_is_structured():
    with pytest.raises(sim.ScenarioError) as info:
        from sim.setup import build_world

        build_world(sim.load(BAD / "unreachable_village.toml"))
    exc = info.value
    assert "<graph>" not in exc.message
    assert exc.found is not None and "v_island" in exc.found
    assert exc.expected is not None


@pytest.mark.parametrize("field", ["days", "replications"])
def test_a_boolean_is_not_a_number(field):
    with pytest.raises(sim.ScenarioError) as info:
        sim.from_dict({field: True})
    assert info.value.field == field


# -- the real command line, in a subprocess -------------------------------------------

RURALSIM = str(Path(sys.executable).with_name("ruralsim"))
SUBPROCESS_CASES = [
    ([sys.executable, "-m", "sim", "validate"], "syntax_clock.toml"),
    ([RURALSIM, "run", "--quiet"], "unknown_key.toml"),
    ([RURALSIM, "run", "--days", "3"], "unreachable_village.toml"),
    ([sys.executable, "-m", "sim", "run"], "unknown_key_in_array.toml"),
]


def _cli(args: list[str], cwd: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONWARNINGS": "ignore"}
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120, env=env)


@pytest.mark.parametrize(
    ("command", "name"), SUBPROCESS_CASES, ids=[f"{c[-1]}-{n}" for c, n in SUBPROCESS_CASES]
)
def test_command_line_reports_bad_files(command, name, tmp_path):
    case = next(c for c in CASES if c.file == name)
    # Relative to the working directory, as a planner types it: the message names it so.
    proc = _cli([*command, f"bad/{name}"], cwd=BAD.parent)
    assert proc.returncode == EXIT_BAD_INPUT, proc.stderr
    assert proc.stdout == ""
    _check_message(proc.stderr, Path("bad") / name, case)
    assert not (BAD.parent / "runs").exists()


def test_command_line_missing_file(tmp_path):
    proc = _cli([sys.executable, "-m", "sim", "run", "nowhere.toml"], cwd=tmp_path)
    assert proc.returncode == EXIT_BAD_INPUT
    assert "nowhere.toml: cannot read the scenario file" in proc.stderr
    assert "Traceback" not in proc.stderr + proc.stdout
    assert not (tmp_path / "runs").exists()


# -- more problems, in-process ------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "field", "line", "message"),
    [
        (
            "[integrate]\nvans_per_town = 2\n",
            "integrate",
            1,
            "unknown key 'integrate' (did you mean 'integrated'?)",
        ),
        (
            "[vehicle_types.micro_van]\ncapacity_parcels = 1\ncapacity_kgs = 1.0\ncapacity_m3 = 1.0\n"
            "cost_per_km = 1.0\nco2_kg_per_km = 0.1\n",
            "vehicle_types.micro_van.capacity_kgs",
            3,
            "unknown key 'capacity_kgs' (did you mean 'capacity_kg'?)",
        ),
        (
            'mode = "separate"\n[[carriers]]\nname = "a"\nshare = 1.0\nvans_per_town = 0\n',
            "carriers",
            2,
            "every carrier's fleet is empty",
        ),
        (
            "[self_pickup]\ndelay_hours_min = 48.0\ndelay_hours_max = 24.0\n",
            "self_pickup.delay_hours_max",
            3,
            "invalid value",
        ),
        ('[hub]\ntrunk_vehicle = "lorry"\n', "hub.trunk_vehicle", 2, "unknown vehicle type"),
        (
            "[parcels]\nweekday_factors = [1.0, 1.0, 1.0,\n    1.0, 1.0, 1.0]\n",
            "parcels.weekday_factors",
            2,
            "invalid value",
        ),
        (
            '[[carriers]]\nname = "a"\nshare = 1.0\nvan_days = ["mon", "sun", "funday"]\n',
            "carriers.0.van_days.2",
            4,
            "invalid value",
        ),
        ("[stations]\ndispatch_times = []\n", "stations.dispatch_times", 2, "invalid value"),
        (
            '[stations]\ndispatch_times = [\n    "09:00",\n    "9:75",\n]\n',
            "stations.dispatch_times.1",
            4,
            "invalid value",
        ),
    ],
)
def test_more_problems_name_field_and_line(text, field, line, message, tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load(path)
    matching = [p for p in info.value.problems if (p.field, p.line) == (field, line)]
    assert len(matching) == 1, str(info.value)
    assert message in matching[0].message
    assert f"{path}:{line}: {field}: {matching[0].message}" in str(info.value)
