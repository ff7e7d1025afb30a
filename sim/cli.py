"""``ruralsim``: the command line, a thin shell over the Python API.

This is the only module that parses argv or prints. Bad input ends with a
readable message and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

EXIT_OK, EXIT_FAILED, EXIT_BAD_INPUT, EXIT_INTERRUPTED = 0, 1, 2, 130


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # argparse's own exit code is 2 too; keep its usage line
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"{self.prog}: error: {message}\n")


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(
        prog="ruralsim",
        description="Simulate integrated rural logistics (delivery, postal, "
        "express, supply, finance) and compare it with separate operation.",
    )
    parser.add_argument("--version", action="store_true", help="print the version and exit")
    parser.add_argument("--debug", action="store_true", help="show tracebacks of internal errors")
    sub = parser.add_subparsers(dest="command", parser_class=_Parser)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("scenario", type=Path, help="scenario file (TOML)")
        p.add_argument("--days", type=int, help="override the scenario's days")
        p.add_argument("--replications", type=int, help="override the number of replications")
        p.add_argument("--seed", type=int, help="override the scenario's base seed")
        p.add_argument("--out", type=Path, help="output folder (default runs/<scenario name>[-compare])")
        p.add_argument("--quiet", action="store_true", help="no progress bar")

    run = sub.add_parser("run", help="run a scenario and write KPIs, tables and figures")
    common(run)
    run.add_argument("--mode", choices=["separate", "integrated"], help="override the scenario's mode")
    run.add_argument("--no-figures", action="store_true", help="skip the figures")
    cmp_ = sub.add_parser("compare", help="run several modes on the same seeds, KPIs side by side")
    common(cmp_)
    cmp_.add_argument("--modes", default="separate,integrated", help="comma-separated (default: %(default)s)")
    val = sub.add_parser("validate", help="check a scenario file without running it")
    val.add_argument("scenario", type=Path)
    from sim.sweep.cli import add_sweep_commands

    parser.set_defaults(extra_commands=add_sweep_commands(sub))
    return parser


def _load(args: argparse.Namespace, **extra: object):
    from sim.scenario import ScenarioError, from_dict, load

    scenario = load(args.scenario)
    overrides = {
        k: v
        for k, v in {
            "days": getattr(args, "days", None),
            "seed": getattr(args, "seed", None),
            "replications": getattr(args, "replications", None),
            **extra,
        }.items()
        if v is not None
    }
    if not overrides:
        return scenario
    data = scenario.model_dump(mode="json")
    data.update(overrides)
    if "days" in overrides and data["warmup_days"] >= data["days"]:
        data["warmup_days"] = max(0, data["days"] - 1)
    try:
        changed = from_dict(data, path=args.scenario, text=None)
    except ScenarioError as exc:
        flags = ", ".join(f"--{k} {v}" for k, v in overrides.items())
        raise ScenarioError(
            f"{exc.message} (after {flags})",
            path=exc.path,
            field=exc.field,
            expected=exc.expected,
            found=exc.found,
        ) from None
    changed._text = scenario._text
    return changed


def _progress(total: int, quiet: bool, unit: str):
    from tqdm import tqdm

    return tqdm(total=total, unit=unit, delay=1.0, disable=quiet, file=sys.stderr, dynamic_ncols=True)


def _cmd_validate(args: argparse.Namespace) -> int:
    from sim.model import build_world

    scenario = _load(args)
    world = build_world(scenario)
    print(
        f"{args.scenario}: valid ({scenario.mode} mode, {scenario.days} days, "
        f"{len(world.villages)} villages, {len(world.towns)} towns, {len(scenario.carriers)} carriers)"
    )
    return EXIT_OK


def _cmd_run(args: argparse.Namespace) -> int:
    import sim
    from sim.report import kpi_table
    from sim.report.run_files import write_run

    scenario = _load(args, mode=args.mode)
    out = args.out or Path("runs") / _slug(scenario.name)
    _check_writable(out)
    seeds = sim.result.replication_seeds(scenario)
    started = time.perf_counter()
    with _progress(len(seeds) * scenario.days, args.quiet, "day") as bar:
        results = sim.replicate(scenario, seeds=seeds, on_day=lambda _d: bar.update(1))
    elapsed = time.perf_counter() - started
    print(
        f"{scenario.name}: {scenario.mode} mode, {scenario.days} days ({scenario.warmup_days} warm-up), "
        f"{len(results)} replication(s), {elapsed:.1f} s\n"
    )
    print(kpi_table(sim.summary(results)))
    written = write_run(results, out, figures=not args.no_figures)
    print(f"\nwrote {', '.join(p.name for p in written)} to {out}/")
    return EXIT_OK


def _cmd_compare(args: argparse.Namespace) -> int:
    import sim
    from sim.report import comparison_table, integration_summary
    from sim.report.run_files import write_comparison

    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    bad = [m for m in modes if m not in ("separate", "integrated")]
    if bad or len(modes) < 2:
        from sim.scenario import ScenarioError

        raise ScenarioError(
            "--modes needs at least two of separate, integrated",
            field="--modes",
            expected="e.g. separate,integrated",
            found=args.modes,
        )
    scenario = _load(args)
    out = args.out or Path("runs") / f"{_slug(scenario.name)}-compare"
    _check_writable(out)
    n = len(sim.result.replication_seeds(scenario))
    with _progress(n * len(modes) * scenario.days, args.quiet, "day") as bar:
        comparison = sim.compare(scenario, modes, on_day=lambda _d: bar.update(1))
    estimates = {m: comparison.estimates(m) for m in modes}
    differences = {m: comparison.difference(m) for m in modes[1:]}
    print(f"{scenario.name}: {', '.join(modes)} on the same {n} seed(s), {scenario.days} days\n")
    print(comparison_table(modes, estimates, differences))
    for m in modes[1:]:
        print()
        print(integration_summary(modes[0], m, estimates, differences))
    written = write_comparison(comparison, out)
    print(f"\nwrote {', '.join(p.name for p in written)} to {out}/")
    return EXIT_OK


class OutputError(Exception):
    """The output folder cannot be written."""


def _check_writable(out: Path) -> None:
    """Fail before simulating when the output folder cannot be created or written (nothing is created)."""
    import os

    probe = out
    while not probe.exists() and probe != probe.parent:
        probe = probe.parent
    if probe.exists() and not probe.is_dir():
        raise OutputError(f"cannot write to the output folder {out}: {probe} is a file, not a folder")
    if not os.access(probe, os.W_OK | os.X_OK):
        raise OutputError(f"cannot write to the output folder {out}: {probe} is not writable")


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "-" for c in name.lower()).strip("-") or "run"


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of ``ruralsim`` and ``python -m sim``; returns the exit code."""
    parser = _parser()
    args = parser.parse_args(argv)
    if args.version:
        from sim.version import __version__

        print(f"ruralsim {__version__}")
        return EXIT_OK
    commands = {"run": _cmd_run, "compare": _cmd_compare, "validate": _cmd_validate}
    commands.update(args.extra_commands)
    if args.command not in commands:
        parser.print_help()
        return EXIT_BAD_INPUT
    from sim.scenario import ScenarioError

    try:
        return commands[args.command](args)
    except ScenarioError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OutputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except OSError as exc:
        target = exc.filename or "an output file"
        print(f"error: cannot write {target}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return EXIT_INTERRUPTED
    except Exception as exc:  # a bug, not bad input: say so briefly, trace only on request
        if args.debug:
            raise
        print(
            f"internal error: {type(exc).__name__}: {exc}\n(run with --debug for the traceback and "
            "please report it)",
            file=sys.stderr,
        )
        return EXIT_FAILED


if __name__ == "__main__":
    sys.exit(main())
