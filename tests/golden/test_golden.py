"""The recorded KPIs of three scenarios are reproduced exactly (see ``cases.py``).

A restructuring must leave every KPI of every seed bit-identical; a commit that changes
results on purpose re-records the files with ``record.py`` and says why.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent))

from cases import CASES, MODES, SAMPLE_FEED, golden_path, record  # noqa: E402


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("case", list(CASES))
def test_kpis_reproduce_the_golden_files(case, mode, tmp_path):
    if case == "gtfs" and not SAMPLE_FEED.is_file():
        pytest.skip(f"shared data not found at {SAMPLE_FEED}")
    want = json.loads(golden_path(case, mode).read_text())
    got = json.loads(json.dumps(record(case, mode, tmp_path)))
    for w, g in zip(want["runs"], got["runs"], strict=True):
        assert g["seed"] == w["seed"]
        changed = {
            k: (w["kpis"].get(k), g["kpis"].get(k))
            for k in w["kpis"].keys() | g["kpis"].keys()
            if w["kpis"].get(k) != g["kpis"].get(k)
        }
        assert not changed, f"{case}/{mode} seed {w['seed']}: KPIs changed (golden, now): {changed}"
        assert g["items_by_status"] == w["items_by_status"]
        assert g["trips"] == w["trips"]
