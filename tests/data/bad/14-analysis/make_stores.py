"""Write the stores the cases of this folder read (run from the repository's root):

    python tests/data/bad/14-analysis/make_stores.py

Each is a sweep of the tiny county run with a test model (tests/analysis/models.py) in
place of the simulation, so it takes a second: ``saltelli.db`` (4 base samples, too few
for Sobol indices), ``lhs.db`` (a space-filling design: not for Sobol indices) and
``no_design.db`` (saltelli.db with its sweep definition emptied: no design metadata).
"""

from __future__ import annotations

import shutil
import sqlite3
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[3]
sys.path.insert(0, str(ROOT / "tests" / "analysis"))

import models  # noqa: E402

import sim  # noqa: E402


def _sweep(design: str, samples: int, target: Path) -> None:
    target.unlink(missing_ok=True)
    spec = {
        "scenario": sim.load(ROOT / "scenarios" / "tiny_county.toml"),
        "design": design,
        "samples": samples,
        "replications": 1,
        "parameters": {k: {"min": lo, "max": hi} for k, (lo, hi) in models.ISHIGAMI_FIELDS.items()},
    }
    sim.sweep(spec, workers=1, db=target, model=models.ishigami)
    db = sqlite3.connect(target)
    db.execute("PRAGMA journal_mode = DELETE")  # one file, no -wal beside it
    db.close()


if __name__ == "__main__":
    _sweep("saltelli", 4, HERE / "saltelli.db")
    _sweep("lhs", 32, HERE / "lhs.db")
    shutil.copyfile(HERE / "saltelli.db", HERE / "no_design.db")
    db = sqlite3.connect(HERE / "no_design.db")
    db.execute("UPDATE sweeps SET definition = '{}'")
    db.commit()
    db.close()
