"""Sweep files: what to vary, how to sample it, how often to repeat it.

A sweep file is TOML, validated like a scenario file: every problem is a
:class:`~sim.ScenarioError` naming the sweep file, the line and the field, and
nothing runs. Example (``scenarios/sweeps/fleet.toml``)::

    scenario = "../lishui.toml"      # the base scenario, relative to this file
    design = "grid"                  # or "lhs" / "sobol" with samples = N
    replications = 5
    seed = 1                         # replication r uses seed + r at every point

    [base]                           # fixed changes to the base scenario
    days = 14

    [parameters]                     # scenario field path = values or range
    mode = ["separate", "integrated"]
    "integrated.vans_per_town" = { values = [1, 2, 3], also = ["carriers.*.vans_per_town"] }
    "vehicle_types.micro_van.capacity_parcels" = { min = 200, max = 600 }   # lhs / sobol

Field paths are resolved by :mod:`sim.scenario.paths`, the ``[parameters]`` table is
read by :mod:`sim.sweep.parameters`. Values are checked when a
point is built (:meth:`SweepSpec.scenario_at`): a bad value fails that point's
runs, with the scenario error as their error text, and the sweep goes on.
"""

from __future__ import annotations

import copy
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sim.errors import did_you_mean
from sim.scenario import Scenario, ScenarioError, derive, load
from sim.scenario.load import read_toml
from sim.scenario.paths import PathError, assign, locate
from sim.sweep.checks import Checker, flatten
from sim.sweep.design import (
    DESIGNS,
    MAX_RUN_SEED,
    MAX_SWEEP_RUNS,
    SENSITIVITY_DESIGNS,
    Parameter,
    design_points,
    make_points,
    run_seed,
    sampled_and_crossed,
)
from sim.sweep.parameters import parse_parameters
from sim.sweep.sensitivity import DEFAULT_MORRIS_LEVELS

#: Morris grids finer than this add nothing a screening needs (and make the step tiny).
MAX_MORRIS_LEVELS = 100

TOP_KEYS = (
    "name",
    "description",
    "scenario",
    "design",
    "samples",
    "design_seed",
    "levels",
    "replications",
    "seed",
    "common_random_numbers",
    "base",
    "parameters",
)


@dataclass(frozen=True)
class SweepSpec:
    """A validated sweep: base scenario, parameters, design, replications, seeds."""

    name: str
    base: Scenario
    parameters: tuple[Parameter, ...]
    design: str = "grid"
    samples: int | None = None
    design_seed: int = 0
    levels: int = DEFAULT_MORRIS_LEVELS
    replications: int = 1
    seed: int = 1
    common_random_numbers: bool = True
    description: str = ""
    source: str | None = None
    _points: list[dict[str, Any]] = field(default_factory=list, init=False, repr=False, compare=False)

    @property
    def points(self) -> list[dict[str, Any]]:
        """The design's points (parameter name -> value), point id = list index."""
        if not self._points:
            self._points.extend(
                make_points(self.parameters, self.design, self.samples, self.design_seed, self.levels)
            )
        return self._points

    def seed_of(self, point: int, replication: int) -> int:
        return run_seed(self.seed, point, replication, self.common_random_numbers)

    def scenario_at(self, values: Mapping[str, Any]) -> Scenario:
        """The base scenario with a point's values set; a bad value raises ScenarioError."""
        data = self.base.model_dump(mode="json")
        for p in self.parameters:
            for path in p.paths:
                for loc in locate(data, path):
                    assign(data, loc, copy.deepcopy(values[p.name]))
        return derive(self.base, data)

    @property
    def key(self) -> str:
        """Identity of the sweep in a results store: base scenario, points, seeds.

        Replications are left out, so raising them later adds runs to the same
        sweep; anything that changes what a (point, replication) computes
        changes the key, so stale results are never mixed in.
        """
        identity = {
            "base": self.base.model_dump(mode="json"),
            "parameters": [[p.name, list(p.paths)] for p in self.parameters],
            "points": self.points,
            "seed": self.seed,
            "common_random_numbers": self.common_random_numbers,
        }
        return hashlib.sha256(canonical_json(identity).encode()).hexdigest()[:16]


