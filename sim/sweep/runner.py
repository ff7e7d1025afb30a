"""The sweep runner: plan the runs, submit them to an executor, store each result.

Written once against ``concurrent.futures.Executor``: the same loop drives the
in-process executor, a local process pool and a Dask cluster. The client keeps
a bounded window of submitted runs, waits for the first to finish, writes it to
the store in its own transaction, and submits the next. Results therefore never
depend on the number of workers or the order in which runs finish: each run is
a pure function of its point's scenario and its seed.

Ctrl-C: the first cancels runs that have not started, waits for the running
ones and stores them; a second abandons those too. Either way the store holds
every finished run, and running the sweep again resumes.
"""

from __future__ import annotations

import time
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import FIRST_COMPLETED, BrokenExecutor, Future, as_completed, wait
from dataclasses import dataclass, field
from typing import Any

from sim.scenario import ScenarioError
from sim.sweep.executors import ExecutorHandle
from sim.sweep.spec import SweepSpec, scenario_hash
from sim.sweep.store import DONE, FAILED, RunRecord, Store
from sim.sweep.worker import Model, Outcome, Task, error_text, run_task

_BROKEN = (
    "worker processes keep dying (out of memory, or killed?); finished runs are stored, "
    "run the sweep again to resume"
)
_KILLED = "the worker process died during this run (it crashed, ran out of memory or was killed)"
MAX_CULPRITS_IN_A_ROW = 5
CHECKED_POINTS_PER_CALL = 1000


@dataclass
class Progress:
    """Counts of a sweep in progress; ``done`` and ``failed`` count this session."""

    total: int
    skipped: int
    to_run: int
    done: int = 0
    failed: int = 0
    started: float = field(default_factory=time.perf_counter)
    first_error: str | None = None

    @property
    def remaining(self) -> int:
        return self.to_run - self.done - self.failed

    @property
    def elapsed(self) -> float:
        return time.perf_counter() - self.started


class SweepInterrupted(KeyboardInterrupt):
    """Ctrl-C stopped the sweep; every finished run is stored. ``progress`` says how far."""

    def __init__(self, progress: Progress) -> None:
        super().__init__(f"interrupted after {progress.done + progress.failed} of {progress.to_run} runs")
        self.progress = progress


class SweepError(RuntimeError):
    """The sweep could not go on (e.g. a worker process died); finished runs are stored."""


@dataclass(frozen=True)
class Point:
    """A point of the design: its values, and its scenario's hash or why it has none.

    The scenario itself is rebuilt when a run is submitted (a tenth of a
    millisecond), so that a sweep of 100 000 points does not hold 100 000
    scenarios in memory.
    """

    index: int
    values: dict[str, Any]
    scenario_hash: str | None
    error: str | None


def build_points(spec: SweepSpec, on_checked: Callable[[int, int], None] | None = None) -> list[Point]:
    """Every point's scenario validated in the client (under a millisecond each).

    A bad value makes that point invalid (its runs will be recorded as failed);
    if every point is invalid the sweep file itself is wrong, and the first
    error is raised before anything runs. ``on_checked(checked, total)`` is called
    every :data:`CHECKED_POINTS_PER_CALL` points and at the end (a million points
    take minutes).
    """
    points, first = [], None
    total = len(spec.points)
    for i, values in enumerate(spec.points):
        if on_checked is not None and i and i % CHECKED_POINTS_PER_CALL == 0:
            on_checked(i, total)
        try:
            points.append(Point(i, values, scenario_hash(spec.scenario_at(values)), None))
        except ScenarioError as exc:
            first = first or exc
            points.append(Point(i, values, None, error_text(exc)))
    if on_checked is not None:
        on_checked(total, total)
    if first is not None and all(p.error is not None for p in points):
        raise ScenarioError(
            f"every point of the sweep is invalid; the first: {first.message}",
            path=first.path,
            field=first.field,
            expected=first.expected,
            found=first.found,
        )
    return points


def check_base(spec: SweepSpec) -> None:
    """Build the base scenario's county (network, places, bus lines) as a run would.

    A base that no run could simulate (a network file that is not there, a fixed
    village that is a station) raises its own ScenarioError before any run, instead of
    failing every run. Worker processes forked afterwards inherit the built county.
    """
    from sim.api import build_world

    build_world(spec.base)


