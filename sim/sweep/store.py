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
  :meth:`Store.runs` gives the same as a tidy pandas DataFrame;
- ``ruralsim_store``: the marker, one row (format version, created, ruralsim version).

The store is its own file. Before anything is written, an existing file is read
(read-only) and must be a ruralsim store: a file that is not SQLite, or an SQLite
database with tables of its own and no marker, is refused (a ScenarioError naming
the file), so no foreign database gets tables, a view or WAL mode. A store written
before the marker existed (the ``sweeps`` and ``runs`` tables, no marker) is
format 1: it is read as it is and gets its marker at its first write. A new file is
created only when the first run is written, so a sweep that fails before its first
run leaves no file behind. ``Store(path, read_only=True)`` (``sweep-summary``) opens
the file with a ``mode=ro`` URI, and ``immutable=1`` where even that cannot work
(read-only media, where SQLite cannot create the WAL index).
"""

from __future__ import annotations

import contextlib
import json
import math
import sqlite3
import time
import urllib.parse
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from sim.scenario import ScenarioError
from sim.version import __version__

DONE, FAILED = "done", "failed"

#: The store's format; a store of a later format is refused, an earlier one migrated.
FORMAT_VERSION = 1
MARKER_TABLE = "ruralsim_store"
#: Columns of ``runs`` that tell a store written before the marker from a foreign table.
_INTACT = "an intact SQLite file written by ruralsim sweep"
_LEGACY_RUN_COLUMNS = {"sweep", "point", "replication", "seed", "params", "status", "kpis"}

_SCHEMA = (
    """
