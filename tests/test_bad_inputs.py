"""The bad-input catalogue: every case in ``tests/data/bad/`` is a clear error, never a hang.

Each case file says what is wrong and what its message must name (the directives are
explained in ``tests/data/bad/README.md``). Every command of a case runs through
``sim.cli.main`` in this process under a time bound (SIGALRM), and must return its exit
code (2 unless the case says otherwise) with a message that names the file and each
expected text, and neither a traceback nor "internal error".
"""

from __future__ import annotations

import shlex
import signal
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.cli import main

DATA = Path(__file__).parent / "data"
BAD = DATA / "bad"
SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"
DEFAULT_ARGS = ("validate {file}", "run {file} --days 2 --out {tmp}/out --no-figures --quiet")
DEFAULT_TIMEOUT_S = 60


@dataclass(frozen=True)
class BadCase:
    path: Path
    bad: str
    args: tuple[str, ...]
    exit_code: int
    names: tuple[str, ...]
    file: str | None
    timeout_s: int

    @classmethod
    def read(cls, path: Path) -> BadCase:
        directives: dict[str, list[str]] = {}
        for line in path.read_text(encoding="utf-8-sig", errors="replace").splitlines():
            if not line.startswith("#"):
                break
            key, sep, value = line.lstrip("# ").partition(":")
            if sep and key.strip() in {"bad", "args", "exit", "names", "file", "timeout"}:
                directives.setdefault(key.strip(), []).append(value.strip())
        assert "bad" in directives, f"{path}: a case starts with '# bad: what is wrong'"
        file = directives.get("file", [path.name])[0]
        return cls(
            path=path,
            bad=" ".join(directives["bad"]),
            args=tuple(directives.get("args", DEFAULT_ARGS)),
            exit_code=int(directives.get("exit", ["2"])[0]),
            names=tuple(n.strip() for v in directives.get("names", []) for n in v.split(";") if n.strip()),
            file=None if file == "-" else file,
            timeout_s=int(directives.get("timeout", [str(DEFAULT_TIMEOUT_S)])[0]),
        )


def _cases() -> list[BadCase]:
    return [BadCase.read(p) for p in sorted(BAD.glob("*/*.toml"))]


class _Hung(Exception):
    pass


def _alarm(_signum, _frame):
    raise _Hung


def _argv(case: BadCase, args: str, tmp: Path) -> list[str]:
    filled = args.format(file=case.path, dir=case.path.parent, tmp=tmp, data=DATA, scenarios=SCENARIOS)
    return shlex.split(filled)


#: The classes of issue 11 and their folders. Two classes cannot be static files and have
#: tests of their own: a run's files replaced as one set (``tests/report/test_run_folder.py``)
#: and workers that die with their sweep (``tests/sweep/test_workers_die.py``). The unclear
#: messages of class 11 are cases where they arise (a junction as a stop in ``04-validate``,
#: a byte-order mark and an unterminated quote in ``05-readers``, a tiny area in ``03-world``,
#: a repeated mode in ``06-output``) and the sweep ones in ``11-messages``.
CLASS_FOLDERS = (
    "01-infeasible",
    "02-numbers",
    "03-cross-field",
    "03-world",
    "04-validate",
    "05-readers",
    "06-output",
    "08-store",
    "10-bounded",
    "11-messages",
    "14-analysis",
)
OWN_TESTS = ("report/test_run_folder.py", "sweep/test_workers_die.py")


def test_the_catalogue_covers_every_class():
    """At least three cases in every class folder; the two classes with tests of their own have them."""
    counts = {name: len(list((BAD / name).glob("*.toml"))) for name in CLASS_FOLDERS}
    thin = {name: n for name, n in counts.items() if n < 3}
    assert not thin, f"classes with fewer than three cases: {thin}"
    unknown = {d.name for d in BAD.iterdir() if d.is_dir()} - set(CLASS_FOLDERS)
    assert not unknown, f"class folders not in CLASS_FOLDERS: {unknown}"
    tests = Path(__file__).parent
    assert all((tests / t).is_file() for t in OWN_TESTS)


@pytest.mark.parametrize("case", _cases(), ids=lambda c: f"{c.path.parent.name}/{c.path.stem}")
def test_bad_input_is_a_located_error(case: BadCase, tmp_path: Path, capsys):
    for i, args in enumerate(case.args):
        tmp = tmp_path / str(i)
        tmp.mkdir()
        argv = _argv(case, args, tmp)
        previous = signal.signal(signal.SIGALRM, _alarm)
        signal.alarm(case.timeout_s)
        try:
            code = main(argv)
        except _Hung:
            pytest.fail(f"{case.path.name}: `{args}` did not end within {case.timeout_s} s ({case.bad})")
        except SystemExit as exc:  # argparse's own errors
            code = exc.code
        finally:
            signal.alarm(0)
            signal.signal(signal.SIGALRM, previous)
        out, err = capsys.readouterr()
        said = out + err
        where = f"{case.path.name}: `{args}` ({case.bad})"
        assert code == case.exit_code, f"{where}: exit {code}, expected {case.exit_code}\n{said}"
        assert "Traceback" not in said and "internal error" not in said, f"{where}:\n{said}"
        if case.exit_code != 0:
            if case.file:
                assert case.file in err, f"{where}: the message does not name {case.file}:\n{err}"
            for text in case.names:
                assert text in err, f"{where}: the message does not name {text!r}:\n{err}"
        else:
            for text in case.names:
                assert text in said, f"{where}: the output does not say {text!r}:\n{said}"
