"""Plain-text tables for the terminal and the report: one number format, one layout.

``ruralsim run`` (:func:`kpi_table`), ``compare`` (:func:`comparison_table`,
:func:`integration_summary`; :func:`ladder_table` with ``--ladder``) and
``sweep-summary`` (:func:`sweep_summary_table`) all write their numbers with
:func:`fmt` and lay them out with :func:`render_table`, so a KPI reads the same wherever it is shown.

The number format (:func:`fmt`), by the kind of KPI its name says it is:

- a **share** (the name holds ``share``, ``coverage`` or ``utilisation``):
  3 decimals, ``0.617``, ``1.000``;
- a **count** (the name ends in a plural of things counted, ``villages``,
  ``lines``, ``trips`` ..., and has no ``_per_``: ``bus.freight_lines``,
  ``first_km.producing_villages``, but not ``cost.van_trips_per_day``) whose
  value is whole: an integer, ``28``, ``1,204``; a mean of counts over
  replications that is not whole is an ordinary number;
- any other number, by size: ``1,881`` (1000 and more: thousands separators, no
  decimals), ``521.2`` (100 to 1000), ``4.136`` (below 100: 3 decimals), and
  two significant digits below 0.001 so that a small value is not shown as
  zero (``0.00042``); under 1e-9 it is floating-point noise and shows as
  ``0.000``. Never scientific notation.

NaN and None are ``-``; a value that rounds to zero never shows a minus sign.
This module imports nothing of the simulation (no SimPy, no model): estimates
are read by their ``mean``, ``half_width`` and ``n``.
"""

from __future__ import annotations

import json
import math
import numbers
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import pandas as pd

    from sim.kpi.stats import Estimate

SECTION_TITLES = {
    "last_km": "Last kilometre (inbound parcels)",
    "first_km": "First kilometre (produce, outbound parcels)",
    "supply": "Supply and marketing",
    "finance": "Finance",
    "bus": "Bus cargo",
    "cost": "Cost, distance and emissions",
    "peak": "Peak load: end-of-day backlog and recovery",
    "social": "Villagers' own trips (social cost)",
}

SHARE_WORDS = ("share", "coverage", "utilisation")
COUNTED_THINGS = (
    "villages",
    "towns",
    "stations",
    "lines",
    "stops",
    "vehicles",
    "vans",
    "trips",
    "parcels",
    "items",
    "lots",
    "cases",
    "transactions",
    "points",
    "places",
    "runs",
)
NOISE = 1e-9  # smaller magnitudes are rounding noise (a difference of equal means), shown as 0


def is_share(name: str | None) -> bool:
    """Whether the KPI ``name`` is a share (a fraction between 0 and 1)."""
    return name is not None and any(word in name.rsplit(".", 1)[-1] for word in SHARE_WORDS)


def is_count(name: str | None) -> bool:
    """Whether the KPI ``name`` counts things: ``bus.freight_lines`` yes, ``bus.items_per_day`` no."""
    if name is None:
        return False
    last = name.rsplit(".", 1)[-1]
    return "_per_" not in last and last.split("_")[-1] in COUNTED_THINGS


def fmt(value: Any, name: str | None = None) -> str:
    """``value`` as a planner reads it; ``name`` (the KPI) says whether it is a share or a count.

    >>> fmt(0.61666, "last_km.on_time_share"), fmt(28.0, "first_km.producing_villages")
    ('0.617', '28')
    >>> fmt(3368.25), fmt(521.25), fmt(4.1364), fmt(0.00042), fmt(float("nan"))
    ('3,368', '521.2', '4.136', '0.00042', '-')
    """
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, numbers.Integral):
        return f"{int(value):,d}"
    value = float(value)
    if math.isnan(value):
        return "-"
    if math.isinf(value):
        return "inf" if value > 0 else "-inf"
    if is_share(name):
        text = f"{value:.3f}"
    elif is_count(name) and value.is_integer():
        text = f"{value:,.0f}"
    else:
        text = _number(value)
    return text[1:] if text.startswith("-") and not text.strip("-0.,") else text


