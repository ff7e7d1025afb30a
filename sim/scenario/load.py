"""Read a scenario file, validate it, and turn every problem into a ScenarioError."""

from __future__ import annotations

import datetime as dt
import functools
import re
import tomllib
import typing
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from sim.errors import decode_utf8, did_you_mean
from sim.scenario.errors import Loc, ScenarioError, dotted, line_of
from sim.scenario.fields import format_clock
from sim.scenario.paths import PathError, set_fields
from sim.scenario.schema import Scenario

#: A scenario or sweep file larger than this is refused unread (the longest real one is ~20 kB).
MAX_TOML_FILE_BYTES = 16 * 1024 * 1024
#: The largest seed a run may use: replication k runs seed + k, and the sweep store keeps it
#: as an SQLite INTEGER (signed 64 bits).
#: Tables and arrays nested deeper than this are refused (a scenario needs five levels).
MAX_TOML_NESTING = 32


def load(path: str | Path, /, **overrides: Any) -> Scenario:
    """Read and validate a TOML scenario file, then set any ``overrides`` on it.

    Raises :class:`ScenarioError` naming the file, field path and line for any
    problem: a missing file, a file that is not UTF-8 (a byte-order mark is fine), a
    TOML syntax error, values nested too deeply, a wrong type or value, an unknown key
    (with a "did you mean"), or inconsistent settings.

    ``overrides`` set fields by their path, as a sweep file names them:
    ``load(path, days=7, **{"integrated.vans_per_town": 4})`` (see :func:`override`).
    """
    data, text = read_toml(path)
    scenario = from_dict(data, path=path, text=text)
    return override(scenario, overrides) if overrides else scenario


def override(
    scenario: Scenario,
    overrides: Mapping[str, Any],
    *,
    shown: Callable[[str, Any], str] = lambda path, value: f"{path} = {value!r}",
) -> Scenario:
    """``scenario`` with fields set by their path (:func:`derive`), validated like the file.

    Setting ``days`` to no more than the warm-up (and not ``warmup_days`` too) shortens
    the warm-up to leave one measured day, as ``--days`` does. Every problem is a
    :class:`ScenarioError` that says which override caused it (``shown`` spells one:
    ``days = 0`` here, ``--days 0`` on the command line).
    """
    changes = dict(overrides)
    days = changes.get("days")
    if isinstance(days, int) and not isinstance(days, bool) and "warmup_days" not in changes:
        if scenario.warmup_days >= days:
            changes["warmup_days"] = max(0, days - 1)
    try:
        return derive(scenario, changes)
    except ScenarioError as exc:
        given = ", ".join(shown(k, v) for k, v in overrides.items())
        problems = [
            ScenarioError(
                f"{p.message} (after {given})", path=p.path, field=p.field, expected=p.expected, found=p.found
            )
            for p in exc.problems
        ]
        raise ScenarioError.combine(problems, by_line=False) from None


def read_toml(path: str | Path, what: str = "scenario file") -> tuple[dict[str, Any], str]:
    """The table and the text of a TOML file (a scenario or a sweep: ``what`` names it).

    Every problem is a :class:`ScenarioError` naming the file and, where it has one, the
    line: not a readable file, larger than :data:`MAX_TOML_FILE_BYTES`, not UTF-8 (say
    which encoding it may be), a TOML syntax error, or nesting deeper than
    :data:`MAX_TOML_NESTING`. A UTF-8 byte-order mark is accepted.
    """
    path = Path(path)
    data = _read_bytes(path, what)
    text = decode_utf8(data, functools.partial(ScenarioError, path=path))
    try:
        table = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise _syntax_error(exc, path, text) from None
    except RecursionError:
        table = None
    deep = _too_deep(table) if table is not None else ()
    if table is None or deep:
        raise ScenarioError(
            "values nested too deeply",
            path=path,
            line=line_of(text, deep[:1]) if deep else _deepest_bracket_line(text),
            field=dotted(deep[:3]) + " ..." if deep else None,
            expected=f"tables and arrays nested at most {MAX_TOML_NESTING} deep",
            found=f"more than {MAX_TOML_NESTING} levels",
        )
    return table, text


