"""``ruralsim run``, ``compare`` and ``validate``: one scenario, read, simulated and shown.

Each command parses nothing itself (``add_run_commands`` declares its
options), calls the Python API (``sim.load``, ``sim.replicate``,
``sim.compare``, ``sim.api.ladder``), prints the tables of :mod:`sim.report.tables` to stdout and
returns an exit code. A ScenarioError or OutputError reaches
:func:`sim.cli.app.main`, which prints it and exits 2.
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from sim.cli.terminal import EXIT_OK, OutputError, described, progress_bar, tell

MODES = ("separate", "integrated")
EXIT_CODES = (
    "exit codes: 0 done, 2 bad input (file, option, output folder), 1 an output file could not be "
    "written or an internal error, 130 Ctrl-C, 141 stdout closed (| head)"
)
RUN_EXAMPLES = f"""examples:
  ruralsim run scenarios/lishui.toml
  ruralsim run scenarios/lishui.toml --mode separate --days 28 --replications 5 --out runs/sep
  ruralsim run runs/lishui/scenario.toml --out runs/again     # the same KPIs again

{EXIT_CODES}"""
COMPARE_EXAMPLES = f"""examples:
  ruralsim compare scenarios/lishui.toml --modes separate,integrated --replications 5
  ruralsim compare scenarios/lishui.toml --ladder --days 28 --out runs/ladder

{EXIT_CODES}"""
VALIDATE_EXAMPLES = f"""examples:
  ruralsim validate scenarios/lishui.toml
  ruralsim validate my_county.toml && ruralsim run my_county.toml

{EXIT_CODES}"""


def add_run_commands(sub: argparse._SubParsersAction) -> None:
    """Declare ``run``, ``compare`` and ``validate`` and their options on ``sub``."""

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("scenario", type=Path, help="scenario file (TOML)")
        p.add_argument("--days", type=int, help="override the scenario's days")
        p.add_argument("--replications", type=int, help="override the number of replications")
        p.add_argument("--seed", type=int, help="override the scenario's base seed")
        p.add_argument(  # text, not Path: Path('') would be '.', and '' must be refused
            "--out",
            help="output folder, replaced as a whole by the run's files "
            "(default runs/<name>[-compare|-ladder])",
        )
        p.add_argument("--quiet", action="store_true", help="no progress bar")

    run = sub.add_parser(
        "run",
        help="run a scenario and write KPIs, tables and figures",
        description=described(
            "Run the replications of one scenario (its mode, or --mode) and print the KPI "
            "table: mean and 95 % confidence interval over replications. Writes kpis.json, daily.csv, "
            "trips.csv, fleets.csv, backlog.csv, scenario.toml (the scenario as run, overrides applied) "
            "and two figures to the output folder, replaced as one set."
        ),
        epilog=RUN_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(run)
    run.add_argument("--mode", choices=list(MODES), help="override the scenario's mode")
    run.add_argument("--no-figures", action="store_true", help="skip the figures")
    run.set_defaults(command_handler=cmd_run)
    compare = sub.add_parser(
        "compare",
        help="run several modes on the same seeds, KPIs side by side",
        description=described(
            "Run each mode on the same seeds (the same parcels, produce and customers) and "
            "print the KPIs side by side with the paired difference and its 95 % confidence interval, "
            "then what integration changes. Writes comparison.json, comparison.csv and scenario.toml. "
            "With --ladder, climb the integration ladder one step at a time instead and show what each "
            "step adds (ladder.json, ladder.csv, scenario.toml)."
        ),
        epilog=COMPARE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    common(compare)
    which = compare.add_mutually_exclusive_group()
    which.add_argument("--modes", help=f"comma-separated (default: {','.join(MODES)})")
    which.add_argument(
        "--ladder",
        action="store_true",
        help="run the integration ladder (separate, express co-delivery, post + express, + bus, "
        "+ supply, + finance) and show what each step adds (default folder runs/<name>-ladder)",
    )
    compare.set_defaults(command_handler=cmd_compare)
    validate = sub.add_parser(
        "validate",
        help="check a scenario file without running it",
        description=described(
            "Read the scenario file and build its county (network files, bus lines, GTFS "
            "feed, places it names) without simulating: what run checks before its first event. A "
            "problem is one message naming the file, line, field, what was expected and what was "
            "found; exit code 2."
        ),
        epilog=VALIDATE_EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    validate.add_argument("scenario", type=Path, help="scenario file (TOML)")
    validate.set_defaults(command_handler=cmd_validate)


def cmd_validate(args: argparse.Namespace) -> int:
    """Load the scenario and build its county, without simulating; say what it holds."""
    scenario = _scenario_with_overrides(args)
    villages, towns = _check_world(scenario)
    print(
        f"{args.scenario}: valid ({scenario.mode} mode, {scenario.days} days, "
        f"{villages} villages, {towns} towns, {len(scenario.carriers)} carriers)"
    )
    return EXIT_OK


def cmd_run(args: argparse.Namespace) -> int:
    """Run the replications of one mode; print the KPI table; write kpis.json, CSVs, figures."""
    import sim
    from sim.report import kpi_table
    from sim.report.run_files import write_run

    scenario = _scenario_with_overrides(args, mode=args.mode)
    out = _output_folder(args.out, Path("runs") / _slug(scenario.name))
    seeds = sim.replication_seeds(scenario)
    started = time.perf_counter()
    with progress_bar(len(seeds) * scenario.days, unit="day", quiet=args.quiet, delay=1.0) as bar:
        results = sim.replicate(scenario, seeds=seeds, on_day=lambda _d: bar.update(1))
    elapsed = time.perf_counter() - started
    print(
        f"{scenario.name}: {scenario.mode} mode, {scenario.days} days ({scenario.warmup_days} warm-up), "
        f"{len(results)} replication(s), {elapsed:.1f} s\n"
    )
    print(kpi_table(sim.summary(results)))
    _warn_if_unstable([r.kpis for r in results], scenario.mode)
    written = write_run(results, out, figures=not args.no_figures, about=_about(args, elapsed))
    print(f"\nwrote {', '.join(p.name for p in written)} to {out}/")
    return EXIT_OK


def _about(args: argparse.Namespace, wall_time_s: float) -> dict[str, object]:
    """What the output files' metadata say about this command: its line and wall time."""
    return {"command_line": getattr(args, "command_line", None), "wall_time_s": round(wall_time_s, 3)}


