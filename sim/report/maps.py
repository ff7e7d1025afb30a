"""Maps a planner reads without a manual: the county of one run, and one panel per operator.

:func:`county_map` draws one run (one mode): roads, the villages coloured by the share of
parcels delivered in the village (covered ones ringed), the town stations and the county
hub, and one day's trips along the roads they drive; :func:`operator_maps` draws the same
day as small multiples, one panel per operator (the postal service, each express brand,
the cooperative...), all on the same extent. Both return a matplotlib ``Figure``.

Decisions (also in docs/design.md, "Maps"):

* **Frame.** When the network's nodes carry ``lon`` / ``lat`` (CSV files with lon/lat,
  GTFS stop graphs), the axes are longitude and latitude in degrees with the aspect of
  the network's own equirectangular projection (:func:`map_frame`); otherwise km east
  and north. Either way a scale bar (a round number of km) and a north arrow are drawn.
* **Routes** follow the roads: each leg between two stops is drawn along the fastest
  path of the graph (the path whose km the travel matrices count). A bus line with a
  GTFS shape is drawn along its shape; without one, along the road paths. A record
  without a graph (hand-made in tests) draws straight legs.
* **Labels** are placed greedily: the hub's label first, then the towns', then (on
  demand) the villages', each at the first of a ring of positions around its point that
  overlaps no label and no marker placed before it; a village name that finds no free
  position is left out, a town's takes the least crowded position.
* **Fonts** are :mod:`sim.report.fonts`' (every figure's): Chinese names render with
  the first CJK font the machine has, SVG keeps text as text.

matplotlib is imported inside the functions (``ruralsim validate`` should not pay for it).
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np

from sim.kpi import village_table
from sim.records import RunRecord
from sim.report.fonts import pyplot, report_style, set_fonts

if TYPE_CHECKING:
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: The nodes' lon/lat must match their x/y (km) to this after the linear fit, or the map
#: stays in km (the two disagree: coordinates from two sources).
LONLAT_FIT_TOLERANCE_KM = 0.05
#: The scale bar is about this share of the map's width, rounded down to 1, 2 or 5 x 10^k km.
SCALE_BAR_SHARE = 0.2
#: Margin around the county, as a share of its extent.
MAP_MARGIN_SHARE = 0.05
COUNTY_MAP_SIZE_IN = (11.0, 8.0)
PANEL_SIZE_IN = 4.2
OPERATOR_PANEL_COLUMNS = 3
#: Where a label may sit around its point (points of offset), nearest first.
LABEL_RADII_PT = (5.0, 10.0, 16.0)
LABEL_DIRECTIONS = ((1, 1), (1, -1), (-1, 1), (-1, -1), (1, 0), (-1, 0), (0, 1), (0, -1))
#: Half-size (pixels) of the box a marker keeps free of labels.
MARKER_HALF_PX = {"hub": 8.0, "station": 5.0, "village": 2.0}
ROUTE_STYLE = {"van": ("-", 1.2), "trunk": ("--", 1.0), "bus": (":", 1.6)}
BUS_COLOUR = "#e65100"
ROAD_COLOUR = "#cccccc"
STATION_COLOUR = "#1f4e79"
HUB_COLOUR = "#c00000"
LABEL_GID, SCALE_BAR_GID, SCALE_LABEL_GID, NORTH_ARROW_GID = (
    "label",
    "scale_bar",
    "scale_bar_label",
    "north_arrow",
)


# --------------------------------------------------------------------------- public


def county_map(result, *, village_names: bool = False, day: int | None = None) -> Figure:
    """The county of one run: villages by in-village share (covered ones ringed), stations,
    the hub, and the trips of ``day`` (default: the first measured day) along their roads,
    vans solid, trunks dashed, buses dotted. ``result`` is a :class:`sim.Result` or its
    :class:`~sim.records.RunRecord`; ``village_names`` labels the villages too."""
    rec = _record(result)
    with report_style() as fonts:
        plt = pyplot()
        fig = plt.figure(figsize=COUNTY_MAP_SIZE_IN)
        ax = fig.add_axes((0.07, 0.16, 0.62, 0.76))
        view = _MapView(rec, day)
        view.draw_roads(ax)
        ops = view.operators
        for t in view.trips_of_day():
            view.draw_trip(ax, t, view.colour(ops, t))
        table = village_table(rec)
        sc = view.draw_villages(ax, table)
        cax = fig.add_axes((0.07, 0.07, 0.62, 0.025))
        fig.colorbar(sc, cax=cax, orientation="horizontal", label="share of parcels delivered in the village")
        view.draw_stations_and_hub(ax)
        _route_legend(ax, view, ops, view.kinds_of_day())
        ax.legend(loc="upper left", bbox_to_anchor=(1.02, 1.0), borderaxespad=0.0, fontsize=8)
        view.finish(ax)
        s = rec.scenario
        ax.set_title(
            f"{s.name} ({s.mode}): village coverage {table['covered'].mean():.0%} (ringed = covered),"
            f" trips of day {view.day}"
        )
        names = view.village_labels() if village_names else []
        _place_labels(fig, [(ax, view.point_labels() + names)])
        set_fonts(fig, fonts)
    return fig


def operator_maps(result, *, day: int | None = None) -> Figure:
    """Small multiples of one run: one panel per operator with its trips of ``day`` (default:
    the first measured day), every panel on the same extent, with the roads, villages,
    stations and hub for reference. ``result`` is a :class:`sim.Result` or its record."""
    rec = _record(result)
    with report_style() as fonts:
        plt = pyplot()
        view = _MapView(rec, day)
        ops = view.operators or ["no trips"]
        cols = min(OPERATOR_PANEL_COLUMNS, len(ops))
        rows = math.ceil(len(ops) / cols)
        fig, grid = plt.subplots(
            rows, cols, figsize=(PANEL_SIZE_IN * cols + 2.5, PANEL_SIZE_IN * rows), sharex=True, sharey=True
        )
        fig.subplots_adjust(
            left=0.06, right=0.97 - 2.5 / (PANEL_SIZE_IN * cols + 2.5), wspace=0.08, hspace=0.15
        )
        axes = list(np.ravel(grid))
        for ax in axes[len(ops) :]:
            ax.set_visible(False)
        for k, (ax, op) in enumerate(zip(axes, ops, strict=False)):
            _operator_panel(ax, view, op, first=k == 0)
        handles = _route_legend(axes[0], view, view.operators, view.kinds_of_day())
        fig.legend(
            handles=handles, loc="upper left", bbox_to_anchor=(axes[cols - 1].get_position().x1 + 0.01, 0.92)
        )
        s = rec.scenario
        fig.suptitle(f"{s.name} ({s.mode}): each operator's trips of day {view.day}")
        fig.supxlabel(view.frame.axis_labels[0])
        fig.supylabel(view.frame.axis_labels[1])
        _place_labels(fig, [(ax, view.point_labels()) for ax in axes[: len(ops)]])
        set_fonts(fig, fonts)
    return fig


# --------------------------------------------------------------------------- the frame


@dataclass(frozen=True)
class MapFrame:
    """How km east/north of the network become map coordinates.

    In the lon/lat frame ``lon = lon0 + x * deg_per_km_x``, ``lat = lat0 + y * deg_per_km_y``
    (the inverse of the network's equirectangular projection); in the km frame both
    factors are 1 and the origin 0.
    """

    lonlat: bool
    lon0: float = 0.0
    lat0: float = 0.0
    deg_per_km_x: float = 1.0
    deg_per_km_y: float = 1.0

    def to_map(self, xy_km: np.ndarray) -> np.ndarray:
        """(n, 2) km to (n, 2) map coordinates."""
        xy = np.asarray(xy_km, dtype=float).reshape(-1, 2)
        return np.column_stack(
            [self.lon0 + xy[:, 0] * self.deg_per_km_x, self.lat0 + xy[:, 1] * self.deg_per_km_y]
        )

    @property
    def km_per_unit_x(self) -> float:
        """km of one map unit eastwards (the scale bar's factor)."""
        return 1.0 / self.deg_per_km_x

    @property
    def aspect(self) -> float:
        """Map units north per map unit east that keep a km the same length both ways."""
        return self.deg_per_km_x / self.deg_per_km_y

    @property
    def axis_labels(self) -> tuple[str, str]:
        if self.lonlat:
            return "longitude (degrees east)", "latitude (degrees north)"
        return "km east", "km north"


def map_frame(graph) -> MapFrame:
    """The lon/lat frame when every node of ``graph`` carrying x/y also carries a numeric
    lon/lat (at least two distinct ones each way) and a linear fit matches them within
    :data:`LONLAT_FIT_TOLERANCE_KM`; the km frame otherwise (or for ``graph`` None)."""
    if graph is None or graph.number_of_nodes() < 2:
        return MapFrame(lonlat=False)
    try:
        rows = np.array(
            [[d["x"], d["y"], d["lon"], d["lat"]] for _, d in graph.nodes(data=True)], dtype=float
        )
    except (KeyError, TypeError, ValueError):
        return MapFrame(lonlat=False)
    x, y, lon, lat = rows.T
    if not np.isfinite(rows).all() or np.ptp(x) <= 0 or np.ptp(y) <= 0:
        return MapFrame(lonlat=False)
    bx, ax_ = np.polyfit(x, lon, 1)
    by, ay = np.polyfit(y, lat, 1)
    if bx <= 0 or by <= 0:
        return MapFrame(lonlat=False)
    off_km = max(np.abs(lon - ax_ - bx * x).max() / bx, np.abs(lat - ay - by * y).max() / by)
    if off_km > LONLAT_FIT_TOLERANCE_KM:
        return MapFrame(lonlat=False)
    return MapFrame(True, float(ax_), float(ay), float(bx), float(by))


# --------------------------------------------------------------------------- road paths


class RoadPaths:
    """The fastest road path between two places of a run, as km points (cached per source).

    The same weights as :func:`sim.network.travel_matrices` (``length_km / speed_kmh``),
    so the path drawn is the one whose km the run counted. Without a graph, legs are straight.
    """

    def __init__(self, places) -> None:
        self.places = places
        self.graph = getattr(places, "graph", None)
        self._pred: dict[int, np.ndarray] = {}
        if self.graph is None:
            return
        from scipy.sparse import csr_array

        ids = list(self.graph.nodes())
        order = {v: i for i, v in enumerate(ids)}
        data = self.graph.nodes
        self.node_xy = np.array([[float(data[v].get("x", 0.0)), float(data[v].get("y", 0.0))] for v in ids])
        src, dst, minutes = [], [], []
        for u, v, d in self.graph.edges(data=True):
            if u != v:
                w = float(d["length_km"]) / float(d["speed_kmh"])
                src += [order[u], order[v]]
                dst += [order[v], order[u]]
                minutes += [w, w]
        n = len(ids)
        self.weights = csr_array((np.array(minutes), (np.array(src), np.array(dst))), shape=(n, n))
        self.node_of_place = np.array([order[name] for name in places.nodes])

    def leg_nodes(self, a: int, b: int) -> list[int]:
        """Graph node numbers (in ``graph.nodes()`` order) of the fastest path from place
        ``a`` to place ``b``."""
        from scipy.sparse.csgraph import dijkstra

        src, dst = int(self.node_of_place[a]), int(self.node_of_place[b])
        if src not in self._pred:
            _, self._pred[src] = dijkstra(self.weights, directed=True, indices=src, return_predecessors=True)
        pred, path = self._pred[src], [dst]
        while path[-1] != src and pred[path[-1]] >= 0:
            path.append(int(pred[path[-1]]))
        return path[::-1]

    def route_xy(self, stops: Sequence[int]) -> np.ndarray:
        """(points, 2) km along the roads through the places ``stops`` in order."""
        stops = [int(s) for s in stops]
        if self.graph is None or len(stops) < 2:
            return self.places.xy[stops]
        nodes = [int(self.node_of_place[stops[0]])]
        for a, b in zip(stops[:-1], stops[1:], strict=True):
            nodes += self.leg_nodes(a, b)[1:]
        return self.node_xy[nodes]


# --------------------------------------------------------------------------- drawing


class _MapView:
    """One run's map in the making: its frame, extent, road paths and the day drawn."""

    def __init__(self, rec: RunRecord, day: int | None) -> None:
        self.rec, self.places = rec, rec.places
        self.day = rec.scenario.warmup_days if day is None else int(day)
        self.frame = map_frame(getattr(self.places, "graph", None))
        self.paths = RoadPaths(self.places)
        self.trips = rec.trips.table()
        self.operators = sorted({str(o) for o in self.trips["operator"].tolist()})
        lines = getattr(self.places, "bus_lines", ())
        self.shapes = {
            ln.name: ln.shape_lonlat for ln in lines if getattr(ln, "shape_lonlat", None) is not None
        }
        self.xy = self.frame.to_map(self.places.xy)

    def trips_of_day(self, operator: str | None = None) -> list[int]:
        day, ops = self.trips["day"], self.trips["operator"]
        return [t for t in range(len(day)) if day[t] == self.day and (operator is None or ops[t] == operator)]

    def kinds_of_day(self, operator: str | None = None) -> set[str]:
        return {str(self.trips["kind"][t]) for t in self.trips_of_day(operator)}

    def colour(self, ops: list[str], t: int):
        if str(self.trips["kind"][t]) == "bus":
            return BUS_COLOUR
        return pyplot().get_cmap("tab10")(ops.index(str(self.trips["operator"][t])) % 10)

    def trip_xy(self, t: int) -> np.ndarray:
        """Map points of trip ``t``: its GTFS shape when it is a bus line with one (lon/lat
        frame only), else the road paths between its stops."""
        shape = (
            self.shapes.get(str(self.trips["vehicle_type"][t])) if self.trips["kind"][t] == "bus" else None
        )
        if shape is not None and self.frame.lonlat:
            return np.asarray(shape, dtype=float)
        return self.frame.to_map(self.paths.route_xy(self.rec.trips.routes[t]))

    def draw_trip(self, ax: Axes, t: int, colour) -> None:
        style, width = ROUTE_STYLE.get(str(self.trips["kind"][t]), ("-", 1.0))
        pts = self.trip_xy(t)
        ax.plot(pts[:, 0], pts[:, 1], style, lw=width, alpha=0.8, zorder=2, color=colour, gid=f"trip:{t}")

    def draw_roads(self, ax: Axes) -> None:
        from matplotlib.collections import LineCollection

        roads = np.asarray(self.places.road_xy, dtype=float).reshape(-1, 2, 2)
        if len(roads):
            segs = self.frame.to_map(roads.reshape(-1, 2)).reshape(-1, 2, 2)
            ax.add_collection(LineCollection(segs, colors=ROAD_COLOUR, linewidths=0.6, zorder=1, gid="roads"))

    def draw_villages(self, ax: Axes, table, plain: bool = False):
        vxy = self.xy[self.places.villages]
        if plain:
            return ax.scatter(vxy[:, 0], vxy[:, 1], s=8, color="#9e9e9e", zorder=3, gid="villages")
        return ax.scatter(
            vxy[:, 0],
            vxy[:, 1],
            c=table["in_village_share"],
            cmap="RdYlGn",
            vmin=0,
            vmax=1,
            s=20 + table["population"] / 100,
            edgecolors=np.where(table["covered"], "black", "none"),
            linewidths=1.2,
            zorder=3,
            gid="villages",
        )

    def draw_stations_and_hub(self, ax: Axes) -> None:
        sxy, (hx, hy) = self.xy[self.places.station], self.xy[self.places.hub]
        ax.scatter(
            sxy[:, 0], sxy[:, 1], marker="s", s=70, color=STATION_COLOUR, zorder=4, label="town station"
        )
        ax.scatter([hx], [hy], marker="*", s=250, color=HUB_COLOUR, zorder=5, label="county hub", gid="hub")

    def extent(self) -> tuple[tuple[float, float], tuple[float, float]]:
        """x and y limits: every place and road, plus :data:`MAP_MARGIN_SHARE`."""
        pts = [self.xy, self.frame.to_map(np.asarray(self.places.road_xy, dtype=float).reshape(-1, 2))]
        pts += [np.asarray(s, dtype=float) for s in self.shapes.values()] if self.frame.lonlat else []
        allp = np.concatenate([p for p in pts if len(p)])
        lo, hi = allp.min(axis=0), allp.max(axis=0)
        pad = np.maximum((hi - lo) * MAP_MARGIN_SHARE, 1e-3)
        return (lo[0] - pad[0], hi[0] + pad[0]), (lo[1] - pad[1], hi[1] + pad[1])

    def finish(self, ax: Axes, scale: bool = True) -> None:
        """Limits, aspect, axis labels, the scale bar and the north arrow."""
        (x0, x1), (y0, y1) = self.extent()
        ax.set_xlim(x0, x1)
        ax.set_ylim(y0, y1)
        ax.set_aspect(self.frame.aspect, adjustable="box")
        xlabel, ylabel = self.frame.axis_labels
        ax.set_xlabel(xlabel)
        ax.set_ylabel(ylabel)
        if scale:
            _scale_bar(ax, self.frame)
            _north_arrow(ax)

    def point_labels(self) -> list[_Label]:
        """The hub's label, then each town's at its station (always placed)."""
        w = self.places
        hub_town = next((t for t, s in zip(w.towns, w.station, strict=True) if s == w.hub), None)
        hub_text = "county hub" if hub_town is None else f"county hub ({hub_town})"
        labels = [_Label(hub_text, self.xy[w.hub], True, "hub")]
        for name, s in zip(w.towns, w.station, strict=True):
            if s != w.hub:
                labels.append(_Label(str(name), self.xy[s], True, "station"))
        return labels

    def village_labels(self) -> list[_Label]:
        """Each village's display name (its graph ``name``, else its id), largest first;
        placed where there is room."""
        w = self.places
        graph = getattr(w, "graph", None)
        order = np.argsort(-np.asarray(w.village_population, dtype=float), kind="stable")
        out = []
        for k in order:
            node = w.nodes[w.villages[k]]
            name = graph.nodes[node].get("name", node) if graph is not None and node in graph else node
            out.append(_Label(str(name or node), self.xy[w.villages[k]], False, "village"))
        return out


def _operator_panel(ax: Axes, view: _MapView, op: str, *, first: bool) -> None:
    view.draw_roads(ax)
    view.draw_villages(ax, None, plain=True)
    for t in view.trips_of_day(op):
        view.draw_trip(ax, t, view.colour(view.operators, t))
    view.draw_stations_and_hub(ax)
    view.finish(ax, scale=first)
    n = len(view.trips_of_day(op))
    ax.set_title(f"{op}: {n} trip{'s' if n != 1 else ''}", fontsize=10)
    ax.set_xlabel("")
    ax.set_ylabel("")


def _route_legend(ax: Axes, view: _MapView, ops: list[str], kinds: set[str]) -> list:
    """Legend entries (no data) for the operators' vans, the trunks and the buses of the day."""
    cmap = pyplot().get_cmap("tab10")
    handles = []
    for k, op in enumerate(ops):
        (h,) = ax.plot([], [], color=cmap(k % 10), label=f"{op} (day {view.day})")
        handles.append(h)
    if "trunk" in kinds:
        (h,) = ax.plot([], [], "--", color="#555555", label="trunks (hub - stations), operator's colour")
        handles.append(h)
    if "bus" in kinds:
        (h,) = ax.plot([], [], ":", lw=1.6, color=BUS_COLOUR, label="bus trips with cargo")
        handles.append(h)
    return handles


def nice_km(km: float) -> float:
    """The largest 1, 2 or 5 x 10^k not above ``km`` (> 0).

    >>> nice_km(7.3), nice_km(0.31), nice_km(20.0)
    (5.0, 0.2, 20.0)
    """
    exp = math.floor(math.log10(km))
    for m in (5.0, 2.0, 1.0):
        value = m * 10.0**exp
        if value <= km * (1 + 1e-9):
            return float(f"{value:.12g}")
    return float(f"{10.0**exp:.12g}")


def _scale_bar(ax: Axes, frame: MapFrame) -> None:
    """A bar of a round number of km in the lower left, its length in map units exactly that."""
    (x0, x1), (y0, y1) = ax.get_xlim(), ax.get_ylim()
    km = nice_km((x1 - x0) * frame.km_per_unit_x * SCALE_BAR_SHARE)
    length = km / frame.km_per_unit_x
    bx, by = x0 + 0.04 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    ax.plot(
        [bx, bx + length], [by, by], color="black", lw=3, solid_capstyle="butt", zorder=6, gid=SCALE_BAR_GID
    )
    ax.text(
        bx + length / 2, by, f"{km:g} km", ha="center", va="bottom", fontsize=8, zorder=6, gid=SCALE_LABEL_GID
    )


def _north_arrow(ax: Axes) -> None:
    ax.annotate(
        "N",
        xy=(0.95, 0.97),
        xytext=(0.95, 0.86),
        xycoords="axes fraction",
        textcoords="axes fraction",
        ha="center",
        va="center",
        fontsize=10,
        fontweight="bold",
        arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5},
        zorder=6,
        gid=NORTH_ARROW_GID,
    )


# --------------------------------------------------------------------------- labels


@dataclass
class _Label:
    text: str
    xy: np.ndarray  # map coordinates of the point labelled
    always: bool  # placed even where every position is crowded
    marker: str  # the marker at the point (its box is kept free)


def _candidates() -> Iterator[tuple[float, float, str, str]]:
    """Offsets (points) and alignments of a label around its point, nearest first."""
    for r in LABEL_RADII_PT:
        for dx, dy in LABEL_DIRECTIONS:
            ha = {1: "left", -1: "right", 0: "center"}[dx]
            va = {1: "bottom", -1: "top", 0: "center"}[dy]
            yield dx * r, dy * r, ha, va


def _place_labels(fig: Figure, panels: list[tuple[Axes, list[_Label]]]) -> None:
    """Greedy placement (see the module doc) of each panel's labels, as annotations with
    gid :data:`LABEL_GID`; the figure's layout is fixed first so extents are final."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    for ax, labels in panels:
        taken = [_marker_box(ax, lb) for lb in labels]
        taken += [a.get_window_extent(renderer) for a in ax.texts if a.get_gid() != LABEL_GID]
        frame = ax.get_window_extent(renderer)
        for lb in labels:
            ann = ax.annotate(
                lb.text, lb.xy, xytext=(0, 0), textcoords="offset points", fontsize=8, zorder=7, gid=LABEL_GID
            )
            best, best_crowd = None, math.inf
            for dx, dy, ha, va in _candidates():
                ann.set_position((dx, dy))
                ann.set_ha(ha)
                ann.set_va(va)
                box = ann.get_window_extent(renderer).padded(1.0)
                crowd = sum(_overlap(box, t) for t in taken) + (0 if _inside(box, frame) else 1e6)
                if crowd < best_crowd:
                    best, best_crowd = (dx, dy, ha, va, box), crowd
                if crowd == 0:
                    break
            if best_crowd > 0 and not lb.always:
                ann.remove()
                continue
            dx, dy, ha, va, box = best
            ann.set_position((dx, dy))
            ann.set_ha(ha)
            ann.set_va(va)
            taken.append(box)


def _marker_box(ax: Axes, lb: _Label):
    from matplotlib.transforms import Bbox

    x, y = ax.transData.transform(lb.xy)
    h = MARKER_HALF_PX[lb.marker]
    return Bbox.from_extents(x - h, y - h, x + h, y + h)


def _overlap(a, b) -> float:
    w = min(a.x1, b.x1) - max(a.x0, b.x0)
    h = min(a.y1, b.y1) - max(a.y0, b.y0)
    return w * h if w > 0 and h > 0 else 0.0


def _inside(box, frame) -> bool:
    return box.x0 >= frame.x0 and box.x1 <= frame.x1 and box.y0 >= frame.y0 and box.y1 <= frame.y1


def _record(result) -> RunRecord:
    """The record of a :class:`sim.Result`, or the record itself."""
    return getattr(result, "record", result)
