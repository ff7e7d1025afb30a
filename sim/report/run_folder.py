"""The output folder of a run: checked by writing before simulating, replaced as one set after.

:func:`prepare` is called before the first simulated event: it refuses an empty path, the
working directory, a dangling symbolic link, a name longer than the file system allows, a
path through a file, a special file system (``/proc``, ``/sys``, ``/dev``...), a mount point
and a folder holding files that no run wrote; then it creates the folder's parents and
probes them by really creating, writing and removing what the run will (a sibling staging
folder with a file in it, renamed to the folder's own name), then removes the parents it
made. Root passes every permission test, so nothing here asks ``os.access``.

:func:`replaced` is how a run's files are written: into a sibling staging folder
(``.<name>.tmp-<pid>-<random>`` beside the folder), which is then swapped in (the old
folder renamed aside, the new one renamed in, the old one removed). A reader sees the old
run or the new run, never a mix; a failure at any point removes the staging folder and
leaves the old folder as it was.
"""

from __future__ import annotations

import contextlib
import errno
import os
import re
import shutil
import tempfile
from collections.abc import Collection, Iterator
from pathlib import Path

from sim.errors import LocatedError

#: File systems that hold no files of their own (the kernel's views, device nodes):
#: a run's folder on one of them is refused before simulating.
SPECIAL_FILE_SYSTEMS = frozenset(
    {
        "proc",
        "sysfs",
        "devtmpfs",
        "devpts",
        "cgroup",
        "cgroup2",
        "debugfs",
        "tracefs",
        "securityfs",
        "pstore",
        "bpf",
        "configfs",
        "fusectl",
        "mqueue",
        "hugetlbfs",
        "autofs",
        "binfmt_misc",
        "efivarfs",
        "selinuxfs",
    }
)
#: The kernel's own trees: nothing mounted inside them is a place for files either.
KERNEL_TREES = frozenset({"proc", "sysfs"})
#: Where the mounted file systems are listed (Linux); elsewhere the check is skipped.
MOUNTS_FILE = Path("/proc/self/mounts")
#: Longest name (bytes) and path (bytes) when the file system does not say (Linux's).
DEFAULT_NAME_MAX = 255
DEFAULT_PATH_MAX = 4096
#: Characters of the folder's name kept in the names of its staging and old siblings, so
#: that a folder name near the limit still leaves room for ``.tmp-<pid>-<random>``.
SIBLING_NAME_KEPT = 200
#: Permissions of a run's folder (mkdtemp's private 0700 would hide it from other users).
FOLDER_MODE = 0o755
#: Shown when an error lists the files in the way.
MAX_NAMED_FILES = 5


class RunFolderError(LocatedError):
    """The output folder cannot hold a run's files (bad input, found before simulating)."""

    unnamed_source = "the output folder"


def prepare(out: str | os.PathLike, run_files: Collection[str]) -> Path:
    """Check the output folder ``out`` by writing; return its real path (links resolved).

    ``run_files`` are the names a run writes: a folder that holds anything else is
    refused, because :func:`replaced` replaces the whole folder. The folder's parents are
    created for the probe and removed again; they and the folder appear when the run's
    files are swapped in. Raises :class:`RunFolderError` naming the path and why.
    Pass ``out`` as the text given (a ``Path('')`` is already ``.``).
    """
    text = os.fspath(out)
    if not text.strip():
        raise RunFolderError("is an empty path", expected="a folder, e.g. runs/lishui", found="''")
    if "\0" in text:
        raise RunFolderError("the path holds a NUL character", path=repr(text))
    folder = _real_folder(text)
    existing = _nearest_existing(folder, text)
    _refuse_special_file_system(existing, text)
    if os.path.lexists(folder):
        _refuse_existing(folder, text, run_files)
    _probe(folder, text)
    return folder


