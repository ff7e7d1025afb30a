"""OpenStreetMap roads in the county's terms: which highways vans drive, their class and speed.

One table, :data:`HIGHWAY_ROADS`, used by the OpenStreetMap importer (:mod:`sim.network.osm`)
and by the reader of osmnx GraphML (:mod:`sim.network.graphml`). Each drivable ``highway``
value maps to one of the contract's road classes (county / town / village) and a speed in
km/h, with its source: ``DOMAIN.md`` (rural road speeds: county road ~60, town road ~40,
village road 20-30 km/h, design speeds) where it gives one, else "estimate".

A road's speed is the table's, lowered to its OSM ``maxspeed`` where that tag gives a
smaller number of km/h (a legal limit is a ceiling, not an average: the table's rural
speeds stay as they are under a higher limit).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass


@dataclass(frozen=True)
class HighwayRoad:
    """The county road class, speed (km/h) and source of the speed of one OSM highway value."""

    road_class: str
    speed_kmh: float
    source: str


_DOMAIN = "DOMAIN.md: rural road speeds"
#: OSM ``highway`` value -> road class, speed and its source. Values not listed are not
#: driven (footways, tracks, paths, cycleways, construction ...) and are left out.
HIGHWAY_ROADS: dict[str, HighwayRoad] = {
    "motorway": HighwayRoad("county", 90.0, "estimate (expressway, van)"),
    "trunk": HighwayRoad("county", 70.0, "estimate (national road)"),
    "primary": HighwayRoad("county", 60.0, _DOMAIN + " (county road ~60)"),
    "secondary": HighwayRoad("county", 60.0, _DOMAIN + " (county road ~60)"),
    "tertiary": HighwayRoad("town", 40.0, _DOMAIN + " (town road ~40)"),
    "unclassified": HighwayRoad("village", 25.0, _DOMAIN + " (village road 20-30)"),
    "residential": HighwayRoad("village", 25.0, _DOMAIN + " (village road 20-30)"),
    "road": HighwayRoad("village", 25.0, _DOMAIN + " (village road 20-30)"),
    "living_street": HighwayRoad("village", 10.0, "estimate (walking pace zone)"),
    "service": HighwayRoad("village", 15.0, "estimate (yards and access roads)"),
}
#: A ``*_link`` ramp takes its road's class and speed (``motorway_link`` is a motorway).
LINK_SUFFIX = "_link"
_MAXSPEED = re.compile(r"\s*(\d+(?:\.\d+)?)\s*(mph|km/h|kmh|kph)?\s*")
_MPH_KMH = 1.609344


def highway_road(highway: object) -> HighwayRoad | None:
    """The road of an OSM ``highway`` value, or None when vans do not drive it.

    A list of values (osmnx merges ways: ``"['residential', 'tertiary']"`` or a list) takes
    the fastest drivable one.

    >>> highway_road("secondary_link").speed_kmh, highway_road("footway")
    (60.0, None)
    >>> highway_road("['residential', 'tertiary']").road_class
    'town'
    """
    values = _highway_values(highway)
    roads = [HIGHWAY_ROADS.get(v.removesuffix(LINK_SUFFIX)) for v in values]
    drivable = [r for r in roads if r is not None]
    return max(drivable, key=lambda r: r.speed_kmh) if drivable else None


def _highway_values(highway: object) -> list[str]:
    if isinstance(highway, list | tuple):
        return [str(v).strip() for v in highway]
    text = str(highway or "").strip()
    if text.startswith("[") and text.endswith("]"):
        return [v.strip().strip("'\"") for v in text[1:-1].split(",")]
    return [text]


def road_speed_kmh(road: HighwayRoad, maxspeed: object) -> float:
    """The table's speed, lowered to a smaller numeric ``maxspeed`` tag (km/h, or "30 mph").

    >>> road_speed_kmh(HIGHWAY_ROADS["secondary"], "40"), road_speed_kmh(HIGHWAY_ROADS["tertiary"], "80")
    (40.0, 40.0)
    """
    limit = parse_maxspeed_kmh(maxspeed)
    return min(road.speed_kmh, limit) if limit is not None else road.speed_kmh


def parse_maxspeed_kmh(maxspeed: object) -> float | None:
    """km/h of an OSM ``maxspeed`` value ("50", "30 mph"); None for "signals", "none", blanks.

    >>> parse_maxspeed_kmh("30 mph"), parse_maxspeed_kmh("walk")
    (48.28032, None)
    """
    if isinstance(maxspeed, int | float) and not isinstance(maxspeed, bool):
        return float(maxspeed) if math.isfinite(maxspeed) and maxspeed > 0 else None
    match = _MAXSPEED.fullmatch(str(maxspeed or ""))
    if match is None or float(match[1]) <= 0:
        return None
    return float(match[1]) * (_MPH_KMH if match[2] == "mph" else 1.0)
