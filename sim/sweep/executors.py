"""Where runs execute: anything with the ``concurrent.futures.Executor`` interface.

The runner is written once against that interface; this module only makes the
executor and knows how to stop it:

- 1 worker: :class:`InlineExecutor`, in this process (no start-up, easy to debug);
- N workers: a local ``ProcessPoolExecutor`` (starts in milliseconds);
- ``scheduler="tcp://host:8786"``: an existing Dask cluster, through
  ``distributed.Client(address).get_executor()``;
- ``scheduler="local"``: a Dask ``LocalCluster`` of N worker processes, for its
  dashboard (it takes a couple of seconds to start).
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
import warnings
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any


class InlineExecutor(Executor):
    """Runs each call at submission, in the calling process: a pool of one, without a pool."""

    def submit(self, fn: Callable[..., Any], /, *args: Any, **kwargs: Any) -> Future:
        future: Future = Future()
        future.set_running_or_notify_cancel()
        try:
            future.set_result(fn(*args, **kwargs))
        except Exception as exc:  # KeyboardInterrupt propagates to the caller, as it should
            future.set_exception(exc)
        return future


@dataclass
class ExecutorHandle:
    """An executor with a description for people, a submission window and a way to stop."""

    executor: Executor
    description: str
    window: int
    dashboard: str | None = None
    renew: Callable[[], None] | None = field(default=None, repr=False)
    """Replace a broken executor by a fresh one (local process pools only)."""
    _abandon: list[Callable[[], None]] = field(default_factory=list, repr=False)

    def abandon(self) -> None:
        """Stop now: cancel what has not started, do not wait for running calls."""
        for step in self._abandon:
            with contextlib.suppress(Exception):
                step()
        self._abandon.clear()


#: How often a pool worker checks that the client that started it is still alive (s).
PARENT_POLL_S = 1.0
_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def _start_worker(client_pid: int) -> None:
    """Initializer of a pool worker: leave Ctrl-C to the client, and die with the client.

    The client stops the sweep in order on Ctrl-C. If the client is killed (SIGKILL,
    a crash), nothing tells a worker waiting for its next run, so the worker watches:
    on Linux the kernel sends it SIGTERM when its parent ends (PR_SET_PDEATHSIG), and
    everywhere a daemon thread compares the parent's pid with ``client_pid`` every
    :data:`PARENT_POLL_S` and ends the process when they differ.
    """
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _ask_kernel_for_death_signal()
    if os.getppid() != client_pid:  # the client died before this worker started
        os._exit(1)
    threading.Thread(target=_watch_parent, args=(client_pid,), name="watch-client", daemon=True).start()


def _ask_kernel_for_death_signal() -> None:
    """Linux: SIGTERM to this process when the thread that forked it ends; elsewhere nothing."""
    if not sys.platform.startswith("linux"):
        return
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL(None, use_errno=True)
        libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0)


def _watch_parent(client_pid: int) -> None:
    """End this process as soon as its parent is no longer ``client_pid``."""
    while os.getppid() == client_pid:
        time.sleep(PARENT_POLL_S)
    os._exit(1)


def default_workers() -> int:
    """Cores this process may use."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # not on Linux
        return max(1, os.cpu_count() or 1)


def capped_workers(requested: int | None, notify: Callable[[str], None] | None = None) -> int:
    """``requested`` worker processes (default one per core), at most one per core, with a note.

    More processes than cores make no run faster; 100,000 of them forked at once
    bring a machine to its knees. The note goes to ``notify``, else it is a warning.
    """
    cores = default_workers()
    if requested is None or requested <= cores:
        return cores if requested is None else requested
    note = (
        f"note: {requested} workers asked for, but this machine has {cores} cores for this process; "
        f"using {cores} worker processes"
    )
    if notify is not None:
        notify(note)
    else:
        warnings.warn(note, stacklevel=3)
    return cores


@contextlib.contextmanager
def open_executor(
    workers: int | None = None,
    scheduler: str | None = None,
    *,
    source: str | None = None,
    notify: Callable[[str], None] | None = None,
) -> Iterator[ExecutorHandle]:
    """The executor for ``workers`` / ``scheduler``, shut down on leaving.

    ``source`` (the sweep file) is named in errors, such as an unreachable scheduler;
    ``notify`` gets notes, such as ``workers`` capped at the cores of this machine.
    """
    if scheduler:
        local = scheduler == "local"
        with _dask(capped_workers(workers, notify) if local else workers, scheduler, source) as handle:
            yield handle
        return
    n = capped_workers(workers, notify)
    if n <= 1:
        yield ExecutorHandle(InlineExecutor(), "1 worker (in process)", window=1)
        return

    def new_pool() -> ProcessPoolExecutor:
        return ProcessPoolExecutor(max_workers=n, initializer=_start_worker, initargs=(os.getpid(),))

    handle = ExecutorHandle(new_pool(), f"{n} worker processes", window=2 * n)

    def kill() -> None:
        pool = handle.executor
        pool.shutdown(wait=False, cancel_futures=True)
        # There is no public way to stop a running call before Python 3.14's
        # terminate_workers(); the workers ignore SIGINT, so end them directly.
        processes = getattr(pool, "_processes", None) or {}
        for process in list(processes.values()):
            process.terminate()

    def renew() -> None:
        handle.executor.shutdown(wait=False, cancel_futures=True)
        handle.executor = new_pool()

    handle.renew = renew
    handle._abandon.append(kill)
    try:
        yield handle
    finally:
        handle.executor.shutdown(wait=True, cancel_futures=True)


@contextlib.contextmanager
def _dask(workers: int | None, scheduler: str, source: str | None) -> Iterator[ExecutorHandle]:
    """A Dask client on an existing scheduler, or on a LocalCluster started here."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        from sim.scenario import ScenarioError

        raise ScenarioError(
            "--scheduler needs Dask",
            path=source,
            field="--scheduler",
            expected="pip install 'ruralsim[dask]'",
            found=scheduler,
        ) from None
    cluster = None
    if scheduler == "local":
        n = default_workers() if workers is None else max(1, workers)
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0")
        client = Client(cluster)
        description = f"Dask LocalCluster of {n} worker processes"
    else:
        try:
            client = Client(scheduler, timeout="20s")
        except (OSError, TimeoutError, ValueError) as exc:
            from sim.scenario import ScenarioError

            raise ScenarioError(
                "cannot reach the Dask scheduler",
                path=source,
                field="--scheduler",
                expected="the address of a running `dask scheduler`, e.g. tcp://host:8786",
                found=f"{scheduler} ({exc})",
            ) from None
        threads = sum(client.nthreads().values()) or 1
        description = f"Dask scheduler {scheduler} ({threads} worker threads now)"
    threads = sum(client.nthreads().values()) or 1
    executor = client.get_executor(pure=False)
    # A wide window: the scheduler queues cheaply, and workers may join the cluster later.
    handle = ExecutorHandle(executor, description, window=max(256, 4 * threads))
    handle.dashboard = client.dashboard_link

    def close() -> None:
        executor.shutdown(wait=False)
        client.close()
        if cluster is not None:
            cluster.close()

    handle._abandon.append(close)
    try:
        yield handle
    finally:
        handle.abandon()
