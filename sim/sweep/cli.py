"""``ruralsim sweep`` and ``ruralsim sweep-summary``: parse, call the sweep API, print.

``sim/cli.py`` registers these with :func:`add_sweep_commands`; like the rest of
the CLI they print, return an exit code, and let a ScenarioError reach
``sim.cli.main`` (exit 2, no traceback).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_INTERRUPTED = 0, 1, 130


def add_sweep_commands(sub: argparse._SubParsersAction) -> dict[str, Callable[[argparse.Namespace], int]]:
    """Add the subcommands to ``sub``; returns command name -> handler."""
    run = sub.add_parser(
        "sweep",
        help="run a parameter sweep (resumable; local processes or a Dask cluster)",
        description="Run every (point, replication) of a sweep file and store each run in SQLite. "
        "Running it again resumes: done runs are skipped, failed and missing ones are run. "
        "Exit code 0 when every run is done, 1 when some failed, 2 for a bad sweep file, 130 on Ctrl-C.",
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
    summary = sub.add_parser(
        "sweep-summary",
        help="per point of a sweep: mean and 95 %% interval of each KPI; export CSV / Parquet",
    )
    summary.add_argument("db", type=Path, help="results store written by `ruralsim sweep`")
    summary.add_argument("--kpi", action="append", help="KPI to print (repeat; default a few key ones)")
    summary.add_argument("--csv", type=Path, help="write the table with every KPI as CSV")
    summary.add_argument("--parquet", type=Path, help="write it as Parquet (needs pyarrow)")
    summary.add_argument("--runs", action="store_true", help="export one row per run instead of per point")
    summary.add_argument("--sweep", help="which sweep of the store (key prefix or name; default the latest)")
    return {"sweep": cmd_sweep, "sweep-summary": cmd_sweep_summary}


def _err(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def cmd_sweep(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from sim.scenario import ScenarioError
    from sim.sweep.api import default_db
    from sim.sweep.executors import open_executor
    from sim.sweep.runner import Progress, SweepError, SweepInterrupted, run_sweep
    from sim.sweep.spec import load_sweep
    from sim.sweep.store import Store

    if args.workers is not None and args.workers < 1:
        raise ScenarioError(
            "invalid value",
            path=args.sweep_file,
            field="--workers",
            expected="an integer >= 1",
            found=str(args.workers),
        )
    spec = load_sweep(args.sweep_file)
    db = args.db or Path(default_db(spec))
    bar = None

    def on_progress(p: Progress) -> None:
        nonlocal bar
        first = bar is None
        if bar is None:
            bar = tqdm(total=p.to_run, unit="run", file=sys.stderr, dynamic_ncols=True, disable=args.quiet)
        bar.set_postfix_str(f"done {p.done}, failed {p.failed}, remaining {p.remaining}", refresh=first)
        if not first:
            bar.update(1)

    with open_executor(args.workers, args.scheduler, source=spec.source) as handle, Store(db) as store:
        points = len(spec.points)
        runs = points * spec.replications
        print(
            f"{spec.name}: {points} point(s) x {spec.replications} replication(s) = {runs} runs "
            f"({spec.design}), on {handle.description}; results in {db}",
            flush=True,
        )
        if handle.dashboard and args.scheduler == "local":
            _err(f"Dask dashboard: {handle.dashboard}")
        try:
            progress = run_sweep(spec, store, handle, on_progress=on_progress, notify=_err)
        except SweepInterrupted as stop:
            if bar is not None:
                bar.close()
            p = stop.progress
            _err(
                f"interrupted: {p.done + p.failed} run(s) finished and stored this time "
                f"({p.remaining} not run); run the same command again to resume"
            )
            return EXIT_INTERRUPTED
        except SweepError as exc:
            if bar is not None:
                bar.close()
            _err(f"error: {exc}")
            return EXIT_FAILED
        if bar is not None:
            bar.close()
        rate = (progress.done + progress.failed) / progress.elapsed if progress.elapsed > 0 else 0.0
        print(
            f"{progress.to_run} run(s) in {progress.elapsed:.1f} s ({rate:.1f} runs/s): "
            f"{progress.done} done, {progress.failed} failed; {progress.skipped} were already done"
        )
        if not args.quiet:
            _print_summary(store, spec.key, [p.name for p in spec.parameters], None)
    if progress.failed:
        _err(f"{progress.failed} run(s) failed; the first error:\n{progress.first_error}")
        return EXIT_FAILED
    return EXIT_OK


def _print_summary(store, key: str, parameters: list[str], wanted: list[str] | None):
    from sim.sweep.summary import choose_kpis, format_summary, kpi_names, point_summary

    runs = store.runs(key)
    table = point_summary(runs, parameters)
    kpis = choose_kpis(kpi_names(runs, parameters), wanted, source=store.path)
    print()
    print(format_summary(table, parameters, kpis))
    return runs, table


def cmd_sweep_summary(args: argparse.Namespace) -> int:
    from sim.sweep.store import Store
    from sim.sweep.summary import export, pick_sweep

    with Store.open_existing(args.db) as store:
        key, note = pick_sweep(store, args.sweep)
        if note:
            _err(note)
        parameters = store.parameters(key)
        name = store.definition(key).get("name", key)
        runs = store.runs(key)
        done, failed = int((runs["status"] == "done").sum()), int((runs["status"] == "failed").sum())
        print(
            f"{name} (sweep {key}): {runs['point'].nunique()} point(s), "
            f"{done} done and {failed} failed run(s)"
        )
        runs, table = _print_summary(store, key, parameters, args.kpi)
    out = runs if args.runs else table
    for path in (args.csv, args.parquet):
        if path is not None:
            print(f"wrote {export(out, path)}")
    return EXIT_OK
