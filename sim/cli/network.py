"""``ruralsim network from-osm`` and ``from-gtfs``: a county's own roads and bus lines in.

``from-osm`` turns an OpenStreetMap extract and a table of places into a GraphML network
(:mod:`sim.network.osm`); ``from-gtfs`` places a feed's lines on a network and prints the
``[bus.gtfs]`` section that reads them (:mod:`sim.network.feed_lines`). What was snapped
where, and how far, goes to stderr; the GraphML file, or the TOML section on stdout, is
the result. A bad input file is an error naming file, line and field (exit 2).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.terminal import EXIT_BAD_INPUT, EXIT_OK, tell
from sim.errors import LocatedError

_OSM_EXAMPLE = """example:
  ruralsim network from-osm county.osm.pbf --villages villages.csv --out scenarios/data/county.graphml

villages.csv has a header row and one place a line:
  name,lon,lat,population,town,kind
  Yongyang hub,119.025,31.650,0,Yongyang,county_hub
  Baima station,119.170,31.600,40000,Baima,town_station
  Shitang,119.190,31.620,1800,Baima,village
(kind defaults to village; an id column gives ids other than the names). Then, in the
scenario: [network] source = "graphml", path = "data/county.graphml"."""

_GTFS_EXAMPLE = """example:
  ruralsim network from-gtfs feed.zip --network scenarios/data/county.graphml --routes R1,R2 >> county.toml

