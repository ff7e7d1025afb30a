"""Workers die with their sweep: SIGKILL the client of ``ruralsim sweep --workers 2``,
and within seconds none of its worker processes is left (issue 11, class 9)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from sim.sweep.executors import PARENT_POLL_S

pytestmark = pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="reads /proc (Linux)")

#: Enough runs (2 modes x 2 fleets x 40 replications) to be busy when the client is killed.
BUSY_SWEEP = """\
scenario = "base.toml"
replications = 40
seed = 5
[parameters]
mode = ["separate", "integrated"]
"integrated.vans_per_town" = { values = [1, 2], also = ["carriers.*.vans_per_town"] }
"""
GONE_WITHIN_S = 10.0


def _stat(pid: int) -> tuple[str, int, int] | None:
    """(state, parent pid, start time) of a process, or None if it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return fields[0], int(fields[1]), int(fields[19])


def _children(parent: int) -> dict[int, int]:
    """Live children of ``parent``: pid -> start time (so a reused pid is not mistaken)."""
    found = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            stat = _stat(int(entry))
            if stat is not None and stat[1] == parent and stat[0] != "Z":
                found[int(entry)] = stat[2]
    return found


def _alive(pid: int, started: int) -> bool:
    stat = _stat(pid)
    return stat is not None and stat[2] == started and stat[0] != "Z"


def _wait_for(condition, timeout_s: float) -> bool:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_killed_sweep_leaves_no_worker_running(tmp_path: Path, tiny_scenario: str) -> None:
    (tmp_path / "base.toml").write_text(tiny_scenario)
    sweep = tmp_path / "busy.toml"
    sweep.write_text(textwrap.dedent(BUSY_SWEEP))
    db = tmp_path / "busy.sqlite"
    client = subprocess.Popen(
        [sys.executable, "-m", "sim", "sweep", str(sweep), "--workers", "2", "--quiet", "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    workers: dict[int, int] = {}
    try:
        started = _wait_for(lambda: len(_children(client.pid)) >= 2 and db.exists(), 60.0)
        assert started, f"the sweep did not start two workers and a first run: {client.poll()}"
        workers = _children(client.pid)
        assert client.poll() is None, "the sweep ended before it could be killed"
        os.kill(client.pid, signal.SIGKILL)
        client.wait(10)
        gone = _wait_for(lambda: not any(_alive(p, t) for p, t in workers.items()), GONE_WITHIN_S)
        left = [p for p, t in workers.items() if _alive(p, t)]
        assert gone, f"worker processes {left} still run {GONE_WITHIN_S} s after the sweep was killed"
    finally:
        if client.poll() is None:
            client.kill()
            client.wait()
        for pid, start in workers.items():  # never leave a stray behind
            if _alive(pid, start):
                os.kill(pid, signal.SIGKILL)


#: A client whose pool workers only have the poll (no PR_SET_PDEATHSIG): it prints their pids
#: and kills itself.
POLL_ONLY_CLIENT = """\
import os, signal, time
from concurrent.futures import ProcessPoolExecutor
from sim.sweep import executors
executors._ask_kernel_for_death_signal = lambda: None
pool = ProcessPoolExecutor(2, initializer=executors._start_worker, initargs=(os.getpid(),))
list(pool.map(time.sleep, [0.2, 0.2]))
print(" ".join(str(p) for p in pool._processes), flush=True)
os.kill(os.getpid(), signal.SIGKILL)
"""


def test_workers_without_the_death_signal_notice_by_polling() -> None:
    client = subprocess.run(
        [sys.executable, "-c", POLL_ONLY_CLIENT], capture_output=True, text=True, timeout=60
    )
    assert client.returncode == -signal.SIGKILL, client.stderr
    workers = {int(p): _stat(int(p)) for p in client.stdout.split()}
    assert len(workers) == 2
    alive = {p: s[2] for p, s in workers.items() if s is not None}
    gone = _wait_for(lambda: not any(_alive(p, t) for p, t in alive.items()), 3 * PARENT_POLL_S + 2)
    for pid, start in alive.items():
        if _alive(pid, start):
            os.kill(pid, signal.SIGKILL)
    assert gone, "pool workers did not notice that their client was killed"
