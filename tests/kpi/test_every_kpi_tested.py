"""Every KPI a real run reports is named in a test of tests/kpi: a new KPI without a test fails."""

from __future__ import annotations

from pathlib import Path

import sim
from sim.report.tables import SECTION_TITLES

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[1]


def test_every_kpi_of_a_short_run_is_named_in_a_kpi_test():
    scenario = sim.derive(sim.load(ROOT / "scenarios" / "lishui.toml"), {"days": 2, "warmup_days": 1})
    names = sorted(sim.run(scenario, 1).kpis)
    tests = [p for p in sorted(HERE.glob("test_*.py")) if p.name != Path(__file__).name]
    sources = "\n".join(p.read_text(encoding="utf-8") for p in tests)
    missing = [n for n in names if f'"{n}"' not in sources]
    sections = {n.split(".", 1)[0] for n in names}  # DESIGN.md's sections, each with KPIs
    assert sections == {"last_km", "first_km", "supply", "finance", "bus", "cost", "social", "peak"}
    assert sections <= set(SECTION_TITLES), "every section has a title in the KPI table"
    assert not missing, f"KPIs without a test in tests/kpi: {missing}"
