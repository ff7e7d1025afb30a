"""The model beside what deployments reported: one :class:`Effect` per reported effect.

``../shared/DOMAIN.md`` lists effects that counties and studies reported after integrating
(village delivery cost, distance saved by buses, days saved, coverage). :func:`effects`
measures each on an integration :class:`~sim.api.ladders.Ladder` (every level on the same
seeds and the same county, so every figure is a paired comparison) and gives the reported
range beside the model's mean and 95 % interval. ``benchmarks/validation.py`` writes them
into ``docs/validation.md``; ``tests/validation`` asserts the ones that hold.

>>> e = Effect("x", "a claim", "DOMAIN.md", low=-0.35, high=-0.10, unit="change",
...            model=Estimate(-0.2, 0.05, 5))
>>> e.inside
True
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np

from sim.api.ladders import Ladder
from sim.api.runs import Result
from sim.kpi import Estimate, cost_kpis, estimate
from sim.records.ledger import DELIVERED, FETCHED, PARCEL_IN
from sim.units import MINUTES_PER_DAY, MINUTES_PER_HOUR

BASELINE, FIVE_IN_ONE = "separate", "five_in_one"
BEFORE_BUS, WITH_BUS, WITH_SUPPLY = "post_express", "plus_bus", "plus_supply"


@dataclass(frozen=True)
class Effect:
    """A reported effect and the model's figure for it on one scenario."""

    name: str
    claim: str  # what was reported, in words
    source: str  # where it is in DOMAIN.md
    low: float  # the reported range, in ``unit``
    high: float
    unit: str  # "change" (relative: -0.2 is -20 %), "share" (a fraction), "h", "km", ...
    model: Estimate
    measure: str = ""  # how the model's figure is taken

    @property
    def inside(self) -> bool:
        """Whether the model's mean lies in the reported range."""
        return bool(self.low <= self.model.mean <= self.high)


def relative_change(ladder: Ladder, kpi: str, before: str, after: str) -> Estimate:
    """Mean and interval over seeds of ``after / before - 1`` for one KPI (paired by seed)."""
    pairs = zip(ladder.results[before], ladder.results[after], strict=True)
    return estimate([b.kpis[kpi] / a.kpis[kpi] - 1.0 if a.kpis[kpi] else np.nan for a, b in pairs])


def parcel_cost_change(
    ladder: Ladder, driver: str, before: str = BASELINE, after: str = FIVE_IN_ONE
) -> Estimate:
    """Relative change of the cost per inbound parcel with each trip's and fleet's cost
    shared among flows by ``driver`` ("kg", "m3" or "items"), paired by seed."""

    def per_parcel(result: Result) -> float:
        n = len(result.record.measured_rows(PARCEL_IN))
        cost = cost_kpis(result.record, n, {"parcel_in": n}, driver=driver)
        return cost["cost.parcel_in_yuan_per_item"]

    pairs = zip(ladder.results[before], ladder.results[after], strict=True)
    return estimate([per_parcel(b) / per_parcel(a) - 1.0 for a, b in pairs])


def operator_cost_yuan_per_day(result: Result, operator: str) -> float:
    """One operator's cost per measured day: its trips, and its owned fleets standing."""
    rec = result.record
    t = rec.trip_table()
    mine = t["measured"] & (t["operator"] == operator)
    standing = sum(f.standing_yuan(rec.window.days) for f in rec.fleets if f.operator == operator)
    return (float(t["cost_yuan"][mine].sum()) + standing) / rec.window.days


def pooling_saving(ladder: Ladder, operator: str, before: str, after: str) -> Estimate:
    """What pooling ``operator`` saves, as a share of what it cost alone: the step's change
    in the county's operator cost over ``operator``'s own cost at ``before`` (paired by seed)."""
    kpi = "cost.operator_yuan_per_day"
    values = []
    for a, b in zip(ladder.results[before], ladder.results[after], strict=True):
        alone = operator_cost_yuan_per_day(a, operator)
        values.append((b.kpis[kpi] - a.kpis[kpi]) / alone if alone else np.nan)
    return estimate(values)


def parcel_network_change(ladder: Ladder, before: str = BASELINE, after: str = WITH_BUS) -> Estimate:
    """Relative change of what the parcel carriers' network costs (the county's operator
    cost less the cooperative's own operation, which is not pooled at either level), per
    seed; the parcels are the same, so it is also the change of the cost per parcel."""
    kpi = "cost.operator_yuan_per_day"

    def parcels_only(result: Result) -> float:
        return result.kpis[kpi] - operator_cost_yuan_per_day(result, "cooperative")

    pairs = zip(ladder.results[before], ladder.results[after], strict=True)
    return estimate([parcels_only(b) / parcels_only(a) - 1.0 for a, b in pairs])


