"""``ruralsim validate`` runs every check that ``run`` makes before its first event.

The error classes of ``run`` are the bad scenario files of the project: the catalogue of
``tests/scenario/bad/`` and every scenario case of the bad-input catalogue
(``tests/data/bad/<class>/*.toml`` that is run as ``validate`` or ``run``: not sweep files
or command-line cases). For each, ``run`` and ``validate`` must agree: where ``run``
rejects the file (exit 2), ``validate`` rejects it with the same message; where ``run``
accepts it, so does ``validate``. Neither may say "internal error".
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from sim.cli import main

TESTS = Path(__file__).resolve().parents[1]
SCENARIO_BAD = TESTS / "scenario" / "bad"
CATALOGUE = TESTS / "data" / "bad"
SCENARIO_COMMANDS = ("validate {file}", "run {file}")
AFTER_OVERRIDES = re.compile(r" \(after --days 2\)")


def _is_scenario_case(path: Path) -> bool:
    """A catalogue case whose file is a scenario: default commands, or validate/run of it."""
    args = [line.partition(":")[2].strip() for line in _directives(path) if line.startswith("# args:")]
    return not args or any(a.startswith(SCENARIO_COMMANDS) for a in args)


def _directives(path: Path) -> list[str]:
    lines = []
    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.startswith("#"):
            break
        lines.append(line)
    return lines


def scenario_files() -> list[Path]:
    """Every bad scenario file that the commands of this module can be asked about."""
    files = sorted(SCENARIO_BAD.glob("*.toml"))
    files += [p for p in sorted(CATALOGUE.glob("*/*.toml")) if _is_scenario_case(p)]
    return files


def _said(argv: list[str], capsys) -> tuple[int, str]:
    code = main(argv)
    _, err = capsys.readouterr()
    return code, AFTER_OVERRIDES.sub("", err)


def test_the_list_covers_the_world_classes():
    """The classes this module is about are in the list (guards the selection)."""
    names = {f"{p.parent.name}/{p.name}" for p in scenario_files()}
    assert "bad/unreachable_village.toml" in names
    assert "03-world/crop_unknown_town.toml" in names
    assert "04-validate/gtfs_stop_on_junction.toml" in names
    assert len([n for n in names if n.startswith("04-validate/")]) >= 3


@pytest.mark.parametrize("path", scenario_files(), ids=lambda p: f"{p.parent.name}/{p.stem}")
def test_validate_rejects_what_run_rejects_with_the_same_message(path: Path, tmp_path: Path, capsys):
    run_code, run_err = _said(
        ["run", str(path), "--days", "2", "--out", str(tmp_path / "out"), "--no-figures", "--quiet"], capsys
    )
    validate_code, validate_err = _said(["validate", str(path)], capsys)
    assert "internal error" not in run_err + validate_err, run_err + validate_err
    assert run_code in (0, 2), run_err
    assert validate_code == run_code, f"run: exit {run_code}\n{run_err}\nvalidate: exit {validate_code}"
    if run_code:
        assert validate_err == run_err
