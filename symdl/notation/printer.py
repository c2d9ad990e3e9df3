"""symdl's LaTeX printer: exact decimals shown as decimals, everything else rounded with \\approx."""

from __future__ import annotations

import functools

import mpmath
import sympy
from sympy.printing.latex import LatexPrinter

from symdl.check import hp
from symdl.solution import Tex

# Longest decimal expansion shown exactly; past it a value is rounded and marked \approx.
MAX_EXACT_DECIMALS = 10


def terminating_decimal(value: sympy.Rational):
    """The exact decimal string of ``value`` when it terminates within the limit, else None.

    Decided from the denominator's factors of 2 and 5 (at most MAX_EXACT_DECIMALS of each
    are divided out), so a huge fraction is never turned into a decimal string.
    """
    value = sympy.Rational(value)
    q = int(value.q)
    twos = (q & -q).bit_length() - 1
    if twos > MAX_EXACT_DECIMALS:
        return None
    q >>= twos
    fives = 0
    while q % 5 == 0 and fives <= MAX_EXACT_DECIMALS:
        q //= 5
        fives += 1
    if q != 1:
        return None
    places = max(twos, fives)
    if places > MAX_EXACT_DECIMALS:
        return None
    if places == 0:
        return _integer_text(int(value))
    scaled = abs(int(value.p) * 10**places // int(value.q))
    if scaled.bit_length() > MAX_EXACT_INTEGER_BITS:
        return None
    digits = str(scaled).rjust(places + 1, "0")
    text = f"{digits[:-places]}.{digits[-places:]}"
    return ("-" if value < 0 else "") + text


# Longest integer shown digit by digit (about 30 digits); a longer one is rounded.
MAX_EXACT_INTEGER_BITS = 100
# Integers from this one up are written with thin separators in math: 12{,}345 (not 1234)
GROUP_FROM = 10_000


def grouped(text: str) -> str:
    """A number written out (``-12345.678``) with its integer part in groups of three digits
    (``-12{,}345.678``) when it is at least GROUP_FROM; math-mode LaTeX, for the printer only
    (plain-text sentences keep ``terminating_decimal``'s digits)."""
    sign = "-" if text.startswith("-") else ""
    whole, dot, rest = text[len(sign):].partition(".")
    if not whole.isdigit() or int(whole) < GROUP_FROM:
        return text
    head = len(whole) % 3 or 3
    groups = [whole[:head]] + [whole[i:i + 3] for i in range(head, len(whole), 3)]
    return sign + "{,}".join(groups) + dot + rest


def _integer_text(n: int):
    """``n`` written out, or None when it is too long to show (never converted to a string then)."""
    return str(n) if n.bit_length() <= MAX_EXACT_INTEGER_BITS else None


def _mp(x):
    """A number (float, int, SymPy number, mpf) as an mpf at 30 digits."""
    if isinstance(x, mpmath.mpf):
        return x
    if isinstance(x, (int, sympy.Rational)):
        x = sympy.Rational(x)
        return hp.ratio(int(x.p), int(x.q))
    if isinstance(x, sympy.Float):
        return mpmath.mpf(x._mpf_)
    if isinstance(x, sympy.Basic):
        return mpmath.mpf(sympy.Float(sympy.N(x, 30, maxn=hp.MAXN), 30)._mpf_)
    return mpmath.mpf(x)


def format_float(x, sig: int = 4) -> str:
    """``x`` to ``sig`` significant digits as LaTeX (scientific form when very large/small).

    ``x`` may be a float, an int, an mpf or a SymPy number; the rounding is done in mpmath,
    so values past float64's range (e^{1000}, 5 x 10^{-435}) print with their true exponent.
    """
    with mpmath.workdps(30):
        x = _mp(x)
        if x == 0:
            return "0"
        if mpmath.isnan(x):
            return r"\mathrm{NaN}"
        if mpmath.isinf(x):
            return r"\infty" if x > 0 else r"-\infty"
        exponent = int(mpmath.floor(mpmath.log10(abs(x))))
        digits = int(mpmath.nint(abs(x) / mpmath.mpf(10) ** (exponent - sig + 1)))
        if digits >= 10**sig:                       # rounding carried into a new digit
            exponent += 1
            digits = int(mpmath.nint(abs(x) / mpmath.mpf(10) ** (exponent - sig + 1)))
        elif digits < 10 ** (sig - 1):              # log10 rounded just below a power of ten
            exponent -= 1
            digits = int(mpmath.nint(abs(x) / mpmath.mpf(10) ** (exponent - sig + 1)))
        if -4 <= exponent < 7:                      # fixed point: sig digits, all integer digits
            decimals = max(sig - 1 - exponent, 0)
            scaled = int(mpmath.nint(abs(x) * mpmath.mpf(10) ** decimals))
    sign = "-" if x < 0 else ""
    if -4 <= exponent < 7:
        text = str(scaled).rjust(decimals + 1, "0")
        body = f"{text[:-decimals]}.{text[-decimals:]}" if decimals else text
        if "." in body:
            body = body.rstrip("0").rstrip(".")
        return "0" if body in ("", "0") else grouped(sign + body)
    text = str(digits)
    mantissa = (text[0] + "." + text[1:]).rstrip("0").rstrip(".")
    return rf"{sign}{mantissa} \times 10^{{{exponent}}}"


class SymdlPrinter(LatexPrinter):
    """LatexPrinter with exam-style numbers and settings checked like SymPy's own."""

    printmethod = "_symdl_latex"
    _default_settings = dict(LatexPrinter._default_settings, sig_digits=5, approximate=False)

    def _print_Rational(self, expr):
        if self._settings["approximate"]:
            return format_float(expr, self._settings["sig_digits"])
        text = terminating_decimal(expr)
        if text is not None:
            return grouped(text)
        if max(abs(int(expr.p)).bit_length(), int(expr.q).bit_length()) > MAX_EXACT_INTEGER_BITS:
            return format_float(expr, self._settings["sig_digits"])   # a fraction too long to write out
        return super()._print_Rational(expr)

    def _print_Pi(self, expr):
        return r"\pi"

    def _print_NegativeInfinity(self, expr):         # a causal mask's entries
        return r"-\infty"

    def _print_Integer(self, expr):
        text = _integer_text(int(expr))
        return grouped(text) if text is not None else format_float(expr, self._settings["sig_digits"])

    def _print_Float(self, expr):
        return format_float(expr, self._settings["sig_digits"])

    def _print_Mul(self, expr):
        # Substituted products (numbers wrapped unevaluated): a \cdot b, negatives bracketed.
        # (SymPy's _print_Pow hands a power with a negative exponent here as it is: not a product.)
        if isinstance(expr, sympy.Mul) and (any(isinstance(a, sympy.UnevaluatedExpr) for a in expr.args) or (
                len(expr.args) > 1 and all(a.is_number for a in expr.args) and not expr.is_Rational)):
            args = list(expr.args)
            den = [a.base for a in args if a.is_Pow and a.exp == -1]
            if den:
                num = [a for a in args if not (a.is_Pow and a.exp == -1)]
                top = sympy.Mul(*num, evaluate=False) if len(num) > 1 else (num[0] if num else sympy.Integer(1))
                bottom = sympy.Mul(*den, evaluate=False) if len(den) > 1 else den[0]
                return rf"\frac{{{self._print(top)}}}{{{self._print(bottom)}}}"
            sign = ""
            if len(args) > 1 and args[0] == -1:
                sign, args = "-", args[1:]
            parts = []
            for arg in args:
                text = self._print(arg)
                if text.lstrip().startswith("-") or arg.is_Add or (
                        isinstance(arg, sympy.UnevaluatedExpr) and arg.args[0].is_Add):
                    text = rf"\left({text}\right)"
                parts.append(text)
            return sign + r" \cdot ".join(parts)
        return super()._print_Mul(expr)

    def _print_Add(self, expr, order=None):
        if not any(isinstance(a, sympy.UnevaluatedExpr) for a in sympy.preorder_traversal(expr)):
            return super()._print_Add(expr, order=order)
        out = ""
        args = expr.args
        if len(args) > MAX_SHOWN_TERMS:     # a long substituted sum: its first and last terms
            args = args[:MAX_SHOWN_TERMS - 2] + (None,) + args[-2:]
        for i, term in enumerate(args):
            text = rf"\cdots\ ({len(expr.args)}\text{{ terms}})" if term is None else self._print(term)
            if i == 0:
                out = text
            elif text.startswith("-"):
                out += " - " + text[1:].lstrip()
            else:
                out += " + " + text
        return out

    def _print_Pow(self, expr):
        # an unevaluated reciprocal of a number (substituted steps): \frac{1}{...}
        if expr.exp == -1 and (expr.base.is_number or isinstance(expr.base, sympy.UnevaluatedExpr)):
            return rf"\frac{{1}}{{{self._print(expr.base)}}}"
        return super()._print_Pow(expr)

    def _print_UnevaluatedExpr(self, expr):
        return self._print(expr.args[0])

    def _print_MatrixBase(self, expr):
        # A matrix too big for a page (and for TeX's input buffer) shows its corners only
        rows, cols = expr.shape
        if rows <= MAX_SHOWN_ROWS and cols <= MAX_SHOWN_COLUMNS:
            return super()._print_MatrixBase(expr)
        return elided_matrix(self, expr)

    def _print_Max(self, expr):
        return r"\max\left(" + ", ".join(self._print(a) for a in expr.args) + r"\right)"

    def _print_Min(self, expr):
        return r"\min\left(" + ", ".join(self._print(a) for a in expr.args) + r"\right)"


# The longest substituted sum shown whole; a longer one shows its first and last terms
MAX_SHOWN_TERMS = 12
# The largest matrix shown whole; a bigger one is shown by its corner entries
MAX_SHOWN_ROWS = 16
MAX_SHOWN_COLUMNS = 10
_CORNER = (3, 2)        # entries shown before and after the dots


def _kept(n: int, limit: int) -> list:
    """Indices of the rows (columns) shown, None where the dots stand."""
    if n <= limit:
        return list(range(n))
    head, tail = _CORNER
    return list(range(head)) + [None] + list(range(n - tail, n))


def elided_matrix(printer, matrix) -> str:
    """``matrix`` by its corner entries, with \\cdots, \\vdots and \\ddots for the rest."""
    rows, cols = matrix.shape
    lines = []
    for r in _kept(rows, MAX_SHOWN_ROWS):
        cells = []
        for c in _kept(cols, MAX_SHOWN_COLUMNS):
            if r is None:
                cells.append(r"\ddots" if c is None else r"\vdots")
            else:
                cells.append(r"\cdots" if c is None else printer._print(matrix[r, c]))
        lines.append(" & ".join(cells))
    body = "\\\\".join(lines)
    return (rf"\left[\begin{{matrix}}{body}\end{{matrix}}\right]_{{{rows}\times {cols}}}"
            r"\;\text{\scriptsize (shown in part)}")          # short: fits a table column


_TEXT_ESCAPES = {"\\": r"\backslash ", "{": r"\{", "}": r"\}", "$": r"\$", "&": r"\&", "#": r"\#",
                 "%": r"\%", "_": r"\_", "^": r"\hat{}", "~": r"\sim "}


def text_in_math(text: str) -> str:
    r"""Plain text inside math as \text{...}, every special character escaped."""
    body = "".join(_TEXT_ESCAPES.get(ch, ch) for ch in str(text) if ord(ch) >= 32)
    return r"\text{" + body + "}"


def tex(expr, **settings) -> Tex:
    """LaTeX for ``expr`` (SymPy object, number, or already-made Tex)."""
    if isinstance(expr, Tex):
        return expr
    if isinstance(expr, bool):
        return Tex(r"\text{" + ("true" if expr else "false") + "}")
    if isinstance(expr, str):
        raise TypeError("plain strings are text, not math; wrap LaTeX from the printer in Tex")
    settings.setdefault("order", "none")
    return Tex(SymdlPrinter(settings).doprint(sympy.sympify(expr) if isinstance(expr, (int, float)) else expr))


def is_exact_decimal(value) -> bool:
    """True when ``value`` (number or matrix) prints exactly as decimals."""
    if isinstance(value, bool):
        return True
    if isinstance(value, int):
        return _integer_text(value) is not None
    if isinstance(value, sympy.MatrixBase):
        return all(is_exact_decimal(v) for v in value)
    value = sympy.sympify(value)
    if value.is_Integer:
        return _integer_text(int(value)) is not None
    if value.is_Rational:
        return terminating_decimal(value) is not None
    return False


def value_tex(value, sig: int = 5):
    """(relation, LaTeX) for a result: ('=', exact decimal) or ('\\approx', rounded)."""
    if isinstance(value, Tex):
        return "=", value
    if isinstance(value, bool):
        return "=", tex(value)
    if is_exact_decimal(value):
        return "=", tex(value)
    return r"\approx", tex(numeric(value), sig_digits=sig, approximate=True)


VECTOR_WRAP = 8     # entries per line of a long vector


def vector_tex(value):
    """(relation, LaTeX) of a column vector written as a transposed row, rounded when inexact.

    A vector longer than VECTOR_WRAP entries is wrapped onto several lines inside the
    brackets (read line by line), so that it fits the page.
    """
    row = sympy.Matrix(value).T
    relation, body = value_tex(row)
    if row.cols <= VECTOR_WRAP:
        return relation, Tex(body + "^T")
    cells = [value_tex(v)[1] for v in row]
    lines = [r" \quad ".join(cells[i:i + VECTOR_WRAP]) for i in range(0, len(cells), VECTOR_WRAP)]
    return relation, Tex(r"\left[\begin{array}{l}" + r" \\ ".join(lines) + r"\end{array}\right]^T")


def numeric(value):
    """``value`` evaluated to 30-digit Floats inside SymPy (matrices stay matrices).

    Never through a Python float, so e^{1000} or 5 x 10^{-435} keep their size; a huge
    exact fraction is rounded by hp.ratio (never written out in decimal).
    """
    if isinstance(value, sympy.MatrixBase):
        return value.applyfunc(_float30)
    return _float30(value)


def _float30(v):
    v = sympy.sympify(v)
    try:
        return _float30_of(v)
    except TypeError:                    # unhashable
        return _float30_of.__wrapped__(v)


@functools.lru_cache(maxsize=4096)
def _float30_of(v):
    """_float30 of a sympified value: the same exact value is shown in several documents."""
    if not isinstance(v, sympy.Rational):
        v = v.doit()                     # an unevaluated exact zero (-2 + 2) would evalf to noise
    if isinstance(v, sympy.Rational):
        with mpmath.workdps(30):
            return sympy.Float(hp.ratio(int(v.p), int(v.q)), 30)
    return sympy.Float(sympy.N(v, 30, maxn=hp.MAXN), 30)


def substitute(expr, mapping):
    """``expr`` with the numbers of ``mapping`` put in and nothing evaluated.

    Numbers are wrapped in UnevaluatedExpr so that SymPy neither folds nor splits them
    (``-0.1`` stays one number instead of ``-1 * 0.1``); print the result with :func:`tex`.

    The tree is rebuilt node by node with ``evaluate=False`` passed to each constructor, which
    gives what ``xreplace`` under ``sympy.evaluate(False)`` gives; that context manager clears
    SymPy's whole cache on entry and exit (it must: the cache does not key on the flag), and
    at hundreds of steps per exam the lost cache cost a sixth of a derivation. A node of
    another type is rebuilt under the context manager, as before.
    """
    wrapped = {k: (sympy.UnevaluatedExpr(v) if isinstance(v, sympy.Basic) and v.is_number else v)
               for k, v in mapping.items()}
    try:
        return _rebuilt(expr, wrapped)
    except _Unknown:
        with sympy.evaluate(False):
            return expr.xreplace(wrapped)


class _Unknown(Exception):
    """A node whose constructor may not take ``evaluate=False``."""


# constructors that read evaluate= as the context manager's flag (SymPy 1.14: AssocOp, Pow,
# Application, MinMaxBase); another type takes the fallback
_UNEVALUATED = (sympy.Add, sympy.Mul, sympy.Pow, sympy.Function, sympy.Max, sympy.Min)


def _rebuilt(node, mapping):
    if node in mapping:
        return mapping[node]
    args = node.args
    if not args:
        return node
    new = tuple(_rebuilt(a, mapping) for a in args)
    if all(a is b for a, b in zip(new, args)):
        return node
    func = node.func
    if isinstance(func, type) and issubclass(func, _UNEVALUATED):
        return func(*new, evaluate=False)
    raise _Unknown(func)
