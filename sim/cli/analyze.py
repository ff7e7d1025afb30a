"""``ruralsim sweep-analyze``: a thin shell over :func:`sim.analysis.api.analyze`.

Prints the findings (with the noise share of every KPI, notes and warnings), writes
``<method>.csv``, ``<method>.json`` and the figures as PNG into ``--out`` (default
``<store>-analysis/`` beside the store), and adds the analysis as a section of the sweep's
report page (``<store>-report.html``, the page of ``sweep-summary --plot``). Bad input exits
2 with the store and the option named (:func:`sim.cli.app.main`).
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.terminal import EXIT_OK, described, tell

METHOD_NAMES = ("sobol", "morris", "prim", "importance")  # sim.analysis.api.METHODS, without its imports
MIN_RESAMPLES = 10


def add_analyze_command(sub: argparse._SubParsersAction) -> None:
    """Declare ``sweep-analyze`` and its options on ``sub``."""
    cmd = sub.add_parser(
        "sweep-analyze",
        help="sensitivity indices (Sobol, Morris), PRIM boxes or feature scores of a stored sweep",
        description=described(
            "Analyse a stored sweep on its replication means: Sobol first-order and total indices with "
            "bootstrap intervals (a saltelli design), Morris mu* and sigma (a morris design), PRIM boxes "
            "where a condition holds, or extra-trees feature scores (any design). A sweep that varies mode "
            "(or crosses a list parameter with a saltelli / morris sample) is analysed per mode and on the "
            "run-by-run difference between modes. Needs the analysis extra: pip install 'ruralsim[analysis]'."
        ),
        epilog="""examples:
  ruralsim sweep-analyze scenarios/sweeps/integration.sqlite --method sobol
  ruralsim sweep-analyze scenarios/sweeps/integration.sqlite --method sobol --kpi cost.yuan_per_item
  ruralsim sweep-analyze scenarios/sweeps/integration.sqlite --method prim \\
      --condition "integrated.cost.yuan_per_item < separate.cost.yuan_per_item * 0.8"
  ruralsim sweep-analyze scenarios/sweeps/fleet_lhs.sqlite --method importance""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    cmd.add_argument("db", type=Path, help="results store written by `ruralsim sweep`")
    cmd.add_argument("--method", choices=METHOD_NAMES, default="importance", help="default: importance")
    cmd.add_argument("--kpi", action="append", help="KPI to analyse (repeat; default a few key ones)")
    cmd.add_argument("--condition", help='PRIM: where this holds, e.g. "last_km.on_time_share >= 0.95"')
    cmd.add_argument("--sweep", help="which sweep of the store (key prefix or name; default the latest)")
    cmd.add_argument("--pair", default="auto", help="parameter compared run by run (default mode; 'none')")
    cmd.add_argument("--resamples", type=int, default=1000, help="bootstrap resamples (default 1000)")
    cmd.add_argument("--seed", type=int, default=0, help="seed of the bootstrap and the trees (default 0)")
    cmd.add_argument("--density", type=float, default=0.8, help="PRIM's density threshold (default 0.8)")
    cmd.add_argument(
        "--out", type=Path, help="folder of the CSV, JSON and PNG files (default <store>-analysis)"
    )
    cmd.add_argument("--report", type=Path, help="the sweep's report page (default <store>-report.html)")
    cmd.add_argument("--no-figures", action="store_true", help="no figures and no report page")
    cmd.set_defaults(command_handler=cmd_sweep_analyze)


def cmd_sweep_analyze(args: argparse.Namespace) -> int:
    """Analyse, print, write the files and the report section."""
    from sim.analysis.api import analyze
    from sim.analysis.report import analysis_figures, analysis_section, findings_text, write_files

    _check_options(args)
    result = analyze(
        args.db,
        args.method,
        args.kpi,
        condition=args.condition,
        sweep=args.sweep,
        pair=args.pair,
        resamples=args.resamples,
        seed=args.seed,
        density=args.density,
    )
    print(findings_text(result))
    for warning in result.warnings:
        tell(f"warning: {warning}")
    drawn = [] if args.no_figures else list(analysis_figures(result))
    folder = args.out or args.db.with_name(f"{args.db.stem}-analysis")
    for path in write_files(result, folder, drawn):
        print(f"wrote {path}")
    if not args.no_figures:
        print(f"wrote {_write_report(args, result, analysis_section(result, drawn))}")
    return EXIT_OK


def _write_report(args: argparse.Namespace, result, section) -> Path:
    """The sweep's report page (as ``sweep-summary --plot`` writes it) with the analysis in it."""
    from sim.report.html import write_sweep_report
    from sim.sweep.summary import choose_kpis, point_summary

    units = result.units
    kpis = choose_kpis(units.base_kpis, None)
    summary = point_summary(units.points, units.parameters)
    target = args.report or args.db.with_name(f"{args.db.stem}-report.html")
    return write_sweep_report(
        target, result.name, summary, units.parameters, kpis, option="--report", analyses=[section]
    )


def _check_options(args: argparse.Namespace) -> None:
    """Numbers in their ranges, before the store is read."""
    from sim.scenario import ScenarioError

    if args.resamples < MIN_RESAMPLES:
        raise ScenarioError(
            "invalid value",
            path=args.db,
            field="--resamples",
            expected=f"an integer >= {MIN_RESAMPLES}",
            found=str(args.resamples),
        )
    if not 0.0 < args.density <= 1.0:
        raise ScenarioError(
            "invalid value",
            path=args.db,
            field="--density",
            expected="0 < density <= 1",
            found=str(args.density),
        )
