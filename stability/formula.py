"""Safe parsing of formula strings into sympy expressions.

``sympy.sympify`` evaluates Python, so it must never see an untrusted string. Here the
string is parsed by :func:`ast.parse` (which only builds a syntax tree) and the tree is
walked against a whitelist; the sympy expression is built node by node. Nothing in the
string is ever executed.

Accepted: numbers, the declared symbols, the constants ``pi`` and ``E``, the operators
``+ - * / **`` (``^`` is read as ``**``, with the precedence of ``**``: ``x^2 - y^2`` is
``x**2 - y**2``), unary ``+``/``-``, and calls of the functions in :data:`FUNCTIONS`.
Comments (``#``) are refused, so no part of a formula is silently dropped. Decimal literals
become exact rationals (``0.05`` is ``1/20``), so exact
critical points and eigenvalues stay exact.
"""

import ast
import math

import sympy as sp

from .config import defaults
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

# The bounds on formulas are config.defaults["formula.*"] (docs/NUMERICS.md): max_length
# characters; max_exponent, the largest absolute numeric exponent (x**10**9 would not end);
# max_degree, the largest growth of nested powers (they multiply their exponents, so the
# per-exponent cap alone does not bound them); max_nodes and max_depth of an expression (sympy
# differentiates recursively, and second derivatives nest about three times deeper);
# max_magnitude, the largest absolute value of a number after sympy's constant folding.

_BINARY = {
    ast.Add: lambda a, b: a + b, ast.Sub: lambda a, b: a - b,
    ast.Mult: lambda a, b: a * b, ast.Div: lambda a, b: a / b,
    ast.Pow: None,  # checked in _power
}

_OPERATORS = {ast.FloorDiv: "//", ast.Mod: "%", ast.MatMult: "@", ast.BitAnd: "&",
              ast.BitOr: "|", ast.LShift: "<<", ast.RShift: ">>"}