def _read_bytes(path: Path, what: str) -> bytes:
    """The bytes of an existing regular file of at most MAX_TOML_FILE_BYTES."""
    if not path.is_file():
        raise ScenarioError(
            f"cannot read the {what}",
            path=path,
            expected="an existing TOML file",
            found="no such file" if not path.exists() else "not a regular file",
        )
    try:
        size = path.stat().st_size
        if size > MAX_TOML_FILE_BYTES:
            raise ScenarioError(
                f"the {what} is too large",
                path=path,
                expected=f"at most {MAX_TOML_FILE_BYTES // 2**20} MiB",
                found=f"{size / 2**20:.0f} MiB",
            )
        return path.read_bytes()
    except OSError as exc:
        raise ScenarioError(f"cannot read the {what}", path=path, found=exc.strerror or str(exc)) from None


def _syntax_error(exc: tomllib.TOMLDecodeError, path: Path, text: str) -> ScenarioError:
    """A TOML syntax error at its line, with the line's text and a hint for unquoted clocks."""
    message = str(exc)
    match = re.search(r"\(at line (\d+), column (\d+)\)", message)
    line = int(match.group(1)) if match else None
    message = re.sub(r"\s*\(at line \d+, column \d+\)", "", message)
    lines = text.split("\n")  # as TOML counts lines (splitlines also splits on "\u2028")
    bad = lines[line - 1].removesuffix("\r") if line is not None and line <= len(lines) else None
    hint = None
    if bad is not None:
        unquoted = re.sub(r"\"[^\"]*\"|'[^']*'", '""', bad).split("#")[0]
        if re.search(r"(?<![\w:.-])\d{1,2}:\d{2}(?![\d:])", unquoted):
            hint = 'clock times are quoted strings in TOML, e.g. "06:30"'
    return ScenarioError(
        f"TOML syntax error: {message}",
        path=path,
        line=line,
        expected=hint,
        found=bad.strip() if bad is not None else None,
    )


def _too_deep(table: dict[str, Any]) -> Loc:
    """The path to a value nested deeper than MAX_TOML_NESTING, or () (walked without recursion)."""
    stack: list[tuple[Loc, Any]] = [((), table)]
    while stack:
        loc, value = stack.pop()
        if len(loc) > MAX_TOML_NESTING:
            return loc
        if isinstance(value, dict):
            stack += [((*loc, k), v) for k, v in value.items()]
        elif isinstance(value, list):
            stack += [((*loc, i), v) for i, v in enumerate(value)]
    return ()


def _deepest_bracket_line(text: str) -> int | None:
    """The first line where brackets outside strings and comments open MAX_TOML_NESTING deep."""
    depth, quote, line = 0, "", 1
    for ch in text:
        if ch == "\n":
            line += 1
            quote = "" if quote == "#" else quote
        elif quote:
            quote = "" if ch == quote and quote != "#" else quote
        elif ch in "\"'#":
            quote = ch
        elif ch in "[{":
            depth += 1
            if depth > MAX_TOML_NESTING:
                return line
        elif ch in "]}":
            depth -= 1
    return None


def from_dict(
    data: Mapping[str, Any], *, path: str | Path | None = None, text: str | None = None
) -> Scenario:
    """Validate a scenario given as a mapping (as read from TOML)."""
    try:
        scenario = Scenario.model_validate(dict(data))
    except ValidationError as exc:
        problems = [_from_pydantic(err, path, text) for err in exc.errors()]
        raise _combine(problems) from None
    problems = [
        ScenarioError(msg, path=path, field=dotted(loc), line=line_of(text, loc), expected=exp, found=fnd)
        for loc, msg, exp, fnd in consistency_problems(scenario)
    ]
    if problems:
        raise _combine(problems)
    base = Path(path).resolve().parent if path is not None else Path.cwd()
    scenario._base_dir = base
    scenario._source = str(path) if path is not None else None
    scenario._text = text
    return scenario


