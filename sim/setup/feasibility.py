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
from typing import Protocol

import numpy as np

from sim.scenario import Scenario, ScenarioError
from sim.scenario.errors import Loc
from sim.scenario.flows import Crop
from sim.units import FLOAT_EPS, MINUTES_PER_HOUR

#: Supply orders and harvests are log-normal (no maximum): the check expects lots up to this
#: many spreads (sigma) above their mean; a rarer larger lot whose case or crate then fits no
#: vehicle is set aside during the run and counted (``peak.unserved_items``).
LOT_TAIL_SIGMAS = 3.0


class WorldView(Protocol):
    """What the check reads of :class:`sim.setup.world.World` (not imported: world.py calls
    this module)."""

    nodes: tuple[str, ...]
    minutes: np.ndarray
    hub: int
    station: np.ndarray
    villages: np.ndarray
    pois: np.ndarray
    village_population: np.ndarray
    point_town: np.ndarray
    point_of_node: np.ndarray
    farm_crops: tuple[frozenset[str], ...]
    farm_town: tuple[str, ...]
    bus_lines: tuple


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


def check_feasibility(scenario: Scenario, world: WorldView) -> None:
    """Raise a :class:`ScenarioError` (all problems together) when the scenario alone shows
    an item no vehicle can carry, a point no van can reach within a shift, or demand with
    no vehicle at all."""
    problems = [p for kind in item_kinds(scenario, world) for p in _too_large(scenario, world, kind)]
    problems += _beyond_shift(scenario, world)
    problems += _no_vehicle(scenario)
    if problems:
        raise ScenarioError.combine(problems)


def item_kinds(s: Scenario, world: WorldView) -> list[ItemKind]:
    """The largest item of every kind the scenario draws (kinds without demand left out)."""
    kinds: list[ItemKind] = []
    for where, name in (("parcels", "inbound parcel"), ("outbound", "outbound parcel")):
        section = getattr(s, where)
        top = "weight_max_kg" if section.weight_sigma > 0 else "weight_median_kg"
        kg = float(getattr(section, top))
        kinds.append(
            ItemKind(name, (where, top), (where, "m3_per_kg"), kg, kg * section.m3_per_kg, "parcels")
        )
    sup = s.supply
    order_kg = _largest_order_kg(s, world)
    if order_kg > 0:
        kg = min(sup.case_kg, order_kg)
        kinds.append(
            ItemKind(
                "supply case",
                ("supply", "case_kg"),
                ("supply", "m3_per_kg"),
                kg,
                kg * sup.m3_per_kg,
                "supply",
            )
        )
    for i, crop in enumerate(s.produce.crops):
        lot_kg = _largest_lot_kg(crop, world)
        if lot_kg <= 0:
            continue
        kg = min(crop.crate_kg, lot_kg)
        loc = ("produce", "crops", i)
        kinds.append(
            ItemKind(
                f"produce crate of {crop.name}",
                (*loc, "crate_kg"),
                (*loc, "m3_per_kg"),
                kg,
                kg * crop.m3_per_kg,
                "produce",
            )
        )
    return kinds


def _largest_order_kg(s: Scenario, world: WorldView) -> float:
    """The heaviest weekly order the check expects of a village shop (log-normal: up to
    ``LOT_TAIL_SIGMAS`` spreads above the mean), farm inputs included."""
    sup = s.supply
    top_pop = float(world.village_population.max()) if len(world.village_population) else 0.0
    shop = top_pop * sup.kg_per_resident_per_week * float(np.exp(LOT_TAIL_SIGMAS * sup.order_sigma))
    return shop + sum(inp.kg_per_producing_village_per_week for inp in sup.farm_inputs)


