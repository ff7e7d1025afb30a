"""Strict, finite, plausible numbers and cross-field checks in the scenario schema (issue 11).

The walk over every model reachable from :class:`Scenario` makes sure a new decimal
field cannot forget the strict type: each one rejects ``true``, ``inf``, ``nan`` and a
quoted number, and each numeric field has an upper bound.
"""

from __future__ import annotations

import math
import typing
from typing import Annotated, Any

import annotated_types
import pytest
from pydantic import BaseModel, TypeAdapter, ValidationError

import sim
from sim.scenario.schema import Scenario

BAD_NUMBERS = (True, False, math.inf, -math.inf, math.nan, "1.5", 10**400)


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """Every pydantic model reachable from ``root`` through its fields' annotations."""
    seen: list[type[BaseModel]] = []
    todo = [root]
    while todo:
        model = todo.pop()
        if model in seen:
            continue
        seen.append(model)
        for field in model.model_fields.values():
            todo += [t for t in _leaves(field.annotation) if isinstance(t, type) and issubclass(t, BaseModel)]
    return seen


def _leaves(annotation: Any) -> list[Any]:
    """The leaf types of an annotation (through lists, dicts, unions and Annotated)."""
    args = typing.get_args(annotation)
    if typing.get_origin(annotation) is Annotated:
        return [annotation] if args[0] in (float, int) else _leaves(args[0])
    if not args or typing.get_origin(annotation) is typing.Literal:
        return [annotation]
    return [leaf for a in args for leaf in _leaves(a)]


def _is_number(leaf: Any) -> bool:
    base = typing.get_args(leaf)[0] if typing.get_origin(leaf) is Annotated else leaf
    return base is float or base is int


def _numeric_fields() -> list[tuple[str, Any]]:
    """(model.field, annotation with the field's own metadata) of every numeric field."""
    out = []
    for model in _models(Scenario):
        for name, field in model.model_fields.items():
            if any(_is_number(leaf) for leaf in _leaves(field.annotation)):
                annotation = (
                    Annotated[(field.annotation, *field.metadata)] if field.metadata else field.annotation
                )
                out.append((f"{model.__name__}.{name}", annotation))
    return out


def _sample(annotation: Any, bad: object) -> object:
    """A value of ``annotation``'s shape with ``bad`` in place of every number."""
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is Annotated:
        return bad if args[0] in (float, int) else _sample(args[0], bad)
    if annotation in (float, int):
        return bad
    if origin is list:
        return [_sample(args[0], bad)]
    if origin is dict:
        return {"k": _sample(args[1], bad)}
    non_none = [a for a in args if a is not type(None)]
    return _sample(non_none[0], bad)


NUMERIC = _numeric_fields()


def test_the_walk_finds_the_numeric_fields():
    names = {name for name, _ in NUMERIC}
    assert {
        "VehicleType.capacity_kg",
        "NetworkSpec.area_km2",
        "Crop.season_tonnes",
        "BusLine.departures",
    } <= names
    assert len(names) > 100


@pytest.mark.parametrize("bad", BAD_NUMBERS, ids=repr)
@pytest.mark.parametrize(("name", "annotation"), NUMERIC, ids=[n for n, _ in NUMERIC])
def test_every_numeric_field_rejects_booleans_non_finite_and_strings(name, annotation, bad):
    with pytest.raises(ValidationError):
        TypeAdapter(annotation).validate_python(_sample(annotation, bad))


def _bounds(metadata: Any) -> list[Any]:
    return [m for item in metadata for m in getattr(item, "metadata", [item])]


def _is_bounded(annotation: Any, outer: list[Any]) -> bool:
    """True if every number in ``annotation`` has an upper bound (or is a clock time).

    ``outer`` holds the bounds that apply to a number not inside a list or dict.
    """
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        if args[0] not in (float, int):
            return _is_bounded(args[0], [*outer, *_bounds(args[1:])])
        meta = [*outer, *_bounds(args[1:])]
        clock = any(getattr(getattr(m, "func", None), "__name__", "") == "parse_clock" for m in meta)
        return clock or any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in meta)
    if annotation in (float, int):
        return any(isinstance(m, annotated_types.Le | annotated_types.Lt) for m in outer)
    if origin in (list, dict):
        return _is_bounded(args[-1], [])
    return all(_is_bounded(a, outer) for a in args)


@pytest.mark.parametrize(("name", "annotation"), NUMERIC, ids=[n for n, _ in NUMERIC])
def test_every_numeric_field_has_an_upper_bound(name, annotation):
    assert _is_bounded(annotation, []), f"{name} has no upper bound: add le= with a named constant"


def _problem(tmp_path, text: str) -> sim.ScenarioError:
    path = tmp_path / "s.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(sim.ScenarioError) as info:
        sim.load(path)
    return info.value