CREATE TABLE IF NOT EXISTS sweeps (
    sweep TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    source TEXT,
    parameters TEXT NOT NULL,
    definition TEXT NOT NULL,
    created REAL NOT NULL
)""",
    """
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
)""",
    "CREATE TABLE IF NOT EXISTS columns (kind TEXT NOT NULL, name TEXT NOT NULL, PRIMARY KEY (kind, name))",
    f"CREATE TABLE IF NOT EXISTS {MARKER_TABLE} "
    "(format_version INTEGER NOT NULL, created REAL NOT NULL, ruralsim_version TEXT NOT NULL)",
)

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

    ``path`` may be ``":memory:"`` for a throw-away store (no resuming). An
    existing file must be a ruralsim store (else ScenarioError, nothing written); a
    new file is created at the first write. ``read_only=True`` never writes: the
    file must exist and be a store (see the module's docstring).
    """

    def __init__(self, path: str | Path, *, read_only: bool = False) -> None:
        self.path = str(path)
        self.read_only = read_only
        self._db: sqlite3.Connection | None = None  # the writer, opened when needed
        self._reader: sqlite3.Connection | None = None  # read-only, or an empty stand-in
        self._pending: list[tuple[str, str, str | None, list[str], Any]] = []
        self._columns: dict[tuple[str, str], None] = {}
        if self.path == ":memory:":
            self._db = self._open_writer()
        elif read_only:
            self._reader = _open_read_only(self.path)
        elif _has_content(self.path):
            _open_read_only(self.path).close()  # checked before anything is written
            self._db = self._open_writer()
        with self._located("cannot read the results store"):
            db = self._read()
            if _tables(db) >= {"columns"}:
                self._columns = dict.fromkeys(db.execute("SELECT kind, name FROM columns ORDER BY rowid"))

    @classmethod
    def open_existing(cls, path: str | Path) -> Store:
        """Open a store that must already exist, read-only (for summaries); else ScenarioError."""
        return cls(path, read_only=True)

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        for db in (self._db, self._reader):
            if db is not None:
                db.close()
        self._db = self._reader = None

    def _read(self) -> sqlite3.Connection:
        """The connection to read from: the writer, the read-only one, or an empty store."""
        if self._db is not None:
            return self._db
        if self._reader is None:  # nothing written yet: an empty store, in memory
            self._reader = sqlite3.connect(":memory:", isolation_level=None)
            for statement in _SCHEMA:
                self._reader.execute(statement)
        return self._reader

    def _writer(self) -> sqlite3.Connection:
        """The writer, opened (and the file created) at the first write, with waiting registrations."""
        if self.read_only:
            raise RuntimeError(f"{self.path}: the store is open read-only")
        if self._db is None:
            if self._reader is not None:
                self._reader.close()
                self._reader = None
            self._db = self._open_writer()
            pending, self._pending = self._pending, []
            for args in pending:
                self.register(*args)
        return self._db

    def _open_writer(self) -> sqlite3.Connection:
        if self.path != ":memory:":
            Path(self.path).parent.mkdir(parents=True, exist_ok=True)
        with self._located("cannot write the results store"):
            db = sqlite3.connect(self.path, timeout=60.0, isolation_level=None)
            try:
                _format_of(db, self.path)  # again: another process may have written it since
                db.execute("PRAGMA journal_mode = WAL")
                # FULL: a committed run survives a power cut too, not only a killed process.
                db.execute("PRAGMA synchronous = FULL")
                with _transaction(db):
                    for statement in _SCHEMA:
                        db.execute(statement)
                    if db.execute(f"SELECT COUNT(*) FROM {MARKER_TABLE}").fetchone()[0] == 0:
                        db.execute(
                            f"INSERT INTO {MARKER_TABLE} VALUES (?, ?, ?)",
                            (FORMAT_VERSION, time.time(), __version__),
                        )
            except BaseException:
                db.close()
                raise
        return db

    @contextlib.contextmanager
    def _located(self, doing: str) -> Iterator[None]:
        """SQLite's own errors (corrupted pages, a locked or full disk) named with the file."""
        try:
            yield
        except sqlite3.DatabaseError as exc:
            raise ScenarioError(doing, path=self.path, expected=_INTACT, found=str(exc)) from None

    def register(
        self, sweep: str, name: str, source: str | None, parameters: list[str], definition: Any
    ) -> None:
        """Record a sweep definition (once per key); a new file waits for its first run."""
        if self._db is None and not self.read_only:
            self._pending.append((sweep, name, source, parameters, definition))
            return
        db = self._writer()
        with self._located("cannot write the results store"), _transaction(db):
            db.execute(
                "INSERT OR IGNORE INTO sweeps VALUES (?, ?, ?, ?, ?, ?)",
                (sweep, name, source, json.dumps(parameters), json.dumps(definition), time.time()),
            )
            self._add_columns("param", parameters)

    def done(self, sweep: str) -> set[tuple[int, int]]:
        """(point, replication) of the runs of ``sweep`` that are done."""
        with self._located("cannot read the results store"):
            rows = self._read().execute(
                "SELECT point, replication FROM runs WHERE sweep = ? AND status = 'done'", (sweep,)
            )
            return {(p, r) for p, r in rows}

    def record(self, run: RunRecord) -> None:
        """Write one finished run in its own transaction; a done row is never replaced."""
        kpis = None if run.kpis is None else json.dumps(_finite(run.kpis), allow_nan=False)
        db = self._writer()
        with self._located("cannot write the results store"), _transaction(db):
            db.execute(
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
        assert self._db is not None
        self._db.executemany("INSERT OR IGNORE INTO columns VALUES (?, ?)", new)
        self._columns.update(dict.fromkeys(new))
        self._db.execute("DROP VIEW IF EXISTS results")
        ordered = sorted(self._columns, key=lambda c: c[0] != "param")  # parameters, then KPIs
        self._db.execute(_results_view(ordered))

    def sweeps(self) -> pd.DataFrame:
        """The sweeps in this store, oldest first, with their run counts."""
        columns = ["sweep", "name", "source", "created", "done", "failed"]
        with self._located("cannot read the results store"):
            rows = (
                self._read()
                .execute(
                    "SELECT s.sweep, s.name, s.source, s.created, "
                    "SUM(r.status = 'done') AS done, SUM(r.status = 'failed') AS failed "
                    "FROM sweeps s LEFT JOIN runs r ON r.sweep = s.sweep GROUP BY s.sweep ORDER BY s.created"
                )
                .fetchall()
            )
        rows += [(s, n, src, 0.0, None, None) for s, n, src, *_ in self._pending]
        return pd.DataFrame.from_records(rows, columns=columns)

    def parameters(self, sweep: str) -> list[str]:
        """The parameter names of ``sweep``, in the sweep file's order."""
        return json.loads(self._definition_column("parameters", sweep) or "[]")

    def definition(self, sweep: str) -> dict[str, Any]:
        """The sweep definition as stored (JSON-ready data)."""
        return json.loads(self._definition_column("definition", sweep) or "{}")

    def _definition_column(self, column: str, sweep: str) -> str | None:
        for key, _name, _source, parameters, definition in self._pending:
            if key == sweep:
                return json.dumps(parameters if column == "parameters" else definition)
        with self._located("cannot read the results store"):
            row = self._read().execute(f"SELECT {column} FROM sweeps WHERE sweep = ?", (sweep,)).fetchone()
        return row[0] if row else None

    def runs(self, sweep: str | None = None) -> pd.DataFrame:
        """Tidy table, one row per run: ids, seed, parameters, status, KPIs, then the rest."""
        query = (
            "SELECT sweep, point, replication, seed, params, status, kpis, error, wall_s, worker, "
            "attempts, scenario_hash, version FROM runs"
        )
        args: tuple = ()
        if sweep is not None:
            query, args = query + " WHERE sweep = ?", (sweep,)
        with self._located("cannot read the results store"):
            rows = self._read().execute(query + " ORDER BY sweep, point, replication", args).fetchall()
        names = self.parameters(sweep) if sweep is not None else []
        return _tidy(rows, names)


def _tidy(rows: list[tuple], names: list[str]) -> pd.DataFrame:
    """The rows of ``runs`` as a tidy frame: parameters ``names`` first, then any others."""
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


def _has_content(path: str) -> bool:
    """An existing, non-empty file (an empty one is a new store: SQLite treats it so)."""
    try:
        return Path(path).stat().st_size > 0
    except OSError:
        return False


def _tables(db: sqlite3.Connection) -> set[str]:
    return {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type IN ('table', 'view')")}


def _open_read_only(path: str) -> sqlite3.Connection:
    """A read-only connection to the store at ``path``, checked to be one; else ScenarioError.

    ``mode=ro`` first; where SQLite cannot even create the WAL index beside the file
    (read-only media), ``immutable=1``: no process can be writing there.
    """
    if not Path(path).is_file():
        raise ScenarioError(
            "no such results store", path=path, expected="an SQLite file written by ruralsim sweep"
        )
    uri = "file:" + urllib.parse.quote(str(Path(path).resolve())) + "?mode=ro"
    for options in ("", "&immutable=1"):
        db = sqlite3.connect(uri + options, uri=True, timeout=60.0, isolation_level=None)
        try:
            if _format_of(db, path) is None and Path(path).stat().st_size == 0:
                raise ScenarioError(
                    "not a ruralsim results store",
                    path=path,
                    expected="an SQLite file written by ruralsim sweep",
                    found="an empty file",
                )
            return db
        except sqlite3.OperationalError as exc:
            db.close()
            if "unable to open" in str(exc) and not options:
                continue  # read-only media: no WAL index can be made; read it as immutable
            raise _unreadable(path, exc) from None
        except sqlite3.DatabaseError as exc:
            db.close()
            raise _unreadable(path, exc) from None
        except BaseException:
            db.close()
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _unreadable(path: str, exc: sqlite3.DatabaseError) -> ScenarioError:
    if "not a database" in str(exc):
        return ScenarioError(
            "not a ruralsim results store",
            path=path,
            expected="an SQLite file written by ruralsim sweep",
            found=f"a file that is not SQLite ({exc})",
        )
    return ScenarioError(
        "cannot read the results store",
        path=path,
        expected=_INTACT,
        found=str(exc),
    )


def _format_of(db: sqlite3.Connection, path: str) -> int | None:
    """The format version of the store behind ``db`` (None: an empty database); else ScenarioError.

    Only reads. A foreign database (tables of its own, no marker) and a store of a
    later format are refused; the ``sweeps`` and ``runs`` tables without a marker are
    a store written before the marker existed: format 1.
    """
    tables = _tables(db)
    if not tables:
        return None
    expected = f"a ruralsim results store (with a {MARKER_TABLE} table), or a new file"
    if MARKER_TABLE in tables:
        row = db.execute(f"SELECT format_version FROM {MARKER_TABLE}").fetchone()
        version = row[0] if row else None
        if not isinstance(version, int) or version > FORMAT_VERSION:
            raise ScenarioError(
                "a results store of another format (written by a later ruralsim?)",
                path=path,
                field=f"{MARKER_TABLE}.format_version",
                expected=f"an integer <= {FORMAT_VERSION}",
                found=repr(version),
            )
        return version
    if {"sweeps", "runs"} <= tables:
        columns = {row[1] for row in db.execute("PRAGMA table_info(runs)")}
        if _LEGACY_RUN_COLUMNS <= columns:
            return 1
    shown = ", ".join(sorted(tables)[:5]) + (", ..." if len(tables) > 5 else "")
    raise ScenarioError(
        "not a ruralsim results store: another SQLite database (left untouched)",
        path=path,
        expected=expected,
        found=f"an SQLite database with tables {shown} and no {MARKER_TABLE} table",
    )


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
        if kind is None:
            self.db.execute("COMMIT")
        else:
            with contextlib.suppress(sqlite3.Error):  # a failed rollback: SQLite rolls back itself
                self.db.execute("ROLLBACK")