def _number(value: float) -> str:
    """An ordinary number: decimals by size (see the module docstring), never an exponent."""
    size = abs(value)
    if round(size) >= 1000:
        return f"{value:,.0f}"
    if round(size, 1) >= 100:
        return f"{value:.1f}"
    if size >= 0.001 or size < NOISE:
        return f"{value:.3f}"
    decimals = 1 - math.floor(math.log10(size))  # two significant digits
    return f"{value:.{decimals}f}"


def interval(e: Estimate | None, name: str | None = None) -> str:
    """``± half-width`` of a 95 % interval; empty with fewer than two replications."""
    if e is None or e.n < 2 or math.isnan(e.half_width):
        return ""
    return f"± {fmt(e.half_width, name)}"


def render_table(
    header: Sequence[str], rows: Sequence[Sequence[str]], sections: Mapping[int, str] | None = None
) -> str:
    """Columns padded to their widest cell: the first left-aligned, the others right-aligned.

    A header line, a rule, then the rows; ``sections`` maps a row index to a
    title printed as ``[title]`` before that row.
    """
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        padded = [
            c.ljust(w) if i == 0 else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths, strict=True))
        ]
        return "  ".join(padded)

    top = line(header)
    out = [top, "-" * len(top)]
    for i, row in enumerate(rows):
        if sections and i in sections:
            out.append(f"[{sections[i]}]")
        out.append(line(row))
    return "\n".join(out)


def _sections(names: Sequence[str]) -> list[tuple[str, list[str]]]:
    """KPI names grouped by flow (the part before the first dot), with the flow's title."""
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.split(".")[0], []).append(name)
    return [(SECTION_TITLES.get(k, k), v) for k, v in groups.items()]


def kpi_table(estimates: Mapping[str, Estimate]) -> str:
    """KPI, mean and 95 % interval half-width, grouped by flow."""
    rows: list[list[str]] = []
    sections: dict[int, str] = {}
    for title, names in _sections(list(estimates)):
        sections[len(rows)] = title
        for name in names:
            e = estimates[name]
            rows.append([name.split(".", 1)[-1], fmt(e.mean, name), interval(e, name)])
    n = max((e.n for e in estimates.values()), default=0)
    return render_table(["KPI", f"mean (n={n})", "95% CI"], rows, sections)


def comparison_table(
    modes: Sequence[str],
    estimates: Mapping[str, Mapping[str, Estimate]],
    differences: Mapping[str, Mapping[str, Estimate]],
) -> str:
    """KPIs side by side per mode, with each later mode's paired difference to the first."""
    base = modes[0]
    header = ["KPI", *modes]
    for m in modes[1:]:
        header += [f"{m} - {base}", "95% CI"]
    rows: list[list[str]] = []
    sections: dict[int, str] = {}
    for title, group in _sections(list(estimates[base])):
        sections[len(rows)] = title
        for name in group:
            row = [name.split(".", 1)[-1]] + [fmt(estimates[m][name].mean, name) for m in modes]
            for m in modes[1:]:
                d = differences[m].get(name)
                row += [fmt(d.mean, name) if d else "-", interval(d, name)]
            rows.append(row)
    return render_table(header, rows, sections)