def canonical_json(data: Any) -> str:
    """JSON with sorted keys and no spaces: equal data, equal text, equal hash."""
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def scenario_hash(scenario: Scenario) -> str:
    """sha256 of the canonical JSON of a scenario's settings."""
    return hashlib.sha256(canonical_json(scenario.model_dump(mode="json")).encode()).hexdigest()


def load_sweep(path: str | Path) -> SweepSpec:
    """Read and validate a sweep file; any problem is a ScenarioError naming it."""
    path = Path(path)
    data, text = read_toml(path, "sweep file")
    return sweep_from_dict(data, path=path, text=text)


def sweep_from_dict(
    data: Mapping[str, Any],
    *,
    path: str | Path | None = None,
    text: str | None = None,
    base_dir: str | Path | None = None,
) -> SweepSpec:
    """Validate a sweep given as a mapping (as read from TOML).

    ``scenario`` may be a path (relative to the sweep file, else ``base_dir``,
    else the working directory) or a :class:`Scenario`.
    """
    check = Checker(path, text)
    for key in data:
        if key not in TOP_KEYS:
            check.fail(
                (key,), f"unknown key {key!r}{did_you_mean(key, TOP_KEYS)}", f"one of {list(TOP_KEYS)}"
            )
    design = data.get("design", "grid")
    if design not in DESIGNS:
        check.fail(("design",), "unknown design", f"one of {list(DESIGNS)}", repr(design))
    samples = check.integer(data, "samples", None, 1, MAX_SWEEP_RUNS)
    if design != "grid" and samples is None:
        check.fail(("design",), f"design {design!r} needs samples = N", "samples = an integer >= 1")
    base = _base_scenario(data, check, path, base_dir)
    check.raise_any()
    assert base is not None
    base = _apply_base(base, data.get("base", {}), check)
    check.raise_any()
    parameters = parse_parameters(data.get("parameters", {}), design, base, check)
    levels = _levels(data, design, check)
    if design in SENSITIVITY_DESIGNS:
        _check_sensitivity(check, parameters, design)
    replications = check.integer(data, "replications", base.replications, 1, MAX_SWEEP_RUNS)
    _check_size(check, parameters, design, samples, replications or 1, levels)
    # Replication r runs with seed + r, and the store keeps every seed in an SQLite integer.
    seed = check.integer(data, "seed", base.seed, 0, MAX_RUN_SEED - (replications or 1) + 1)
    design_seed = check.integer(data, "design_seed", 0, 0, None)
    crn = data.get("common_random_numbers", True)
    if not isinstance(crn, bool):
        check.fail(("common_random_numbers",), "invalid value", "true or false", repr(crn))
    name = data.get("name", Path(path).stem if path is not None else "sweep")
    description = data.get("description", "")
    for key, value in (("name", name), ("description", description)):
        if not isinstance(value, str):
            check.fail((key,), "invalid value", "a string", repr(value))
    check.raise_any()
    return SweepSpec(
        name=name,
        base=base,
        parameters=tuple(parameters),
        design=design,
        samples=samples if design != "grid" else None,
        design_seed=design_seed or 0,
        levels=levels,
        replications=replications or 1,
        seed=seed if seed is not None else 1,
        common_random_numbers=crn,
        description=description,
        source=str(path) if path is not None else None,
    )


