"""Infeasible plans, found before the run: what the scenario alone shows no vehicle can do.

Every item kind has a largest possible size: demand draws are bounded (parcel weights are
clipped at ``weight_max_kg``, or all weigh ``weight_median_kg`` when ``weight_sigma`` is 0;
supply orders are cut into cases of at most ``case_kg``; harvests into crates of at most
``crate_kg``; finance transactions weigh nothing), and volume is weight x ``m3_per_kg``.
An item travels one or more *legs* (hub -> station by trunk, station -> village by van or,
pooled, by bus cargo; the cooperative's trucks hub -> village), and on every leg at least
one vehicle type must hold the largest item on every dimension. A point (village or +N
point) whose round trip from its van base alone is longer than a shift can never be served.
A kind of item with demand and no vehicle to carry it at all is an empty fleet.

Each problem is a :class:`~sim.scenario.ScenarioError` at the field that sets the item's
size (or the shift, or the fleet size), naming the item kind, the vehicle types and their
capacities; :func:`check_feasibility` raises them together. It runs at the end of
:func:`sim.setup.world.build_world`, so ``validate`` and ``run`` both see it. What the
scenario cannot show (an item too large for the van at a village no bus reaches) is set
aside during the run and counted (``peak.unserved_items``, see ``docs/design.md``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.scenario import Scenario, ScenarioError
from sim.scenario.errors import Loc
from sim.units import FLOAT_EPS, MINUTES_PER_HOUR

if TYPE_CHECKING:
    from sim.setup.world import World


@dataclass(frozen=True)
class ItemKind:
    """The largest item of one kind: its size and the fields that set it."""

    name: str  # in the planner's words: "inbound parcel", "produce crate of tea"
    kg_field: Loc  # the field that sets the largest weight
    m3_field: Loc  # the field that turns weight into volume (m3 per kg)
    max_kg: float
    max_m3: float
    flow: str  # "parcels" (of every carrier), "supply" or "produce"


@dataclass(frozen=True)
class Vehicle:
    """A vehicle type (or bus compartments) that may carry an item on a leg."""

    name: str  # the vehicle type, or "bus line NAME"
    chosen_by: str  # the field that picks it, e.g. "integrated.vehicle"
    kg: float
    m3: float

    def holds(self, kind: ItemKind) -> bool:
        """Whether the largest item of ``kind`` fits on every dimension."""
        return kind.max_kg <= self.kg + FLOAT_EPS and kind.max_m3 <= self.m3 + FLOAT_EPS

    def __str__(self) -> str:
        return f"{self.name} ({self.chosen_by}): {self.kg:g} kg, {self.m3:g} m3"


@dataclass(frozen=True)
class Leg:
    """One stretch of an item's way and the vehicles that may carry it there."""

    name: str  # "hub -> station (trunk)"
    vehicles: tuple[Vehicle, ...]


def check_feasibility(scenario: Scenario, world: World) -> None:
    """Raise a :class:`ScenarioError` (all problems together) when the scenario alone shows
    an item no vehicle can carry, a point no van can reach within a shift, or demand with
    no vehicle at all."""
    problems = [p for kind in item_kinds(scenario) for p in _too_large(scenario, world, kind)]
    problems += _beyond_shift(scenario, world)
    problems += _no_vehicle(scenario)
    if problems:
        raise ScenarioError.combine(problems)


def item_kinds(s: Scenario) -> list[ItemKind]:
    """The largest item of every kind the scenario draws (supply cases only when ordered)."""
    kinds: list[ItemKind] = []
    for where, name in (("parcels", "inbound parcel"), ("outbound", "outbound parcel")):
        section = getattr(s, where)
        top = "weight_max_kg" if section.weight_sigma > 0 else "weight_median_kg"
        kg = float(getattr(section, top))
        kinds.append(
            ItemKind(name, (where, top), (where, "m3_per_kg"), kg, kg * section.m3_per_kg, "parcels")
        )
    sup = s.supply
    if sup.kg_per_resident_per_week > 0 or sup.farm_inputs:
        kinds.append(
            ItemKind(
                "supply case",
                ("supply", "case_kg"),
                ("supply", "m3_per_kg"),
                sup.case_kg,
                sup.case_kg * sup.m3_per_kg,
                "supply",
            )
        )
    for i, crop in enumerate(s.produce.crops):
        kinds.append(
            ItemKind(
                f"produce crate of {crop.name}",
                ("produce", "crops", i, "crate_kg"),
                ("produce", "crops", i, "m3_per_kg"),
                crop.crate_kg,
                crop.crate_kg * crop.m3_per_kg,
                "produce",
            )
        )
    return kinds


def _owners(s: Scenario, kind: ItemKind) -> list[int]:
    """Who owns items of ``kind``: every carrier for parcels, else the cooperative (-1)."""
    return list(range(len(s.carriers))) if kind.flow == "parcels" else [-1]


def legs_of(s: Scenario, world: World, kind: ItemKind, owner: int = -1) -> list[Leg]:
    """The legs an item of ``kind`` (of carrier ``owner``, for parcels) travels in the
    scenario's mode, each with the vehicles that may carry it there (a leg nobody drives is
    left out: the villagers fetch, or nobody collects)."""
    pooled = s.pooled
    trunk = Leg("hub -> town station (trunk)", (_vehicle(s, s.hub.trunk_vehicle, "hub.trunk_vehicle"),))
    if kind.flow == "parcels":
        carrier = s.carriers[owner]
        if carrier.name not in pooled:
            if carrier.vans_per_town == 0:
                return [trunk]  # left at the town outlet, fetched by the villagers
            field = f"carriers.{owner}.vehicle"
            return [trunk, Leg("town station -> village (van)", (_vehicle(s, carrier.vehicle, field),))]
    elif "supply" not in pooled:
        if s.supply.trucks == 0:
            return []
        truck = _vehicle(s, s.supply.vehicle, "supply.vehicle")
        return [Leg("county depot -> village (cooperative truck)", (truck,))]
    van = _vehicle(s, s.integrated.vehicle, "integrated.vehicle")
    buses = tuple(_bus_compartments(world)) if "bus" in pooled else ()
    return [trunk, Leg("town station -> village (van or bus cargo)", (van, *buses))]