def definition(spec: SweepSpec) -> dict[str, Any]:
    """The sweep as JSON-ready data, kept in the store beside its results."""
    return {
        "name": spec.name,
        "description": spec.description,
        "source": spec.source,
        "design": spec.design,
        "samples": spec.samples,
        "design_seed": spec.design_seed,
        "levels": spec.levels,
        "seed": spec.seed,
        "common_random_numbers": spec.common_random_numbers,
        "parameters": [
            {
                "name": p.name,
                "paths": list(p.paths),
                "values": p.values,
                "min": p.low,
                "max": p.high,
                "integer": p.integer,
                "log": p.log,
            }
            for p in spec.parameters
        ],
        "base": spec.base.model_dump(mode="json"),
    }


def run_sweep(
    spec: SweepSpec,
    store: Store,
    handle: ExecutorHandle,
    *,
    on_progress: Callable[[Progress], None] | None = None,
    notify: Callable[[str], None] | None = None,
    on_checked: Callable[[int, int], None] | None = None,
    model: Model | None = None,
) -> Progress:
    """Run every run of ``spec`` that ``store`` does not hold as done; store each result.

    Before any run, the base scenario's county is built as ``validate`` builds it
    (a broken base is its own ScenarioError) and every point is checked
    (``on_checked``, see :func:`build_points`). ``on_progress`` is called once
    before the first run and after every stored run. ``model`` replaces ``sim.run``
    (see :data:`sim.sweep.worker.Model`; the county is then not built).
    """
    key = spec.key
    if model is None:
        check_base(spec)
    points = build_points(spec, on_checked)
    store.register(key, spec.name, spec.source, [p.name for p in spec.parameters], definition(spec))
    done = store.done(key)
    order = [(p, r) for r in range(spec.replications) for p in points if (p.index, r) not in done]
    total = len(points) * spec.replications
    progress = Progress(total=total, skipped=total - len(order), to_run=len(order))
    if on_progress is not None:
        on_progress(progress)  # the start: counts known, nothing run yet
    record = _recorder(spec, store, progress, on_progress)
    try:
        execute(_tasks(spec, order, record, model), handle, record, notify=notify)
    except KeyboardInterrupt:
        raise SweepInterrupted(progress) from None
    if progress.remaining and progress.to_run:
        raise SweepError(f"{progress.remaining} runs did not finish")
    return progress


def _recorder(
    spec: SweepSpec, store: Store, progress: Progress, on_progress: Callable[[Progress], None] | None
) -> Callable[[Point, int, Outcome], None]:
    """The function that stores one run's outcome (its own transaction) and counts it."""

    def record(point: Point, replication: int, outcome: Outcome) -> None:
        store.record(
            RunRecord(
                sweep=spec.key,
                point=point.index,
                replication=replication,
                seed=spec.seed_of(point.index, replication),
                params=point.values,
                status=outcome.status,
                kpis=outcome.kpis,
                error=outcome.error,
                wall_s=outcome.wall_s,
                version=outcome.version,
                scenario_hash=point.scenario_hash,
                worker=outcome.worker,
            )
        )
        if outcome.status == DONE:
            progress.done += 1
        else:
            progress.failed += 1
            progress.first_error = progress.first_error or outcome.error
        if on_progress is not None:
            on_progress(progress)

    return record


def _tasks(
    spec: SweepSpec,
    order: list[tuple[Point, int]],
    record: Callable[[Point, int, Outcome], None],
    model: Model | None = None,
) -> Iterator[tuple[Point, Task]]:
    """The runs to submit, in order, each with its scenario built now (not held for all runs).

    A run of an invalid point is recorded as failed at once, without running.
    """
    from sim.version import __version__

    for point, r in order:
        if point.error is not None:
            record(point, r, Outcome(FAILED, None, point.error, 0.0, "client", __version__))
            continue
        yield point, Task(point.index, r, spec.seed_of(point.index, r), spec.scenario_at(point.values), model)


def execute(
    tasks: Iterator[tuple[Point, Task]],
    handle: ExecutorHandle,
    record: Callable[[Point, int, Outcome], None],
    *,
    notify: Callable[[str], None] | None = None,
) -> None:
    """Submit ``tasks`` keeping at most ``handle.window`` in flight; ``record`` each outcome.

    A local pool whose worker process dies (a crash, the out-of-memory killer)
    breaks every run in flight. A fresh pool takes over and reruns those runs one
    at a time, so that only a run that kills its worker on its own is recorded
    as failed; after several such runs in a row with none done in between, the
    sweep stops with :class:`SweepError`. (Dask retries the runs of a lost
    worker itself, and reports a run that kills workers repeatedly.)
    """
    window = _Window(tasks, handle, record, notify)
    try:
        window.run_all()
    except KeyboardInterrupt:
        window.stop()
        raise