SUMMARY_KPIS = (
    ("cost.operator_yuan_per_day", "operator cost, yuan/day"),
    ("cost.vehicle_km_per_day", "vehicle-km per day"),
    ("cost.co2_kg_per_day", "CO2, kg/day"),
    ("cost.total_yuan_per_day", "total cost incl. villagers, yuan/day"),
    ("cost.total_co2_kg_per_day", "total CO2 incl. villagers, kg/day"),
    ("cost.vehicle_km_per_item", "vehicle-km per item"),
    ("last_km.village_coverage", "last-km village coverage"),
    ("last_km.village_coverage_pop", "last-km coverage, population-weighted"),
    ("last_km.on_time_share", "last-km on-time share"),
    ("first_km.village_coverage", "first-km village coverage"),
    ("first_km.fresh_share", "produce fresh share"),
    ("first_km.outbound_cutoff_share", "outbound same-day cut-off share"),
    ("supply.fill_share", "supply fill share"),
    ("finance.local_share", "finance served in the village"),
    ("last_km.villager_travel_km_per_day", "villagers' km to fetch parcels"),
    ("finance.villager_travel_km_per_day", "villagers' km to the bank"),
    ("first_km.sender_travel_km_per_day", "villagers' km to drop parcels"),
    ("social.villager_km_per_day", "villagers' km, all own trips"),
    ("social.villager_hours_per_day", "villagers' hours per day"),
    ("social.villager_yuan_per_day", "villagers' cost, yuan/day"),
    ("social.co2_kg_per_day", "villagers' CO2, kg/day"),
    ("cost.parcel_in_yuan_per_item", "cost per inbound parcel, yuan"),
    ("cost.parcel_out_yuan_per_item", "cost per outbound parcel, yuan"),
    ("cost.supply_yuan_per_item", "cost per supply case, yuan"),
    ("cost.produce_yuan_per_item", "cost per produce lot, yuan"),
)


def integration_summary(
    base: str,
    mode: str,
    estimates: Mapping[str, Mapping[str, Estimate]],
    differences: Mapping[str, Mapping[str, Estimate]],
) -> str:
    """What ``mode`` changes against ``base``: the headline KPIs, difference, relative change, CI."""
    lines = [f"What {mode} changes against {base} (paired by seed, 95% CI):"]
    width = max(len(label) for _, label in SUMMARY_KPIS)
    for name, label in SUMMARY_KPIS:
        d = differences[mode].get(name)
        b = estimates[base].get(name)
        if d is None or b is None or math.isnan(d.mean):
            continue
        if is_share(name):
            rel = f" ({100 * d.mean:+.1f} pts)"
        elif not math.isnan(b.mean) and abs(b.mean) > 1e-9:
            rel = f" ({d.mean / b.mean:+.0%})"
        else:
            rel = ""
        ci = f"  {interval(d, name)}" if interval(d, name) else ""
        lines.append(
            f"  {label:<{width}}  {fmt(b.mean, name):>9} -> {fmt(estimates[mode][name].mean, name):>9}"
            f"  {'+' if d.mean >= 0 else ''}{fmt(d.mean, name)}{rel}{ci}"
        )
    return "\n".join(lines)


LADDER_KPIS = (
    ("cost.operator_yuan_per_day", "operator cost, yuan/day"),
    ("cost.yuan_per_item", "operator cost per item, yuan"),
    ("cost.vehicle_km_per_day", "vehicle-km per day"),
    ("cost.co2_kg_per_day", "CO2, kg/day"),
    ("last_km.lead_time_h_p50", "last-km lead time p50, hours"),
    ("last_km.lead_time_h_p90", "last-km lead time p90, hours"),
    ("last_km.villager_travel_km_per_day", "villagers' km to fetch parcels, per day"),
    ("first_km.sender_travel_km_per_day", "senders' km to take parcels to town, per day"),
    ("finance.villager_travel_km_per_day", "villagers' km to the bank, per day"),
    ("last_km.village_coverage", "last-km village coverage"),
    ("last_km.on_time_share", "last-km on-time share"),
    ("first_km.village_coverage", "first-km village coverage"),
    ("first_km.fresh_share", "produce fresh share"),
    ("first_km.outbound_cutoff_share", "outbound same-day cut-off share"),
    ("supply.fill_share", "supply fill share"),
    ("finance.local_share", "finance served in the village"),
)


def ladder_kpis(names: Sequence[str]) -> list[tuple[str, str]]:
    """The KPIs the ladder table shows, as (name, label): the headline KPIs of
    :data:`LADDER_KPIS` found in ``names``, then every ``social.*`` KPI in ``names``."""
    present = set(names)
    chosen = [(k, label) for k, label in LADDER_KPIS if k in present]
    social = [(k, k.replace(".", ": ", 1).replace("_", " ")) for k in names if k.startswith("social.")]
    return chosen + social


