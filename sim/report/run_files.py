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
from sim.report.output import write_csv, write_json, write_text
from sim.scenario import Scenario
from sim.scenario.write import to_toml
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
        "operator_maps.png",
        "lead_time.png",
        "comparison.json",
        "comparison.csv",
        "ladder.json",
        "ladder.csv",
        "report.html",
        "villages.csv",
        "scenario.toml",
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


def provenance(scenario: Scenario, seeds: Sequence[int], about: Mapping[str, object] | None) -> dict:
    """The ``meta`` of every JSON file: what was run (scenario, its file, days, seeds and
    replications), by which ruralsim, when, and ``about`` (the CLI adds ``command_line``
    and ``wall_time_s``); the settings themselves are in scenario.toml beside it."""
    return {
        "scenario": scenario.name,
        "scenario_file": scenario.source,
        "settings": "scenario.toml",
        "days": scenario.days,
        "warmup_days": scenario.warmup_days,
        "seeds": list(seeds),
        "replications": len(seeds),
        "ruralsim_version": __version__,
        "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        **(about or {}),
    }


def _write_scenario(folder: Path, scenario: Scenario, meta: Mapping[str, object], command: str) -> str:
    """scenario.toml: the scenario as run (every field, overrides applied), with a header
    saying where it came from and how to run it again."""
    header = (
        f"The scenario as run: {scenario.source or 'built in Python'}, every default and override "
        f"written out\n(ruralsim {meta['ruralsim_version']}, {meta['written']}"
        + (f"; {meta['command_line']}" if meta.get("command_line") else "")
        + f").\nThe same KPIs again: ruralsim {command} scenario.toml --out OTHER_FOLDER"
    )
    write_text(folder / "scenario.toml", to_toml(scenario, header))
    return "scenario.toml"


def write_run(
    results: Sequence[RunOutput],
    out: str | Path,
    *,
    figures: bool = True,
    about: Mapping[str, object] | None = None,
) -> list[Path]:
    """kpis.json, daily.csv, trips.csv, fleets.csv, backlog.csv, scenario.toml, villages.csv
    and, with ``figures``, two PNG figures and report.html, replacing the folder ``out`` as
    one set; returns the paths written (under ``out``). ``about`` adds to the metadata (see
    :func:`provenance`)."""
    with run_folder.replaced(out, RUN_FILES) as staging:
        names = _write_run_files(results, staging, figures=figures, about=about)
    return [Path(out) / name for name in names]


def _write_run_files(
    results: Sequence[RunOutput], folder: Path, *, figures: bool, about: Mapping[str, object] | None
) -> list[str]:
    first = results[0].record
    meta = {"mode": first.scenario.mode, **provenance(first.scenario, [r.seed for r in results], about)}
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
    written.append(_write_scenario(folder, first.scenario, meta, "run"))
    if figures:
        written += _write_run_figures(first, folder)
    groups = {first.scenario.mode: results}
    written += _write_report(groups, folder, f"{first.scenario.name}: {first.scenario.mode} mode", figures)
    return written


def _write_run_figures(first: RunRecord, folder: Path) -> list[str]:
    """coverage_map.png, in separate mode operator_maps.png (one panel per operator on one
    extent: the operators' routes on one map would hide each other), and lead_time.png."""
    from sim.report.figures import coverage_map, lead_time_histogram, operator_panels
    from sim.report.fonts import report_style

    written = ["coverage_map.png"]
    with report_style():  # CJK fonts behind the default one, for Chinese names
        coverage_map(first, folder / "coverage_map.png")
        if first.scenario.mode == "separate":
            operator_panels(first, folder / "operator_maps.png")
            written.append("operator_maps.png")
        lead_time_histogram(first, folder / "lead_time.png")
    return [*written, "lead_time.png"]


def _write_report(
    groups: Mapping[str, Sequence[RunOutput]], folder: Path, title: str, figures: bool, column: str = "mode"
) -> list[str]:
    """villages.csv (one table per group, the group named in ``column``) and, with
    ``figures``, report.html (:func:`sim.report.html.runs_report`) into ``folder``."""
    from sim.report.html import runs_report, village_tables

    villages = village_tables(groups)
    table = pd.concat([t.assign(**{column: g}) for g, t in villages.items()], ignore_index=True)
    write_csv(folder / "villages.csv", table[[column, *table.columns[:-1]]])
    if not figures:
        return ["villages.csv"]
    write_text(folder / "report.html", runs_report(title, groups, villages))
    return ["villages.csv", "report.html"]


def write_comparison(
    runs: Mapping[str, Sequence[RunOutput]],
    out: str | Path,
    *,
    figures: bool = True,
    scenario: Scenario | None = None,
    about: Mapping[str, object] | None = None,
) -> list[Path]:
    """comparison.json, comparison.csv, scenario.toml and villages.csv: per mode estimates
    and paired differences to the first mode (``runs`` maps each mode to its runs, in the
    same seed order), and report.html (with ``figures``), replacing the folder ``out`` as
    one set. ``scenario`` is the one compared (default: the first mode's); ``about`` adds
    to the metadata (see :func:`provenance`)."""
    modes = list(runs)
    kpis = {m: [r.kpis for r in runs[m]] for m in modes}
    scenario = scenario or runs[modes[0]][0].record.scenario
    meta = provenance(scenario, [r.seed for r in runs[modes[0]]], about)
    data = {
        "meta": meta,
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
        names = ["comparison.json", "comparison.csv"]
        names.append(_write_scenario(staging, scenario, meta, "compare --modes " + ",".join(modes)))
        names += _write_report(runs, staging, title, figures)
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
    scenario: Scenario | None = None,
    about: Mapping[str, object] | None = None,
) -> list[Path]:
    """ladder.json and ladder.csv of the integration ladder, villages.csv and (with
    ``figures``) report.html with one group per level.

    ``runs`` maps each level name to its runs in the same seed order; ``table`` is the
    one row per step and KPI of :meth:`sim.api.Ladder.table`, written as it is to
    ladder.csv. ladder.json holds the levels (what each pools), the seeds, every level's
    estimates, the steps and the total with their 95 % intervals, and every run's KPIs.
    They and scenario.toml (``scenario``, the one the ladder was climbed from; default the
    first level's) replace the folder ``out`` as one set; ``about`` adds to the metadata
    (see :func:`provenance`).
    """
    scenario = scenario or runs[levels[0].name][0].record.scenario
    meta = provenance(scenario, [r.seed for r in runs[levels[0].name]], about)
    data = {
        "meta": meta,
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
        names = ["ladder.json", "ladder.csv", _write_scenario(staging, scenario, meta, "compare --ladder")]
        names += _write_report(groups, staging, f"{scenario.name}: the integration ladder", figures, "level")
    return [Path(out) / name for name in names]
