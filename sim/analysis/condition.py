"""The condition of a scenario discovery: a comparison of KPIs the user writes.

``"last_km.on_time_share >= 0.95"``,
``"integrated.cost.yuan_per_item < separate.cost.yuan_per_item * 0.8"``,
``"last_km.village_coverage > 0.9 and cost.yuan_per_item < 3"``: KPI names (as the
analysis names them, dotted), numbers, ``+ - * /``, comparisons (chained too), ``and``,
``or``, ``not`` and brackets. It is parsed with :mod:`ast` and evaluated on columns, never
with ``eval``; anything else is a located error naming the condition.
"""

from __future__ import annotations

import ast
import operator
from collections.abc import Callable, Sequence

import numpy as np
import pandas as pd

from sim.errors import did_you_mean
from sim.scenario import ScenarioError

FIELD = "--condition"
_ARITHMETIC: dict[type, Callable] = {
    ast.Add: operator.add,
    ast.Sub: operator.sub,
    ast.Mult: operator.mul,
    ast.Div: operator.truediv,
}
_COMPARE: dict[type, Callable] = {
    ast.Lt: operator.lt,
    ast.LtE: operator.le,
    ast.Gt: operator.gt,
    ast.GtE: operator.ge,
    ast.Eq: operator.eq,
    ast.NotEq: operator.ne,
}


class Condition:
    """A parsed condition: :meth:`names` it reads, :meth:`holds` on a table of unit means."""

    def __init__(self, text: str, kpis: Sequence[str], source: str | None = None) -> None:
        self.text, self.source, self.kpis = text, source, list(kpis)
        try:
            self.tree = ast.parse(text.strip(), mode="eval").body
        except SyntaxError as exc:
            raise self._error(f"the condition does not parse ({exc.msg} at column {exc.offset})") from None
        self.names: list[str] = []
        self._check(self.tree)
        if not isinstance(self.tree, ast.Compare | ast.BoolOp) and not _is_not(self.tree):
            raise self._error("the condition is not a comparison", "e.g. 'last_km.on_time_share >= 0.95'")

    def _error(self, message: str, expected: str | None = None, found: str | None = None) -> ScenarioError:
        return ScenarioError(
            message, path=self.source, field=FIELD, expected=expected, found=found or self.text
        )

    def _check(self, node: ast.AST) -> None:
        """Every node is one the condition may hold; every name is a KPI."""
        if isinstance(node, ast.Name | ast.Attribute):
            name = _dotted(node)
            if name is None:
                raise self._error("not a KPI name", "dotted KPI names", ast.unparse(node))
            if name not in self.kpis:
                raise self._error(
                    f"unknown KPI {name!r}{did_you_mean(name, self.kpis, cutoff=0.5)}",
                    f"KPIs of the analysis, e.g. {self.kpis[:3]}",
                )
            self.names.append(name)
            return
        allowed = (ast.Compare, ast.BoolOp, ast.BinOp, ast.UnaryOp, ast.Constant)
        if not isinstance(node, allowed) or (isinstance(node, ast.Constant) and not _is_number(node.value)):
            raise self._error(
                "the condition may use KPI names, numbers, + - * /, comparisons, and/or/not",
                found=ast.unparse(node),
            )
        if isinstance(node, ast.BinOp) and type(node.op) not in _ARITHMETIC:
            raise self._error("unsupported operator", "+ - * /", ast.unparse(node))
        if isinstance(node, ast.UnaryOp) and not isinstance(node.op, ast.USub | ast.Not):
            raise self._error("unsupported operator", "- or not", ast.unparse(node))
        if isinstance(node, ast.Compare) and any(type(op) not in _COMPARE for op in node.ops):
            raise self._error("unsupported comparison", "< <= > >= == !=", ast.unparse(node))
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, ast.operator | ast.cmpop | ast.boolop | ast.unaryop):
                self._check(child)

    def holds(self, table: pd.DataFrame) -> np.ndarray:
        """Where the condition holds, row by row (a comparison with NaN does not hold)."""
        return np.asarray(self._value(self.tree, table), dtype=bool)

    def _value(self, node: ast.AST, table: pd.DataFrame):
        if isinstance(node, ast.Name | ast.Attribute):
            return table[_dotted(node)].to_numpy(dtype=float)
        if isinstance(node, ast.Constant):
            return float(node.value)
        if isinstance(node, ast.BinOp):
            return _ARITHMETIC[type(node.op)](self._value(node.left, table), self._value(node.right, table))
        if isinstance(node, ast.UnaryOp):
            inner = self._value(node.operand, table)
            return np.logical_not(inner) if isinstance(node.op, ast.Not) else -inner
        if isinstance(node, ast.BoolOp):
            values = [np.asarray(self._value(v, table), dtype=bool) for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            out = values[0]
            for v in values[1:]:
                out = combine(out, v)
            return out
        assert isinstance(node, ast.Compare)
        left, out = self._value(node.left, table), True
        for op, right_node in zip(node.ops, node.comparators, strict=True):
            right = self._value(right_node, table)
            out = np.logical_and(out, _COMPARE[type(op)](left, right))
            left = right
        return out


def _dotted(node: ast.AST) -> str | None:
    """``a.b.c`` from nested attributes on a name; None for anything else."""
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if not isinstance(node, ast.Name):
        return None
    return ".".join([node.id, *reversed(parts)])


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _is_not(node: ast.AST) -> bool:
    return isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not)