_DESCRIBE = {
    ast.UnaryOp: "this unary operator (not, ~)", ast.Yield: "yield", ast.YieldFrom: "yield",
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
    if len(text) > defaults['formula.max_length']:
        raise FormulaError(f"formula is {len(text)} characters long; the limit is {defaults['formula.max_length']}")
    if not text.strip():
        raise FormulaError("formula is empty")
    if "#" in text:
        raise FormulaError(f"a formula may not contain '#' (Python would read the rest of the "
                           f"line as a comment and drop it): {text[:60]!r}")
    # '^' means power: rewritten before parsing so that it binds like '**' (Python's '^' is
    # XOR, which binds more loosely than '-': x^2 - y^2 would parse as x^((2 - y)^2))
    source = text.strip().replace("^", "**")
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        raise FormulaError(f"not a valid expression: {text!r} ({exc.msg})") from None
    except (RecursionError, MemoryError, ValueError):
        raise FormulaError(f"formula {text[:60]!r}... is nested too deeply") from None
    try:
        expr = _Builder(symbols).build(tree.body)
        check_real(expr, text)
        check_expression(expr, text)  # what sympy's evaluation made of it: sqrt(x**2) is Abs(x)
    except RecursionError:
        raise FormulaError(f"formula {text[:60]!r}... is nested too deeply") from None
    return expr




def check_real(expr, source):
    """Reject expressions with an explicit imaginary part (``sqrt(-1)``, ``I``) or numbers
    beyond floating point."""
    if expr.has(sp.I) or any(not a.is_real for a in expr.atoms(sp.Number)):
        raise FormulaError(f"formula {source!r} is not real-valued")
    for number in expr.atoms(sp.Number):
        if number.is_finite and abs(number) > defaults['formula.max_magnitude']:
            raise FormulaError(f"number {sp.Float(number, 3)} in formula {source!r} exceeds "
                               f"{defaults['formula.max_magnitude']:.0e} in magnitude")
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
            if isinstance(node.op, ast.Pow):
                return _power(left, right)
            if isinstance(node.op, ast.Div) and right == 0:
                raise FormulaError("division by zero in formula")
            return _bounded(_BINARY[type(node.op)](left, right))
        if isinstance(node, ast.Call):
            return self._call(node)
        if isinstance(node, ast.BinOp):
            op = _OPERATORS.get(type(node.op), type(node.op).__name__)
            raise FormulaError(f"operator {op} is not allowed in a formula (only + - * / ** and ^)")
        what = _DESCRIBE.get(type(node), f"{type(node).__name__} syntax")
        raise FormulaError(f"{what} is not allowed in a formula")

    def _number(self, value):
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise FormulaError(f"literal {type(value).__name__} is not allowed in a formula (numbers only)")
        if isinstance(value, int) and value.bit_length() > 997:  # beyond 1e300: never formatted
            raise FormulaError(f"an integer literal with about {int(value.bit_length() * 0.30103)} "
                               f"digits exceeds {defaults['formula.max_magnitude']:.0e} in magnitude")
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
        return _bounded(FUNCTIONS[name](self.build(node.args[0])))


def _magnitude_log10(number):
    """log10 of |number| for a constant sympy expression (no big integer is expanded)."""
    value = abs(sp.N(number, 15))
    if value == 0:
        return -math.inf
    if not value.is_finite:
        return math.inf
    return float(sp.log(value, 10).evalf(15))


def _bounded(expr):
    """``expr`` if every constant in it stays within ±1e300 (checked as it is built, so number
    towers never materialise)."""
    if expr.is_number and expr.is_finite is not False and not expr.is_Integer:
        if _magnitude_log10(expr) > 300:
            raise FormulaError(f"a number in the formula exceeds {defaults['formula.max_magnitude']:.0e} in magnitude")
    elif expr.is_Integer and abs(expr) > 10 ** 300:
        raise FormulaError(f"a number in the formula exceeds {defaults['formula.max_magnitude']:.0e} in magnitude")
    return expr


def _power(base, exponent):
    if exponent.is_number:
        e = exponent if exponent.is_Number else sp.N(exponent, 15)
        if not e.is_real:
            raise FormulaError("a complex exponent is not allowed in a formula")
        if abs(e) > defaults['formula.max_exponent']:
            raise FormulaError(f"an exponent is larger than {defaults['formula.max_exponent']} in magnitude")
        if base == 0 and e < 0:
            raise FormulaError("zero raised to a negative power in formula")
        if base.is_number:
            if abs(float(e)) * abs(_magnitude_log10(base)) > 300:
                raise FormulaError(f"a power of a number in the formula exceeds {defaults['formula.max_magnitude']:.0e} "
                                   "(or falls below its inverse) in magnitude")
        elif abs(float(e)) * growth(base) > defaults['formula.max_degree']:
            raise FormulaError(f"nested powers give a degree of {abs(float(e)) * growth(base):.0f}, "
                               f"more than {defaults['formula.max_degree']}")
    return _bounded(base ** exponent)


def growth(expr, _memo=None):
    """How fast ``expr`` grows in its symbols: the total degree for polynomials (powers of sums
    are not expanded), and for other expressions the same recursion through functions."""
    memo = {} if _memo is None else _memo
    if expr in memo:
        return memo[expr]
    if expr.is_Symbol:
        out = 1.0
    elif not expr.free_symbols:
        out = 0.0
    elif expr.is_Add or isinstance(expr, sp.Function):
        out = max(growth(a, memo) for a in expr.args)
    elif expr.is_Mul:
        out = sum(growth(a, memo) for a in expr.args)
    elif expr.is_Pow:
        b, e = expr.args
        out = abs(float(e)) * growth(b, memo) if e.is_number else growth(b, memo) + growth(e, memo) + 1
    else:
        out = max((growth(a, memo) for a in expr.args), default=1.0)
    memo[expr] = out
    return out


ALLOWED_FUNCTIONS = (sp.exp, sp.log, sp.sin, sp.cos, sp.tan, sp.atan, sp.sinh, sp.cosh, sp.tanh)
"""The sympy function classes a game may contain (what :data:`FUNCTIONS` builds)."""


def check_expression(expr, source):
    """Check a sympy expression given directly (not parsed): only the operations a formula may
    contain (numbers, symbols, ``pi``, ``E``, ``+ * **``, the smooth functions of
    :data:`FUNCTIONS`), bounded size, degree and numbers. Undefined functions, ``Abs``,
    ``sign``, ``Piecewise``, ``Heaviside`` … are refused: their derivatives are not smooth or
    not known (``sqrt(psi**2)`` is ``Abs(psi)`` for real ψ)."""
    nodes, stack = 0, [(expr, 1)]
    while stack:  # size and depth first, iteratively: sympy's own walks recurse
        node, depth = stack.pop()
        nodes += 1
        if nodes > defaults['formula.max_nodes']:
            raise FormulaError(f"expression has more than {defaults['formula.max_nodes']} nodes")
        if depth > defaults['formula.max_depth']:
            raise FormulaError(f"expression is nested more than {defaults['formula.max_depth']} levels deep "
                               f"({source[:60]!r}); its derivatives could not be built")
        stack.extend((a, depth + 1) for a in node.args)
    for node in sp.preorder_traversal(expr):
        if node.is_Symbol or node.is_Number or node in (sp.pi, sp.E) or node.is_Add or node.is_Mul:
            continue
        if node.is_Pow:
            _power(node.base, node.exp) if node.exp.is_number else None
            continue
        if isinstance(node, ALLOWED_FUNCTIONS):
            if node.is_number:
                _bounded(node)
            continue
        name = getattr(node.func, "__name__", type(node).__name__)
        raise FormulaError(f"{name} is not allowed in a game ({source[:60]!r}): only numbers, "
                           "symbols, pi, E, + - * / ** and the smooth functions "
                           f"{', '.join(sorted(FUNCTIONS))}")
    if growth(expr) > defaults['formula.max_degree']:
        raise FormulaError(f"expression has degree {growth(expr):.0f}, more than {defaults['formula.max_degree']}")
