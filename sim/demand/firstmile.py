"""First-kilometre items: produce lots from farms and parcels sent from villages."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

import numpy as np

from sim.demand.calendar import Calendar
from sim.demand.items import ItemBatch, draw_cells, draw_parcel_weights, per_day, split_into_pieces
from sim.records.ledger import PARCEL_OUT, PRODUCE
from sim.scenario.flows import Crop, Outbound, Produce
from sim.scenario.schema import Carrier
from sim.units import MINUTES_PER_DAY, MINUTES_PER_HOUR


def draw_outbound_parcels(
    rng: np.random.Generator,
    settings: Outbound,
    carriers: Sequence[Carrier],
    village_node: np.ndarray,
    village_population: np.ndarray,
    hub: int,
    calendar: Calendar,
) -> ItemBatch:
    """Parcels handed in at village points during the day, due at the hub's cut-off.

    Counts per (day, carrier, village) are Poisson (population x rate x carrier
    share x weekday factor is left flat: senders post on any day). ``extra`` holds
    ``self_drop_delay_min``: how long a sender whose village has no pickup takes
    to bring the parcel to the town outlet.
    """
    days = len(calendar)
    share = np.array([c.share for c in carriers])
    rate = per_day(village_population, settings.per_1000_residents_per_day)
    mean = share[None, :, None] * rate[None, None, :]
    day, carrier, village = draw_cells(rng, np.broadcast_to(mean, (days, len(carriers), len(rate))))
    n = len(day)
    start, end = settings.created_from, max(settings.created_until, settings.created_from)
    created = day * MINUTES_PER_DAY + rng.uniform(start, end, size=n)
    weight = draw_parcel_weights(
        rng, settings.weight_median_kg, settings.weight_sigma, settings.weight_max_kg, n
    )
    delay = rng.uniform(0.0, settings.self_drop_hours_max * MINUTES_PER_HOUR, size=n)
    return ItemBatch(
        flow=PARCEL_OUT,
        owner=carrier.astype(np.int16),
        origin=village_node[village],
        destination=np.full(n, hub),
        created_t=created,
        weight_kg=weight,
        volume_m3=weight * settings.m3_per_kg,
        deadline_t=day * MINUTES_PER_DAY + settings.cutoff,
        extra={"self_drop_delay_min": delay},
    ).sorted_by_time()


def draw_produce(
    rng: np.random.Generator,
    settings: Produce,
    farm_crops: Sequence[frozenset[str]],
    farm_town: Sequence[str],
    farm_point: np.ndarray,
    hub: int,
    owner: int,
    calendar: Calendar,
    poi_of_town: dict[str, int] | None = None,
) -> ItemBatch:
    """Produce harvested each day in season, in crates, due at the hub within shelf life.

    Each producing farm harvests ``kg_per_farm_per_day`` times a log-normal weather
    factor (the crop's ``harvest_sigma``); lots are split into crates (ledger rows) and handed in at the
    farm's village point at harvest time. ``extra["crop"]`` holds the crop index.
    A ``poi_sales_share`` of lots is sold at the town's +N point instead of the hub.
    """
    parts: list[dict[str, np.ndarray]] = []
    for c, crop in enumerate(settings.crops):
        farms = np.array(
            [
                i
                for i, crops in enumerate(farm_crops)
                if crop.name in crops and (crop.towns is None or farm_town[i] in crop.towns)
            ],
            dtype=np.int64,
        )
        season_days = np.flatnonzero(calendar.in_season(crop.season_start, crop.season_end))
        if len(farms) == 0 or len(season_days) == 0:
            continue
        crates = _crop_crates(
            rng, settings, crop, farms, season_days, calendar.dates, farm_town, farm_point, hub, poi_of_town
        )
        crates["crop"] = np.full(len(crates["created_t"]), c)
        parts.append(crates)
    cols = {
        k: np.concatenate([p[k] for p in parts]) if parts else np.zeros(0)
        for k in ("origin", "destination", "created_t", "weight_kg", "volume_m3", "deadline_t", "crop")
    }
    n = len(cols["created_t"])
    return ItemBatch(
        flow=PRODUCE,
        owner=np.full(n, owner, dtype=np.int16),
        origin=cols["origin"].astype(np.int64),
        destination=cols["destination"].astype(np.int64),
        created_t=cols["created_t"],
        weight_kg=cols["weight_kg"],
        volume_m3=cols["volume_m3"],
        deadline_t=cols["deadline_t"],
        extra={"crop": cols["crop"].astype(np.int64)},
    ).sorted_by_time()


def season_length_days(start: str, end: str, year: int = 2025) -> int:
    """Days from ``start`` to ``end`` ("MM-DD", both included; a season may wrap the year)."""
    a, b = (dt.date(year, *(int(x) for x in md.replace("02-29", "02-28").split("-"))) for md in (start, end))
    return (b - a).days % 365 + 1


def kg_per_farm_day(crop: Crop, n_farms: int) -> float:
    """A farm's average day: as given, or the season's tonnes handed in at village points
    spread over the season's days and the crop's farms."""
    if crop.kg_per_farm_per_day is not None:
        return crop.kg_per_farm_per_day
    days = season_length_days(crop.season_start, crop.season_end)
    return crop.season_tonnes * 1000.0 * crop.network_share / (days * max(n_farms, 1))


def season_shape(crop: Crop, dates: Sequence[dt.date]) -> np.ndarray:
    """Per season date, the harvest relative to the season's mean day: 1 without a
    ``peak_date``, else a triangle from the start (0) to the peak (2) to the end (0).

    >>> from sim.scenario.flows import Crop
    >>> c = Crop(name="x", season_start="06-01", season_end="06-05", peak_date="06-03",
    ...          kg_per_farm_per_day=1.0, shelf_life_hours=24.0)
    >>> season_shape(c, [dt.date(2026, 6, d) for d in range(1, 6)]).round(3).tolist()
    [0.4, 1.2, 2.0, 1.2, 0.4]
    """
    if crop.peak_date is None:
        return np.ones(len(dates))
    length = season_length_days(crop.season_start, crop.season_end)
    peak = season_length_days(crop.season_start, crop.peak_date) - 0.5  # middle of the peak day
    u = np.array([season_length_days(crop.season_start, d.strftime("%m-%d")) - 0.5 for d in dates])
    rising = 2.0 * u / peak
    falling = 2.0 * (length - u) / (length - peak)
    return np.where(u <= peak, rising, falling)


def shelf_life_min(rng: np.random.Generator, crop: Crop, lots: int) -> np.ndarray:
    """Each lot's warm shelf life: ``shelf_life_hours`` x a uniform factor within
    ``1 +- shelf_life_spread`` (no draw without a spread)."""
    life = np.full(lots, crop.shelf_life_hours * MINUTES_PER_HOUR)
    if crop.shelf_life_spread > 0:
        life *= rng.uniform(1.0 - crop.shelf_life_spread, 1.0 + crop.shelf_life_spread, lots)
    return life


def _crop_crates(
    rng: np.random.Generator,
    settings: Produce,
    crop: Crop,
    farms: np.ndarray,
    season_days: np.ndarray,
    dates: Sequence[dt.date],
    farm_town: Sequence[str],
    farm_point: np.ndarray,
    hub: int,
    poi_of_town: dict[str, int] | None,
) -> dict[str, np.ndarray]:
    """The crates of one crop: a lot per (season day, farm), split into crates, with places and times."""
    factor = np.exp(crop.harvest_sigma * rng.standard_normal((len(season_days), len(farms))))
    shape = season_shape(crop, [dates[d] for d in season_days])
    kg = (kg_per_farm_day(crop, len(farms)) * shape[:, None] * factor).ravel()
    lot_day = np.repeat(season_days, len(farms))
    lot_farm = np.tile(farms, len(season_days))
    lot, crate_kg = split_into_pieces(kg, crop.crate_kg)
    created = lot_day[lot] * MINUTES_PER_DAY + crop.harvest_time
    destination = np.full(len(lot), hub)
    if poi_of_town and settings.poi_sales_share > 0:
        sold = rng.random(len(kg)) < settings.poi_sales_share
        poi = np.array([poi_of_town.get(farm_town[f], -1) for f in lot_farm])
        use = sold & (poi >= 0)
        destination = np.where(use[lot], poi[lot], hub)
    return {
        "origin": farm_point[lot_farm[lot]],
        "destination": destination,
        "created_t": created,
        "weight_kg": crate_kg,
        "volume_m3": crate_kg * crop.m3_per_kg,
        "deadline_t": created + shelf_life_min(rng, crop, len(kg))[lot],
    }
