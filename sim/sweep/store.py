"""The results store: one SQLite file (WAL mode), one row per run.

Only the client (the process that submits runs) writes, and it commits every
finished run in a transaction of its own, so a crash or a kill at any moment
loses no finished run and leaves no half-written row. The primary key
(sweep, point, replication) makes a duplicate impossible: writing a run again
replaces a failed row and never touches a done one.

Tables:

- ``sweeps``: one row per sweep definition (its key, name, parameters, the
  definition as JSON);
- ``runs``: the point's parameter values and the KPIs as JSON, the
  replication, seed, status (``done`` / ``failed``), error text, wall time,
  ruralsim version and scenario hash;
- ``results``: a view with one column per parameter and per KPI, for SQL users.
  :meth:`Store.runs` gives the same as a tidy pandas DataFrame.
"""

from __future__ import annotations

import json
import math
import sqlite3
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.scenario import ScenarioError

DONE, FAILED = "done", "failed"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS sweeps (
    sweep TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT,
    parameters TEXT NOT NULL,
    definition TEXT NOT NULL,
    created REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS runs (
    sweep TEXT NOT NULL REFERENCES sweeps (sweep),
    point INTEGER NOT NULL,
    replication INTEGER NOT NULL,
    seed INTEGER NOT NULL,
    params TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
    error TEXT,
    kpis TEXT,
    wall_s REAL,
    version TEXT NOT NULL,
    scenario_hash TEXT,
    worker TEXT,
    attempts INTEGER NOT NULL DEFAULT 1,
    finished REAL NOT NULL,
    PRIMARY KEY (sweep, point, replication)
);
CREATE TABLE IF NOT EXISTS columns (kind TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (kind, name));
"""

_UPSERT = """
INSERT INTO runs (sweep, point, replication, seed, params, status, error, kpis, wall_s,
                  version, scenario_hash, worker, finished)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (sweep, point, replication) DO UPDATE SET
    seed = excluded.seed, params = excluded.params, status = excluded.status,
    error = excluded.error, kpis = excluded.kpis, wall_s = excluded.wall_s,
    version = excluded.version, scenario_hash = excluded.scenario_hash,
    worker = excluded.worker, finished = excluded.finished, attempts = runs.attempts + 1
WHERE runs.status <> 'done'
"""

RUN_COLUMNS = ("sweep", "point", "replication", "seed", "status")
TAIL_COLUMNS = ("error", "wall_s", "worker", "attempts", "scenario_hash", "version")


@dataclass(frozen=True)
class RunRecord:
    """One finished run, as the store keeps it."""

    sweep: str
    point: int
    replication: int
    seed: int
    params: Mapping[str, Any]
    status: str
    kpis: Mapping[str, float] | None = None
    error: str | None = None
    wall_s: float | None = None
    version: str = ""
    scenario_hash: str | None = None
    worker: str | None = None


class Store:
    """A sweep results file. Use as a context manager, or call :meth:`close`.

    ``path`` may be ``":memory:"`` for a throw-away store (no resuming).
    """

    def __init__(self, path: str | Path) -> None:
        self.path = str(path)
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            self._db.execute("PRAGMA journal_mode = WAL")
            # FULL: a committed run survives a power cut too, not only a killed process.
            self._db.execute("PRAGMA synchronous = FULL")
            self._db.executescript(_SCHEMA)
            self._columns = {
                (kind, name): None
                for kind, name in self._db.execute("SELECT kind, name FROM columns ORDER BY rowid")
            }
        except sqlite3.DatabaseError as exc:
            raise ScenarioError(
                "cannot open the results store", path=self.path, expected="an SQLite file", found=str(exc)
            ) from None

    @classmethod
    def open_existing(cls, path: str | Path) -> Store:
        """Open a store that must already exist (for summaries); else ScenarioError."""
        if not Path(path).is_file():
            raise ScenarioError(
                "no such results store", path=path, expected="an SQLite file written by ruralsim sweep"
            )
        return cls(path)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        self._db.close()

    def register(
        self, sweep: str, name: str, source: str | None, parameters: list[str], definition: Any
    ) -> None:
        """Record a sweep definition (once per key)."""
        with _transaction(self._db):
            self._db.execute(
                "INSERT OR IGNORE INTO sweeps VALUES (?, ?, ?, ?, ?, ?)",
                (sweep, name, source, json.dumps(parameters), json.dumps(definition), time.time()),
            )
            self._add_columns("param", parameters)

    def done(self, sweep: str) -> set[tuple[int, int]]:
        """(point, replication) of the runs of ``sweep`` that are done."""
        rows = self._db.execute(
            "SELECT point, replication FROM runs WHERE sweep = ? AND status = 'done'", (sweep,)
        )
        return {(p, r) for p, r in rows}

    def record(self, run: RunRecord) -> None:
        """Write one finished run in its own transaction; a done row is never replaced."""
        kpis = None if run.kpis is None else json.dumps(_finite(run.kpis), allow_nan=False)
        with _transaction(self._db):
            self._db.execute(
                _UPSERT,
                (
                    run.sweep,
                    run.point,
                    run.replication,
                    run.seed,
                    json.dumps(dict(run.params)),
                    run.status,
                    run.error,
                    kpis,
                    run.wall_s,
                    run.version,
                    run.scenario_hash,
                    run.worker,
                    time.time(),
                ),
            )
            if run.kpis:
                self._add_columns("kpi", run.kpis)

    def _add_columns(self, kind: str, names: Iterable[str]) -> None:
        new = [(kind, n) for n in names if (kind, n) not in self._columns]
        if not new:
            return
        self._db.executemany("INSERT OR IGNORE INTO columns VALUES (?, ?)", new)
        self._columns.update(dict.fromkeys(new))
        self._db.execute("DROP VIEW IF EXISTS results")
        ordered = sorted(self._columns, key=lambda c: c[0] != "param")  # parameters, then KPIs
        self._db.execute(_results_view(ordered))

    def sweeps(self) -> pd.DataFrame:
        """The sweeps in this store, oldest first, with their run counts."""
        return pd.read_sql_query(
            "SELECT s.sweep, s.name, s.source, s.created, "
            "SUM(r.status = 'done') AS done, SUM(r.status = 'failed') AS failed "
            "FROM sweeps s LEFT JOIN runs r ON r.sweep = s.sweep GROUP BY s.sweep ORDER BY s.created",
            self._db,
        )

    def parameters(self, sweep: str) -> list[str]:
        row = self._db.execute("SELECT parameters FROM sweeps WHERE sweep = ?", (sweep,)).fetchone()
        return json.loads(row[0]) if row else []

    def definition(self, sweep: str) -> dict[str, Any]:
        row = self._db.execute("SELECT definition FROM sweeps WHERE sweep = ?", (sweep,)).fetchone()
        return json.loads(row[0]) if row else {}

    def runs(self, sweep: str | None = None) -> pd.DataFrame:
        """Tidy table, one row per run: ids, seed, parameters, status, KPIs, then the rest."""
        query = (
            "SELECT sweep, point, replication, seed, params, status, kpis, error, wall_s, worker, "
            "attempts, scenario_hash, version FROM runs"
        )
        args: tuple = ()
        if sweep is not None:
            query, args = query + " WHERE sweep = ?", (sweep,)
        rows = self._db.execute(query + " ORDER BY sweep, point, replication", args).fetchall()
        names = self.parameters(sweep) if sweep is not None else []
        records, kpi_names = [], []
        seen: set[str] = set()
        for row in rows:
            params, kpis = json.loads(row[4]), json.loads(row[6]) if row[6] else {}
            for n in params:
                if n not in names:
                    names.append(n)
            for n in kpis:
                if n not in seen:
                    seen.add(n)
                    kpi_names.append(n)
            record = dict(zip(RUN_COLUMNS, (row[0], row[1], row[2], row[3], row[5]), strict=True))
            record.update({f"param:{k}": v for k, v in params.items()})
            record.update({f"kpi:{k}": math.nan if v is None else v for k, v in kpis.items()})
            record.update(zip(TAIL_COLUMNS, row[7:], strict=True))
            records.append(record)
        columns = [
            *RUN_COLUMNS,
            *(f"param:{n}" for n in names),
            *(f"kpi:{n}" for n in kpi_names),
            *TAIL_COLUMNS,
        ]
        frame = pd.DataFrame.from_records(records, columns=columns)
        frame = frame.rename(columns=lambda c: c.split(":", 1)[1] if ":" in c else c)
        for n in kpi_names:
            frame[n] = frame[n].astype(float)
        return frame


def _finite(kpis: Mapping[str, float]) -> dict[str, float | None]:
    """NaN and infinities become JSON null (read back as NaN)."""
    return {k: (float(v) if math.isfinite(float(v)) else None) for k, v in kpis.items()}


def _quote(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _results_view(columns: list[tuple[str, str]]) -> str:
    """A view with one column per parameter and per KPI, extracted from the JSON."""
    select = ["sweep", "point", "replication", "seed", "status"]
    for kind, name in columns:
        source = "params" if kind == "param" else "kpis"
        key = name.replace("\\", "\\\\").replace('"', '\\"')
        select.append(f"json_extract({source}, {_literal(f'$.{chr(34)}{key}{chr(34)}')}) AS {_quote(name)}")
    select += ["error", "wall_s", "version", "scenario_hash", "worker", "attempts", "finished"]
    return f"CREATE VIEW results AS SELECT {', '.join(select)} FROM runs"


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


class _transaction:
    """BEGIN IMMEDIATE ... COMMIT, rolled back on any exception (Ctrl-C included)."""

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db

    def __enter__(self) -> None:
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, kind: object, *rest: object) -> None:
        self.db.execute("ROLLBACK" if kind is not None else "COMMIT")
