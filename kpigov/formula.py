"""KPI formulas: Python expressions over input names, with a deliberately small grammar.

Allowed: names, numbers, ``+ - * /``, parentheses, unary minus, and calls (a name followed by
``(`` is a function, whatever its name). Anything else is reported by S114.
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

_ALLOWED_OPERATORS = (ast.Add, ast.Sub, ast.Mult, ast.Div)
MAX_OPERATORS = 200


@dataclass(frozen=True)
class ParsedFormula:
    names: tuple[str, ...] = ()  # input names used, in order of first use
    functions: tuple[str, ...] = ()
    error: str | None = None  # why the expression is not a valid formula
    tree: ast.expr | None = None


@lru_cache(maxsize=65536)
def parse_formula(expression: str) -> ParsedFormula:
    """The names, functions and tree of a formula (cached: S114 and Z505 both ask)."""
    operators = sum(expression.count(char) for char in "+-*/(")
    if operators > MAX_OPERATORS:
        # Python's parser and the walks below recurse once per operator: bound them, and a
        # formula this long is no longer a simple KPI anyway.
        return ParsedFormula(
            error=f"has {operators} operators and brackets (at most {MAX_OPERATORS}); "
            "split it into intermediate KPIs"
        )
    try:
        tree = ast.parse(expression.strip(), mode="eval").body
    except SyntaxError as error:
        return ParsedFormula(error=f"is not a valid expression ({error.msg})")
    except (ValueError, RecursionError, MemoryError):
        # null bytes, numbers beyond Python's digit limit, nesting beyond the parser's depth
        return ParsedFormula(error="is not a valid expression (it cannot be parsed)")
    names: dict[str, None] = {}
    functions: dict[str, None] = {}
    problem = _walk(tree, names, functions)
    if problem:
        return ParsedFormula(error=problem)
    return ParsedFormula(tuple(names), tuple(functions), None, tree)


def _walk(node: ast.AST, names: dict[str, None], functions: dict[str, None]) -> str | None:
    if isinstance(node, ast.Name):
        names[node.id] = None
        return None
    if isinstance(node, ast.Constant):
        if isinstance(node.value, bool) or not isinstance(node.value, (int, float)):
            return f"uses {str(node.value)[:40]!r}; a formula holds only names and numbers"
        if isinstance(node.value, int) and node.value.bit_length() > 64:
            return "uses a number of more than 20 digits"
        return None
    if isinstance(node, ast.BinOp):
        if not isinstance(node.op, _ALLOWED_OPERATORS):
            return f"uses the operator {_operator_text(node.op)}; use only + - * /"
        return _walk(node.left, names, functions) or _walk(node.right, names, functions)
    if isinstance(node, ast.UnaryOp):
        if not isinstance(node.op, ast.USub):
            return f"uses the operator {_operator_text(node.op)}; only unary minus is allowed"
        return _walk(node.operand, names, functions)
    if isinstance(node, ast.Call):
        if not isinstance(node.func, ast.Name) or node.keywords:
            return "calls something other than a plain function name with arguments"
        functions[node.func.id] = None
        for argument in node.args:
            if isinstance(argument, ast.Starred):
                return "uses *arguments; pass plain arguments"
            problem = _walk(argument, names, functions)
            if problem:
                return problem
        return None
    return f"uses {type(node).__name__.lower()} syntax; a formula holds names, numbers, + - * / and calls"


def _operator_text(operator: ast.AST) -> str:
    return {
        ast.Pow: "**",
        ast.Mod: "%",
        ast.FloorDiv: "//",
        ast.MatMult: "@",
        ast.BitAnd: "&",
        ast.BitOr: "|",
        ast.BitXor: "^",
        ast.LShift: "<<",
        ast.RShift: ">>",
        ast.UAdd: "unary +",
        ast.Not: "not",
        ast.Invert: "~",
    }.get(type(operator), type(operator).__name__)


def normalised(parsed: ParsedFormula, replacements: Mapping[str, str]) -> str | None:
    """The formula's tree as text, each input name replaced by what it stands for (Z505)."""
    if parsed.tree is None:
        return None
    return _canonical(parsed.tree, replacements)


def _canonical(node: ast.AST, replacements: Mapping[str, str]) -> str:
    # Only the node types that parse_formula accepts can occur here.
    if isinstance(node, ast.Name):
        return f"N({replacements.get(node.id, node.id)})"
    if isinstance(node, ast.Constant):
        return f"C({node.value!r})"
    if isinstance(node, ast.BinOp):
        left, right = _canonical(node.left, replacements), _canonical(node.right, replacements)
        return f"B({type(node.op).__name__},{left},{right})"
    if isinstance(node, ast.UnaryOp):
        return f"U({_canonical(node.operand, replacements)})"
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    arguments = ",".join(_canonical(argument, replacements) for argument in node.args)
    return f"F({node.func.id},{arguments})"
