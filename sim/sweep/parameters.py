"""The ``[parameters]`` table of a sweep file: which fields vary, over what.

Each entry is ``"field.path" = [values]`` or a table of :data:`SPEC_KEYS`:
``{ values = [..] }``, a range ``{ min, max }`` (with ``step`` for a grid,
``log = true`` for a log-uniform sample, ``integer`` inferred from the bounds),
and ``also = ["other.path", ..]`` for more fields that take the same value.
Nested TOML tables are paths too: ``[parameters.integrated]`` then
``vans_per_town = [1, 2]``. Every path is checked against the base scenario.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

from sim.errors import did_you_mean
from sim.scenario import Scenario
from sim.scenario.errors import Loc, dotted, line_of
from sim.scenario.paths import PathError, locate
from sim.sweep.checks import Checker, flatten
from sim.sweep.design import Parameter

SPEC_KEYS = ("values", "min", "max", "step", "log", "integer", "also")


def _is_spec(name: str, value: Any, data: Any) -> bool:
    """Is this TOML value a parameter (values or range), or a table of more paths?

    A table is a parameter if it has a parameter key, or if its path is not a
    table of the scenario (so a misspelt key is reported as such).
    """
    if not isinstance(value, Mapping) or set(value) & set(SPEC_KEYS):
        return True
    try:
        return not all(_is_container(data, loc) for loc in locate(data, name))
    except PathError:
        return False  # report the deeper path, with its did-you-mean


def _is_container(data: Any, loc: tuple) -> bool:
    node = data
    for part in loc:
        node = node[part]
    return isinstance(node, dict | list)


def parse_parameters(table: Any, design: str, base: Scenario, check: Checker) -> list[Parameter]:
    if not isinstance(table, Mapping):
        check.fail(("parameters",), "invalid value", "a table of field path = values", repr(table))
        return []
    data = base.model_dump(mode="json")
    parameters: list[Parameter] = []
    targets: dict[tuple, tuple[str, Loc]] = {}
    is_spec = lambda name, value: _is_spec(name, value, data)  # noqa: E731
    spelt: dict[str, Loc] = {}  # parameter name -> where the sweep file first gives it
    for name, loc, value in flatten(table, ("parameters",), leaf=is_spec):
        if name in spelt:
            _given_twice(name, spelt[name], loc, check)
            continue
        spelt[name] = loc
        p = _parameter(name, loc, value, design, check)
        if p is None:
            continue
        for path in p.paths:
            try:
                for target in locate(data, path):
                    if target in targets and targets[target][0] != name:
                        first, first_loc = targets[target]
                        check.fail(
                            loc,
                            f"{dotted(target)} is already set by {first!r}"
                            f"{_at_line(check, first_loc)}: a field is swept by one parameter",
                            f"{dotted(target)} in one parameter only",
                            path,
                        )
                    targets[target] = (name, loc)
            except PathError as exc:
                check.fail(loc, exc.message, exc.expected, path)
        parameters.append(p)
    return parameters


def _given_twice(name: str, first: Loc, again: Loc, check: Checker) -> None:
    """The same field path given twice, in two TOML spellings: name both."""
    check.fail(
        again,
        f"parameter {name!r} is given twice: as {_spelling(first)}{_at_line(check, first)} "
        f"and as {_spelling(again)}",
        "each field path once in [parameters]",
        _spelling(again),
    )


def _spelling(loc: Loc) -> str:
    """How the sweep file wrote a parameter: a dotted key, or a key of a nested table."""
    *tables, key = [str(k) for k in loc]
    shown = f'"{key}"' if "." in key else key
    return f"{shown} in [{'.'.join(tables)}]"


def _at_line(check: Checker, loc: Loc) -> str:
    line = line_of(check.text, loc)
    return f" (line {line})" if line else ""


def _parameter(name: str, loc: Loc, value: Any, design: str, check: Checker) -> Parameter | None:
    """One parameter from its TOML value: a list, or a table of SPEC_KEYS."""
    line = line_of(check.text, loc)
    if isinstance(value, list):
        if not value:
            check.fail(loc, "empty list of values", "at least one value", "[]")
            return None
        return Parameter(name, (name,), values=tuple(value), line=line)
    if not isinstance(value, Mapping):
        check.fail(
            loc,
            "a parameter needs several values (put fixed settings in [base])",
            "a list [a, b, ...] or a range { min = .., max = .. }",
            repr(value),
        )
        return None
    problems = len(check.problems)
    for key in value:
        if key not in SPEC_KEYS:
            check.fail(
                (*loc, key),
                f"unknown key {key!r}{did_you_mean(key, SPEC_KEYS)}",
                f"one of {list(SPEC_KEYS)}",
            )
    if len(check.problems) > problems:
        return None
    also = value.get("also", [])
    if not isinstance(also, list) or not all(isinstance(a, str) for a in also):
        check.fail((*loc, "also"), "invalid value", "a list of field paths", repr(also))
        also = []
    paths = (name, *also)
    if "values" in value:
        values = value["values"]
        if set(value) & {"min", "max", "step", "log", "integer"}:
            check.fail(loc, "give either values or a range (min, max), not both")
        if not isinstance(values, list) or not values:
            check.fail((*loc, "values"), "invalid value", "a non-empty list", repr(values))
            return None
        return None if len(check.problems) > problems else Parameter(name, paths, tuple(values), line=line)
    return _range(name, loc, value, paths, design, check, problems, line)


def _range(
    name: str,
    loc: Loc,
    spec: Mapping[str, Any],
    paths: tuple[str, ...],
    design: str,
    check: Checker,
    problems: int,
    line: int | None,
) -> Parameter | None:
    """A range { min, max [, step] [, log] [, integer] }, checked for sense."""
    bounds = {}
    for key in ("min", "max", "step"):
        v = spec.get(key)
        if v is None and key != "step":
            check.fail(loc, f"a range needs {key}", "min = .., max = ..")
        elif v is not None and (isinstance(v, bool) or not isinstance(v, int | float)):
            check.fail((*loc, key), "invalid value", "a number", repr(v))
        else:
            bounds[key] = v
    for key in ("log", "integer"):
        if key in spec and not isinstance(spec[key], bool):
            check.fail((*loc, key), "invalid value", "true or false", repr(spec[key]))
    if len(check.problems) > problems:
        return None
    low, high, step = bounds["min"], bounds["max"], bounds.get("step")
    integer = spec.get("integer", all(isinstance(v, int) for v in (low, high, step) if v is not None))
    log = spec.get("log", False)
    if low > high:
        check.fail(loc, "empty range: min is above max", f"min <= max = {high}", f"min = {low}")
    elif integer and math.floor(high) < low:
        check.fail(loc, "no integer in the range", "min <= an integer <= max", f"{low} .. {high}")
    if log and low <= 0:
        check.fail((*loc, "min"), "a log range must be positive", "min > 0", repr(low))
    if step is not None and step <= 0:
        check.fail((*loc, "step"), "invalid value", "step > 0", repr(step))
    if step is not None and log:
        check.fail(loc, "give step or log, not both")
    if len(check.problems) > problems:
        return None
    if step is not None:
        count = int((high - low) / step + 1e-9) + 1
        if count > 100_000:
            check.fail((*loc, "step"), "too many values", "at most 100000 steps", str(count))
            return None
        values = [low + i * step for i in range(count)]
        values = [int(round(v)) for v in values] if integer else [round(v, 12) for v in values]
        return Parameter(name, paths, tuple(values), line=line)
    if design == "grid":
        check.fail(loc, "a grid needs values: give a list, or a step", "values = [..] or step = ..")
        return None
    return Parameter(name, paths, None, float(low), float(high), bool(integer), bool(log), line)