def derive(scenario: Scenario, changes: Mapping[str, Any]) -> Scenario:
    """A validated copy of ``scenario`` with ``changes`` applied: the one way to vary one.

    ``changes`` is shaped like the file, or names fields by their dotted path (as a sweep
    file does: ``{"integrated.vans_per_town": 4}``, ``{"carriers.postal.share": 0.5}``):
    a value that is a table (a mapping) is merged into the table it names, anything else
    (numbers, strings, lists) replaces the field. The copy keeps the original's file,
    folder and text, so relative paths still resolve and later errors still name the
    file. A bad value or path raises :class:`ScenarioError` naming the field (without a
    line: the value is not in the file).

    >>> s = derive(from_dict({}), {"days": 7, "network": {"n_villages": 40}})
    >>> s.days, s.network.n_villages, s.network.area_km2
    (7, 40, 1064.0)
    >>> derive(s, {"network.n_villages": 30}).network.n_villages
    30
    """
    data = scenario.model_dump(mode="json")
    for path, value in changes.items():
        try:
            set_fields(data, {path: value})
        except PathError as exc:
            raise ScenarioError(
                exc.message, path=scenario._source, field=str(path), expected=exc.expected
            ) from None
    changed = from_dict(data, path=scenario._source, text=None)
    changed._base_dir = scenario._base_dir
    changed._text = scenario._text
    return changed


def _combine(problems: list[ScenarioError]) -> ScenarioError:
    """One error for all problems, in the order of their lines in the file."""
    return ScenarioError.combine(problems)


#: A consistency problem: (field path, message, expected, found).
Problem = tuple[Loc, str, str | None, str | None]


def _freight_outside_timetable(s: Scenario) -> list[Problem]:
    """Freight departures of generated and of written lines must be departures of their timetable."""
    timetable = set(s.bus.generated_departures)
    problems: list[Problem] = [
        (
            ("bus", "generated_freight_departures", k),
            "a freight departure that is not in the lines' timetable",
            "one of bus.generated_departures",
            format_clock(t),
        )
        for k, t in enumerate(s.bus.generated_freight_departures)
        if t not in timetable
    ]
    for i, line in enumerate(s.bus.lines):
        departures, own = ", ".join(map(format_clock, line.departures)), set(line.departures)
        problems += [
            (
                ("bus", "lines", i, "freight_departures", k),
                f"freight departure {format_clock(t)} of bus line {line.name!r} is not in its timetable",
                f"one of bus.lines.{i}.departures: {departures}",
                format_clock(t),
            )
            for k, t in enumerate(line.freight_departures or [])
            if t not in own
        ]
    return problems


def consistency_problems(s: Scenario) -> list[Problem]:
    """Cross-field checks that single fields cannot express: (loc, message, expected, found)."""
    out: list[Problem] = []
    if s.warmup_days >= s.days:
        out.append(
            (
                ("warmup_days",),
                "warm-up must be shorter than the run",
                f"fewer than days = {s.days}",
                str(s.warmup_days),
            )
        )
    names = [c.name for c in s.carriers]
    for i, name in enumerate(names):
        if name in names[:i]:
            out.append((("carriers", i, "name"), "carrier names must be unique", "a new name", repr(name)))
    total = sum(c.share for c in s.carriers)
    if abs(total - 1.0) > 0.01:
        out.append((("carriers",), "carrier shares must add up to 1", "1.0", f"{total:.3f}"))
    out += _unknown_names(s, names)
    out += _empty_fleets(s)
    out += _freight_outside_timetable(s)
    if s.self_pickup.delay_hours_max < s.self_pickup.delay_hours_min:
        out.append(
            (
                ("self_pickup", "delay_hours_max"),
                "maximum delay below the minimum",
                f">= {s.self_pickup.delay_hours_min}",
                str(s.self_pickup.delay_hours_max),
            )
        )
    return out


