"""The scenario schema: every field a planner can set, with units and defaults.

A scenario is a TOML file validated against these pydantic models. Unknown
keys are errors (``extra="forbid"``), so a typo never silently falls back to a
default. Clock times are quoted ``"HH:MM"`` strings in the file and minutes
after midnight here; dates of the year are ``"MM-DD"``.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from sim.scenario.errors import Loc, ScenarioError, dotted, line_of
from sim.scenario.fields import (
    ALL_WEEK,
    MAX_CO2_KG_PER_KM,
    MAX_DAYS,
    MAX_DEMAND_FACTOR,
    MAX_ITEM_KG,
    MAX_ITEMS_PER_DAY,
    MAX_ITEMS_PER_DAY_AT,
    MAX_LOG_SIGMA,
    MAX_M3_PER_KG,
    MAX_MINUTES,
    MAX_PER_1000_RESIDENTS_DAY,
    MAX_SEED,
    MAX_SPEED_FACTOR,
    MAX_VEHICLES_PER_TOWN,
    MAX_WAIT_HOURS,
    MAX_YUAN_PER_DAY,
    MAX_YUAN_PER_HOUR,
    MAX_YUAN_PER_ITEM,
    MAX_YUAN_PER_KM,
    WEEKDAYS,
    ClockTime,
    MonthDay,
    Number,
    Section,
    Weekday,
    format_clock,
    not_below,
    parse_clock,
)
from sim.scenario.flows import Bus, ColdChain, Finance, Outbound, Poi, Produce, Supply

__all__ = ["WEEKDAYS", "ClockTime", "MonthDay", "Number", "Weekday", "format_clock", "parse_clock"]

MAX_AREA_KM2 = 100_000.0  # larger than nearly every county in China
MIN_AREA_KM2 = 1.0
MAX_VILLAGES = 5000
MAX_VEHICLE_PARCELS = 100_000
MAX_VEHICLE_KG = 50_000.0  # a 50 t truck
MAX_VEHICLE_M3 = 150.0  # a large semi-trailer holds about 100 m3
MAX_REPLICATIONS = 10_000
MIN_START_DATE = dt.date(1900, 1, 1)
MAX_START_DATE = dt.date(2999, 12, 31)  # leaves room for MAX_DAYS and the drain
MAX_SLA_HOURS = MAX_WAIT_HOURS  # the drain after the run lasts ceil(sla_hours / 24) + 1 days
MAX_BACKLOG_ITEMS = 1_000_000
MAX_PROMOTION_DAYS = 366
MAX_SEC_PER_PARCEL = 3600.0
MAX_PARCELS_PER_PICKUP_TRIP = 100.0
MIN_TRIP_KMH = 1.0  # slower than walking
MAX_TRIP_KMH = 200.0


class NetworkSpec(Section):
    """Where the village graph comes from: the built-in generator or files."""

    source: Literal["generated", "graphml", "csv"] = "generated"
    seed: int = Field(
        strict=True,
        default=7,
        ge=0,
        le=MAX_SEED,
        description="generator seed; fixed so replications share one county",
    )
    n_villages: int = Field(strict=True, default=90, ge=2, le=MAX_VILLAGES)
    area_km2: Number = Field(1064.0, ge=MIN_AREA_KM2, le=MAX_AREA_KM2, description="km2 of the county")
    path: str | None = Field(None, description="GraphML file (source = graphml)")
    nodes_csv: str | None = None
    edges_csv: str | None = None

    @model_validator(mode="after")
    def _files_given(self) -> NetworkSpec:
        if self.source == "graphml" and not self.path:
            raise ValueError('source = "graphml" needs path = "FILE.graphml"')
        if self.source == "csv" and not (self.nodes_csv and self.edges_csv):
            raise ValueError('source = "csv" needs nodes_csv and edges_csv')
        return self


class VehicleType(Section):
    """A kind of vehicle: capacity in three dimensions, speed, cost and emissions."""

    capacity_parcels: int = Field(strict=True, gt=0, le=MAX_VEHICLE_PARCELS, description="parcels")
    capacity_kg: Number = Field(gt=0, le=MAX_VEHICLE_KG, description="kg of load")
    capacity_m3: Number = Field(gt=0, le=MAX_VEHICLE_M3, description="m3 of load")
    speed_factor: Number = Field(1.0, gt=0, le=MAX_SPEED_FACTOR, description="multiplies road speeds")
    cost_per_km: Number = Field(ge=0, le=MAX_YUAN_PER_KM, description="yuan per km")
    cost_per_hour: Number = Field(0.0, ge=0, le=MAX_YUAN_PER_HOUR, description="yuan per hour on the road")
    cost_per_day: Number = Field(
        0.0,
        ge=0,
        le=MAX_YUAN_PER_DAY,
        description="yuan per vehicle-day: every day a van or cooperative truck belongs to its fleet, "
        "each day a hired trunk truck runs",
    )
    co2_kg_per_km: Number = Field(ge=0, le=MAX_CO2_KG_PER_KM, description="kg CO2 per km")


def _default_vehicle_types() -> dict[str, VehicleType]:
    return {
        "micro_van": VehicleType(
            capacity_parcels=400,
            capacity_kg=700,
            capacity_m3=2.5,
            speed_factor=0.85,
            cost_per_km=1.2,
            cost_per_hour=0.0,
            cost_per_day=250.0,
            co2_kg_per_km=0.2,
        ),
        "coop_truck": VehicleType(
            capacity_parcels=600,
            capacity_kg=1500,
            capacity_m3=8.0,
            speed_factor=0.85,
            cost_per_km=1.8,
            cost_per_hour=0.0,
            cost_per_day=280.0,
            co2_kg_per_km=0.3,
        ),
        "light_truck": VehicleType(
            capacity_parcels=3000,
            capacity_kg=4000,
            capacity_m3=18.0,
            speed_factor=0.9,
            cost_per_km=2.5,
            cost_per_hour=0.0,
            cost_per_day=300.0,
            co2_kg_per_km=0.45,
        ),
    }


class Promotion(Section):
    """A sales event whose parcels reach the county as a wave over the days after it.

    From ``lag_days`` after the sale day, inbound volume is multiplied by
    ``1 + (peak_factor - 1) * exp(-t / decay_days)`` on day t = 0, 1, ... of the wave, for
    ``length_days`` days; waves that overlap add their extra volume.
    """

    name: str = Field(min_length=1)
    date: MonthDay
    lag_days: int = Field(strict=True, default=2, ge=0, le=MAX_PROMOTION_DAYS, description="days")
    peak_factor: Number = Field(ge=1.0, le=MAX_DEMAND_FACTOR, description="x inbound volume")
    decay_days: Number = Field(3.0, gt=0, le=MAX_PROMOTION_DAYS, description="days")
    length_days: int = Field(strict=True, default=10, ge=1, le=MAX_PROMOTION_DAYS, description="days")


def _default_promotions() -> list[Promotion]:
    # DOMAIN.md: a village point gets about 30 parcels a day, 50-60 on promotion days (peak
    # about x1.8-2); lag, decay and length are estimates (parcels ship 1-3 days after the sale).
    return [
        Promotion(name="618", date="06-18", peak_factor=1.8, decay_days=2.0, length_days=7),
        Promotion(name="double_11", date="11-11", peak_factor=2.0, decay_days=3.0, length_days=10),
        Promotion(name="double_12", date="12-12", peak_factor=1.5, decay_days=2.0, length_days=7),
    ]


class ParcelDemand(Section):
    """Inbound (last-kilometre) parcels: volume, weekly pattern, promotion peaks, weights."""

    per_1000_residents_per_day: Number = Field(20.0, ge=0, le=MAX_PER_1000_RESIDENTS_DAY)
    weekday_factors: list[Annotated[Number, Field(ge=0, le=MAX_DEMAND_FACTOR)]] = Field(
        default_factory=lambda: [1.10, 1.05, 1.00, 1.00, 1.00, 0.95, 0.90],
        min_length=7,
        max_length=7,
    )
    promotions: list[Promotion] = Field(default_factory=_default_promotions)
    promotion_dates: list[MonthDay] = Field(
        default_factory=list, description="single days at promotion_factor (besides the waves)"
    )
    promotion_factor: Number = Field(1.8, ge=1.0, le=MAX_DEMAND_FACTOR)
    weight_median_kg: Number = Field(1.0, gt=0, le=MAX_ITEM_KG, description="kg")
    weight_sigma: Number = Field(
        0.8, ge=0, le=MAX_LOG_SIGMA, description="log-normal shape; 0 = every parcel weighs the median"
    )
    weight_max_kg: Number = Field(30.0, gt=0, le=MAX_ITEM_KG, description="kg; heavier draws are capped here")
    m3_per_kg: Number = Field(0.004, gt=0, le=MAX_M3_PER_KG)
    fixed_per_village: dict[str, Annotated[int, Field(strict=True, ge=0, le=MAX_ITEMS_PER_DAY_AT)]] | None = (
        Field(None, description="node id -> parcels per carrier per day; replaces the random draw")
    )

    @field_validator("weight_max_kg")
    @classmethod
    def _max_not_below_median(cls, value: float, info: ValidationInfo) -> float:
        return not_below(value, info, "weight_median_kg")


class ServiceTier(Section):
    """A carrier alone serves a village on these days when it expects at least this volume."""

    min_parcels_per_day: Number = Field(
        ge=0, le=MAX_ITEMS_PER_DAY_AT, description="expected inbound parcels/day of this carrier"
    )
    days: list[Weekday] = Field(min_length=1, description="weekdays its vans deliver there")


def _piece_rate_field() -> float | None:
    return Field(
        None,
        ge=0,
        le=MAX_YUAN_PER_ITEM,
        description="yuan per parcel delivered or collected paid to couriers (franchise outlets) "
        "instead of owning vans: the fleet then has no day rate and its trips cost the rate per parcel",
    )


class Carrier(Section):
    """A parcel company (the postal service or an express brand)."""

    name: str = Field(min_length=1)
    kind: Literal["postal", "express"] = "express"
    share: Number = Field(gt=0, le=1, description="share of the county's inbound parcels")
    linehaul_arrival: ClockTime = Field(360.0, description='trunk arrival at the county hub, "HH:MM"')
    in_village_min_parcels_per_day: Number = Field(
        0.0,
        ge=0,
        le=MAX_ITEMS_PER_DAY_AT,
        description="separate mode: serve a village in-village only above this expected volume",
    )
    service_tiers: list[ServiceTier] = Field(
        default_factory=list,
        description="separate mode: lower volumes served on fewer days (a village below "
        "in_village_min_parcels_per_day that meets a tier is served on the tier's days)",
    )
    van_days: list[Weekday] = Field(default_factory=lambda: list(ALL_WEEK), min_length=1)
    vans_per_town: int = Field(strict=True, default=1, ge=0, le=MAX_VEHICLES_PER_TOWN)
    vehicle: str = "micro_van"
    piece_rate_yuan_per_parcel: Number | None = _piece_rate_field()
    trunk_deadline: Literal["first_dispatch", "none"] = Field(
        "none",
        description="separate mode: 'none' = one trunk truck sized to the carrier's volume (a second only "
        "when one cannot carry the load), vans wait for it; 'first_dispatch' = trucks reach every "
        "station before the first van dispatch, and the collection is back before the outbound "
        "cut-off, as many as that takes",
    )


EXPRESS_PIECE_RATE_YUAN = 1.2  # DOMAIN.md: couriers paid 1-1.3 yuan per parcel


def _default_carriers() -> list[Carrier]:
    postal = Carrier(name="postal", kind="postal", share=0.20, linehaul_arrival="05:30", vans_per_town=1)
    # Estimate: an express outlet runs a daily van where it expects 8 parcels a day, a van
    # three days a week where it expects 3; below that the villagers fetch (no source found).
    # Express outlets are franchises whose couriers are paid by the piece (DOMAIN.md: 1-1.3
    # yuan per parcel); the postal service owns its vans.
    three_days = [ServiceTier(min_parcels_per_day=3.0, days=["mon", "wed", "fri"])]
    express = [
        Carrier(
            name=f"express_{letter}",
            share=share,
            in_village_min_parcels_per_day=8.0,
            service_tiers=three_days,
            piece_rate_yuan_per_parcel=EXPRESS_PIECE_RATE_YUAN,
        )
        for letter, share in zip("abcde", (0.30, 0.20, 0.15, 0.10, 0.05), strict=True)
    ]
    return [postal, *express]


class Hub(Section):
    """The county hub: line-haul arrives, parcels are sorted, trunks leave for the towns."""

    node: str | None = Field(None, description="node id; default the graph's county_hub")
    sort_min: Number = Field(45.0, ge=0, le=MAX_MINUTES, description="minutes")
    trunk_departure: ClockTime = 450.0
    trunk_vehicle: str = "light_truck"
    collection_departure: ClockTime = Field(900.0, description="afternoon trunk collecting from stations")
    cutoff_margin_min: Number = Field(
        30.0,
        ge=0,
        le=MAX_MINUTES,
        description="minutes: the collection trunk plans to be back this long before the outbound cut-off",
    )


class Stations(Section):
    """Town stations (separate mode: each carrier's own town outlet at the same place)."""

    sort_min: Number = Field(30.0, ge=0, le=MAX_MINUTES, description="minutes")
    dispatch_times: list[ClockTime] = Field(default_factory=lambda: [540.0], min_length=1)


class Operations(Section):
    """How vans work: shift, time at a stop, and how routes are planned."""

    shift_hours: Number = Field(
        9.0, gt=0, le=24, description="a van's working day, from its first departure to its last return"
    )
    multi_trip: bool = Field(
        True,
        description="a van back at its base before the end of its shift reloads and goes out again "
        "with what waits; false: one tour per dispatch",
    )
    reload_min: Number = Field(
        20.0, ge=0, le=MAX_MINUTES, description="minutes at the base between two tours: unload, reload"
    )
    stop_service_min: Number = Field(5.0, ge=0, le=MAX_MINUTES, description="minutes at each stop")
    handling_sec_per_parcel: Number = Field(15.0, ge=0, le=MAX_SEC_PER_PARCEL, description="seconds")
    routing_policy: Literal["daily", "fixed"] = "daily"
    plan_backlog_factor: Number = Field(
        1.5,
        gt=0,
        le=MAX_DEMAND_FACTOR,
        description="when more items wait than this x what the free vans carry, only the oldest are planned",
    )


class Variability(Section):
    """Travel and service times that vary from plan (estimates; ``enabled = false`` for
    hand-computed cases). Factors are log-normal with mean 1 and these log-spreads."""

    enabled: bool = True
    day_sigma: Number = Field(0.08, ge=0, le=2, description="one factor for every road of a day (weather)")
    trip_sigma: Number = Field(0.10, ge=0, le=2, description="a trip's own travel-time factor")
    service_sigma: Number = Field(0.25, ge=0, le=2, description="each stop's service-time factor")


class Surge(Section):
    """What operators do when the day's work exceeds the fleet (DOMAIN.md: estimates).

    A van back at its station goes out again when at least ``wave_backlog_items`` deliveries
    wait there (with ``operations.multi_trip``). After the own vans' round leaves at least
    ``hire_backlog_items`` items waiting at a station,
    vans are hired for the day (at most ``max_hired_vans_per_town``) and go out at once; a
    van back with work left may run into overtime, up to ``overtime_hours`` past its shift.
    """

    enabled: bool = True
    wave_backlog_items: int = Field(
        strict=True,
        default=1,
        ge=1,
        le=MAX_BACKLOG_ITEMS,
        description="a van back at its station goes out again (multi-trip) when at least this many "
        "deliveries wait there for today, or a perishable lot waits to be collected",
    )
    hire_backlog_items: int = Field(strict=True, default=400, ge=1, le=MAX_BACKLOG_ITEMS)
    max_hired_vans_per_town: int = Field(strict=True, default=2, ge=0, le=MAX_VEHICLES_PER_TOWN)
    hire_yuan_per_day: Number = Field(
        450.0, ge=0, le=MAX_YUAN_PER_DAY, description="yuan: a hired van and driver for the day"
    )
    overtime_hours: Number = Field(2.0, ge=0, le=12, description="hours past the shift")
    overtime_yuan_per_hour: Number = Field(42.0, ge=0, le=MAX_YUAN_PER_HOUR)


class Integrated(Section):
    """The pooled operation used when mode = "integrated"."""

    pooled: list[str] | None = Field(
        None, description='carrier names and "bus", "supply", "finance" pooled; default all'
    )
    vans_per_town: int = Field(strict=True, default=3, ge=0, le=MAX_VEHICLES_PER_TOWN)
    vehicle: str = "micro_van"
    piece_rate_yuan_per_parcel: Number | None = _piece_rate_field()
    van_days: list[Weekday] = Field(default_factory=lambda: list(ALL_WEEK), min_length=1)
    trunk_deadline: Literal["first_dispatch", "none"] = Field(
        "first_dispatch",
        description="as for a carrier: the pooled trunk reaches every station by the first dispatch",
    )


class SelfPickup(Section):
    """Villagers fetching parcels that were left at a township outlet."""

    delay_hours_min: Number = Field(24.0, ge=0, le=MAX_WAIT_HOURS, description="hours")
    delay_hours_max: Number = Field(48.0, ge=0, le=MAX_WAIT_HOURS, description="hours")
    parcels_per_trip: Number = Field(1.5, ge=1.0, le=MAX_PARCELS_PER_PICKUP_TRIP)

    @field_validator("delay_hours_max")
    @classmethod
    def _max_not_below_min(cls, value: float, info: ValidationInfo) -> float:
        return not_below(value, info, "delay_hours_min")


class KpiSettings(Section):
    """Thresholds in the KPI definitions (DESIGN.md)."""

    sla_hours: Number = Field(48.0, gt=0, le=MAX_SLA_HOURS, description="hours")
    min_service_days: Number = Field(5.0, ge=0, le=7)
    in_village_share: Number = Field(0.95, ge=0, le=1)
    cost_driver: Literal["kg", "m3", "items"] = Field(
        "kg",
        description="what each trip's cost is shared by among the flows it carried (cost per flow)",
    )
    late_yuan_per_item_hour: Number = Field(
        0.1,
        ge=0,
        le=MAX_YUAN_PER_ITEM,
        description="what an item late past its deadline costs per hour (parcels, outbound, supply; "
        "spoiled produce is counted in kg): cost.late_penalty_yuan_per_day",
    )


class Social(Section):
    """What villagers' own trips to town cost them and the air (the ``social.*`` KPIs).

    The km are the villagers' round trips the KPIs count (self pickup, self drop, bank);
    hours are km / ``speed_kmh``. Defaults are estimates (see ``scenarios/lishui.toml``).
    """

    yuan_per_km: Number = Field(
        0.2,
        ge=0,
        le=MAX_YUAN_PER_KM,
        description="yuan per km of a villager's own trip (running cost of their vehicles)",
    )
    yuan_per_hour: Number = Field(
        15.0, ge=0, le=MAX_YUAN_PER_HOUR, description="yuan per hour of a villager's time"
    )
    co2_kg_per_km: Number = Field(
        0.07, ge=0, le=MAX_CO2_KG_PER_KM, description="kg CO2 per km of a villager's trip"
    )
    speed_kmh: Number = Field(
        25.0,
        ge=MIN_TRIP_KMH,
        le=MAX_TRIP_KMH,
        description="average door-to-door speed of a villager's trip, km/h",
    )


class Scenario(Section):
    """One county, one policy, one horizon: everything a run needs besides its seed."""

    name: str = "scenario"
    description: str = ""
    mode: Literal["separate", "integrated"] = "integrated"
    days: int = Field(strict=True, default=28, ge=1, le=MAX_DAYS)
    warmup_days: int = Field(strict=True, default=2, ge=0, le=MAX_DAYS)
    replications: int = Field(strict=True, default=1, ge=1, le=MAX_REPLICATIONS)
    seed: int = Field(strict=True, default=1, ge=0, le=MAX_SEED)
    start_date: dt.date = Field(dt.date(2026, 1, 5), ge=MIN_START_DATE, le=MAX_START_DATE)
    network: NetworkSpec = Field(default_factory=NetworkSpec)
    vehicle_types: dict[str, VehicleType] = Field(default_factory=_default_vehicle_types)
    parcels: ParcelDemand = Field(default_factory=ParcelDemand)
    carriers: list[Carrier] = Field(default_factory=_default_carriers, min_length=1)
    hub: Hub = Field(default_factory=Hub)
    stations: Stations = Field(default_factory=Stations)
    operations: Operations = Field(default_factory=Operations)
    surge: Surge = Field(default_factory=Surge)
    variability: Variability = Field(default_factory=Variability)
    cold_chain: ColdChain = Field(default_factory=ColdChain)
    integrated: Integrated = Field(default_factory=Integrated)
    self_pickup: SelfPickup = Field(default_factory=SelfPickup)
    bus: Bus = Field(default_factory=Bus)
    supply: Supply = Field(default_factory=Supply)
    produce: Produce = Field(default_factory=Produce)
    outbound: Outbound = Field(default_factory=Outbound)
    finance: Finance = Field(default_factory=Finance)
    poi: Poi = Field(default_factory=Poi)
    kpi: KpiSettings = Field(default_factory=KpiSettings)
    social: Social = Field(default_factory=Social)

    @field_validator("vehicle_types", mode="before")
    @classmethod
    def _keep_default_types(cls, value: object) -> object:
        """Types named in the file add to (or replace by name) the built-in ones."""
        if isinstance(value, dict):
            defaults = {k: v.model_dump() for k, v in _default_vehicle_types().items()}
            return {**defaults, **value}
        return value

    @property
    def pooled(self) -> set[str]:
        """Names pooled in integrated mode (carriers, "bus", "supply", "finance"); empty when separate."""
        if self.mode != "integrated":
            return set()
        names = self.integrated.pooled
        if names is None:
            return {c.name for c in self.carriers} | {"bus", "supply", "finance"}
        return set(names)

    def peak_items_per_day(self, residents: float) -> dict[str, float]:
        """Items the busiest day may create for ``residents`` villagers, per flow (expected values).

        Inbound parcels at the busiest weekday and the highest promotion (overlapping waves
        add), outbound parcels, counter transactions, and a week of supply cases on one day.
        """
        p = self.parcels
        promotion = max(p.promotion_factor, 1.0 + sum(w.peak_factor - 1.0 for w in p.promotions))
        per_resident = {
            "parcels": p.per_1000_residents_per_day / 1000.0 * max(p.weekday_factors) * promotion,
            "outbound": self.outbound.per_1000_residents_per_day / 1000.0,
            "finance": self.finance.per_1000_residents_per_day / 1000.0,
            "supply": self.supply.kg_per_resident_per_week / self.supply.case_kg,
        }
        return {flow: rate * residents for flow, rate in per_resident.items()}

    def check_daily_work(self, residents: float) -> None:
        """Raise a :class:`ScenarioError` if the busiest day would exceed :data:`MAX_ITEMS_PER_DAY`
        items for a county of ``residents`` (call it once the network's population is known)."""
        flows = self.peak_items_per_day(residents)
        total = sum(flows.values())
        if total <= MAX_ITEMS_PER_DAY:
            return
        biggest = max(flows, key=flows.__getitem__)
        field = {
            "parcels": ("parcels", "per_1000_residents_per_day"),
            "outbound": ("outbound", "per_1000_residents_per_day"),
            "finance": ("finance", "per_1000_residents_per_day"),
            "supply": ("supply", "kg_per_resident_per_week"),
        }[biggest]
        detail = ", ".join(f"{flow} {n:,.0f}" for flow, n in flows.items())
        raise self.error_at(
            field,
            "the busiest day would create more items than a run can hold",
            expected=f"at most {MAX_ITEMS_PER_DAY:,} items a day",
            found=f"{total:,.0f} for {residents:,.0f} residents ({detail})",
        )

    # Where the file came from: relative paths in it are resolved against _base_dir.
    _base_dir: object = None
    _source: str | None = None
    _text: str | None = None

    @property
    def source(self) -> str | None:
        """The file this scenario was read from (None when built from a mapping)."""
        return self._source

    def error_at(
        self, loc: Loc, message: str, *, expected: str | None = None, found: str | None = None
    ) -> ScenarioError:
        """A :class:`ScenarioError` for field ``loc`` (e.g. ``("bus", "lines", 0, "stops")``),
        naming this scenario's file and the field's line in it."""
        return ScenarioError(
            message,
            path=self._source,
            field=dotted(loc),
            line=line_of(self._text, loc),
            expected=expected,
            found=found,
        )

    def resolve_path(self, relative: str) -> str:
        """A path from the scenario, resolved against the scenario file's folder."""
        from pathlib import Path

        p = Path(relative)
        if p.is_absolute() or self._base_dir is None:
            return str(p)
        return str(Path(str(self._base_dir)) / p)
