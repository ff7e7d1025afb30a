"""Plain-text KPI tables for the terminal and the report."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

from sim.kpi import Estimate

SECTION_TITLES = {
    "last_km": "Last kilometre (inbound parcels)",
    "first_km": "First kilometre (produce, outbound parcels)",
    "supply": "Supply and marketing",
    "finance": "Finance",
    "bus": "Bus cargo",
    "cost": "Cost, distance and emissions",
}


def fmt(value: float) -> str:
    """A number as a planner reads it: shares with 3 decimals, big values rounded."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "-"
    magnitude = abs(value)
    if magnitude >= 1000:
        return f"{value:,.0f}"
    if magnitude >= 100:
        return f"{value:.1f}"
    return f"{value:.3f}"


def _ci(e: Estimate) -> str:
    if e.n < 2 or math.isnan(e.half_width):
        return ""
    return f"± {fmt(e.half_width)}"


def _sections(names: Sequence[str]) -> list[tuple[str, list[str]]]:
    groups: dict[str, list[str]] = {}
    for name in names:
        groups.setdefault(name.split(".")[0], []).append(name)
    return [(SECTION_TITLES.get(k, k), v) for k, v in groups.items()]


def _render(header: Sequence[str], rows: list[list[str]], sections: list[tuple[str, int]]) -> str:
    widths = [max(len(r[i]) for r in [list(header), *rows]) for i in range(len(header))]
    line = "  ".join(
        h.ljust(w) if i == 0 else h.rjust(w) for i, (h, w) in enumerate(zip(header, widths, strict=True))
    )
    out = [line, "-" * len(line)]
    starts = dict(sections)
    for i, row in enumerate(rows):
        if i in starts.values():
            title = next(t for t, s in sections if s == i)
            out.append(f"[{title}]")
        out.append(
            "  ".join(
                c.ljust(w) if j == 0 else c.rjust(w) for j, (c, w) in enumerate(zip(row, widths, strict=True))
            )
        )
    return "\n".join(out)


def kpi_table(estimates: Mapping[str, Estimate]) -> str:
    """KPI, mean and 95 % interval half-width, grouped by flow."""
    rows: list[list[str]] = []
    sections: list[tuple[str, int]] = []
    for title, names in _sections(list(estimates)):
        sections.append((title, len(rows)))
        for name in names:
            e = estimates[name]
            rows.append([name.split(".", 1)[-1], fmt(e.mean), _ci(e)])
    n = max((e.n for e in estimates.values()), default=0)
    return _render(["KPI", f"mean (n={n})", "95% CI"], rows, sections)


def comparison_table(
    modes: Sequence[str],
    estimates: Mapping[str, Mapping[str, Estimate]],
    differences: Mapping[str, Mapping[str, Estimate]],
) -> str:
    """KPIs side by side per mode, with each later mode's paired difference to the first."""
    base = modes[0]
    names = list(estimates[base])
    header = ["KPI", *modes]
    for m in modes[1:]:
        header += [f"{m} - {base}", "95% CI"]
    rows: list[list[str]] = []
    sections: list[tuple[str, int]] = []
    for title, group in _sections(names):
        sections.append((title, len(rows)))
        for name in group:
            row = [name.split(".", 1)[-1]] + [fmt(estimates[m][name].mean) for m in modes]
            for m in modes[1:]:
                d = differences[m].get(name)
                row += [fmt(d.mean) if d else "-", _ci(d) if d else ""]
            rows.append(row)
    return _render(header, rows, sections)


SUMMARY_KPIS = (
    ("cost.operator_yuan_per_day", "operator cost, yuan/day"),
    ("cost.vehicle_km_per_day", "vehicle-km per day"),
    ("cost.co2_kg_per_day", "CO2, kg/day"),
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
        is_share = "share" in name or "coverage" in name
        if is_share:
            rel = f" ({100 * d.mean:+.1f} pts)"
        elif not math.isnan(b.mean) and abs(b.mean) > 1e-9:
            rel = f" ({d.mean / b.mean:+.0%})"
        else:
            rel = ""
        ci = f"  {_ci(d)}" if _ci(d) else ""
        lines.append(
            f"  {label:<{width}}  {fmt(b.mean):>9} -> {fmt(estimates[mode][name].mean):>9}"
            f"  {'+' if d.mean >= 0 else ''}{fmt(d.mean)}{rel}{ci}"
        )
    return "\n".join(lines)
