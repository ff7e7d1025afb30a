"""``report.html``: the page a planner hands on, one self-contained file.

A run, a comparison and a ladder are all *groups* of runs on the same seeds (one mode,
several modes, the ladder's levels): :func:`runs_report` lays out the same page for each.
:func:`sweep_report` is the page of a sweep. Figures (:mod:`sim.report.charts`, the maps)
are embedded as inline SVG with text kept as text; the page is rendered from the Jinja2
template ``templates/report.html.j2`` and fetches nothing, so it opens offline and prints
on A4 (its print stylesheet).
"""

from __future__ import annotations

import datetime as dt
import io
import json
import math
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from sim.kpi import Estimate, paired_difference, summarize
from sim.records import RunRecord
from sim.report import charts
from sim.report.fonts import report_style
from sim.report.report_data import CO2_KPI, daily_series, flow_co2_estimates
from sim.report.tables import SECTION_TITLES, SUMMARY_KPIS, fmt
from sim.report.villages import VILLAGE_COLUMNS, villages_over_runs
from sim.version import __version__

if TYPE_CHECKING:
    import pandas as pd
    from matplotlib.figure import Figure

TEMPLATE = "report.html.j2"
HEADLINE_KPIS = (
    ("cost.operator_yuan_per_day", "operator cost, yuan/day"),
    ("cost.yuan_per_item", "operator cost per item, yuan"),
    ("cost.co2_kg_per_day", "CO2, kg/day"),
    ("cost.vehicle_km_per_day", "vehicle-km per day"),
    ("last_km.village_coverage", "last-km village coverage"),
    ("last_km.on_time_share", "last-km on-time share"),
    ("last_km.lead_time_h_p90", "last-km lead time p90, hours"),
    ("first_km.fresh_share", "produce fresh share"),
    ("supply.fill_share", "supply fill share"),
)
FLOW_LABELS = (
    ("parcel_in", "inbound parcels"),
    ("parcel_out", "outbound parcels"),
    ("supply", "supply cases"),
    ("produce", "produce lots"),
)
UTILISATION_KPIS = (
    ("cost.van_utilisation", "vans (peak load)"),
    ("cost.trunk_utilisation", "trunks (peak load)"),
    ("bus.utilisation", "bus cargo space"),
    ("cost.vehicle_use_share", "owned vehicle-days driven"),
)
SWEEP_COST_KPI = "cost.operator_yuan_per_day"
SWEEP_COVERAGE_KPI = "last_km.village_coverage"
_XML_PROLOGUE = re.compile(r"^.*?(?=<svg)", re.DOTALL)


class RunOutput(Protocol):
    """One run as the report reads it (a :class:`sim.Result` is one)."""

    seed: int
    kpis: Mapping[str, float]
    record: RunRecord


@dataclass
class Table:
    """A table of the page: ``rows`` are ``{"cells": [...]}`` or ``{"section": title}``."""

    caption: str
    header: list[str]
    rows: list[dict[str, Any]]
    text_columns: tuple[int, ...] = (0,)


@dataclass
class Section:
    """A section of the page: figures (SVG markup and caption), tables, preformatted text."""

    id: str
    title: str
    intro: str = ""
    figures: list[dict[str, str]] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    text: str = ""

    def add_figure(self, fig: Figure, caption: str) -> None:
        self.figures.append({"svg": svg_markup(fig), "caption": caption})


def svg_markup(fig: Figure) -> str:
    """The figure as an inline ``<svg>`` element (text as text, no date), and closes it."""
    import matplotlib.pyplot as plt

    buffer = io.StringIO()
    with report_style():
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    plt.close(fig)
    return _XML_PROLOGUE.sub("", buffer.getvalue(), count=1)


def map_figures(result: RunOutput) -> list[tuple[Figure, str]]:
    """The maps of one run with their captions: the only place the page gets maps from.

    The county map (:func:`sim.report.maps.county_map`); in separate mode also one panel
    per operator on the same extent (:func:`sim.report.maps.operator_maps`)."""
    from sim.report.maps import county_map, operator_maps

    rec = result.record
    where = f"{rec.scenario.mode} mode, seed {result.seed}"
    maps = [
        (
            county_map(rec),
            f"{where}: villages coloured by the share of parcels delivered in the village "
            "(ringed: covered), the first measured day's trips along their roads",
        )
    ]
    if rec.scenario.mode == "separate":
        maps.append((operator_maps(rec), f"{where}: each operator's trips of that day, on the same extent"))
    return maps


def render_page(title: str, subtitle: str, sections: Sequence[Section]) -> str:
    """The page from the template: ``title``, a line under it, the sections in order."""
    import jinja2

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("sim.report", "templates"),
        autoescape=jinja2.select_autoescape(["html", "j2"]),
        undefined=jinja2.StrictUndefined,
    )
    return env.get_template(TEMPLATE).render(
        title=title,
        subtitle=subtitle,
        sections=sections,
        figure_count=sum(len(s.figures) for s in sections),
        version=__version__,
        written=dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    )


