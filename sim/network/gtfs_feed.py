"""Reading a GTFS feed for :mod:`sim.network.gtfs`: files, times, calendar, schedule.

Internal to the GTFS importer (its public names are re-exported there): a zip archive or
directory (read by :mod:`sim.network.gtfs_files`) becomes a :class:`Schedule` of trips
with their stop times sorted, blank times filled and frequencies parsed;
:func:`service_calendar` gives the running days of each service. Strings are parsed once
per distinct value (numpy ``unique``), so the 37 k stop times of a city feed load in
about 0.2 s; every error names the file, line and column.

>>> s = load_schedule("sample_gtfs.zip", None)  # doctest: +SKIP
>>> s.trip_ids[:2], hms(float(s.st_dep[0]))  # doctest: +SKIP
(['AB1', 'AB2'], '08:00:00')
"""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np

from sim.network.contract import LAT_RANGE_DEG, LON_RANGE_DEG
from sim.network.geography import project_lonlat
from sim.network.gtfs_files import Feed, FeedTable, GtfsError
from sim.units import TIME_EPS_MIN

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_TIME_RE = re.compile(r"(\d{1,3}):([0-5]\d):([0-5]\d)")
_DATE_RE = re.compile(r"(\d{4})(\d{2})(\d{2})")
_MAX_LISTED = 12


def _parse_time(text: str) -> float:
    """'H:MM:SS' (hours may pass 24) to minutes; blank to NaN."""
    if not text:
        return np.nan
    m = _TIME_RE.fullmatch(text)
    if m is None:
        raise ValueError(text)
    return int(m[1]) * 60 + int(m[2]) + int(m[3]) / 60


def _parse_time_required(text: str) -> float:
    if not text:
        raise ValueError(text)
    return _parse_time(text)


def parse_date(text: str) -> int:
    """'YYYYMMDD' to a proleptic Gregorian ordinal (Monday is ordinal % 7 == 1)."""
    m = _DATE_RE.fullmatch(text)
    if m is None:
        raise ValueError(text)
    return date(int(m[1]), int(m[2]), int(m[3])).toordinal()


def _parse_float(text: str) -> float:
    return float(text) if text else np.nan


def _parse_flag(text: str) -> int:
    if text not in ("0", "1"):
        raise ValueError(text)
    return int(text)


def hms(minutes: float) -> str:
    s = round(minutes * 60)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def listing(items: Sequence[str]) -> str:
    shown = ", ".join(items[:_MAX_LISTED])
    return shown + (f" and {len(items) - _MAX_LISTED} more" if len(items) > _MAX_LISTED else "")


# --------------------------------------------------------------------------- the schedule


@dataclass
class Schedule:
    """The selected trips of a feed, their stop times sorted by trip then stop_sequence."""

    feed: Feed
    stop_ids: list[str]
    stop_names: list[str]
    lon: np.ndarray
    lat: np.ndarray
    trip_ids: list[str]
    trip_route: list[str]
    trip_service: list[str]
    trip_dir: list[str]
    route_names: dict[str, str]
    st_stop: np.ndarray  # stop index of each stop time
    st_arr: np.ndarray  # arrival minutes (filled)
    st_dep: np.ndarray  # departure minutes (filled)
    bounds: np.ndarray  # stop times of trip t are rows bounds[t]:bounds[t + 1]
    freq: dict[int, list[tuple[float, float, float]]]  # trip -> (start, end, headway) minutes

    def departures(self, t: int) -> list[float]:
        """Start minutes of trip ``t``: its own first departure, or its frequency expansion."""
        if t not in self.freq:
            return [float(self.st_dep[self.bounds[t]])]
        return [float(x) for s, e, h in self.freq[t] for x in np.arange(s, e - TIME_EPS_MIN, h)]


def load_schedule(path: str | Path, route_ids: Sequence[str] | None) -> Schedule:
    """The trips of the feed at ``path`` (of ``route_ids`` only, if given), with stop times.

    Stop times are sorted by trip then stop_sequence, blank times filled (see
    :func:`_fill_times`), and frequencies parsed. Raises :class:`GtfsError`.
    """
    feed = Feed(path)
    route_names = _route_names(feed)
    trips, all_index, sel = _selected_trips(feed, route_names, route_ids)
    t_ids, t_route = trips.col("trip_id"), trips.col("route_id")
    pos = np.full(len(t_ids) + 1, -1)
    pos[sel] = np.arange(len(sel))

    stops = feed.table("stops.txt", ["stop_id"])
    s_ids = stops.col("stop_id")
    lat = stops.convert("stop_lat", _parse_float, "a latitude in degrees")
    lon = stops.convert("stop_lon", _parse_float, "a longitude in degrees")
    known = ~np.isnan(lon) & ~np.isnan(lat)
    lon0 = float(lon[known].mean()) if known.any() else 0.0
    lat0 = float(lat[known].mean()) if known.any() else 0.0
    x, y = project_lonlat(lon, lat, lon0, lat0)
    names = [t_ids[i] for i in sel]
    stop, arr, dep, bounds = _stop_times(
        feed, pos, all_index, {s: i for i, s in enumerate(s_ids)}, names, x, y
    )
    service, direction = trips.col("service_id"), trips.col("direction_id")
    return Schedule(
        feed,
        s_ids,
        stops.col("stop_name"),
        lon,
        lat,
        names,
        [t_route[i] for i in sel],
        [service[i] for i in sel],
        [direction[i] for i in sel],
        route_names,
        stop,
        arr,
        dep,
        bounds,
        _frequencies(feed, pos, all_index),
    )