@pytest.mark.parametrize(
    ("text", "field", "line", "names"),
    [
        (
            "days = 2\n[vehicle_types.micro_van]\ncapacity_kg = true\n",
            "vehicle_types.micro_van.capacity_kg",
            3,
            "a number",
        ),
        ("[parcels]\nweight_max_kg = inf\n", "parcels.weight_max_kg", 2, "a finite number"),
        ("[social]\nspeed_kmh = nan\n", "social.speed_kmh", 2, "a finite number"),
        ("[network]\narea_km2 = 1e300\n", "network.area_km2", 2, "less than or equal to 100000"),
        ("[outbound]\nper_1000_residents_per_day = 1e19\n", "outbound.per_1000_residents_per_day", 2, "1000"),
        ("[kpi]\nsla_hours = 1e9\n", "kpi.sla_hours", 2, "720"),
        ("seed = 100000000000000000000\n", "seed", 1, "less than or equal to"),
        ("start_date = 9999-12-30\n", "start_date", 1, "2999-12-31"),
        ("[parcels]\nweekday_factors = [1, 1, 1, 1e300, 1, 1, 1]\n", "parcels.weekday_factors.3", 2, "20"),
    ],
)
def test_a_bad_number_names_field_line_and_bound(tmp_path, text, field, line, names):
    error = _problem(tmp_path, text)
    problem = next(p for p in error.problems if p.field == field)
    assert problem.line == line
    assert names in str(problem)


@pytest.mark.parametrize(
    ("text", "field", "line", "names"),
    [
        (
            "[parcels]\nweight_median_kg = 5.0\nweight_max_kg = 2.0\n",
            "parcels.weight_max_kg",
            3,
            ("weight_median_kg = 5.0", "2.0"),
        ),
        (
            "[outbound]\nweight_median_kg = 3\nweight_max_kg = 1\n",
            "outbound.weight_max_kg",
            3,
            ("weight_median_kg = 3.0", "1"),
        ),
        (
            '[outbound]\ncreated_from = "15:00"\ncreated_until = "07:00"\n',
            "outbound.created_until",
            3,
            ("not before created_from = 15:00", "07:00"),
        ),
        (
            '[finance]\nopen_from = "17:00"\nopen_until = "08:00"\n',
            "finance.open_until",
            3,
            ("not before open_from = 17:00", "08:00"),
        ),
        (
            '[bus.gtfs]\npath = "x.zip"\nfreight_between = ["16:00", "09:00"]\n',
            "bus.gtfs.freight_between",
            3,
            ("16:00", "09:00"),
        ),
        (
            "[self_pickup]\ndelay_hours_min = 48.0\ndelay_hours_max = 24.0\n",
            "self_pickup.delay_hours_max",
            3,
            ("delay_hours_min = 48.0", "24.0"),
        ),
        (
            '[[produce.crops]]\nname = "kiwi"\nseason_start = "09-01"\nseason_end = "10-31"\n'
            'peak_date = "12-01"\nkg_per_farm_per_day = 5.0\nshelf_life_hours = 48.0\n',
            "produce.crops.0.peak_date",
            5,
            ("season_start = 09-01", "season_end = 10-31", "12-01"),
        ),
    ],
)
def test_a_cross_field_problem_names_both_fields_and_values(tmp_path, text, field, line, names):
    error = _problem(tmp_path, text)
    problem = next(p for p in error.problems if p.field == field)
    assert problem.line == line
    for name in names:
        assert name in str(problem)


def test_a_season_over_new_year_takes_a_peak_in_january(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text(
        '[[produce.crops]]\nname = "berry"\nseason_start = "12-01"\nseason_end = "04-30"\n'
        'peak_date = "01-15"\nkg_per_farm_per_day = 5.0\nshelf_life_hours = 18.0\n',
        encoding="utf-8",
    )
    assert sim.load(path).produce.crops[0].peak_date == "01-15"


def test_integers_and_floats_still_load(tmp_path):
    path = tmp_path / "s.toml"
    path.write_text("[network]\narea_km2 = 800\n[social]\nspeed_kmh = 20.5\n", encoding="utf-8")
    scenario = sim.load(path)
    assert (scenario.network.area_km2, scenario.social.speed_kmh) == (800.0, 20.5)


def test_crates_per_day_are_bounded(tmp_path):
    error = _problem(
        tmp_path,
        '[[produce.crops]]\nname = "berry"\nseason_start = "06-01"\nseason_end = "06-01"\n'
        "season_tonnes = 1e6\nshelf_life_hours = 18.0\ncrate_kg = 0.1\n",
    )
    problem = next(p for p in error.problems if p.field == "produce.crops.0.crate_kg")
    assert problem.line == 7
    assert "season_tonnes = 1000000.0" in str(problem) and "2,000,000" in str(problem)


def test_a_farms_crates_per_day_are_bounded(tmp_path):
    error = _problem(
        tmp_path,
        '[[produce.crops]]\nname = "tea"\nseason_start = "03-01"\nseason_end = "05-31"\n'
        "kg_per_farm_per_day = 50000.0\nshelf_life_hours = 30.0\ncrate_kg = 0.2\n",
    )
    assert "kg_per_farm_per_day = 50000.0" in str(error) and "250,000" in str(error)


def test_the_busiest_day_is_bounded_by_population():
    scenario = sim.from_dict({"parcels": {"per_1000_residents_per_day": 1000.0, "weekday_factors": [10] * 7}})
    lishui = 167_054
    sim.from_dict({}).check_daily_work(lishui)  # the defaults: a few thousand items a day
    assert sum(sim.from_dict({}).peak_items_per_day(lishui).values()) < 20_000
    with pytest.raises(sim.ScenarioError) as info:
        scenario.check_daily_work(lishui)
    assert info.value.field == "parcels.per_1000_residents_per_day"
    assert "2,000,000" in str(info.value) and "167,054 residents" in str(info.value)