def _levels(data: Mapping[str, Any], design: str, check: Checker) -> int:
    """``levels`` of a Morris design: an even number >= 2 (the trajectory's step is half the grid)."""
    if "levels" in data and design != "morris":
        check.fail(("levels",), 'levels is for design = "morris" only', "no levels key", repr(design))
    levels = check.integer(data, "levels", DEFAULT_MORRIS_LEVELS, 2, MAX_MORRIS_LEVELS)
    if levels is not None and levels % 2:
        check.fail(("levels",), "a Morris grid needs an even number of levels", "2, 4, 6, ...", str(levels))
    return levels or DEFAULT_MORRIS_LEVELS


def _check_sensitivity(check: Checker, parameters: list[Parameter], design: str) -> None:
    """Saltelli and Morris sample ranges and cross at most one list parameter with the sample."""
    sampled, crossed = sampled_and_crossed(parameters)
    if parameters and not sampled:
        check.fail(
            ("parameters",),
            f"design {design!r} samples ranges, and every parameter is a list",
            "at least one range { min = .., max = .. }",
        )
    if len(crossed) > 1:
        names = ", ".join(p.name for p in crossed)
        check.fail(
            ("parameters", crossed[1].name),
            f"design {design!r} crosses one list parameter (e.g. mode) with its sample; "
            f"this sweep lists {len(crossed)}: {names}",
            "one list parameter; the others as ranges, or fixed in [base]",
            crossed[1].name,
        )


def _check_size(
    check: Checker,
    parameters: list[Parameter],
    design: str,
    samples: int | None,
    replications: int,
    levels: int = DEFAULT_MORRIS_LEVELS,
) -> None:
    """At most MAX_SWEEP_RUNS runs, counted before any point is made; else name the field that grew."""
    points = design_points(parameters, design, samples, levels)
    if points * replications <= MAX_SWEEP_RUNS:
        return
    expected = f"at most {MAX_SWEEP_RUNS:,} runs (points x replications)"
    if design == "grid" and points > MAX_SWEEP_RUNS:
        sizes = " x ".join(str(len(p.values or ())) for p in parameters)
        found = f"a grid of {sizes} = {points:,} points ({points:.1e})"
        check.fail(("parameters",), "the sweep is too large", expected, found)
    elif points > MAX_SWEEP_RUNS:
        check.fail(("samples",), "the sweep is too large", expected, f"{points:,} points")
    else:
        found = f"{points:,} points x {replications:,} replications = {points * replications:,} runs"
        check.fail(("replications",), "the sweep is too large", expected, found)


def _base_scenario(
    data: Mapping[str, Any], check: Checker, path: str | Path | None, base_dir: str | Path | None
) -> Scenario | None:
    ref = data.get("scenario")
    if isinstance(ref, Scenario):
        return ref
    if not isinstance(ref, str) or not ref:
        check.fail(
            ("scenario",), "the base scenario is missing", 'scenario = "path/to/scenario.toml"', repr(ref)
        )
        return None
    folder = Path(path).parent if path is not None else Path(base_dir or ".")
    target = Path(ref) if Path(ref).is_absolute() else folder / ref
    if not target.is_file():
        check.fail(("scenario",), "the base scenario file does not exist", "a scenario file", str(target))
        return None
    return load(target)


def _apply_base(base: Scenario, table: Any, check: Checker) -> Scenario:
    """Apply the fixed ``[base]`` settings; a bad path or value stops the sweep."""
    if not isinstance(table, Mapping):
        check.fail(("base",), "invalid value", "a table of field path = value", repr(table))
        return base
    if not table:
        return base
    data = base.model_dump(mode="json")
    for name, loc, value in flatten(table, ("base",), leaf=lambda _, v: not isinstance(v, Mapping)):
        try:
            for target in locate(data, name):
                assign(data, target, value)
        except PathError as exc:
            check.fail(loc, exc.message, exc.expected, name)
    check.raise_any()
    try:
        changed = derive(base, data)
    except ScenarioError as exc:
        for problem in exc.problems:
            check.fail(
                ("base", *(problem.field or "").split(".")), problem.message, problem.expected, problem.found
            )
        return base
    return changed