def _route_names(feed: Feed) -> dict[str, str]:
    """route_id -> display name (short and long name, or the id)."""
    routes = feed.table("routes.txt", ["route_id"])
    return {
        r: " ".join(p for p in (s, n) if p) or r
        for r, s, n in zip(
            routes.col("route_id"),
            routes.col("route_short_name"),
            routes.col("route_long_name"),
            strict=True,
        )
    }


def _selected_trips(
    feed: Feed, route_names: dict[str, str], route_ids: Sequence[str] | None
) -> tuple[FeedTable, dict[str, int], list[int]]:
    """trips.txt, the row of every trip_id, and the rows of the trips of the chosen routes."""
    keep: set[str] | None = None
    if route_ids is not None:
        keep = {route_ids} if isinstance(route_ids, str) else set(route_ids)
        unknown = sorted(keep - set(route_names))
        if unknown:
            raise GtfsError(
                "unknown route_ids requested",
                file=f"{feed.name}/routes.txt",
                column="route_id",
                expected=f"one of {listing(sorted(route_names))}",
                found=listing(unknown),
            )
    trips = feed.table("trips.txt", ["route_id", "service_id", "trip_id"])
    t_ids, t_route = trips.col("trip_id"), trips.col("route_id")
    trips.lookup("route_id", dict.fromkeys(route_names, 0), "a route_id of routes.txt")
    all_index: dict[str, int] = {}
    for i, tid in enumerate(t_ids):
        if all_index.setdefault(tid, i) != i:
            raise trips.error(i, "trip_id", "duplicate trip_id", found=repr(tid))
    sel = [i for i, r in enumerate(t_route) if keep is None or r in keep]
    return trips, all_index, sel


