"""Random damage to valid scenario files: a clear answer or a clear error, never a hang.

A property test (hypothesis) takes a valid scenario file and damages one to three of its
``key = value`` lines at random: a wrong type (a boolean, a string, a table), a sign, a
magnitude (1e-300 to 1e300, inf, nan, a thousand times the value), a deletion. Line numbers
stay those of the original file. Each damaged file must give ``validate`` exit 0 or exit 2
with a message that names the file, within a time bound; and a file ``validate`` accepts must
also ``run`` (two days, one replication) to exit 0 or to exit 2 naming the file: ``run``
finds nothing wrong that ``validate`` could have found. Never a hang, a traceback or exit 1.

In CI the examples are fixed (``derandomize``); ``-m slow`` tries many more at random.
"""

from __future__ import annotations

import re
import signal
from dataclasses import dataclass, field
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.cli import main

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
BASES = ("lishui.toml", "lishui_cold.toml")
ASSIGNMENT = re.compile(r"^(\s*)([A-Za-z0-9_.\"-]+)(\s*=\s*)(.+?)(\s*(#.*)?)$")
TIME_BOUND_S = 90
EXIT_OK, EXIT_BAD_INPUT = 0, 2

SCALAR_DAMAGE = (
    "true",
    "false",
    "-1",
    "0",
    "1e-300",
    "1e300",
    "-1e300",
    "inf",
    "-inf",
    "nan",
    '"text"',
    "[]",
    "{}",
    "9223372036854775808",
    "-0.5",
    '""',
)


def _assignment_lines(text: str) -> list[int]:
    return [i for i, line in enumerate(text.splitlines()) if ASSIGNMENT.match(line)]


def _damage(line: str, how: str) -> str:
    """The line with its value damaged by ``how`` (``delete`` removes the assignment)."""
    indent, key, eq, value, tail, _ = ASSIGNMENT.match(line).groups()
    if how == "delete":
        return ""
    if how == "x1000" or how == "negate":
        number = re.fullmatch(r"-?\d+(\.\d+)?", value)
        if not number:
            how = "1e300"
        elif how == "x1000":
            return f"{indent}{key}{eq}{value}000{tail or ''}"
        else:
            return f"{indent}{key}{eq}{value[1:] if value.startswith('-') else '-' + value}{tail or ''}"
    return f"{indent}{key}{eq}{how}{tail or ''}"


#: Damage that keeps the value's type half of the time, so that some damaged files pass
#: ``validate`` and ``run`` must cope with what the schema accepted.
DAMAGE = st.one_of(
    st.sampled_from(SCALAR_DAMAGE), st.sampled_from(("x1000", "negate", "delete", "0", "1e-300"))
)


class _Hung(Exception):
    pass


def _bounded_main(argv: list[str]) -> int:
    def alarm(_signum, _frame):
        raise _Hung

    previous = signal.signal(signal.SIGALRM, alarm)
    signal.alarm(TIME_BOUND_S)
    try:
        return main(argv)
    except _Hung:
        pytest.fail(f"`ruralsim {' '.join(argv)}` did not end within {TIME_BOUND_S} s")
    except SystemExit as exc:
        return int(exc.code)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


def _check(argv: list[str], path: Path, capsys, what: str) -> int:
    code = _bounded_main(argv)
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err and "internal error" not in out + err, f"{what}\n{out}{err}"
    assert code in (EXIT_OK, EXIT_BAD_INPUT), f"{what}: exit {code}\n{err}"
    if code == EXIT_BAD_INPUT:
        assert path.name in err, f"{what}: the message does not name the file\n{err}"
    return code


@dataclass(frozen=True)
class Damaged:
    """A damaged copy of a scenario file; shown as the changes only."""

    base: str
    text: str = field(repr=False)
    changes: tuple[str, ...]


@st.composite
def damaged_scenarios(draw):
    base = draw(st.sampled_from(BASES))
    text = (SCENARIOS / base).read_text(encoding="utf-8")
    lines = text.splitlines()
    targets = _assignment_lines(text)
    picked = draw(st.lists(st.sampled_from(targets), min_size=1, max_size=3, unique=True))
    changes = []
    for index in picked:
        how = draw(DAMAGE)
        changes.append(f"line {index + 1}: {lines[index].strip()!r} -> {how}")
        lines[index] = _damage(lines[index], how)
    return Damaged(base, "\n".join(lines) + "\n", tuple(changes))


def _validate_then_run(case: Damaged, tmp_path_factory, capsys) -> None:
    base, text, changes = case.base, case.text, case.changes
    folder = tmp_path_factory.mktemp("damaged")
    path = folder / base
    path.write_text(text, encoding="utf-8")
    what = f"{base} with " + "; ".join(changes)
    code = _check(["validate", str(path)], path, capsys, what)
    if code == EXIT_OK:
        run = ["run", str(path), "--days", "2", "--replications", "1", "--quiet", "--no-figures"]
        run_code = _check([*run, "--out", str(folder / "out")], path, capsys, what)
        assert run_code == EXIT_OK, f"{what}: validate accepted the file, run rejected it"


@settings(
    max_examples=80,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=damaged_scenarios())
def test_a_damaged_scenario_is_run_or_rejected_with_a_located_error(case, tmp_path_factory, capsys):
    _validate_then_run(case, tmp_path_factory, capsys)


@pytest.mark.slow
@settings(
    max_examples=2000,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(case=damaged_scenarios())
def test_many_damaged_scenarios(case, tmp_path_factory, capsys):
    _validate_then_run(case, tmp_path_factory, capsys)