def _real_folder(text: str) -> Path:
    """``text`` with its symbolic links resolved; dangling links, loops and the cwd refused."""
    raw = Path(text)
    for link in (raw, *raw.parents):
        if os.path.islink(link) and not os.path.exists(link):
            raise RunFolderError(
                f"{link} is a symbolic link to {os.readlink(link)}, which does not exist",
                path=text,
                expected="a folder, or a link to an existing folder",
            )
    try:
        folder = raw.resolve()
    except (OSError, RuntimeError) as exc:  # a loop of symbolic links
        raise RunFolderError(f"cannot resolve its symbolic links: {exc}", path=text) from None
    cwd = Path.cwd().resolve()
    if folder == folder.parent:
        raise RunFolderError("is the root of the file system, not a folder of its own", path=text)
    if folder == cwd or folder in cwd.parents:
        raise RunFolderError(
            "is the working directory (or holds it): a run replaces its whole folder",
            path=text,
            expected="a folder of its own, e.g. runs/lishui",
        )
    _refuse_long_names(folder, text)
    return folder


def _refuse_long_names(folder: Path, text: str) -> None:
    """A name or a path longer than the file system allows (ENAMETOOLONG), said as such."""
    name_max, path_max = DEFAULT_NAME_MAX, DEFAULT_PATH_MAX
    with contextlib.suppress(OSError, ValueError):
        anchor = next(p for p in folder.parents if p.exists())
        name_max = os.pathconf(anchor, "PC_NAME_MAX")
        path_max = os.pathconf(anchor, "PC_PATH_MAX")
    longest = max(folder.parts[1:], key=lambda part: len(os.fsencode(part)))
    if len(os.fsencode(longest)) > name_max:
        raise RunFolderError(
            "a name in it is longer than the file system allows (ENAMETOOLONG)",
            path=text,
            expected=f"names of at most {name_max} bytes",
            found=f"{len(os.fsencode(longest))} bytes: {longest[:40]}...",
        )
    if len(os.fsencode(str(folder))) >= path_max:
        raise RunFolderError(
            "the path is longer than the file system allows (ENAMETOOLONG)",
            path=text,
            expected=f"a path of less than {path_max} bytes",
            found=f"{len(os.fsencode(str(folder)))} bytes",
        )


def _nearest_existing(folder: Path, text: str) -> Path:
    """The folder itself or its nearest existing parent, which must be a folder."""
    existing = next(p for p in (folder, *folder.parents) if p.exists())
    if not existing.is_dir():
        raise RunFolderError(
            f"cannot be created: {existing} is a file, not a folder", path=text, expected="a folder"
        )
    return existing


def _mount_types() -> dict[Path, str]:
    """Mount point -> file system type, from ``/proc/self/mounts`` (empty if unreadable)."""
    try:
        lines = MOUNTS_FILE.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return {}
    mounts = {}
    for line in lines:
        fields = line.split()
        if len(fields) >= 3:  # spaces in mount points are written as \040
            point = re.sub(r"\\([0-7]{3})", lambda m: chr(int(m.group(1), 8)), fields[1])
            mounts[Path(point)] = fields[2]
    return mounts


def _refuse_special_file_system(existing: Path, text: str) -> None:
    """Refuse a folder on ``/proc``, ``/sys``, ``/dev`` and the like (root could write some).

    The nearest file system must not be special, and none around it may be one of the
    kernel's own trees (a tmpfs mounted inside ``/sys`` is still the kernel's); a tmpfs
    inside ``/dev`` (``/dev/shm``) is a place for files.
    """
    mounts = _mount_types()
    points = [p for p in (existing, *existing.parents) if p in mounts]
    refused = [p for p in points[:1] if mounts[p] in SPECIAL_FILE_SYSTEMS]
    refused += [p for p in points if mounts[p] in KERNEL_TREES]
    if refused:
        point = refused[0]
        raise RunFolderError(
            f"is on {point}, a special file system ({mounts[point]}) that holds no files",
            path=text,
            expected="a folder on a disk, e.g. runs/lishui",
        )


def foreign_files(folder: Path, run_files: Collection[str]) -> list[str]:
    """The names in ``folder`` that are not a run's files (nor their temporary files)."""
    pattern = re.compile(r"\.(.+)\.[^.]+\.tmp")
    foreign = []
    for name in sorted(os.listdir(folder)):
        temporary = pattern.fullmatch(name)
        if name not in run_files and not (temporary and temporary.group(1) in run_files):
            foreign.append(name)
    return foreign