def _cell(e: Estimate | None, name: str) -> str:
    """``mean ± half-width`` as the terminal tables write it."""
    if e is None or math.isnan(e.mean):
        return "-"
    if e.n < 2 or math.isnan(e.half_width):
        return fmt(e.mean, name)
    return f"{fmt(e.mean, name)} ± {fmt(e.half_width, name)}"


def kpi_rows(
    names: Sequence[tuple[str, str]],
    estimates: Mapping[str, Mapping[str, Estimate]],
    differences: Mapping[str, Mapping[str, Estimate]],
    *,
    sections: bool = False,
) -> list[dict[str, Any]]:
    """Rows of a KPI table: label, each group's estimate, each difference to the first group."""
    rows: list[dict[str, Any]] = []
    last_section = None
    for name, label in names:
        section = name.split(".")[0]
        if sections and section != last_section:
            rows.append({"section": SECTION_TITLES.get(section, section)})
            last_section = section
        cells = [label] + [_cell(est.get(name), name) for est in estimates.values()]
        cells += [_cell(diff.get(name), name) for diff in differences.values()]
        rows.append({"cells": cells})
    return rows


def _kpi_section(estimates, differences) -> Section:
    groups = list(estimates)
    header = ["KPI", *groups, *(f"{g} - {groups[0]}" for g in differences)]
    present = set().union(*(e.keys() for e in estimates.values()))
    headline = [(k, label) for k, label in SUMMARY_KPIS if k in present]
    every = [(k, k.split(".", 1)[-1]) for k in dict.fromkeys(k for e in estimates.values() for k in e)]
    section = Section("kpis", "Headline KPIs", intro="Mean ± half-width of the 95 % interval.")
    section.tables.append(Table("Headline KPIs", header, kpi_rows(headline, estimates, differences)))
    section.add_figure(
        charts.kpi_bars(estimates, HEADLINE_KPIS),
        "Headline KPIs, one bar per "
        + ("group" if len(groups) > 1 else "run set")
        + " (error bars: 95 % CI)",
    )
    every_section = Section("all-kpis", "Every KPI")
    every_section.tables.append(
        Table("Every KPI", header, kpi_rows(every, estimates, differences, sections=True))
    )
    return section, every_section


def _flow_section(groups: Mapping[str, Sequence[RunOutput]], estimates) -> Section:
    section = Section("flows", "Cost and CO2 per flow")
    cost = [(f"cost.{f}_yuan_per_item", label) for f, label in FLOW_LABELS]
    section.add_figure(
        charts.grouped_bars(estimates, cost, ylabel="yuan per item"),
        "Operator cost per item of each flow (shared by the scenario's kpi.cost_driver), 95 % CI",
    )
    co2 = {g: flow_co2_estimates([r.record for r in runs]) for g, runs in groups.items()}
    keys = [(CO2_KPI.format(flow=f), label) for f, label in FLOW_LABELS]
    section.add_figure(
        charts.grouped_bars(co2, keys, ylabel="kg CO2 per day"),
        "Each flow's share of the trips' CO2 per day (shared like cost), 95 % CI",
    )
    return section


def _operations_section(groups: Mapping[str, Sequence[RunOutput]], estimates) -> Section:
    section = Section("days", "Day by day, fleets and buses")
    series = {g: daily_series([r.record for r in runs]) for g, runs in groups.items()}
    section.add_figure(charts.daily_lines(series), "Measured days, mean over the replications")
    section.add_figure(
        charts.grouped_bars(estimates, UTILISATION_KPIS, ylabel="share"),
        "Fleet and bus utilisation, 95 % CI",
    )
    return section


def _maps_section(groups: Mapping[str, Sequence[RunOutput]]) -> Section:
    section = Section("maps", "Maps", intro="The first replication of each group.")
    for runs in groups.values():
        for fig, caption in map_figures(runs[0]):
            section.add_figure(fig, caption)
    return section


def village_tables(groups: Mapping[str, Sequence[RunOutput]]) -> dict[str, pd.DataFrame]:
    """Per group, the per-village table over its runs (:func:`villages_over_runs`)."""
    return {g: villages_over_runs([r.record for r in runs]) for g, runs in groups.items()}


def _villages_section(tables: Mapping[str, pd.DataFrame]) -> Section:
    section = Section("villages", "Villages", intro="Also written as villages.csv (per day: measured days).")
    for group, table in tables.items():
        rows = [
            {
                "cells": [
                    v if isinstance(v, str) else fmt(v, c) for c, v in zip(VILLAGE_COLUMNS, row, strict=True)
                ]
            }
            for row in table.itertuples(index=False)
        ]
        text = (0, 1, len(VILLAGE_COLUMNS) - 1)
        section.tables.append(Table(group, list(VILLAGE_COLUMNS), rows, text_columns=text))
    return section


