"""Per point of a sweep: the mean and 95 % confidence interval of every KPI.

Works on the tidy run table (:meth:`sim.sweep.store.Store.runs`, or the
DataFrame :func:`sim.sweep` returns): only done runs count; a KPI that is NaN
in a run is left out of that KPI's estimate. Intervals are Student-t intervals
over replications (:func:`sim.kpi.stats.estimate`); with one replication the
half-width is NaN. The text table for the terminal is
:func:`sim.report.tables.sweep_summary_table`, in the same number format as
``ruralsim run``.
"""

from __future__ import annotations

import importlib.util
import json
from collections.abc import Sequence
from pathlib import Path

import pandas as pd

from sim.atomic import atomic_path
from sim.errors import did_you_mean
from sim.kpi.stats import estimate
from sim.scenario import ScenarioError
from sim.sweep.store import RUN_COLUMNS, TAIL_COLUMNS, Store

DEFAULT_KPIS = (
    "last_km.on_time_share",
    "last_km.village_coverage",
    "last_km.lead_time_h_p90",
    "cost.operator_yuan_per_day",
    "cost.co2_kg_per_day",
)


def kpi_names(runs: pd.DataFrame, parameters: Sequence[str]) -> list[str]:
    """The KPI columns of a run table: everything that is not an id, a parameter or metadata."""
    fixed = {*RUN_COLUMNS, *TAIL_COLUMNS, *parameters}
    return [c for c in runs.columns if c not in fixed]


def point_summary(runs: pd.DataFrame, parameters: Sequence[str]) -> pd.DataFrame:
    """One row per point: parameters, runs done and failed, ``<kpi>.mean`` and ``<kpi>.ci95``.

    ``ci95`` is the half-width of the 95 % interval: the interval is mean ± ci95.
    """
    kpis = kpi_names(runs, parameters)
    rows = []
    for point, group in runs.groupby("point", sort=True):
        done = group[group["status"] == "done"]
        row: dict[str, object] = {"point": int(point)}
        row.update({p: group[p].iloc[0] for p in parameters})
        row["done"], row["failed"] = len(done), int((group["status"] == "failed").sum())
        for kpi in kpis:
            e = estimate(done[kpi].to_numpy(dtype=float))
            row[f"{kpi}.mean"], row[f"{kpi}.ci95"] = e.mean, e.half_width
        rows.append(row)
    columns = ["point", *parameters, "done", "failed"]
    columns += [f"{k}.{s}" for k in kpis for s in ("mean", "ci95")]
    return pd.DataFrame(rows, columns=columns)


def choose_kpis(
    available: Sequence[str], wanted: Sequence[str] | None, source: str | None = None
) -> list[str]:
    """The KPIs to print: those asked for (checked, with a did-you-mean) or a default few."""
    if not wanted:
        chosen = [k for k in DEFAULT_KPIS if k in available]
        return chosen or list(available[:4])
    for name in wanted:
        if name not in available:
            raise ScenarioError(
                f"unknown KPI{did_you_mean(name, available, cutoff=0.5)}",
                path=source,
                field="--kpi",
                expected=f"one of {list(available)}",
                found=name,
            )
    return list(wanted)


def pick_sweep(store: Store, wanted: str | None) -> tuple[str, str | None]:
    """The sweep to summarise: the one given (by key prefix or name), else the latest.

    Returns the key and, when the store holds several sweeps, a note naming them.
    """
    sweeps = store.sweeps()
    if sweeps.empty:
        raise ScenarioError("the results store holds no sweep", path=store.path)
    if wanted:
        match = sweeps[sweeps["sweep"].str.startswith(wanted) | (sweeps["name"] == wanted)]
        if match.empty:
            raise ScenarioError(
                "no such sweep in the store",
                path=store.path,
                field="--sweep",
                expected=f"one of {list(sweeps['sweep'])}",
                found=wanted,
            )
        key = str(match["sweep"].iloc[-1])
    else:
        key = str(sweeps["sweep"].iloc[-1])
    note = None
    if len(sweeps) > 1:
        others = ", ".join(f"{r.sweep} ({r.name}, {int(r.done or 0)} done)" for r in sweeps.itertuples())
        note = f"the store holds {len(sweeps)} sweeps: {others}; showing {key} (choose with --sweep)"
    return key, note


def export(table: pd.DataFrame, path: str | Path, *, option: str | None = None) -> Path:
    """Write ``table`` as CSV or Parquet (by extension), whole or not at all.

    An existing file is replaced (a temporary file in the same folder, then a rename);
    a path that cannot be written is a ScenarioError naming ``path`` (and ``option``,
    the command-line option that gave it), never the temporary file.
    """
    path = Path(path)
    if path.is_dir():
        raise ScenarioError(
            "cannot write the export: it is a folder", path=path, field=option, expected="a file name"
        )
    parquet = path.suffix.lower() in (".parquet", ".pq")
    if parquet and importlib.util.find_spec("pyarrow") is None:
        raise ScenarioError(
            "Parquet export needs pyarrow",
            path=path,
            expected="pip install 'ruralsim[parquet]' (or write a .csv)",
        )
    try:
        with atomic_path(path) as tmp:
            if parquet:
                _plain(table).to_parquet(tmp, index=False)
            else:
                table.to_csv(tmp, index=False)
    except OSError as exc:
        raise ScenarioError(
            "cannot write the export",
            path=path,
            field=option,
            expected="a file in a folder that can be created and written",
            found=_why_not_written(path, exc),
        ) from None
    return path


def _why_not_written(path: Path, exc: OSError) -> str:
    """The reason in the planner's words: a file where a folder should be, else the system's."""
    for folder in path.parents:
        if folder.exists():
            if not folder.is_dir():
                return f"{folder} is a file, not a folder"
            break
    return exc.strerror or type(exc).__name__


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """Object columns with lists or mixed types become JSON text, which Parquet can hold."""
    out = table.copy()
    for column in out.columns:
        if out[column].dtype == object:
            kinds = {type(v) for v in out[column] if v is not None}
            if len(kinds) > 1 or kinds & {list, dict}:
                out[column] = [None if v is None else json.dumps(v) for v in out[column]]
    return out
