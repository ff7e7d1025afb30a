"""Field paths into a scenario, as a researcher writes them in a sweep file or a notebook.

A path is dotted and addresses the scenario as its file does:

- tables by field name: ``integrated.vans_per_town``, ``mode``, ``days``;
- dict entries by key: ``vehicle_types.micro_van.capacity_parcels``;
- list entries by number or, more readably, by their ``name``:
  ``carriers.0.vans_per_town`` or ``carriers.postal.vans_per_town``;
- ``*`` for every entry of a list or dict: ``carriers.*.vans_per_town``.

Paths are resolved against the scenario dumped to plain data
(``model_dump(mode="json")``), so the resolver knows nothing of the schema and
works for whatever sections the schema grows. A path that does not exist is a
:class:`PathError` with a "did you mean".
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from sim.errors import LocatedError, did_you_mean

Location = tuple[str | int, ...]


class PathError(LocatedError):
    """A field path that does not exist in the scenario; ``expected`` lists what does.

    Its text is the bare message: the sweep-file error that reports it (with
    ``expected``) names the file, line and field.
    """

    def __init__(self, message: str, expected: str | None = None) -> None:
        super().__init__(message, expected=expected)

    def _headline(self) -> str:
        return self.message


def locate(data: Any, path: str) -> list[Location]:
    """Concrete locations (keys and list indices) of ``path`` in dumped scenario data.

    One location, or several when the path has a ``*``. Raises :class:`PathError`
    when any part of the path does not exist.
    """
    parts = path.split(".")
    if not path or any(not p.strip() for p in parts):
        raise PathError(f"empty part in the field path {path!r}", "names joined by dots")
    found: list[Location] = []
    _walk(data, parts, (), data, path, found)
    return found


def _walk(node: Any, rest: list[str], loc: Location, root: Any, path: str, out: list[Location]) -> None:
    if not rest:
        out.append(loc)
        return
    seg, tail = rest[0].strip(), rest[1:]
    if seg == "*" and isinstance(node, dict | list):
        keys = list(node) if isinstance(node, dict) else list(range(len(node)))
        if not keys:
            raise PathError(f"{_show(loc)} is empty, '*' matches nothing")
        for key in keys:
            _walk(node[key], tail, (*loc, key), root, path, out)
        return
    if isinstance(node, dict):
        if seg not in node:
            raise _missing(seg, list(node), loc, root, path)
        _walk(node[seg], tail, (*loc, seg), root, path, out)
        return
    if isinstance(node, list):
        index = _list_index(node, seg, loc, root, path)
        _walk(node[index], tail, (*loc, index), root, path, out)
        return
    kind = "not set (None)" if node is None else f"a value ({type(node).__name__})"
    raise PathError(f"{_show(loc)} is {kind}; it has no field {seg!r}")


def _list_index(node: list, seg: str, loc: Location, root: Any, path: str) -> int:
    """A list entry by its number or by the ``name`` it carries."""
    if seg.lstrip("-").isdigit():
        index = int(seg)
        if not -len(node) <= index < len(node):
            raise PathError(
                f"{_show(loc)} has {len(node)} entries, no entry {index}",
                f"0 .. {len(node) - 1}" + _names_hint(node),
            )
        return index % len(node)
    names = [e.get("name") if isinstance(e, dict) else None for e in node]
    if seg in names:
        return names.index(seg)
    raise _missing(seg, [str(n) for n in names if n is not None], loc, root, path, numbered=len(node))


def _names_hint(node: list) -> str:
    names = [e["name"] for e in node if isinstance(e, dict) and isinstance(e.get("name"), str)]
    return f", or a name: {names}" if names else ""


def _missing(
    seg: str, options: list[str], loc: Location, root: Any, path: str, numbered: int | None = None
) -> PathError:
    """The error for a missing key, with a "did you mean" at this level or anywhere."""
    rest = path.split(".")[len(loc) + 1 :]
    hint = did_you_mean(
        seg, options, show=lambda close: ".".join([*(str(p) for p in _readable(root, loc)), close, *rest])
    )
    if not hint:
        hint = did_you_mean(path, list(leaf_paths(root)))
    where = f"in {_show(loc)}" if loc else "in the scenario"
    if numbered is not None:
        expected = f"an entry number 0 .. {numbered - 1}" + (f" or a name: {options}" if options else "")
    else:
        expected = f"one of {sorted(options)}" if len(options) <= 25 else None
    return PathError(f"no field {seg!r} {where}{hint}", expected)


def _readable(root: Any, loc: Location) -> list[str | int]:
    """``("carriers", 0)`` -> ``["carriers", "postal"]`` where the entry has a name."""
    out: list[str | int] = []
    node = root
    for part in loc:
        entry = node[part]
        if isinstance(node, list) and isinstance(entry, dict) and isinstance(entry.get("name"), str):
            out.append(entry["name"])
        else:
            out.append(part)
        node = entry
    return out


def _show(loc: Location) -> str:
    return ".".join(str(p) for p in loc) or "the scenario"


def leaf_paths(data: Any, prefix: str = "") -> Iterator[str]:
    """Every settable path of dumped data, list entries named where they have a name."""
    if isinstance(data, dict):
        for key, value in data.items():
            yield from leaf_paths(value, f"{prefix}{key}.")
    elif isinstance(data, list) and data and all(isinstance(e, dict) for e in data):
        for i, entry in enumerate(data):
            label = entry.get("name") if isinstance(entry.get("name"), str) else i
            yield from leaf_paths(entry, f"{prefix}{label}.")
    if prefix:
        yield prefix[:-1]


def assign(data: Any, loc: Location, value: Any) -> None:
    """Set ``value`` at a concrete location found by :func:`locate` (in place)."""
    node = data
    for part in loc[:-1]:
        node = node[part]
    node[loc[-1]] = value


def set_fields(data: dict[str, Any], changes: Mapping[str, Any]) -> None:
    """Apply ``changes`` (field path -> value) to dumped scenario data, in place.

    A path is resolved by :func:`locate` (``integrated.vans_per_town``,
    ``carriers.postal.vans_per_town``, ``carriers.*.vans_per_town``); a value that is a
    mapping is merged into the table it names, anything else replaces the field. A last
    part that a table does not hold yet is added (validation then names an unknown key
    with its "did you mean", or takes a new ``vehicle_types`` entry). Raises
    :class:`PathError` when a part before the last does not exist.
    """
    for path, value in changes.items():
        for loc in _targets(data, path):
            node = data
            for part in loc[:-1]:
                node = node[part]
            old = node[loc[-1]] if isinstance(node, list) or loc[-1] in node else None
            node[loc[-1]] = _merged(old, value) if isinstance(old, dict) else copy.deepcopy(value)


def _targets(data: dict[str, Any], path: str) -> list[Location]:
    """Where ``path`` points: its locations, or a new key of the table(s) its parent names."""
    try:
        return locate(data, path)
    except PathError as missing:
        parent, _, last = path.rpartition(".")
        tables = locate(data, parent) if parent else [()]
        if not last.strip() or last.strip() == "*" or not all(isinstance(_at(data, t), dict) for t in tables):
            raise missing from None
        return [(*t, last.strip()) for t in tables]


def _at(data: Any, loc: Location) -> Any:
    for part in loc:
        data = data[part]
    return data


def _merged(old: dict[str, Any], value: Any) -> Any:
    """``value`` merged into the table ``old`` when it is a mapping (recursively), else ``value``."""
    if not isinstance(value, Mapping):
        return copy.deepcopy(value)
    out = dict(old)
    for key, item in value.items():
        out[key] = _merged(out[key], item) if isinstance(out.get(key), dict) else copy.deepcopy(item)
    return out