class _Window:
    """The runs in flight on an executor, and the runs to rerun alone after a worker died.

    One object per :func:`execute` call; its methods are the steps of the loop:
    :meth:`fill` submits, :meth:`collect` records a finished run,
    :meth:`recover` renews a broken pool, :meth:`stop` ends on Ctrl-C.
    """

    def __init__(
        self,
        tasks: Iterator[tuple[Point, Task]],
        handle: ExecutorHandle,
        record: Callable[[Point, int, Outcome], None],
        notify: Callable[[str], None] | None,
    ) -> None:
        self.tasks, self.handle, self.record, self.notify = tasks, handle, record, notify
        self.pending: dict[Future, tuple[Point, Task]] = {}
        self.suspects: deque[tuple[Point, Task]] = deque()  # in flight at a crash: rerun alone
        self.waiting: tuple[Point, Task] | None = None  # taken from ``tasks``, not yet accepted
        self.isolating = False  # a suspect is in flight, alone
        self.culprits_in_a_row = 0

    def run_all(self) -> None:
        """Submit, wait for the first to finish, record it, and again, until every task is done."""
        while True:
            if not self.fill():
                self.recover([])
                continue
            if not self.pending:
                return
            finished, _ = wait(list(self.pending), return_when=FIRST_COMPLETED)
            lost = [item for item in (self.collect(f) for f in finished) if item is not None]
            if lost:
                self.recover(lost)

    def fill(self) -> bool:
        """Submit up to the window (a suspect only alone); False if the pool is broken."""
        self.isolating = self.isolating and bool(self.pending)
        while len(self.pending) < self.handle.window:
            if self.pending and (self.isolating or self.suspects):
                return True
            if self.suspects:
                item, self.isolating = self.suspects.popleft(), True
            else:
                item, self.waiting = self.waiting or next(self.tasks, None), None
            if item is None:
                return True
            try:
                self.pending[self.handle.executor.submit(run_task, item[1])] = item
            except BrokenExecutor:
                if self.isolating:
                    self.suspects.appendleft(item)
                else:
                    self.waiting = item
                return False
        return True

    def collect(self, future: Future) -> tuple[Point, Task] | None:
        """Record a finished run; return it instead if a dying worker took it down."""
        item = self.pending.pop(future)
        if future.cancelled():
            return None
        exc = future.exception()
        if isinstance(exc, BrokenExecutor):
            return item
        if exc is not None:  # lost on the way (e.g. Dask's KilledWorker): a failed run
            outcome = Outcome(FAILED, None, error_text(exc), 0.0, "?", "")
        else:
            outcome = future.result()
            if outcome.status == DONE:
                self.culprits_in_a_row = 0
        self.record(item[0], item[1].replication, outcome)
        return None

    def recover(self, lost: list[tuple[Point, Task]]) -> None:
        """After a pool broke: collect the rest, blame a run that was alone, renew the pool."""
        for future in as_completed(list(self.pending)):
            item = self.collect(future)
            if item is not None:
                lost.append(item)
        if self.handle.renew is None:
            raise SweepError(_BROKEN)
        if len(lost) == 1:  # it ran alone: it killed its worker
            point, task = lost[0]
            self.record(point, task.replication, Outcome(FAILED, None, _KILLED, 0.0, "?", ""))
            self.culprits_in_a_row += 1
            if self.culprits_in_a_row > MAX_CULPRITS_IN_A_ROW:
                raise SweepError(_BROKEN)
        elif lost:
            self.suspects.extend(lost)
            if self.notify is not None:
                n = len(lost)
                self.notify(f"a worker process died; rerunning the {n} run(s) in flight one at a time")
        self.handle.renew()

    def stop(self) -> None:
        """Ctrl-C: cancel what has not started, store what is running (a second Ctrl-C abandons it)."""
        running = [f for f in list(self.pending) if not f.cancel()]
        for f in [f for f in self.pending if f.cancelled()]:
            self.pending.pop(f)
        if running and self.notify is not None:
            self.notify(
                f"stopping: waiting for {len(running)} running run(s) to finish "
                "(Ctrl-C again to abandon them)"
            )
        try:
            for future in as_completed(running):
                self.collect(future)
        except KeyboardInterrupt:
            pass
        self.handle.abandon()
