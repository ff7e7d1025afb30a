"""Write the figures of docs/validation.md: the model beside the effects DOMAIN.md reports.

Runs the integration ladder of a scenario (default the built-in Lishui one) on common
seeds, measures every effect of :func:`sim.api.validation.effects`, and replaces the two
generated tables of ``docs/validation.md`` (between ``<!-- generated: NAME -->`` and
``<!-- end: NAME -->``); the prose around them is written by hand::

    python benchmarks/validation.py [--scenario FILE] [--replications 5] [--days 28]
    python benchmarks/validation.py --print      # print the tables, write nothing
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import sim
from sim.api.validation import Effect, effects

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "validation.md"
LADDER_KPIS = (
    ("cost.operator_yuan_per_day", "operator cost, yuan/day", "{:,.0f}"),
    ("cost.yuan_per_item", "cost per item, yuan", "{:.2f}"),
    ("cost.parcel_in_yuan_per_item", "cost per inbound parcel, yuan", "{:.2f}"),
    ("cost.vehicle_km_per_day", "vehicle-km/day", "{:,.0f}"),
    ("last_km.lead_time_h_p50", "lead time p50, h", "{:.1f}"),
    ("last_km.village_coverage", "last-km village coverage", "{:.3f}"),
    ("social.villager_km_per_day", "villagers' km/day", "{:,.0f}"),
)


def _value(x: float, unit: str) -> str:
    if unit == "change":
        return f"{100 * x:+.1f} %"
    if unit == "share":
        return f"{x:.3f}"
    return f"{x:.1f} {unit}"


def _half_width(e: Effect) -> str:
    hw = e.model.half_width
    return (
        f"± {100 * hw:.1f} pts"
        if e.unit == "change"
        else f"± {hw:.3f}"
        if e.unit == "share"
        else f"± {hw:.1f}"
    )


def effects_table(found: list[Effect]) -> str:
    """The validation table: reported range, model mean and 95 % interval, inside or not."""
    lines = [
        "| effect | reported | range used | model: mean, 95 % CI | inside? |",
        "| --- | --- | --- | --- | --- |",
    ]
    for e in found:
        span = f"{_value(e.low, e.unit)} to {_value(e.high, e.unit)}"
        model = f"{_value(e.model.mean, e.unit)} {_half_width(e)}"
        lines.append(f"| `{e.name}` | {e.claim} | {span} | {model} | {'yes' if e.inside else '**no**'} |")
    return "\n".join(lines)


def measures_list(found: list[Effect]) -> str:
    """How each figure is taken, one line per effect."""
    return "\n".join(f"- `{e.name}`: {e.measure} ({e.source})." for e in found)


def ladder_table(ladder: sim.Ladder) -> str:
    """Each level's mean of the headline KPIs, in ladder order."""
    est = ladder.summarize()
    head = "| level | " + " | ".join(label for _, label, _ in LADDER_KPIS) + " |"
    lines = [head, "| --- |" + " --- |" * len(LADDER_KPIS)]
    for lv in ladder.levels:
        cells = [fmt.format(est[lv.name][k].mean) if k in est[lv.name] else "-" for k, _, fmt in LADDER_KPIS]
        lines.append(f"| {lv.label} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def replace_block(text: str, name: str, body: str) -> str:
    """``text`` with the generated block ``name`` replaced by ``body``."""
    pattern = re.compile(rf"(<!-- generated: {name} -->\n).*?(\n<!-- end: {name} -->)", re.S)
    if not pattern.search(text):
        raise SystemExit(f"{DOC}: no block <!-- generated: {name} --> ... <!-- end: {name} -->")
    return pattern.sub(lambda m: m.group(1) + body + m.group(2), text)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scenario", type=Path, default=ROOT / "scenarios" / "lishui.toml")
    parser.add_argument("--replications", type=int, default=5)
    parser.add_argument("--days", type=int, default=None, help="default: the scenario's")
    parser.add_argument("--print", action="store_true", help="print the tables, write nothing")
    args = parser.parse_args(argv)
    scenario = sim.load(args.scenario)
    if args.days is not None:
        scenario = sim.derive(scenario, {"days": args.days})
    ladder = sim.ladder(scenario, args.replications)
    setting = (
        f"{scenario.name}, {scenario.days} days ({scenario.warmup_days} warm-up), "
        f"{args.replications} replications on seeds {list(ladder.seeds)}, ruralsim {sim.__version__}"
    )
    found = effects(ladder)
    tables = {
        "effects": f"_{setting}._\n\n" + effects_table(found) + "\n\n" + measures_list(found),
        "ladder": f"_{setting}._\n\n" + ladder_table(ladder),
    }
    if args.print:
        print("\n\n".join(tables.values()))
        return 0
    text = DOC.read_text(encoding="utf-8")
    for name, body in tables.items():
        text = replace_block(text, name, body)
    DOC.write_text(text, encoding="utf-8")
    print(f"wrote {DOC}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