def _too_large(s: Scenario, world: World, kind: ItemKind) -> list[ScenarioError]:
    """Per leg on which no vehicle holds the largest item of ``kind``, one problem naming
    the owners whose items go that way."""
    failing: dict[Leg, list[str]] = {}
    for owner in _owners(s, kind):
        for leg in legs_of(s, world, kind, owner):
            if not any(v.holds(kind) for v in leg.vehicles):
                failing.setdefault(leg, []).append(s.carriers[owner].name if owner >= 0 else "")
                break
    out = []
    for leg, owners in failing.items():
        whose = f" (carriers {', '.join(owners)})" if any(owners) else ""
        heavy = kind.max_kg > max(v.kg for v in leg.vehicles) + FLOAT_EPS
        out.append(
            s.error_at(
                kind.kg_field if heavy else kind.m3_field,
                f"the largest {kind.name}{whose} is larger than every vehicle that carries it "
                f"{leg.name}: " + "; ".join(str(v) for v in leg.vehicles),
                expected=f"at most {max(v.kg for v in leg.vehicles):g} kg and "
                f"{max(v.m3 for v in leg.vehicles):g} m3 per item (or a larger vehicle type)",
                found=f"{kind.max_kg:g} kg, {kind.max_m3:g} m3",
            )
        )
    return out


def _vehicle(s: Scenario, name: str, chosen_by: str) -> Vehicle:
    v = s.vehicle_types[name]
    return Vehicle(name, chosen_by, float(v.capacity_kg), float(v.capacity_m3))


def _bus_compartments(world: World) -> list[Vehicle]:
    """The cargo compartments of the freight bus lines (items, kg, m3), lines of one size together."""
    lines: dict[tuple[float, float], list[str]] = {}
    for line in world.bus_lines:
        cap = np.asarray(line.capacity, dtype=float)
        if len(cap) == 3:
            lines.setdefault((float(cap[1]), float(cap[2])), []).append(line.name)
    return [
        Vehicle(f"bus cargo of {len(names)} line(s) ({names[0]}...)", "bus", kg, m3)
        for (kg, m3), names in lines.items()
    ]


def _beyond_shift(s: Scenario, world: World) -> list[ScenarioError]:
    """Points the mode's every-point fleets (the pooled vans; the cooperative's trucks) could
    not reach and leave again within one shift, even as their only stop.

    Carriers alone choose their villages by volume during setup, so they are not checked
    here; their far villages are left at the town outlet like any unserved village."""
    shift_min = s.operations.shift_hours * MINUTES_PER_HOUR
    fleets: list[tuple[str, str, np.ndarray]] = []
    points = world.points
    pooled_op = "supply" in s.pooled or any(c.name in s.pooled for c in s.carriers)
    if pooled_op and s.integrated.vans_per_town > 0:
        bases = world.station[world.point_town]
        fleets.append(("integrated.vehicle", s.integrated.vehicle, bases))
    if "supply" not in s.pooled and s.supply.trucks > 0 and _cooperative_demand(s):
        fleets.append(("supply.vehicle", s.supply.vehicle, np.full(len(points), world.hub)))
    out = []
    for chosen_by, name, bases in fleets:
        speed = s.vehicle_types[name].speed_factor
        round_trip = (world.minutes[bases, points] + world.minutes[points, bases]) / speed
        need = round_trip + s.operations.stop_service_min
        far = np.flatnonzero(need > shift_min + FLOAT_EPS)
        if len(far):
            worst = int(far[np.argmax(need[far])])
            names = ", ".join(repr(world.nodes[points[p]]) for p in far[:5])
            more = f" and {len(far) - 5} more" if len(far) > 5 else ""
            out.append(
                s.error_at(
                    ("operations", "shift_hours"),
                    f"{len(far)} point(s) cannot be reached and left again within one shift by "
                    f"{name} ({chosen_by}) from its base: {names}{more}",
                    expected=f"a shift of at least {need[worst] / MINUTES_PER_HOUR:.2f} h "
                    f"(the round trip to {world.nodes[points[worst]]!r} and one stop)",
                    found=f"{s.operations.shift_hours:g} h",
                )
            )
    return out


def _cooperative_demand(s: Scenario) -> bool:
    """Whether the cooperative has anything to carry: supply cases or produce."""
    return any(k.flow != "parcels" for k in item_kinds(s))


def _no_vehicle(s: Scenario) -> list[ScenarioError]:
    """Supply cases ordered with no vehicle to deliver them (the cooperative alone, with
    ``supply.trucks = 0``). Produce without a truck is a modelled outcome: it waits and
    spoils, counted by ``first_km.fresh_share``."""
    sup = s.supply
    if "supply" in s.pooled or sup.trucks > 0 or not (sup.kg_per_resident_per_week > 0 or sup.farm_inputs):
        return []
    return [
        s.error_at(
            ("supply", "trucks"),
            f"supply cases are ordered but the cooperative has no {sup.vehicle} to deliver them "
            "(supply is not pooled)",
            expected="at least 1 truck, supply pooled, or no supply demand",
            found="0",
        )
    ]
