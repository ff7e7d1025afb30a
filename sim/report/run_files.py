"""The files of ``ruralsim run`` and ``ruralsim compare``: KPIs, tables and figures."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

import sim
from sim.comparison import Comparison
from sim.kpi import Estimate, summarize
from sim.report.output import write_csv, write_json


def _estimates_json(estimates: dict[str, Estimate]) -> dict:
    return {k: {"mean": e.mean, "ci95_half_width": e.half_width, "n": e.n} for k, e in estimates.items()}


def write_run(results: Sequence[sim.Result], out: str | Path, *, figures: bool = True) -> list[Path]:
    """kpis.json, daily.csv, trips.csv and two figures; returns the paths written."""
    out = Path(out)
    first = results[0]
    written: list[Path] = []
    meta = {
        "scenario": first.scenario.name,
        "mode": first.scenario.mode,
        "days": first.scenario.days,
        "warmup_days": first.scenario.warmup_days,
        "seeds": [r.seed for r in results],
        "ruralsim_version": sim.__version__,
        "written": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    data = {
        "meta": meta,
        "summary": _estimates_json(summarize([r.kpis for r in results])),
        "runs": [{"seed": r.seed, "kpis": r.kpis} for r in results],
    }
    write_json(out / "kpis.json", data)
    written.append(out / "kpis.json")
    daily = pd.concat([r.daily.assign(seed=r.seed) for r in results], ignore_index=True)
    write_csv(out / "daily.csv", daily)
    trips = pd.concat([r.trips.assign(seed=r.seed) for r in results], ignore_index=True)
    write_csv(out / "trips.csv", trips)
    written += [out / "daily.csv", out / "trips.csv"]
    if figures:
        from sim.report.figures import coverage_map, lead_time_histogram

        coverage_map(first.raw, out / "coverage_map.png")
        lead_time_histogram(first.raw, out / "lead_time.png")
        written += [out / "coverage_map.png", out / "lead_time.png"]
    return written


def write_comparison(comparison: Comparison, out: str | Path) -> list[Path]:
    """comparison.json and comparison.csv: per mode estimates and paired differences."""
    out = Path(out)
    modes = comparison.modes
    data = {
        "modes": list(modes),
        "seeds": [r.seed for r in comparison.results[modes[0]]],
        "estimates": {m: _estimates_json(comparison.estimates(m)) for m in modes},
        "difference_to_" + modes[0]: {m: _estimates_json(comparison.difference(m)) for m in modes[1:]},
    }
    write_json(out / "comparison.json", data)
    rows = []
    for m in modes:
        for r in comparison.results[m]:
            rows.append({"mode": m, "seed": r.seed, **r.kpis})
    write_csv(out / "comparison.csv", pd.DataFrame(rows))
    return [out / "comparison.json", out / "comparison.csv"]