def _flat(data: Mapping[str, Any], prefix: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, value in data.items():
        if isinstance(value, Mapping):
            out.update(_flat(value, f"{prefix}{key}."))
        else:
            out[f"{prefix}{key}"] = value
    return out


def settings_section(groups: Mapping[str, Sequence[RunOutput]]) -> Section:
    """The exact settings of the first group's scenario, and what each other group changes."""
    dumps = {g: runs[0].record.scenario.model_dump(mode="json") for g, runs in groups.items()}
    first, *others = dumps
    seeds = ", ".join(str(r.seed) for r in groups[first])
    section = Section("settings", "Scenario settings", intro=f"As run ({first}); seeds {seeds}.")
    section.text = json.dumps(dumps[first], indent=2, ensure_ascii=False)
    base = _flat(dumps[first])
    for g in others:
        changed = {k: v for k, v in _flat(dumps[g]).items() if base.get(k) != v}
        lines = [f"{k} = {json.dumps(v, ensure_ascii=False)}" for k, v in changed.items()]
        section.text += f"\n\n# {g} changes:\n" + ("\n".join(lines) or "(nothing)")
    return section


def runs_report(
    title: str, groups: Mapping[str, Sequence[RunOutput]], villages: Mapping[str, pd.DataFrame] | None = None
) -> str:
    """The page of a run (one group), a comparison (one group per mode, differences to the
    first) or a ladder (one group per level); ``villages`` as :func:`village_tables` gives them."""
    with report_style():
        estimates = {g: summarize([r.kpis for r in runs]) for g, runs in groups.items()}
        names = list(groups)
        differences = {
            g: paired_difference([r.kpis for r in groups[names[0]]], [r.kpis for r in groups[g]])
            for g in names[1:]
        }
        headline, every = _kpi_section(estimates, differences)
        sections = [
            headline,
            _flow_section(groups, estimates),
            _operations_section(groups, estimates),
            _maps_section(groups),
            _villages_section(villages if villages is not None else village_tables(groups)),
            every,
            settings_section(groups),
        ]
    first = next(iter(groups.values()))
    s = first[0].record.scenario
    subtitle = (
        f"{s.name}: {', '.join(names)}; {s.days} days ({s.warmup_days} warm-up), "
        f"{len(first)} replication(s) per group"
    )
    return render_page(title, subtitle, sections)


def sweep_report(
    name: str,
    summary: pd.DataFrame,
    parameters: Sequence[str],
    kpis: Sequence[str],
    analyses: Sequence[Section] = (),
) -> str:
    """The page of a sweep: each KPI against each parameter with 95 % bands, the cost
    against coverage trade-off with its Pareto front, the sections of ``analyses``
    (``ruralsim sweep-analyze``: :func:`sim.analysis.report.analysis_section`), and the
    per-point table."""
    with report_style():
        panels = Section("sweep", "KPIs against the parameters")
        panels.add_figure(
            charts.sweep_panels(summary, parameters, kpis),
            "Mean per point; band and bars: 95 % CI over replications",
        )
        sections = [panels]
        if {f"{SWEEP_COST_KPI}.mean", f"{SWEEP_COVERAGE_KPI}.mean"} <= set(summary.columns):
            trade = Section("tradeoff", "Cost against coverage")
            trade.add_figure(
                charts.tradeoff_figure(summary, SWEEP_COST_KPI, SWEEP_COVERAGE_KPI),
                "Ringed: the Pareto front (no other point is cheaper and covers as many villages)",
            )
            sections.append(trade)
        sections.extend(analyses)
        header = ["point", *parameters, "runs", *kpis]
        rows = [
            {
                "cells": [
                    str(row["point"]),
                    *(str(row[p]) if not isinstance(row[p], float) else fmt(row[p], p) for p in parameters),
                    str(row["done"]),
                    *(_cell(_row_estimate(row, k), k) for k in kpis),
                ]
            }
            for row in summary.to_dict("records")
        ]
        points = Section("points", "Points")
        points.tables.append(Table("per point", header, rows))
        sections.append(points)
    return render_page(
        f"Sweep {name}", f"{len(summary)} point(s); parameters {', '.join(parameters)}", sections
    )


def _row_estimate(row: Mapping[str, Any], kpi: str) -> Estimate:
    half = row[f"{kpi}.ci95"]
    return Estimate(row[f"{kpi}.mean"], half, 1 if math.isnan(half) else 2)


def write_sweep_report(
    target: str | Path,
    name: str,
    summary: pd.DataFrame,
    parameters: Sequence[str],
    kpis: Sequence[str],
    *,
    option: str | None = None,
    analyses: Sequence[Section] = (),
) -> Path:
    """Write :func:`sweep_report` to ``target`` whole or not at all; a path that cannot be
    written is a :class:`~sim.scenario.ScenarioError` naming it (and ``option``)."""
    from sim.atomic import write_text
    from sim.scenario import ScenarioError

    target = Path(target)
    if target.is_dir():
        raise ScenarioError(
            "cannot write the report: it is a folder", path=target, field=option, expected="a file name"
        )
    page = sweep_report(name, summary, parameters, kpis, analyses)
    try:
        write_text(target, page)
    except OSError as exc:
        raise ScenarioError(
            "cannot write the report",
            path=target,
            field=option,
            expected="a file in a folder that can be created and written",
            found=exc.strerror or str(exc),
        ) from None
    return target
