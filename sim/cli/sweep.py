"""``ruralsim sweep`` and ``ruralsim sweep-summary``: parse, call the sweep API, print.

The sweep machinery (:mod:`sim.sweep`: spec, runner, executors, store,
summary) computes and stores; this module declares the options, shows the
progress, prints the per-point table of :func:`sim.report.tables.sweep_summary_table`
and returns an exit code: 0 when every run is done, 1 when some failed, 130 on
Ctrl-C. A ScenarioError (a bad sweep file or option) reaches
:func:`sim.cli.app.main`: exit 2, no traceback. Nothing of ``sim.sweep`` is
imported before a sweep command runs, so ``ruralsim --help`` stays quick.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from sim.cli.terminal import EXIT_FAILED, EXIT_INTERRUPTED, EXIT_OK, described, progress_bar, tell


def add_sweep_commands(sub: argparse._SubParsersAction) -> None:
    """Declare ``sweep`` and ``sweep-summary`` and their options on ``sub``."""
    run = sub.add_parser(
        "sweep",
        help="run a parameter sweep (resumable; local processes or a Dask cluster)",
        description=described(
            "Run every (point, replication) of a sweep file and store each run in SQLite. "
            "Running it again resumes: done runs are skipped, failed and missing ones are run. "
            "Exit code 0 when every run is done, 1 when some failed, 2 for a bad sweep file, 130 on Ctrl-C."
        ),
        epilog="""examples:
  ruralsim sweep scenarios/sweeps/fleet.toml --workers 2
  ruralsim sweep scenarios/sweeps/fleet.toml --scheduler tcp://HEAD:8786   # a Dask cluster
  ruralsim sweep scenarios/sweeps/fleet.toml --db runs/fleet.sqlite        # run again to resume""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    run.add_argument("sweep_file", type=Path, help="sweep file (TOML)")
    run.add_argument(
        "--workers", type=int, help="worker processes (default: one per core; 1 = in this process)"
    )
    run.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="run on a Dask cluster: tcp://host:8786, or 'local' to start a LocalCluster (dashboard)",
    )
    run.add_argument("--db", type=Path, help="results store (default: the sweep file's name, .sqlite)")
    run.add_argument("--quiet", action="store_true", help="no progress bar and no summary table")
    run.set_defaults(command_handler=cmd_sweep)
    summary = sub.add_parser(
        "sweep-summary",
        help="per point of a sweep: mean and 95 %% interval of each KPI; export CSV / Parquet",
        description=described(
            "Print a stored sweep's table: one row per point, the mean and 95 % confidence "
            "interval of each chosen KPI over its replications; export it (or every run) as CSV or Parquet."
        ),
        epilog="""examples:
  ruralsim sweep-summary scenarios/sweeps/fleet.sqlite
  ruralsim sweep-summary scenarios/sweeps/fleet.sqlite --kpi cost.yuan_per_item --csv runs/fleet.csv
  ruralsim sweep-summary scenarios/sweeps/fleet.sqlite --runs --parquet runs/fleet_runs.parquet""",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    summary.add_argument("db", type=Path, help="results store written by `ruralsim sweep`")
    summary.add_argument("--kpi", action="append", help="KPI to print (repeat; default a few key ones)")
    summary.add_argument("--csv", type=Path, help="write the table with every KPI as CSV")
    summary.add_argument("--parquet", type=Path, help="write it as Parquet (needs pyarrow)")
    summary.add_argument("--runs", action="store_true", help="export one row per run instead of per point")
    summary.add_argument("--sweep", help="which sweep of the store (key prefix or name; default the latest)")
    summary.add_argument(
        "--plot",
        nargs="?",
        const="",
        metavar="HTML",
        type=str,
        help="write the sweep's report: each printed KPI against each parameter with 95 %% bands, "
        "cost against coverage with its Pareto front (default file: the store's name, -report.html)",
    )
    summary.set_defaults(command_handler=cmd_sweep_summary)


class _RunsBar:
    """The progress bar of a sweep, fed by the runner's ``on_progress`` calls.

    The first call (counts known, nothing run yet) opens the bar over the runs
    to do; each later one is a stored run.
    """

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None

    def __call__(self, p) -> None:
        first = self.bar is None
        if self.bar is None:
            self.bar = progress_bar(p.to_run, unit="run", quiet=self.quiet)
        self.bar.set_postfix_str(f"done {p.done}, failed {p.failed}, remaining {p.remaining}", refresh=first)
        if not first:
            self.bar.update(1)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()


class _PointsBar:
    """The bar of the points being checked before the first run (shown after a second)."""

    def __init__(self, quiet: bool) -> None:
        self.quiet = quiet
        self.bar = None
        self.shown = 0

    def __call__(self, checked: int, total: int) -> None:
        if self.bar is None:
            self.bar = progress_bar(total, unit="point", quiet=self.quiet, delay=1.0)
            self.bar.set_description_str("checking points")
        self.bar.update(checked - self.shown)
        self.shown = checked
        if checked >= total:
            self.bar.close()


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run the runs of a sweep file the store does not hold as done; print counts and the summary."""
    from sim.sweep.api import default_db
    from sim.sweep.executors import open_executor
    from sim.sweep.runner import SweepError, SweepInterrupted, run_sweep
    from sim.sweep.spec import load_sweep
    from sim.sweep.store import Store

    _check_workers(args)
    spec = load_sweep(args.sweep_file)
    db = args.db or Path(default_db(spec))
    bar = _RunsBar(args.quiet)
    with (
        Store(db) as store,
        open_executor(args.workers, args.scheduler, source=spec.source, notify=tell) as handle,
    ):
        points = len(spec.points)
        print(
            f"{spec.name}: {points} point(s) x {spec.replications} replication(s) = "
            f"{points * spec.replications} runs ({spec.design}), on {handle.description}; results in {db}",
            flush=True,
        )
        if handle.dashboard and args.scheduler == "local":
            tell(f"Dask dashboard: {handle.dashboard}")
        try:
            progress = run_sweep(
                spec, store, handle, on_progress=bar, notify=tell, on_checked=_PointsBar(args.quiet)
            )
        except SweepInterrupted as stop:
            bar.close()
            p = stop.progress
            tell(
                f"interrupted: {p.done + p.failed} run(s) finished and stored this time "
                f"({p.remaining} not run); run the same command again to resume"
            )
            return EXIT_INTERRUPTED
        except SweepError as exc:
            bar.close()
            tell(f"error: {exc}")
            return EXIT_FAILED
        bar.close()
        _print_counts(progress)
        if not args.quiet:
            _print_summary(store, spec.key, [p.name for p in spec.parameters], None)
    if progress.failed:
        tell(f"{progress.failed} run(s) failed; the first error:\n{progress.first_error}")
        return EXIT_FAILED
    return EXIT_OK


def _check_workers(args: argparse.Namespace) -> None:
    """``--workers`` is at least 1 (bad input otherwise, before anything starts)."""
    if args.workers is not None and args.workers < 1:
        from sim.scenario import ScenarioError

        raise ScenarioError(
            "invalid value",
            path=args.sweep_file,
            field="--workers",
            expected="an integer >= 1",
            found=str(args.workers),
        )


def _print_counts(progress) -> None:
    """How many runs ran this time, how fast, and how they ended."""
    rate = (progress.done + progress.failed) / progress.elapsed if progress.elapsed > 0 else 0.0
    print(
        f"{progress.to_run} run(s) in {progress.elapsed:.1f} s ({rate:.1f} runs/s): "
        f"{progress.done} done, {progress.failed} failed; {progress.skipped} were already done"
    )


def _print_summary(store, key: str, parameters: list[str], wanted: list[str] | None):
    """Print the per-point table of the chosen KPIs; returns the run table, the point table
    and the KPIs printed."""
    from sim.report.tables import sweep_summary_table
    from sim.sweep.summary import choose_kpis, kpi_names, point_summary

    runs = store.runs(key)
    table = point_summary(runs, parameters)
    kpis = choose_kpis(kpi_names(runs, parameters), wanted, source=store.path)
    print()
    print(sweep_summary_table(table, parameters, kpis))
    return runs, table, kpis


def cmd_sweep_summary(args: argparse.Namespace) -> int:
    """Print a stored sweep's per-point table; export it (or every run) as CSV / Parquet."""
    from sim.sweep.store import Store
    from sim.sweep.summary import export, pick_sweep

    with Store.open_existing(args.db) as store:
        key, note = pick_sweep(store, args.sweep)
        if note:
            tell(note)
        parameters = store.parameters(key)
        name = store.definition(key).get("name", key)
        runs = store.runs(key)
        done, failed = int((runs["status"] == "done").sum()), int((runs["status"] == "failed").sum())
        print(
            f"{name} (sweep {key}): {runs['point'].nunique()} point(s), "
            f"{done} done and {failed} failed run(s)"
        )
        runs, table, kpis = _print_summary(store, key, parameters, args.kpi)
    if args.plot is not None:
        from sim.report.html import write_sweep_report

        target = Path(args.plot) if args.plot else args.db.with_name(f"{args.db.stem}-report.html")
        print(f"wrote {write_sweep_report(target, name, table, parameters, kpis, option='--plot')}")
    out = runs if args.runs else table
    for option, path in (("--csv", args.csv), ("--parquet", args.parquet)):
        if path is not None:
            print(f"wrote {export(out, path, option=option)}")
    return EXIT_OK
