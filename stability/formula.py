"""Safe parsing of formula strings into sympy expressions.

``sympy.sympify`` evaluates Python, so it must never see an untrusted string. Here the
string is parsed by :func:`ast.parse` (which only builds a syntax tree) and the tree is
walked against a whitelist; the sympy expression is built node by node. Nothing in the
string is ever executed.

Accepted: numbers, the declared symbols, the constants ``pi`` and ``E``, the operators
``+ - * / **`` (``^`` is read as ``**``), unary ``+``/``-``, and calls of the functions in
:data:`FUNCTIONS`. Decimal literals become exact rationals (``0.05`` is ``1/20``), so exact
critical points and eigenvalues stay exact.
"""

import ast
import math

import sympy as sp

from .errors import FormulaError, unknown_name

FUNCTIONS = {
    "exp": sp.exp, "log": sp.log, "sqrt": sp.sqrt,
    "sin": sp.sin, "cos": sp.cos, "tan": sp.tan, "atan": sp.atan,
    "sinh": sp.sinh, "cosh": sp.cosh, "tanh": sp.tanh,
    "sigmoid": lambda t: 1 / (1 + sp.exp(-t)),
    "softplus": lambda t: sp.log(1 + sp.exp(t)),
    "log1p": lambda t: sp.log(1 + t),
}
"""Functions a formula may call, each of one argument. All are smooth where defined: the
analysis needs second derivatives, so non-smooth functions (abs, max, relu) are not offered."""

CONSTANTS = {"pi": sp.pi, "E": sp.E}

MAX_LENGTH = 20_000
MAX_EXPONENT = 100
"""Largest absolute numeric exponent; bounds the work (``x**10**9`` would not end)."""

_BINARY = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
    ast.Pow: None, ast.BitXor: None,  # both are powers, checked in _power
}

_DESCRIBE = {
    ast.Attribute: "attribute access", ast.Subscript: "indexing", ast.Lambda: "lambda",
    ast.Compare: "comparison", ast.BoolOp: "boolean operator", ast.IfExp: "conditional",
    ast.List: "list", ast.Tuple: "tuple", ast.Dict: "dict", ast.Set: "set",
    ast.ListComp: "comprehension", ast.GeneratorExp: "comprehension",
    ast.JoinedStr: "f-string", ast.NamedExpr: "assignment expression",
    ast.Starred: "star argument", ast.Await: "await",
}


def parse_formula(text, symbols):
    """Parse ``text`` into a sympy expression in the given symbols.

    Parameters
    ----------
    text : str
        The formula, e.g. ``"-3*x**2 - y**2 + 4*x*y"``.
    symbols : dict[str, sympy.Symbol]
        The declared names and the symbols they stand for.

    Raises
    ------
    FormulaError
        If the text is not a valid expression, uses anything off the whitelist, an
        undeclared name, or is not real-valued.
    """
    if not isinstance(text, str):
        raise FormulaError(f"a formula must be a string, got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise FormulaError(f"formula is {len(text)} characters long; the limit is {MAX_LENGTH}")
    if not text.strip():
        raise FormulaError("formula is empty")
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"not a valid expression: {text!r} ({exc.msg})") from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError(f"formula {text[:60]!r}... is nested too deeply") from None
    try:
        expr = _Builder(symbols).build(tree.body)
    except RecursionError:
        raise FormulaError(f"formula {text[:60]!r}... is nested too deeply") from None
    check_real(expr, text)
    return expr


MAX_MAGNITUDE = 1e300
"""Largest absolute value of a number in a formula (after sympy's constant folding)."""


def check_real(expr, source):
    """Reject expressions with an explicit imaginary part (``sqrt(-1)``, ``I``) or numbers
    beyond floating point."""
    if expr.has(sp.I) or any(not a.is_real for a in expr.atoms(sp.Number)):
        raise FormulaError(f"formula {source!r} is not real-valued")
    for number in expr.atoms(sp.Number):
        if number.is_finite and abs(number) > MAX_MAGNITUDE:
            raise FormulaError(f"number {sp.Float(number, 3)} in formula {source!r} exceeds "
                               f"{MAX_MAGNITUDE:.0e} in magnitude")
    if expr.has(sp.zoo, sp.oo, -sp.oo, sp.nan):
        raise FormulaError(f"formula {source!r} contains an infinite or undefined constant")


class _Builder:
    def __init__(self, symbols):
        self.symbols = symbols

    def build(self, node):
        if isinstance(node, ast.Constant):
            return self._number(node.value)
        if isinstance(node, ast.Name):
            return self._name(node.id)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.UAdd, ast.USub)):
            operand = self.build(node.operand)
            return -operand if isinstance(node.op, ast.USub) else operand
        if isinstance(node, ast.BinOp) and type(node.op) in _BINARY:
            left, right = self.build(node.left), self.build(node.right)
            if isinstance(node.op, (ast.Pow, ast.BitXor)):
                return _power(left, right)
            if isinstance(node.op, ast.Div) and right == 0:
                raise FormulaError("division by zero in formula")
            return _BINARY[type(node.op)](left, right)
        if isinstance(node, ast.Call):
            return self._call(node)
        what = _DESCRIBE.get(type(node), f"{type(node).__name__} syntax")
        raise FormulaError(f"{what} is not allowed in a formula")

    def _number(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FormulaError(f"literal {value!r} is not allowed in a formula (numbers only)")
        if isinstance(value, float):
            if not math.isfinite(value):
                raise FormulaError(f"number {value!r} is not finite")
            return sp.Rational(repr(value))
        return sp.Integer(value)

    def _name(self, name):
        if name in self.symbols:
            return self.symbols[name]
        if name in CONSTANTS:
            return CONSTANTS[name]
        if name in FUNCTIONS:
            raise FormulaError(f"function {name!r} must be called, e.g. {name}(x)")
        known = list(self.symbols) + list(CONSTANTS)
        raise FormulaError(str(unknown_name("symbol (not declared as a player variable)", name, known)))

    def _call(self, node):
        if not isinstance(node.func, ast.Name):
            raise FormulaError("only calls of whitelisted functions by name are allowed "
                               f"({', '.join(sorted(FUNCTIONS))})")
        name = node.func.id
        if name not in FUNCTIONS:
            raise FormulaError(f"function {name!r} is not allowed; allowed functions are "
                               f"{', '.join(sorted(FUNCTIONS))}")
        if node.keywords or len(node.args) != 1:
            raise FormulaError(f"{name}() takes exactly one positional argument")
        return FUNCTIONS[name](self.build(node.args[0]))


def _power(base, exponent):
    if exponent.is_Number:
        if abs(exponent) > MAX_EXPONENT:
            raise FormulaError(f"exponent {exponent} is larger than {MAX_EXPONENT} in magnitude")
        if base == 0 and exponent < 0:
            raise FormulaError("zero raised to a negative power in formula")
        if base.is_Number and abs(exponent) * math.log10(abs(float(base)) + 1) > 300:
            raise FormulaError(f"number {base}**{exponent} is too large")
    return base ** exponent