def _warn_if_unstable(runs: list[dict[str, float]], label: str) -> None:
    """Say so when the backlog grows over the last week of demand (``peak.stable`` = 0):
    then the fleet cannot carry the load, and every share depends on the run's length."""
    unstable = sum(1 for k in runs if k.get("peak.stable", 1.0) < 1.0)
    if unstable:
        tell(
            f"warning: {label}: the backlog grows over the last week of demand in {unstable} of "
            f"{len(runs)} run(s): the fleet cannot carry the load, and the service shares "
            "depend on how many days are run (peak.stable = 0)"
        )
    _warn_if_unserved(runs, label)


def _warn_if_unserved(runs: list[dict[str, float]], label: str) -> None:
    """Say so when items no vehicle could carry were set aside (``peak.unserved_items``)."""
    hit = [k for k in runs if k.get("peak.unserved_items", 0.0) > 0]
    if hit:
        flows = ("parcel_in", "parcel_out", "supply", "produce")
        per_flow = {f: sum(k.get(f"peak.unserved_items_{f}", 0.0) for k in hit) / len(runs) for f in flows}
        places = max(k.get("peak.unserved_places", 0.0) for k in hit)
        tell(
            f"warning: {label}: {sum(per_flow.values()):g} item(s) a run fit no vehicle that could take "
            f"them and were set aside unserved at up to {places:g} place(s), in {len(hit)} of {len(runs)} "
            f"run(s): " + ", ".join(f"{f} {n:g}" for f, n in per_flow.items() if n) + " (peak.unserved_items)"
        )


def cmd_compare(args: argparse.Namespace) -> int:
    """Run each mode on the same seeds; print KPIs side by side, paired differences, a summary."""
    if args.ladder:
        return cmd_ladder(args)
    import sim
    from sim.report import comparison_table, integration_summary
    from sim.report.run_files import write_comparison

    modes = _modes(args.modes or ",".join(MODES))
    scenario = _scenario_with_overrides(args)
    out = _output_folder(args.out, Path("runs") / f"{_slug(scenario.name)}-compare")
    n = len(sim.replication_seeds(scenario))
    started = time.perf_counter()
    with progress_bar(n * len(modes) * scenario.days, unit="day", quiet=args.quiet, delay=1.0) as bar:
        comparison = sim.compare(scenario, modes, on_day=lambda _d: bar.update(1))
    about = _about(args, time.perf_counter() - started)
    estimates = {m: comparison.estimates(m) for m in modes}
    differences = {m: comparison.difference(m) for m in modes[1:]}
    print(f"{scenario.name}: {', '.join(modes)} on the same {n} seed(s), {scenario.days} days\n")
    print(comparison_table(modes, estimates, differences))
    for m in modes[1:]:
        print()
        print(integration_summary(modes[0], m, estimates, differences))
    for m in modes:
        _warn_if_unstable([r.kpis for r in comparison.results[m]], f"{m} mode")
    written = write_comparison(comparison.results, out, scenario=scenario, about=about)
    print(f"\nwrote {', '.join(p.name for p in written)} to {out}/")
    return EXIT_OK