def _largest_lot_kg(crop: Crop, world: WorldView) -> float:
    """The heaviest day's lot of one farm the check expects: ``kg_per_farm_per_day``, twice
    that at a peak, ``LOT_TAIL_SIGMAS`` log-normal spreads above it; ``crate_kg`` for a crop
    given as ``season_tonnes`` (its lots are the county's harvest spread over its farms);
    0 when no farm grows the crop."""
    grown = any(
        crop.name in crops and (crop.towns is None or world.farm_town[i] in crop.towns)
        for i, crops in enumerate(world.farm_crops)
    )
    if not grown:
        return 0.0
    if crop.kg_per_farm_per_day is None:
        return crop.crate_kg
    peak = 2.0 if crop.peak_date is not None else 1.0
    return crop.kg_per_farm_per_day * peak * float(np.exp(LOT_TAIL_SIGMAS * crop.harvest_sigma))


def _owners(s: Scenario, kind: ItemKind) -> list[int]:
    """Who owns items of ``kind``: every carrier for parcels, else the cooperative (-1)."""
    return list(range(len(s.carriers))) if kind.flow == "parcels" else [-1]


def legs_of(s: Scenario, world: WorldView, kind: ItemKind, owner: int = -1) -> list[Leg]:
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


def _too_large(s: Scenario, world: WorldView, kind: ItemKind) -> list[ScenarioError]:
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


def _bus_compartments(world: WorldView) -> list[Vehicle]:
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


def _beyond_shift(s: Scenario, world: WorldView) -> list[ScenarioError]:
    """Points with work for the mode's every-point fleets (the pooled vans; the cooperative's
    trucks) that they could not reach and leave again within one shift, even as the only stop.

    Carriers alone choose their villages by volume during setup, so they are not checked
    here; their far villages are left at the town outlet like any unserved village."""
    out = []
    for chosen_by, name, bases, points in _every_point_fleets(s, world):
        speed = s.vehicle_types[name].speed_factor
        round_trip = (world.minutes[bases, points] + world.minutes[points, bases]) / speed
        need = round_trip + s.operations.stop_service_min
        far = np.flatnonzero(need > s.operations.shift_hours * MINUTES_PER_HOUR + FLOAT_EPS)
        if not len(far):
            continue
        worst = world.nodes[points[far[np.argmax(need[far])]]]
        names = ", ".join(repr(world.nodes[points[p]]) for p in far[:5])
        more = f" and {len(far) - 5} more" if len(far) > 5 else ""
        out.append(
            s.error_at(
                ("operations", "shift_hours"),
                f"{len(far)} point(s) cannot be reached and left again within one shift by "
                f"{name} ({chosen_by}) from its base: {names}{more}",
                expected=f"a shift of at least {need[far].max() / MINUTES_PER_HOUR:.2f} h "
                f"(the round trip to {worst!r} and one stop)",
                found=f"{s.operations.shift_hours:g} h",
            )
        )
    return out


def _every_point_fleets(s: Scenario, world: WorldView) -> list[tuple[str, str, np.ndarray, np.ndarray]]:
    """(field, vehicle type, base node per point, point nodes) of the fleets that serve every
    point with work: villages, and +N points when parcels go there or produce is sold there."""
    villages, pois = world.villages, world.pois
    sold_at_pois = s.produce.poi_sales_share > 0 and len(s.produce.crops) > 0
    fleets = []
    pooled_op = "supply" in s.pooled or any(c.name in s.pooled for c in s.carriers)
    if pooled_op and s.integrated.vans_per_town > 0:
        with_pois = s.poi.parcels_per_day > 0 or sold_at_pois
        points = np.concatenate([villages, pois]) if with_pois else villages
        bases = world.station[world.point_town[world.point_of_node[points]]]
        fleets.append(("integrated.vehicle", s.integrated.vehicle, bases, points))
    if "supply" not in s.pooled and s.supply.trucks > 0 and _cooperative_demand(s, world):
        points = np.concatenate([villages, pois]) if sold_at_pois else villages
        fleets.append(("supply.vehicle", s.supply.vehicle, np.full(len(points), world.hub), points))
    return fleets


def _cooperative_demand(s: Scenario, world: WorldView) -> bool:
    """Whether the cooperative has anything to carry: supply cases or produce."""
    return any(k.flow != "parcels" for k in item_kinds(s, world))


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