def _unknown_names(s: Scenario, carriers: list[str]) -> list[Problem]:
    """Vehicle types that are not defined, and pooled operators that do not exist."""
    out: list[Problem] = []
    known = sorted(s.vehicle_types)
    refs: list[tuple[Loc, str]] = [(("hub", "trunk_vehicle"), s.hub.trunk_vehicle)]
    refs += [(("carriers", i, "vehicle"), c.vehicle) for i, c in enumerate(s.carriers)]
    refs.append((("integrated", "vehicle"), s.integrated.vehicle))
    refs.append((("supply", "vehicle"), s.supply.vehicle))
    for loc, name in refs:
        if name not in s.vehicle_types:
            out.append(
                (
                    loc,
                    f"unknown vehicle type{did_you_mean(name, known)}",
                    f"one of {known}",
                    repr(name),
                )
            )
    poolable = [*carriers, "bus", "supply", "finance"]
    for i, name in enumerate(s.integrated.pooled or []):
        if name not in poolable:
            out.append(
                (
                    ("integrated", "pooled", i),
                    f"unknown carrier{did_you_mean(name, carriers)}",
                    f"one of {carriers}",
                    repr(name),
                )
            )
    return out


def _empty_fleets(s: Scenario) -> list[Problem]:
    """The mode under test has no van to run."""
    out: list[Problem] = []
    if s.mode == "integrated" and s.integrated.vans_per_town == 0:
        out.append(
            (
                ("integrated", "vans_per_town"),
                "the integrated fleet is empty",
                "at least 1 van per town",
                "0",
            )
        )
    if s.mode == "separate" and all(c.vans_per_town == 0 for c in s.carriers):
        out.append(
            (
                ("carriers",),
                "every carrier's fleet is empty",
                "vans_per_town >= 1 for at least one carrier",
                "0 for all",
            )
        )
    return out


def _from_pydantic(err: Mapping[str, Any], path: str | Path | None, text: str | None) -> ScenarioError:
    loc: Loc = tuple(p for p in err["loc"] if not (isinstance(p, str) and p.startswith("function-")))
    kind = err["type"]
    found = err.get("input")
    line = line_of(text, loc)
    if kind == "extra_forbidden":
        options = _field_names_at(loc[:-1])
        return ScenarioError(
            f"unknown key {loc[-1]!r}{did_you_mean(str(loc[-1]), options)}",
            path=path,
            field=dotted(loc),
            line=line,
            expected=f"one of {options}" if options else None,
        )
    if kind == "missing":
        return ScenarioError("required field is missing", path=path, field=dotted(loc), line=line)
    message = str(err["msg"])
    if message.startswith("Value error, "):
        message = message[len("Value error, ") :]
        expected = message.split(", found ")[0]
        return ScenarioError(
            "invalid value",
            path=path,
            field=dotted(loc),
            line=line,
            expected=expected,
            found=_show(found),
        )
    return ScenarioError(
        "invalid value",
        path=path,
        field=dotted(loc),
        line=line,
        expected=message.replace("Input should be ", ""),
        found=_show(found),
    )


def _show(value: Any) -> str:
    text = value.isoformat() if isinstance(value, dt.date) else repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _field_names_at(loc: Loc) -> list[str]:
    """Field names of the model found by walking ``loc`` down from Scenario."""
    model: Any = Scenario
    for part in loc:
        model = _strip(model)
        if isinstance(model, type) and issubclass(model, BaseModel):
            if not isinstance(part, str) or part not in model.model_fields:
                return []
            model = model.model_fields[part].annotation
        else:
            args = typing.get_args(model)
            if not args:
                return []
            model = args[-1]
    model = _strip(model)
    if isinstance(model, type) and issubclass(model, BaseModel):
        return list(model.model_fields)
    return []


def _strip(annotation: Any) -> Any:
    """Unwrap ``X | None`` to ``X``."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    if type(None) in typing.get_args(annotation) and len(args) == 1:
        return args[0]
    return annotation