def ladder_table(
    levels: Sequence[tuple[str, str]],
    estimates: Mapping[str, Mapping[str, Estimate]],
    steps: Sequence[Mapping[str, Estimate]],
    total: Mapping[str, Estimate],
    kpis: Sequence[tuple[str, str]],
    *,
    total_label: str = "total",
) -> str:
    """The integration ladder, one block per KPI: each level's mean, what the step to it
    adds (paired difference to the level before, 95 % interval, relative change), and the
    total from the first level to the last.

    ``levels`` are (name, label) in ladder order, ``estimates`` map a level name to its
    KPI estimates, ``steps[i]`` is the difference from level ``i`` to level ``i + 1`` and
    ``kpis`` are (name, label) as :func:`ladder_kpis` gives them.
    """
    first = levels[0]
    rows: list[list[str]] = []
    sections: dict[int, str] = {}
    for name, label in kpis:
        sections[len(rows)] = f"{label} ({name})"
        base = estimates[first[0]].get(name)
        rows.append([first[1], fmt(base.mean if base else None, name), "", "", ""])
        for (before, _), (after, after_label), step in zip(levels[:-1], levels[1:], steps, strict=True):
            b, a = estimates[before].get(name), estimates[after].get(name)
            rows.append([after_label, fmt(a.mean if a else None, name), *_change(step.get(name), b, name)])
        rows.append([total_label, "", *_change(total.get(name), base, name)])
    n = max((e.n for e in estimates[first[0]].values()), default=0)
    header = ["level", f"mean (n={n})", "step adds", "95% CI", "relative"]
    return render_table(header, rows, sections)


def _change(d: Estimate | None, before: Estimate | None, name: str) -> list[str]:
    """A difference as the ladder shows it: signed value, interval, relative change
    (points for a share, per cent of the level before for anything else)."""
    if d is None or math.isnan(d.mean):
        return ["-", "", ""]
    text = fmt(d.mean, name)
    signed = f"+{text}" if d.mean > 0 and text.strip("0.,") else text
    if is_share(name):
        rel = f"{100 * d.mean:+.1f} pts"
    elif before is not None and not math.isnan(before.mean) and abs(before.mean) > NOISE:
        rel = f"{d.mean / before.mean:+.0%}"
    else:
        rel = ""
    return [signed, interval(d, name), rel]


def sweep_summary_table(summary: pd.DataFrame, parameters: Sequence[str], kpis: Sequence[str]) -> str:
    """One line per point of a sweep: its parameter values, its runs, ``mean ± half-width`` per KPI.

    ``summary`` is :func:`sim.sweep.summary.point_summary`'s table (columns
    ``point``, the parameters, ``done``, ``failed``, ``<kpi>.mean``, ``<kpi>.ci95``).
    """
    header = ["point", *(_short(p) for p in parameters), "runs", *(_short(k) for k in kpis)]
    rows = []
    for row in summary.to_dict("records"):  # per column types (iterrows would make ints floats)
        runs = f"{row['done']}" + (f" ({row['failed']} failed)" if row["failed"] else "")
        cells = [str(row["point"]), *(_parameter_value(row[p], p) for p in parameters), runs]
        cells += [_mean_and_interval(row[f"{k}.mean"], row[f"{k}.ci95"], k) for k in kpis]
        rows.append(cells)
    return render_table(header, rows)


def _short(name: str) -> str:
    """A column title: the KPI or parameter name, without its section when it is long."""
    return name if len(name) <= 22 else name.split(".", 1)[-1]


def _parameter_value(value: object, name: str) -> str:
    """A parameter's value at a point: numbers by :func:`fmt`, whole numbers and text as given."""
    if isinstance(value, float):
        return fmt(value, name)
    return json.dumps(value) if isinstance(value, list | dict) else str(value)


def _mean_and_interval(mean: float, half: float, name: str) -> str:
    """``mean ± half-width`` as in :func:`kpi_table`; the mean alone with one replication."""
    if math.isnan(mean):
        return "-"
    return fmt(mean, name) if math.isnan(half) else f"{fmt(mean, name)} ± {fmt(half, name)}"