def _refuse_existing(folder: Path, text: str, run_files: Collection[str]) -> None:
    """An existing folder must be a folder, not a mount point, holding only a run's files."""
    if not folder.is_dir():
        raise RunFolderError("is a file, not a folder", path=text, expected="a folder")
    if os.path.ismount(folder):
        raise RunFolderError(
            "is a mount point: a run replaces its whole folder, which a mount point cannot be",
            path=text,
            expected="a folder inside it",
        )
    foreign = foreign_files(folder, run_files)
    if foreign:
        shown = ", ".join(foreign[:MAX_NAMED_FILES]) + (", ..." if len(foreign) > MAX_NAMED_FILES else "")
        raise RunFolderError(
            f"holds {len(foreign)} file(s) that no run wrote ({shown}); a run replaces its whole "
            "folder, so it does not write there",
            path=text,
            expected="a new or empty folder, or one that a previous run wrote",
        )


def _probe(folder: Path, text: str) -> None:
    """Create the parents, then a staging folder with a file in it, renamed to the folder's
    name if it is new; remove all of it again, the parents too (the writers create them
    when the files are written), so that a run that fails leaves nothing new behind."""
    created = [p for p in folder.parents if not os.path.lexists(p)]  # the deepest first
    staging = None
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=_sibling_prefix(folder, "tmp"), dir=folder.parent))
        with open(staging / "probe", "wb") as handle:
            handle.write(b"ruralsim probe\n")
        os.unlink(staging / "probe")
        if not os.path.lexists(folder):
            os.rename(staging, folder)
            staging = folder
    except OSError as exc:
        raise RunFolderError(
            f"cannot be written: {exc.strerror or exc}", path=text, found=exc.filename and str(exc.filename)
        ) from None
    finally:
        if staging is not None:
            shutil.rmtree(staging, ignore_errors=True)
        for parent in created:
            with contextlib.suppress(OSError):
                os.rmdir(parent)  # only if still empty


def _sibling_prefix(folder: Path, kind: str) -> str:
    return f".{folder.name[:SIBLING_NAME_KEPT]}.{kind}-{os.getpid()}-"


@contextlib.contextmanager
def replaced(out: str | os.PathLike, run_files: Collection[str]) -> Iterator[Path]:
    """Yield a staging folder for a run's files; swap it in for ``out`` when the block ends.

    The staging folder is a sibling of ``out`` (same file system, so the swap is two
    renames). On any exception (also ``KeyboardInterrupt``) it is removed and ``out`` is as
    it was; an ``OSError`` is raised again naming the file under ``out`` (not the staging
    folder) and saying that ``out`` is unchanged. Files that are not ``run_files`` found in
    ``out`` at swap time stop the swap (``OSError``), so nothing but a run's files is lost.
    """
    folder = Path(os.path.realpath(out))
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=_sibling_prefix(folder, "tmp"), dir=folder.parent))
    try:
        try:
            yield staging
            os.chmod(staging, FOLDER_MODE)
            _swap_in(staging, folder, run_files)
        except OSError as exc:
            raise _named_under(exc, staging, Path(out)) from exc
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def _swap_in(staging: Path, folder: Path, run_files: Collection[str]) -> None:
    """Rename the old folder aside, ``staging`` in its place, then remove the old one."""
    if not os.path.lexists(folder):
        os.rename(staging, folder)
        return
    if folder.is_dir() and (foreign := foreign_files(folder, run_files)):
        raise FileExistsError(
            errno.ENOTEMPTY,
            f"it now holds files that no run wrote ({', '.join(foreign[:MAX_NAMED_FILES])})",
            str(folder),
        )
    aside = Path(tempfile.mkdtemp(prefix=_sibling_prefix(folder, "old"), dir=folder.parent))
    try:
        os.rename(folder, aside)  # onto the empty folder just made
    except BaseException:
        os.rmdir(aside)
        raise
    try:
        os.rename(staging, folder)
    except BaseException:
        os.rename(aside, folder)
        raise
    shutil.rmtree(aside, ignore_errors=True)


def _named_under(exc: OSError, staging: Path, out: Path) -> OSError:
    """``exc`` again, naming the file as it would be under ``out`` and saying ``out`` is unchanged."""
    name = os.fspath(exc.filename) if exc.filename is not None else None
    if name is None or not name.startswith(str(staging)):
        target = out if name is None else Path(name)
    else:
        target = out / os.path.relpath(name, staging)
    state = "is unchanged" if os.path.lexists(out) else "was not created"
    renamed = OSError(exc.errno, f"{exc.strerror or exc} ({out} {state})", str(target))
    return renamed
