"""The files of ``ruralsim run`` and ``ruralsim compare`` (and ``compare --ladder``): KPIs,
tables, figures, the per-village table and the report (:mod:`sim.report.html`).

They are written from what runs leave behind, each run given as its seed, its KPIs and
its :class:`~sim.records.RunRecord` (a :class:`sim.Result` is one), never from the model.
Each command's files replace its output folder as one set (:mod:`sim.report.run_folder`):
:func:`prepare_folder` checks the folder before simulating, and the writers stage the
files beside it and swap them in, so a reader never sees two runs mixed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Protocol

import pandas as pd

from sim.kpi import Estimate, backlog_table, daily_table, fleet_table, paired_difference, summarize
from sim.records import RunRecord
from sim.report import run_folder
from sim.report.output import write_csv, write_json
from sim.version import __version__

#: Every file a run, a comparison or a ladder writes: an output folder holding only these
#: (or nothing) belongs to ruralsim and may be replaced by the next command's set.
RUN_FILES = frozenset(
    {
        "kpis.json",
        "daily.csv",
        "trips.csv",
        "fleets.csv",
        "backlog.csv",
        "coverage_map.png",
        "lead_time.png",
        "comparison.json",
        "comparison.csv",
        "ladder.json",
        "ladder.csv",
        "report.html",
        "villages.csv",
    }
)


def prepare_folder(out: str | Path) -> Path:
    """Check the output folder ``out`` by writing, before simulating (see
    :func:`sim.report.run_folder.prepare`); raises :class:`~sim.report.run_folder.RunFolderError`."""
    return run_folder.prepare(out, RUN_FILES)


class RunOutput(Protocol):
    """What the files of one run are written from."""

    seed: int
    kpis: Mapping[str, float]
    record: RunRecord


class LevelOutput(Protocol):
    """A level of the integration ladder as its files describe it."""

    name: str
    label: str
    pooled: Sequence[str]
    note: str


class StepOutput(Protocol):
    """A step of the integration ladder: ``after - before``, paired by seed, per KPI."""

    name: str
    label: str
    before: str
    after: str
    difference: Mapping[str, Estimate]


def _estimates_json(estimates: Mapping[str, Estimate]) -> dict:
    return {k: {"mean": e.mean, "ci95_half_width": e.half_width, "n": e.n} for k, e in estimates.items()}


def write_run(results: Sequence[RunOutput], out: str | Path, *, figures: bool = True) -> list[Path]:
    """kpis.json, daily.csv, trips.csv, fleets.csv, backlog.csv, villages.csv and, with
    ``figures``, two PNG figures and report.html, replacing the folder ``out`` as one set;
    returns the paths written (under ``out``)."""
    with run_folder.replaced(out, RUN_FILES) as staging:
        names = _write_run_files(results, staging, figures=figures)
    return [Path(out) / name for name in names]


def _write_run_files(results: Sequence[RunOutput], folder: Path, *, figures: bool) -> list[str]:
    first = results[0].record
    meta = {
        "scenario": first.scenario.name,
        "mode": first.scenario.mode,
        "days": first.scenario.days,
        "warmup_days": first.scenario.warmup_days,
        "seeds": [r.seed for r in results],
        "ruralsim_version": __version__,
        "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    data = {
        "meta": meta,
        "summary": _estimates_json(summarize([r.kpis for r in results])),
        "runs": [{"seed": r.seed, "kpis": dict(r.kpis)} for r in results],
    }
    write_json(folder / "kpis.json", data)
    daily = pd.concat([daily_table(r.record).assign(seed=r.seed) for r in results], ignore_index=True)
    write_csv(folder / "daily.csv", daily)
    trips = [pd.DataFrame(r.record.trips.table()).assign(seed=r.seed) for r in results]
    write_csv(folder / "trips.csv", pd.concat(trips, ignore_index=True))
    fleets = [fleet_table(r.record).assign(seed=r.seed) for r in results]
    write_csv(folder / "fleets.csv", pd.concat(fleets, ignore_index=True))
    backlog = [backlog_table(r.record).assign(seed=r.seed) for r in results]
    write_csv(folder / "backlog.csv", pd.concat(backlog, ignore_index=True))
    written = ["kpis.json", "daily.csv", "trips.csv", "fleets.csv", "backlog.csv"]
    if figures:
        from sim.report.charts import report_style
        from sim.report.figures import coverage_map, lead_time_histogram

        with report_style():  # CJK fonts behind the default one, for Chinese names
            coverage_map(first, folder / "coverage_map.png")
            lead_time_histogram(first, folder / "lead_time.png")
        written += ["coverage_map.png", "lead_time.png"]
    groups = {first.scenario.mode: results}
    written += _write_report(groups, folder, f"{first.scenario.name}: {first.scenario.mode} mode", figures)
    return written


def _write_report(
    groups: Mapping[str, Sequence[RunOutput]], folder: Path, title: str, figures: bool, column: str = "mode"
) -> list[str]:
    """villages.csv (one table per group, the group named in ``column``) and, with
    ``figures``, report.html (:func:`sim.report.html.runs_report`) into ``folder``."""
    from sim.report.html import runs_report, village_tables
    from sim.report.output import write_text

    villages = village_tables(groups)
    table = pd.concat([t.assign(**{column: g}) for g, t in villages.items()], ignore_index=True)
    write_csv(folder / "villages.csv", table[[column, *table.columns[:-1]]])
    if not figures:
        return ["villages.csv"]
    write_text(folder / "report.html", runs_report(title, groups, villages))
    return ["villages.csv", "report.html"]


def write_comparison(
    runs: Mapping[str, Sequence[RunOutput]], out: str | Path, *, figures: bool = True
) -> list[Path]:
    """comparison.json and comparison.csv: per mode estimates and paired differences to the
    first mode (``runs`` maps each mode to its runs, in the same seed order), villages.csv
    and report.html (with ``figures``), replacing the folder ``out`` as one set."""
    modes = list(runs)
    kpis = {m: [r.kpis for r in runs[m]] for m in modes}
    data = {
        "modes": modes,
        "seeds": [r.seed for r in runs[modes[0]]],
        "estimates": {m: _estimates_json(summarize(kpis[m])) for m in modes},
        "difference_to_" + modes[0]: {
            m: _estimates_json(paired_difference(kpis[modes[0]], kpis[m])) for m in modes[1:]
        },
    }
    rows = [{"mode": m, "seed": r.seed, **r.kpis} for m in modes for r in runs[m]]
    title = f"{runs[modes[0]][0].record.scenario.name}: {' against '.join(modes)}"
    with run_folder.replaced(out, RUN_FILES) as staging:
        write_json(staging / "comparison.json", data)
        write_csv(staging / "comparison.csv", pd.DataFrame(rows))
        names = ["comparison.json", "comparison.csv", *_write_report(runs, staging, title, figures)]
    return [Path(out) / name for name in names]


def _step_json(step: StepOutput) -> dict:
    return {
        "step": step.name,
        "label": step.label,
        "before": step.before,
        "after": step.after,
        "difference": _estimates_json(step.difference),
    }


def write_ladder(
    levels: Sequence[LevelOutput],
    runs: Mapping[str, Sequence[RunOutput]],
    steps: Sequence[StepOutput],
    total: StepOutput,
    table: pd.DataFrame,
    out: str | Path,
    *,
    figures: bool = True,
) -> list[Path]:
    """ladder.json and ladder.csv of the integration ladder, villages.csv and (with
    ``figures``) report.html with one group per level.

    ``runs`` maps each level name to its runs in the same seed order; ``table`` is the
    one row per step and KPI of :meth:`sim.api.Ladder.table`, written as it is to
    ladder.csv. ladder.json holds the levels (what each pools), the seeds, every level's
    estimates, the steps and the total with their 95 % intervals, and every run's KPIs.
    Both replace the folder ``out`` as one set.
    """
    first = runs[levels[0].name][0].record.scenario
    data = {
        "meta": {
            "scenario": first.name,
            "days": first.days,
            "warmup_days": first.warmup_days,
            "ruralsim_version": __version__,
            "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        },
        "levels": [
            {"name": lv.name, "label": lv.label, "pooled": list(lv.pooled), "note": lv.note} for lv in levels
        ],
        "seeds": [r.seed for r in runs[levels[0].name]],
        "estimates": {lv.name: _estimates_json(summarize([r.kpis for r in runs[lv.name]])) for lv in levels},
        "steps": [_step_json(step) for step in steps],
        "total": _step_json(total),
        "runs": {lv.name: [{"seed": r.seed, "kpis": dict(r.kpis)} for r in runs[lv.name]] for lv in levels},
    }
    groups = {lv.label: runs[lv.name] for lv in levels}
    with run_folder.replaced(out, RUN_FILES) as staging:
        write_json(staging / "ladder.json", data)
        write_csv(staging / "ladder.csv", table)
        report = _write_report(groups, staging, f"{first.name}: the integration ladder", figures, "level")
    return [Path(out) / name for name in ["ladder.json", "ladder.csv", *report]]