prints each used stop, the node it is placed on and how far (stderr), then the [bus.gtfs]
section to paste into the scenario (stdout). Only lines that start at a town station carry
freight."""


def add_network_commands(sub: argparse._SubParsersAction) -> None:
    """Declare ``network from-osm`` and ``network from-gtfs`` on ``sub``."""
    network = sub.add_parser(
        "network",
        help="bring a county's own roads (OpenStreetMap) and bus lines (GTFS) in",
        description="Build a network file from OpenStreetMap, or place a GTFS feed on a network.",
    )
    network.set_defaults(command_handler=lambda _args: _usage(network))
    commands = network.add_subparsers(dest="network_command", parser_class=type(network))
    osm = commands.add_parser(
        "from-osm",
        help="roads of an .osm.pbf extract and a table of places -> GraphML",
        description="Read the drivable roads of an OpenStreetMap extract (needs the geo extra: "
        'pip install "ruralsim[geo]"), keep the largest connected part, snap each place of the '
        "table to its nearest road node, and write GraphML a scenario names.",
        epilog=_OSM_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    osm.add_argument("extract", type=Path, help="OpenStreetMap extract (.osm.pbf)")
    osm.add_argument("--villages", type=Path, help="places CSV: name, lon, lat, population, town[, kind, id]")
    osm.add_argument("--out", type=Path, required=True, help="GraphML file to write")
    osm.add_argument("--snap-warn-km", type=float, default=None, help="warn past this snap (default 1 km)")
    osm.add_argument("--hub-town", default="County", help="town of the hub when no places are given")
    osm.set_defaults(command_handler=cmd_from_osm)
    gtfs = commands.add_parser(
        "from-gtfs",
        help="place a GTFS feed's lines on a network; print the [bus.gtfs] section",
        description="Read a GTFS feed (zip or folder) on a network as a scenario will, report each "
        "stop's node and distance, and print the [bus.gtfs] section to paste.",
        epilog=_GTFS_EXAMPLE,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    gtfs.add_argument("feed", type=Path, help="GTFS feed (zip or folder)")
    gtfs.add_argument("--network", type=Path, required=True, help="network: FILE.graphml or NODES.csv")
    gtfs.add_argument("--edges", type=Path, help="edge table, when --network is a CSV node table")
    gtfs.add_argument("--routes", help="comma-separated route ids to keep (default all)")
    gtfs.add_argument("--tolerance-km", type=float, default=0.5, help="largest stop snap (default 0.5)")
    gtfs.add_argument("--service-date", help="YYYYMMDD (default the busiest day)")
    gtfs.set_defaults(command_handler=cmd_from_gtfs)


def _usage(parser: argparse.ArgumentParser) -> int:
    parser.print_help()
    return EXIT_BAD_INPUT


def cmd_from_osm(args: argparse.Namespace) -> int:
    """Extract + places -> GraphML; what was kept and where each place went, on stderr."""
    from sim.network import write_graphml
    from sim.network.osm import SNAP_WARN_KM, place_on_roads, read_osm_roads, read_places

    warn_km = SNAP_WARN_KM if args.snap_warn_km is None else args.snap_warn_km
    try:
        places = read_places(args.villages) if args.villages else []
        roads, stats = read_osm_roads(args.extract)
        county, snaps = place_on_roads(roads, places, places_path=args.villages, hub_town=args.hub_town)
    except LocatedError as exc:
        tell(f"error: {exc}")
        return EXIT_BAD_INPUT
    dropped = sum(stats.not_driven.values())
    kept = ", ".join(f"{n} {c}" for c, n in sorted(stats.kept_by_class.items()))
    tell(
        f"{args.extract}: {stats.roads_read} roads read, {dropped} not driven, "
        f"{stats.nodes_outside_largest_part} nodes outside the largest connected part dropped; "
        f"kept {county.number_of_nodes()} nodes, {county.number_of_edges()} roads ({kept})"
    )
    _tell_snaps(snaps, warn_km, args.villages)
    write_graphml(county, args.out)
    print(f"wrote {args.out}: {len(snaps)} places on {county.number_of_nodes()} nodes")
    return EXIT_OK


def _tell_snaps(snaps, warn_km: float, places_path: Path | None) -> None:
    """A table of places, their kind and snap distance; a warning per place past ``warn_km``."""
    if not snaps:
        return
    width = max(len(s.place.id) for s in snaps)
    tell(f"{'place':<{width}}  {'kind':<12}  snap km")
    for s in snaps:
        tell(f"{s.place.id:<{width}}  {s.place.kind:<12}  {s.node_km:7.3f}")
    far = [s for s in snaps if s.node_km > warn_km]
    for s in far:
        where = f"{places_path}:{s.place.line}: " if s.place.line else ""
        tell(
            f"warning: {where}{s.place.id!r} is {s.node_km:.2f} km from the nearest free road node "
            f"(more than {warn_km:g} km): check its lon/lat, or use a larger extract"
        )


def cmd_from_gtfs(args: argparse.Namespace) -> int:
    """Feed + network -> each used stop's node and distance (stderr), the [bus.gtfs] section (stdout)."""
    from sim.network import read_csv, read_graphml
    from sim.network.feed_lines import gtfs_section, place_feed

    routes = [r.strip() for r in args.routes.split(",") if r.strip()] if args.routes else None
    try:
        if args.edges is not None:
            graph = read_csv(args.network, args.edges)
        else:
            graph = read_graphml(args.network)
        lines, snaps = place_feed(
            args.feed,
            graph,
            route_ids=routes,
            tolerance_km=args.tolerance_km,
            service_date=args.service_date,
        )
    except LocatedError as exc:
        tell(f"error: {exc}")
        return EXIT_BAD_INPUT
    width = max(len(s.stop_id) for s in snaps)
    tell(f"{'stop':<{width}}  {'node':<16}  {'km':>6}  name")
    for s in snaps:
        tell(f"{s.stop_id:<{width}}  {s.node:<16}  {s.km:6.3f}  {s.stop_name}")
    freight = [t for t in lines if graph.nodes[t.stops[0]].get("kind") == "town_station"]
    tell(
        f"{len(lines)} lines, {len(snaps)} stops (farthest {max(s.km for s in snaps):.2f} km); "
        f"{len(freight)} start at a town station and can carry freight"
        + ("" if freight else ": put a town_station at a line's first stop, or no line carries cargo")
    )
    print(gtfs_section(str(args.feed), routes, args.tolerance_km, lines[0].service_date))
    return EXIT_OK
