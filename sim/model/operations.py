"""Who carries what: operations, their fleets and the places they serve.

An *operation* runs vehicles for one or more *owners* of items: each carrier owns
its parcels, the supply-and-marketing cooperative owns supply cases and produce
lots, finance owns counter transactions. In ``separate`` mode every owner is its
own operation; in ``integrated`` mode the pooled owners form one operation whose
vans, trunks and (if ``"bus"`` is pooled) bus cargo space serve them all.

A *station-based* operation moves items hub -> town station by trunk and station
-> points by van (and back for collected items); the cooperative alone is
*hub-based*: its trucks leave the county depot for the villages directly.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from sim.model.queues import ItemQueue
from sim.scenario.fields import WEEKDAYS
from sim.scenario.schema import Carrier, Integrated, Scenario, VehicleType
from sim.setup import World
from sim.units import MINUTES_PER_DAY, TIME_EPS_MIN

DAYS_AHEAD = 8  # a week and a day: every weekly service day comes round


@dataclass
class Fleet:
    """Vehicles of one operation at one base (a town station, or the hub)."""

    name: str
    base: int  # node index
    town: int  # town index, -1 for a hub fleet
    vehicle_name: str
    vehicle: VehicleType
    size: int
    days: frozenset[int]
    dispatch_times: tuple[float, ...]
    points: np.ndarray  # point numbers this fleet serves in the village
    free_at: np.ndarray = field(init=False)  # per van: back at its base
    shift_start: np.ndarray = field(init=False)  # per van: first departure of its working day
    shift_day: np.ndarray = field(init=False)  # per van: the day of that shift (-1: none yet)
    deliveries: ItemQueue = field(default_factory=ItemQueue)  # waiting at the base for a point
    outgoing: ItemQueue = field(default_factory=ItemQueue)  # collected, waiting for the hub trunk
    fixed_routes: list[np.ndarray] | None = None
    used_today: dict[int, int] = field(default_factory=dict)
    piece_rate: float | None = None  # yuan per parcel paid to couriers instead of owning vans
    hire_slots: int = 0  # vans that may be hired for a day (surge), after the owned ones
    hired_today: dict[int, int] = field(default_factory=dict)  # day -> vans hired
    hire_paid: set[tuple[int, int]] = field(default_factory=set)  # (day, slot) fees charged

    def __post_init__(self) -> None:
        slots = self.size + self.hire_slots
        self.free_at = np.zeros(slots)
        self.shift_start = np.zeros(slots)
        self.shift_day = np.full(slots, -1, dtype=np.int64)

    def free_vans(self, now: float, day: int) -> np.ndarray:
        """Slots free at ``now``: the owned vans, and the vans hired for ``day``."""
        usable = self.size + self.hired_today.get(day, 0)
        return np.flatnonzero(self.free_at[:usable] <= now + TIME_EPS_MIN)

    def hire(self, day: int, wanted: int) -> np.ndarray:
        """Hire up to ``wanted`` more vans for ``day`` (as many slots as are left): their slots."""
        before = self.hired_today.get(day, 0)
        after = min(self.hire_slots, before + max(0, wanted))
        self.hired_today[day] = after
        return np.arange(self.size + before, self.size + after)

    def hire_fee_due(self, van: int, day: int) -> bool:
        """Whether a trip of slot ``van`` on ``day`` is the hired van's first (it pays the fee)."""
        if van < self.size or (day, van) in self.hire_paid:
            return False
        self.hire_paid.add((day, van))
        return True

    def shift_left(self, vans: np.ndarray, now: float, day: int, shift_min: float) -> np.ndarray:
        """Minutes of ``day``'s shift each van has left at ``now``: the whole shift for a van
        that has not left yet today, else the shift less the time since its first departure."""
        started = self.shift_day[vans] == day
        return np.where(started, self.shift_start[vans] + shift_min - now, shift_min)

    def start_shift(self, van: int, now: float, day: int) -> None:
        """The van leaves at ``now``: its shift starts now unless it already started today."""
        if self.shift_day[van] != day:
            self.shift_day[van] = day
            self.shift_start[van] = now

    def count_out(self, van: int, now: float, day: int) -> None:
        """Owned van ``van`` leaves ``now``: remember the most owned vans out at once on ``day``."""
        if van >= self.size:
            return
        busy = int((self.free_at[: self.size] > now + TIME_EPS_MIN).sum()) + 1
        self.used_today[day] = max(busy, self.used_today.get(day, 0))

    def owned_vehicles(self) -> int:
        """Vehicles the fleet keeps (and pays for every day): none when it pays piece
        rates, or when it has no point to serve (no van is kept for nothing to do)."""
        return self.size if self.piece_rate is None and len(self.points) else 0

    def next_dispatch_after(self, t: float, weekday: np.ndarray) -> float:
        """The first dispatch strictly after ``t`` on a service day (inf within 8 days)."""
        day = int(t // MINUTES_PER_DAY)
        for d in range(day, min(day + DAYS_AHEAD, len(weekday))):
            if int(weekday[d]) in self.days:
                for clock in self.dispatch_times:
                    when = d * MINUTES_PER_DAY + clock
                    if when > t + TIME_EPS_MIN:
                        return when
        return float("inf")


@dataclass
class Operation:
    """One operator or one pool of operators, with its fleets and queues."""

    name: str
    owners: frozenset[int]
    station_based: bool
    carries_bus: bool
    offers_finance: bool
    in_village: np.ndarray  # (points,) bool: served in the village
    fleets: list[Fleet]
    hub_queue: ItemQueue = field(default_factory=ItemQueue)
    pickups: list[ItemQueue] = field(default_factory=list)  # items to collect: per town (one for a hub fleet)
    trunk_ready: np.ndarray = field(default_factory=lambda: np.zeros(0))  # per town, today's trunk sorted
    trunk_meets_first_dispatch: bool = False
    trunk_ends: list[float] = field(default_factory=list)  # when each trunk out today is back
    trunks_charged: dict[int, int] = field(default_factory=dict)  # day -> trucks charged a day rate
    station_fleet: dict[int, Fleet] = field(default_factory=dict)  # town -> fleet
    point_days: np.ndarray = field(default_factory=lambda: np.zeros((0, 7), dtype=bool))  # (points, 7)

    def serves_on(self, points: np.ndarray, weekday: int) -> np.ndarray:
        """Mask of points whose items this operation's vans take on ``weekday``."""
        return self.point_days[points, weekday]

    def charge_trunk_day_rate(self, now: float, end: float, day: int) -> bool:
        """Whether a trunk leaving ``now`` (back at ``end``) charges a truck's day rate: the
        n-th truck out at once is charged the first time n are out on ``day``, so a truck
        that runs the morning and the afternoon trunk costs its day rate once."""
        self.trunk_ends = [t for t in self.trunk_ends if t > now + TIME_EPS_MIN]
        self.trunk_ends.append(end)
        busy = len(self.trunk_ends)
        if busy > self.trunks_charged.get(day, 0):
            self.trunks_charged[day] = busy
            return True
        return False

    def pickup_queue(self, town: int) -> ItemQueue:
        """Where items waiting at the village points of ``town`` wait for this operation."""
        return self.pickups[town] if self.station_based else self.pickups[0]


def owner_codes(scenario: Scenario) -> tuple[int, int]:
    """Owner numbers of the cooperative and of finance (carriers are 0..C-1)."""
    n = len(scenario.carriers)
    return n, n + 1


def build_operations(scenario: Scenario, world: World, expected: np.ndarray) -> list[Operation]:
    """The operations of the scenario's mode. ``expected`` is parcels/day (carriers, villages).

    In order: the pooled operation (if anything is pooled), each carrier not pooled, and
    the cooperative's own trucks (if supply is not pooled).
    """
    s = scenario
    pooled = s.pooled
    pooled_carriers = [i for i, c in enumerate(s.carriers) if c.name in pooled]
    ops: list[Operation] = []
    if pooled_carriers or "supply" in pooled:
        ops.append(_pooled_operation(s, world, pooled_carriers))
    postal = next((i for i, c in enumerate(s.carriers) if c.kind == "postal"), None)
    for i in range(len(s.carriers)):
        if i not in pooled_carriers:
            ops.append(_carrier_operation(s, world, i, expected[i], with_finance=i == postal))
    if "supply" not in pooled:
        ops.append(_cooperative_operation(s, world))
    return ops


def _pooled_operation(s: Scenario, world: World, pooled_carriers: list[int]) -> Operation:
    """The five-in-one operation: every pooled owner, one van fleet per town, every point."""
    supply_owner, finance_owner = owner_codes(s)
    owners = set(pooled_carriers)
    if "supply" in s.pooled:
        owners.add(supply_owner)
    if "finance" in s.pooled:
        owners.add(finance_owner)
    return _station_operation(
        s,
        world,
        "integrated",
        frozenset(owners),
        s.integrated,
        np.ones(len(world.points), dtype=bool),
        carries_bus="bus" in s.pooled,
        offers_finance="finance" in s.pooled,
    )


def _carrier_operation(
    s: Scenario, world: World, i: int, expected: np.ndarray, with_finance: bool
) -> Operation:
    """A carrier alone: in-village delivery where its expected volume justifies it."""
    c = s.carriers[i]
    serves_pois = c.kind == "postal" or s.poi.served_in_separate_by == "every_carrier"
    point_days = _carrier_point_days(c, expected, len(world.points), serves_pois)
    serves = point_days.any(axis=1)
    finance_here = s.finance.offered_in_separate and with_finance and "finance" not in s.pooled
    finance_owner = owner_codes(s)[1]
    return _station_operation(
        s,
        world,
        c.name,
        frozenset({i} | ({finance_owner} if finance_here else set())),
        c,
        serves & (c.vans_per_town > 0),
        carries_bus=False,
        offers_finance=finance_here,
        point_days=point_days,
    )


def _carrier_point_days(c: Carrier, expected: np.ndarray, n_points: int, serves_pois: bool) -> np.ndarray:
    """(points, 7) the weekdays a carrier alone delivers at each point, by its expected volume.

    Villages that reach ``in_village_min_parcels_per_day`` get the carrier's ``van_days``;
    below, the first service tier (highest minimum first) they reach gives its days; below
    every tier, none (the villagers fetch from the town outlet). +N points: every van day
    when ``serves_pois`` (``poi.served_in_separate_by``), else none.
    """
    days = np.zeros((n_points, 7), dtype=bool)
    van_days = [WEEKDAYS.index(d) for d in c.van_days]
    n_villages = len(expected)
    decided = np.zeros(n_villages, dtype=bool)
    tiers = [(c.in_village_min_parcels_per_day, van_days)]
    tiers += [(t.min_parcels_per_day, [WEEKDAYS.index(d) for d in t.days]) for t in c.service_tiers]
    for minimum, weekdays in sorted(tiers, key=lambda tier: -tier[0]):
        meets = ~decided & (expected >= minimum)
        days[np.ix_(np.flatnonzero(meets), weekdays)] = True
        decided |= meets
    if serves_pois:
        days[n_villages:, van_days] = True
    return days


def _cooperative_operation(s: Scenario, world: World) -> Operation:
    """The supply-and-marketing cooperative alone: trucks from the county depot (the hub)."""
    sup = s.supply
    n_points = len(world.points)
    fleet = Fleet(
        name="cooperative",
        base=world.hub,
        town=-1,
        vehicle_name=sup.vehicle,
        vehicle=s.vehicle_types[sup.vehicle],
        size=sup.trucks,
        days=frozenset(WEEKDAYS.index(d) for d in sup.delivery_days),
        dispatch_times=(sup.dispatch_time,),
        points=np.arange(n_points),
    )
    supply_days = np.zeros((n_points, 7), dtype=bool)
    supply_days[:, sorted(fleet.days)] = True
    return Operation(
        name="cooperative",
        owners=frozenset({owner_codes(s)[0]}),
        station_based=False,
        carries_bus=False,
        offers_finance=False,
        in_village=np.full(n_points, sup.trucks > 0),
        fleets=[fleet],
        pickups=[ItemQueue()],
        point_days=supply_days,
    )


def _station_operation(
    s: Scenario,
    world: World,
    name: str,
    owners: frozenset[int],
    policy: Carrier | Integrated,
    in_village: np.ndarray,
    *,
    carries_bus: bool,
    offers_finance: bool,
    point_days: np.ndarray | None = None,
) -> Operation:
    """A hub -> trunk -> town station -> van operation run by ``policy`` (a carrier alone or
    the pooled operation): its vehicle, vans per town, service days and trunk deadline.

    ``point_days`` (points, 7) says on which weekdays each point is served (default: every
    point on the policy's van days)."""
    vehicle, vans = policy.vehicle, policy.vans_per_town
    if point_days is None:
        point_days = np.zeros((len(world.points), 7), dtype=bool)
        point_days[:, [WEEKDAYS.index(d) for d in policy.van_days]] = True
    days = frozenset(np.flatnonzero(point_days[in_village].any(axis=0)).tolist())
    point_town = world.point_town
    op = Operation(
        name=name,
        owners=owners,
        station_based=True,
        carries_bus=carries_bus,
        offers_finance=offers_finance,
        in_village=in_village & (vans > 0),
        fleets=[],
        pickups=[ItemQueue() for _ in range(len(world.towns))],
        trunk_ready=np.zeros(len(world.towns)),
        trunk_meets_first_dispatch=policy.trunk_deadline == "first_dispatch",
        point_days=point_days,
    )
    for t, town in enumerate(world.towns):
        fleet = Fleet(
            name=f"{name}@{town}",
            base=int(world.station[t]),
            town=t,
            vehicle_name=vehicle,
            vehicle=s.vehicle_types[vehicle],
            size=vans,
            days=days,
            dispatch_times=tuple(sorted(s.stations.dispatch_times)),
            points=np.flatnonzero((point_town == t) & op.in_village),
            piece_rate=getattr(policy, "piece_rate_yuan_per_parcel", None),
            hire_slots=s.surge.max_hired_vans_per_town if s.surge.enabled and vans > 0 else 0,
        )
        op.fleets.append(fleet)
        op.station_fleet[t] = fleet
    return op
