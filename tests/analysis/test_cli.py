"""``ruralsim sweep-analyze``: prints, writes CSV / JSON / PNG and the report section; the extra."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

import sim
from sim.analysis import extras
from sim.cli import main


def test_sweep_analyze_writes_what_it_prints(ishigami_store, tmp_path, capsys):
    db = tmp_path / "ishigami.sqlite"
    shutil.copyfile(ishigami_store, db)
    code = main(["sweep-analyze", str(db), "--method", "sobol", "--kpi", "ishigami", "--resamples", "200"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert "sobol analysis of sweep" in out and "S1_ci95" in out
    assert "fewer than 3 replications" in err  # warnings go to stderr
    folder = tmp_path / "ishigami-analysis"
    table = pd.read_csv(folder / "sobol.csv")
    python = sim.analyze(db, method="sobol", kpis=["ishigami"], resamples=200).to_frame()
    pd.testing.assert_frame_equal(table, python, check_dtype=False)  # one code path
    data = json.loads((folder / "sobol.json").read_text())
    assert data["design"] == "saltelli" and len(data["findings"]) == 3
    assert {p.name for p in folder.glob("*.png")} == {"sobol-indices.png", "sobol-parameters.png"}
    page = (tmp_path / "ishigami-report.html").read_text()
    assert "Analysis: sobol" in page and "<svg" in page


def test_a_missing_extra_names_it_and_exits_2(ishigami_store, monkeypatch, capsys):
    def missing(name, *args):
        raise ImportError(f"No module named {name.split('.')[0]!r}")

    monkeypatch.setattr(extras.importlib, "import_module", missing)
    with pytest.raises(sim.ScenarioError, match=r"ruralsim\[analysis\]"):
        sim.analyze(ishigami_store, method="sobol", kpis=["ishigami"])
    code = main(["sweep-analyze", str(ishigami_store), "--method", "importance", "--no-figures"])
    assert code == 2
    assert "pip install 'ruralsim[analysis]'" in capsys.readouterr().err