def bus_parcel_rows(result: Result) -> np.ndarray:
    """Inbound parcels created in the measured window that a bus trip handed over."""
    rec = result.record
    led, kinds = rec.ledger, rec.trips.table()["kind"]
    delivered = (led.flow == PARCEL_IN) & (led.status == DELIVERED) & (led.trip >= 0)
    by_bus = np.zeros(len(led), dtype=bool)
    by_bus[delivered] = kinds[led.trip[delivered]] == "bus"
    created_day = np.floor(led.created_t / MINUTES_PER_DAY)
    return np.flatnonzero(by_bus & rec.window.contains(created_day))


def _received_t(result: Result, rows: np.ndarray) -> np.ndarray:
    """When the addressee has each parcel (handed over in the village, or fetched); NaN if not yet."""
    led = result.record.ledger
    done = np.isin(led.status[rows], (DELIVERED, FETCHED))
    return np.where(done, led.delivered_t[rows], np.nan)


def _same_items(a: Result, b: Result, rows: np.ndarray) -> None:
    la, lb = a.record.ledger, b.record.ledger
    if len(la) != len(lb) or not np.array_equal(la.created_t[rows], lb.created_t[rows]):
        raise ValueError("the two runs do not hold the same items: compare levels run on the same seeds")


def hours_sooner_by_bus(ladder: Ladder, before: str = BASELINE, after: str = FIVE_IN_ONE) -> Estimate:
    """How many hours sooner the parcels a bus handed over at ``after`` reached their
    addressee than the same parcels did at ``before`` (mean per seed, then over seeds)."""
    values = []
    for a, b in zip(ladder.results[before], ladder.results[after], strict=True):
        rows = bus_parcel_rows(b)
        _same_items(a, b, rows)
        gain = (_received_t(a, rows) - _received_t(b, rows)) / MINUTES_PER_HOUR
        values.append(float(np.nanmean(gain)) if np.isfinite(gain).any() else np.nan)
    return estimate(values)


def same_day_share_of_bus_parcels(ladder: Ladder, level: str, bus_level: str = FIVE_IN_ONE) -> Estimate:
    """Share of the parcels a bus handed over at ``bus_level`` that reach the addressee at
    ``level`` on the day they came into the county."""
    values = []
    for a, b in zip(ladder.results[level], ladder.results[bus_level], strict=True):
        rows = bus_parcel_rows(b)
        _same_items(a, b, rows)
        came = np.floor(a.record.ledger.created_t[rows] / MINUTES_PER_DAY)
        got = np.floor(_received_t(a, rows) / MINUTES_PER_DAY)
        values.append(float(np.mean(got == came)) if len(rows) else np.nan)
    return estimate(values)


def _express_parcels(result: Result) -> tuple[np.ndarray, np.ndarray]:
    """Express brands' inbound parcels created in the measured window: rows, and whether
    each was handed over in the village (not fetched from the town outlet)."""
    rec = result.record
    led = rec.ledger
    express = [i for i, c in enumerate(rec.scenario.carriers) if c.kind == "express"]
    created_day = np.floor(led.created_t / MINUTES_PER_DAY)
    rows = np.flatnonzero(
        (led.flow == PARCEL_IN) & np.isin(led.operator, express) & rec.window.contains(created_day)
    )
    return rows, led.status[rows] == DELIVERED


def express_in_village_share(result: Result) -> float:
    """Share of the express brands' parcels handed over in the village."""
    rows, in_village = _express_parcels(result)
    return float(in_village.mean()) if len(rows) else np.nan


def express_village_share(result: Result) -> float:
    """Share of villages where some express parcel was handed over in the village (on any
    day of the measured window): villages that have express service at all."""
    rows, in_village = _express_parcels(result)
    places = result.record.places
    village = places.village_of_node[result.record.ledger.destination[rows[in_village]]]
    return float(len(np.unique(village[village >= 0])) / len(places.villages))


def postal_route(result: Result, what: str) -> float:
    """Mean ``"km"`` or ``"villages"`` (villages called at) of the postal service's own van
    trips in the measured window."""
    rec = result.record
    postal = {c.name for c in rec.scenario.carriers if c.kind == "postal"}
    t = rec.trip_table()
    mine = np.flatnonzero(t["measured"] & (t["kind"] == "van") & np.isin(t["operator"], list(postal)))
    if not len(mine):
        return np.nan
    if what == "km":
        return float(np.mean(t["km"][mine]))
    villages = [np.count_nonzero(rec.places.village_of_node[rec.trips.routes[i]] >= 0) for i in mine]
    return float(np.mean(villages))


def per_run(ladder: Ladder, level: str, measure: Callable[[Result], float]) -> Estimate:
    """Mean and interval of one measure of each run of a level."""
    return estimate([measure(r) for r in ladder.results[level]])


@dataclass(frozen=True)
class Reported:
    """A reported effect and how the model's figure for it is measured on a ladder."""

    name: str
    claim: str
    source: str
    low: float
    high: float
    unit: str
    measure: Callable[[Ladder], Estimate]
    how: str