def cmd_ladder(args: argparse.Namespace) -> int:
    """Run every level of the integration ladder on the same seeds; print what each step adds
    to the headline KPIs (and any ``social.*`` KPI), with its interval, and the total; write
    ladder.json and ladder.csv."""
    import sim.api
    from sim.report.run_files import write_ladder
    from sim.report.tables import ladder_kpis, ladder_table

    scenario = _scenario_with_overrides(args)
    out = _output_folder(args.out, Path("runs") / f"{_slug(scenario.name)}-ladder")
    levels = sim.api.ladder_levels(scenario)
    n = len(sim.api.replication_seeds(scenario))
    started = time.perf_counter()
    with progress_bar(n * len(levels) * scenario.days, unit="day", quiet=args.quiet, delay=1.0) as bar:
        ladder = sim.api.ladder(scenario, on_day=lambda _d: bar.update(1))
    about = _about(args, time.perf_counter() - started)
    print(
        f"{scenario.name}: the integration ladder, {len(ladder.levels)} levels on the same {n} seed(s), "
        f"{scenario.days} days\n"
    )
    print(_levels_text(ladder.levels))
    steps, total = ladder.steps(), ladder.total()
    table = ladder_table(
        [(lv.name, lv.label) for lv in ladder.levels],
        ladder.summarize(),
        [s.difference for s in steps],
        total.difference,
        ladder_kpis(ladder.kpi_names()),
        total_label=total.label,
    )
    print(f"\nWhat each step adds (paired by seed, 95% CI); the steps add up to the total:\n\n{table}")
    for lv in ladder.levels:
        _warn_if_unstable([r.kpis for r in ladder.results[lv.name]], lv.label)
    written = write_ladder(
        ladder.levels, ladder.results, steps, total, ladder.table(), out, scenario=scenario, about=about
    )
    print(f"\nwrote {', '.join(p.name for p in written)} to {out}/")
    return EXIT_OK


def _levels_text(levels) -> str:
    """One line per level: what it pools on top of the level before; then its note, if any."""
    width = max(len(lv.label) for lv in levels)
    lines, before = [], ()
    for lv in levels:
        added = [p for p in lv.pooled if p not in before]
        if not lv.pooled:
            what = "each operator alone"
        else:
            what = ("adds " if before else "pools ") + ", ".join(added)
        lines.append(f"  {lv.label:<{width}}  {what}")
        if lv.note:
            lines.append(f"  {'':<{width}}  ({lv.note})")
        before = lv.pooled
    return "\n".join(lines)


def _modes(text: str) -> list[str]:
    """The modes of ``--modes``: at least two of separate, integrated, the first the baseline."""
    from sim.scenario import ScenarioError

    modes = [m.strip() for m in text.split(",") if m.strip()]
    if len(modes) < 2 or any(m not in MODES for m in modes):
        raise ScenarioError(
            "--modes needs at least two of separate, integrated",
            field="--modes",
            expected="e.g. separate,integrated",
            found=text,
        )
    repeated = sorted({m for m in modes if modes.count(m) > 1})
    if repeated:
        raise ScenarioError(
            f"names {', '.join(repeated)} more than once: a mode compared with itself differs by 0",
            field="--modes",
            expected="each mode once, e.g. separate,integrated",
            found=text,
        )
    return modes


# -- the scenario as the commands need it ---------------------------------------------


def _scenario_with_overrides(args: argparse.Namespace, **extra: object):
    """The scenario file with ``--days``, ``--seed``, ``--replications`` (and ``extra``) applied.

    Validated again after the overrides (:func:`sim.scenario.load.override`), so that
    ``--days 0`` is the same readable error as ``days = 0`` in the file, naming the flag.
    Fewer days than warm-up days shorten the warm-up to leave one measured day.
    """
    import sim
    from sim.scenario.load import override

    scenario = sim.load(args.scenario)
    flags = {
        "days": getattr(args, "days", None),
        "seed": getattr(args, "seed", None),
        "replications": getattr(args, "replications", None),
        **extra,
    }
    overrides = {k: v for k, v in flags.items() if v is not None}
    if not overrides:
        return scenario
    return override(scenario, overrides, shown=lambda k, v: f"--{k} {v}")


def _check_world(scenario) -> tuple[int, int]:
    """Build the scenario's world with the function ``run`` uses (``sim.build_world``);
    its villages and towns.

    This is what ``validate`` checks beyond the file itself, and all that ``run`` checks
    before its first event: the network files load and meet the contract (lon/lat, size,
    unique ids), the places the scenario names exist and are the right kind (hub, fixed
    villages, bus stops, crops' towns), the bus lines (written, generated or GTFS, with
    their freight departures and window) can be built, and every place is reachable.
    ``tests/setup/test_validate_is_run.py`` holds the two commands to the same answer.
    """
    import sim

    world = sim.build_world(scenario)
    return len(world.villages), len(world.towns)


# -- output folders -----------------------------------------------------------------------


def _output_folder(given: str | None, default: Path) -> Path:
    """The ``--out`` folder (or ``default``), checked by writing before simulating.

    Its parents are created; a folder that cannot hold the run's files (an empty path, the
    working directory, a dangling link, an over-long name, a special file system, a file,
    a folder of someone else's files) is an OutputError naming ``--out`` and the path.
    """
    from sim.report.run_files import prepare_folder
    from sim.report.run_folder import RunFolderError

    out = Path(given) if given else default
    try:
        prepare_folder(given if given is not None else default)
    except RunFolderError as exc:
        raise OutputError(
            exc.message, path=exc.path, field="--out", expected=exc.expected, found=exc.found
        ) from None
    return out


def _slug(name: str) -> str:
    """The scenario's name as a folder name: lower case, letters, digits, ``-`` and ``_``."""
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name.lower()).strip("-") or "run"