def _stop_times(
    feed: Feed,
    pos: np.ndarray,
    all_index: dict[str, int],
    s_index: dict[str, int],
    names: list[str],
    x: np.ndarray,
    y: np.ndarray,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Stop times of the selected trips: stop, arrival, departure, and each trip's rows.

    ``pos`` maps a trips.txt row to its selected trip number (-1: not selected); the
    stop times of trip ``t`` are rows ``bounds[t]:bounds[t + 1]``.
    """
    st = feed.table("stop_times.txt", ["trip_id", "stop_id", "stop_sequence", "departure_time"])
    trip = pos[st.lookup("trip_id", all_index, "a trip_id of trips.txt")]
    stop = st.lookup("stop_id", s_index, "a stop_id of stops.txt")
    seq = st.convert("stop_sequence", int, "an integer stop_sequence", np.int64)
    expected = "a time H:MM:SS (hours may pass 24) or blank"
    dep = st.convert("departure_time", _parse_time, expected)
    arr = st.convert("arrival_time", _parse_time, expected) if st.has("arrival_time") else dep
    rows = np.flatnonzero(trip >= 0)
    order = rows[np.lexsort((seq[rows], trip[rows]))]
    trip, stop, seq, dep, arr = trip[order], stop[order], seq[order], dep[order], arr[order]
    same = trip[1:] == trip[:-1]
    dup = np.flatnonzero(same & (seq[1:] == seq[:-1]))
    if dup.size:
        raise st.error(
            int(order[dup[0] + 1]),
            "stop_sequence",
            f"stop_sequence repeats in trip {names[trip[dup[0]]]!r}",
            found=str(seq[dup[0]]),
        )
    bounds = np.searchsorted(trip, np.arange(len(names) + 1))
    arr, dep = _fill_times(st, order, trip, same, arr, dep, x[stop], y[stop], names)
    return stop, arr, dep, bounds


def _frequencies(
    feed: Feed, pos: np.ndarray, all_index: dict[str, int]
) -> dict[int, list[tuple[float, float, float]]]:
    """frequencies.txt: selected trip -> its (start, end, headway) minutes; checked."""
    freq: dict[int, list[tuple[float, float, float]]] = {}
    if not feed.has("frequencies.txt"):
        return freq
    fq = feed.table("frequencies.txt", ["trip_id", "start_time", "end_time", "headway_secs"])
    f_trip = pos[fq.lookup("trip_id", all_index, "a trip_id of trips.txt")]
    start = fq.convert("start_time", _parse_time_required, "a time H:MM:SS")
    end = fq.convert("end_time", _parse_time_required, "a time H:MM:SS")
    headway = fq.convert("headway_secs", int, "an integer number of seconds > 0", np.int64)
    for i in range(len(fq)):
        if headway[i] <= 0:
            raise fq.error(i, "headway_secs", "bad headway", expected="> 0", found=str(headway[i]))
        if end[i] <= start[i]:
            raise fq.error(
                i,
                "end_time",
                "end_time is not after start_time",
                expected=f"after {hms(start[i])}",
                found=hms(end[i]),
            )
        if f_trip[i] >= 0:
            freq.setdefault(int(f_trip[i]), []).append((start[i], end[i], headway[i] / 60))
    return freq


def _fill_times(
    st: FeedTable,
    order: np.ndarray,
    trip: np.ndarray,
    same: np.ndarray,
    arr: np.ndarray,
    dep: np.ndarray,
    sx: np.ndarray,
    sy: np.ndarray,
    names: list[str],
) -> tuple[np.ndarray, np.ndarray]:
    """Fill blank times (see the module doc) and check they never decrease along a trip."""
    dep = np.where(np.isnan(dep), arr, dep)
    arr = np.where(np.isnan(arr), dep, arr)
    n = len(dep)
    if n == 0:
        return arr, dep
    ends = np.ones(n, bool)
    ends[1:] &= ~same
    ends[:-1] |= ~same
    ends[-1] = True
    known = ~np.isnan(dep)
    bad = np.flatnonzero(ends & ~known)
    if bad.size:
        i = bad[0]
        raise st.error(
            int(order[i]),
            "departure_time",
            f"the first and last stop of trip {names[trip[i]]!r} need a time",
            expected="H:MM:SS",
            found="blank",
        )
    if not known.all():
        idx = np.arange(n)
        prev = np.maximum.accumulate(np.where(known, idx, 0))
        nxt = np.minimum.accumulate(np.where(known, idx, n - 1)[::-1])[::-1]
        seg = np.hypot(np.diff(sx), np.diff(sy))
        cum = np.concatenate(([0.0], np.cumsum(np.where(same & np.isfinite(seg), seg, 0.0))))
        gap = cum[nxt] - cum[prev]
        by_index = (idx - prev) / np.maximum(nxt - prev, 1)
        frac = np.where(gap > 0, (cum - cum[prev]) / np.where(gap > 0, gap, 1.0), by_index)
        fill = dep[prev] + frac * (arr[nxt] - dep[prev])
        dep, arr = np.where(known, dep, fill), np.where(known, arr, fill)
    back = np.flatnonzero(same & ((dep[1:] < dep[:-1]) | (arr[1:] < dep[:-1]))) + 1
    if back.size:
        i = back[0]
        raise st.error(
            int(order[i]),
            "arrival_time",
            f"trip {names[trip[i]]!r} goes back in time",
            expected=f"not before {hms(dep[i - 1])}",
            found=hms(min(arr[i], dep[i])),
        )
    return arr, dep


def service_calendar(feed: Feed) -> tuple[dict[str, int], int, np.ndarray]:
    """Service ids, first day (ordinal) and a (services, days) bool matrix of running days."""
    cal = feed.table("calendar.txt", ["service_id", *_WEEKDAYS, "start_date", "end_date"], True)
    exc = feed.table("calendar_dates.txt", ["service_id", "date", "exception_type"], True)
    if not feed.has("calendar.txt") and not feed.has("calendar_dates.txt"):
        raise GtfsError(
            "the feed has no calendar",
            file=f"{feed.name}/calendar.txt",
            expected="calendar.txt, calendar_dates.txt or both",
            found="neither",
        )
    expected = "a date YYYYMMDD"
    start = cal.convert("start_date", parse_date, expected, np.int64)
    end = cal.convert("end_date", parse_date, expected, np.int64)
    flags = [cal.convert(d, _parse_flag, "0 or 1", np.int64) for d in _WEEKDAYS]
    week = np.stack(flags, axis=1).astype(bool) if len(cal) else np.zeros((0, 7), bool)
    day = exc.convert("date", parse_date, expected, np.int64)
    kind = exc.convert("exception_type", int, "1 (added) or 2 (removed)", np.int64)
    bad = np.flatnonzero((kind != 1) & (kind != 2))
    if bad.size:
        raise exc.error(
            int(bad[0]),
            "exception_type",
            "bad exception_type",
            expected="1 (added) or 2 (removed)",
            found=str(kind[bad[0]]),
        )
    back = np.flatnonzero(end < start)
    if back.size:
        raise cal.error(
            int(back[0]),
            "end_date",
            "end_date before start_date",
            expected=f"on or after {cal.col('start_date')[back[0]]}",
            found=cal.col("end_date")[back[0]],
        )
    services: dict[str, int] = {}
    for s in cal.col("service_id") + exc.col("service_id"):
        services.setdefault(s, len(services))
    every = np.concatenate([start, end, day])
    first = int(every.min()) if every.size else 0
    days = np.arange(first, int(every.max()) + 1 if every.size else 0)
    active = np.zeros((len(services), len(days)), bool)
    weekday = (days - 1) % 7  # ordinal 1 (0001-01-01) was a Monday
    for i, s in enumerate(cal.col("service_id")):
        active[services[s]] |= (days >= start[i]) & (days <= end[i]) & week[i, weekday]
    for i, s in enumerate(exc.col("service_id")):
        active[services[s], day[i] - first] = kind[i] == 1
    return services, first, active


def day_text(ordinal: int) -> str:
    return date.fromordinal(ordinal).strftime("%Y%m%d")


# --------------------------------------------------------------------------- shapes


def _parse_degrees(low: float, high: float):
    """A parser of degrees within [low, high] (a blank or out-of-range value fails)."""

    def parse(text: str) -> float:
        value = float(text)
        if not low <= value <= high:
            raise ValueError(text)
        return value

    return parse


def load_shapes(path: str | Path, trip_ids: Collection[str]) -> dict[str, np.ndarray]:
    """The road geometry of some trips of the feed at ``path``: trip id -> (points, 2) lon, lat.

    A trip gets its ``shape_id``'s points of shapes.txt in ``shape_pt_sequence`` order. A
    feed without shapes.txt, and a trip without a shape_id, give no entry (maps then draw
    the bus along the road paths between its stops). A shape_id of one of ``trip_ids``
    that shapes.txt does not hold, a bad coordinate or sequence, and a repeated sequence
    number within a shape are a :class:`GtfsError` naming the file and line. Drawing only:
    nothing of a line's timing comes from its shape.
    """
    feed = Feed(path)
    if not feed.has("shapes.txt"):
        return {}
    trips = feed.table("trips.txt", ["trip_id"])
    wanted = set(trip_ids)
    shape_of = {
        t: s for t, s in zip(trips.col("trip_id"), trips.col("shape_id"), strict=True) if s and t in wanted
    }
    if not shape_of:
        return {}
    points = _shape_points(feed)
    for row, (trip, shape) in enumerate(zip(trips.col("trip_id"), trips.col("shape_id"), strict=True)):
        if shape_of.get(trip) == shape and shape not in points:
            raise trips.error(
                row,
                "shape_id",
                f"trip {trip!r} names a shape that shapes.txt does not hold",
                expected=f"a shape_id of shapes.txt ({listing(sorted(points))})",
                found=repr(shape),
            )
    return {trip: points[shape] for trip, shape in shape_of.items()}


def _shape_points(feed: Feed) -> dict[str, np.ndarray]:
    """shapes.txt: shape id -> its (points, 2) lon, lat, sorted by shape_pt_sequence."""
    table = feed.table("shapes.txt", ["shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"])
    ids = np.asarray(table.col("shape_id"), dtype=str)
    lat = table.convert("shape_pt_lat", _parse_degrees(*LAT_RANGE_DEG), "a latitude in degrees, -90 .. 90")
    lon = table.convert("shape_pt_lon", _parse_degrees(*LON_RANGE_DEG), "a longitude in degrees, -180 .. 180")
    seq = table.convert("shape_pt_sequence", int, "an integer shape_pt_sequence >= 0", np.int64)
    bad = np.flatnonzero(seq < 0)
    if bad.size:
        raise table.error(
            int(bad[0]),
            "shape_pt_sequence",
            "negative shape_pt_sequence",
            expected=">= 0",
            found=str(seq[bad[0]]),
        )
    order = np.lexsort((seq, ids))
    ids, seq = ids[order], seq[order]
    dup = np.flatnonzero((ids[1:] == ids[:-1]) & (seq[1:] == seq[:-1]))
    if dup.size:
        raise table.error(
            int(order[dup[0] + 1]),
            "shape_pt_sequence",
            f"shape_pt_sequence repeats in shape {str(ids[dup[0]])!r}",
            found=str(seq[dup[0]]),
        )
    lonlat = np.column_stack([lon[order], lat[order]])
    cuts = np.flatnonzero(ids[1:] != ids[:-1]) + 1
    starts = np.concatenate([[0], cuts]) if len(ids) else np.zeros(0, dtype=np.int64)
    return {str(ids[a]): lonlat[a:b] for a, b in zip(starts, [*cuts, len(ids)], strict=True)}