REPORTED: tuple[Reported, ...] = (
    Reported(
        "parcel_network_cost",
        "village-bound delivery cost about -20 % (Hunan, 630 passenger-freight bus lines)",
        "DOMAIN.md: Effects reported from deployments",
        -0.35,
        -0.10,
        "change",
        parcel_network_change,
        "operator cost of the parcel network (all but the cooperative's own trucks), post + "
        "express + bus / separate - 1: what integrating the post, the express brands and the "
        "bus costs per parcel, without sharing costs with supply or produce",
    ),
    Reported(
        "village_delivery_cost",
        "village-bound delivery cost about -20 % (Hunan, 630 lines)",
        "DOMAIN.md: Effects reported from deployments",
        -0.35,
        -0.10,
        "change",
        lambda ladder: parcel_cost_change(ladder, "kg"),
        "cost per inbound parcel, costs shared among flows by kg (the default "
        "kpi.cost_driver), five-in-one / separate - 1",
    ),
    Reported(
        "village_delivery_cost_per_piece",
        "village-bound delivery cost about -20 % (Hunan, 630 lines), as operators count it: per piece",
        "DOMAIN.md: Effects reported from deployments",
        -0.35,
        -0.10,
        "change",
        lambda ladder: parcel_cost_change(ladder, "items"),
        "cost per inbound parcel, costs shared among flows by item count, five-in-one / separate - 1",
    ),
    Reported(
        "pooled_supply_cost",
        "pooled county warehousing cut logistics cost by over 30 % (Baiyin)",
        "DOMAIN.md: How the integrated model runs, supply-and-marketing cooperatives",
        -1.0,
        -0.30,
        "change",
        lambda ladder: pooling_saving(ladder, "cooperative", WITH_BUS, WITH_SUPPLY),
        "the + supply step's change in operator cost over the cooperative's own cost "
        "(its trucks' trips and standing) before it",
    ),
    Reported(
        "bus_distance_saving",
        "up to 7.1 % distance saved by using spare transit capacity (Azcuy et al. 2021)",
        "DOMAIN.md: Effects reported from deployments",
        -0.071,
        0.0,
        "change",
        lambda ladder: relative_change(ladder, "cost.vehicle_km_per_day", BEFORE_BUS, WITH_BUS),
        "vehicle-km per day of the + bus step alone (plus_bus / post_express - 1)",
    ),
    Reported(
        "bus_parcels_sooner",
        "bus-carried parcels about one day faster on average (Taojiang)",
        "DOMAIN.md: Effects reported from deployments",
        12.0,
        36.0,
        "h",
        hours_sooner_by_bus,
        "hours sooner the parcels a bus hands over at five-in-one reach the addressee than "
        "the same parcels at separate (range: about a day, +-12 h, estimate)",
    ),
    Reported(
        "bus_parcels_same_day",
        "bus-carried parcels delivered the same day instead of the next day (Fuyang)",
        "DOMAIN.md: Effects reported from deployments",
        0.5,
        1.0,
        "share",
        lambda ladder: same_day_share_of_bus_parcels(ladder, FIVE_IN_ONE),
        "share of bus-carried parcels received on the day they reach the county, five-in-one "
        "(range: most of them, estimate)",
    ),
    Reported(
        "baseline_express_in_village",
        "express parcels delivered in the village before integration: neither almost none "
        "nor all (estimate: 95 % of villages had express service nationally at the end of "
        "2022, much of it by co-delivery)",
        "DOMAIN.md: Effects reported from deployments (national)",
        0.2,
        0.9,
        "share",
        lambda ladder: per_run(ladder, BASELINE, express_in_village_share),
        "share of express parcels handed over in the village (not fetched in town), separate",
    ),
    Reported(
        "integrated_express_villages",
        "95 % of administrative villages had express service at the end of 2022",
        "DOMAIN.md: Effects reported from deployments (national)",
        0.95,
        1.0,
        "share",
        lambda ladder: per_run(ladder, FIVE_IN_ONE, express_village_share),
        "share of villages where an express parcel was handed over in the village, five-in-one",
    ),
    Reported(
        "postal_route_km",
        "postal routes to villages about 47-75 km",
        "DOMAIN.md: How the integrated model runs, postal routes",
        47.0,
        75.0,
        "km",
        lambda ladder: per_run(ladder, BASELINE, lambda r: postal_route(r, "km")),
        "mean km of a postal van trip, separate",
    ),
    Reported(
        "postal_route_villages",
        "postal routes serve up to about 9 villages",
        "DOMAIN.md: How the integrated model runs, postal routes",
        1.0,
        9.0,
        "villages",
        lambda ladder: per_run(ladder, BASELINE, lambda r: postal_route(r, "villages")),
        "mean villages called at by a postal van trip, separate",
    ),
)


def effects(ladder: Ladder) -> list[Effect]:
    """Every reported effect of DOMAIN.md the model speaks to (:data:`REPORTED`), measured
    on ``ladder`` (which must hold the ``separate``, ``post_express``, ``plus_bus``,
    ``plus_supply`` and ``five_in_one`` levels of the built-in ladder)."""
    return [
        Effect(r.name, r.claim, r.source, r.low, r.high, r.unit, r.measure(ladder), r.how) for r in REPORTED
    ]
