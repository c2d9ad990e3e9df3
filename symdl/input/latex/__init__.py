"""LaTeX -> SymPy, the one place symdl talks to latex2sympy2 (this package: state.py resets and
patches the parser, skeleton.py is the fast path for simple skeletons).

latex2sympy2 1.9.1 is used for the arithmetic skeleton of an expression (precedence,
fractions, powers, implicit products). Around it this module:

- resets the parser's module-level state before every parse;
- makes every symbol non-commutative, so that ``x W`` stays ``x W`` (matrix products keep
  their order) and a transpose ``W^T`` becomes an explicit ``transpose(W)`` node instead of
  being dropped;
- lifts the constructs latex2sympy2 mishandles out of the text before it parses (matrix
  literals, ``[a \\quad b]^T`` vectors, ``\\max\\left[...\\right]``, ``e^{...}``, named
  functions such as ``\\sigma`` or ``\\operatorname{relu}``), parses their arguments on
  their own, and puts them back as explicit nodes;
- checks that numeric values keep every literal the author wrote.

Anything it cannot represent faithfully raises :class:`LatexError` with the place.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

import sympy

from symdl.errors import LatexError
from symdl.input.latex.hadamard import _hadamard
from symdl.input.latex.skeleton import _skeleton_by_shape
from symdl.input.latex.state import _fresh_parser, op
from symdl.ops.table import FUNCTION_ARITY, FUNCTION_NAMES, OVERLOADS
from symdl.input.latex.axis import read_axis
from symdl.input.latex.depth import parse_deep
from symdl.input.tex_display import check_display

# Named functions an expression may call (every spelling -> its op) and their arities: the op table's.
_NUMBER = r"[+-]?\s*(?:\d+(?:\.\d*)?|\.\d+)"
_MAX_EXPONENT = 400          # |10^400| is plenty for an exam; larger is an input error
_MAX_DIGITS = 60


@dataclass
class Parsed:
    """A parsed expression: the SymPy tree plus the constant matrices it refers to."""

    expr: sympy.Expr
    constants: dict = field(default_factory=dict)   # placeholder Symbol -> sympy.Matrix
    notes: list = field(default_factory=list)       # assumptions made while reading


# ----------------------------------------------------------------------- text level ---

def _normalize(text: str) -> str:
    s = text.strip().strip("$").strip()
    for macro in (r"\displaystyle", r"\,", r"\;", r"\!", r"\quad", r"\qquad", "~"):
        s = s.replace(macro, " ")
    # bold / roman single names: \mathbf{W} -> W
    s = re.sub(r"\\(?:mathbf|boldsymbol|bm|vec|mathbfit)\s*\{\s*([A-Za-z])\s*\}", r"\1", s)
    s = re.sub(r"\\(?:mathbf|boldsymbol|bm|vec)\s+([A-Za-z])", r"\1", s)
    # transposes: ^\top, ^{\top}, ^\intercal, ^{T}, ^{\mathsf{T}} -> ^T
    s = re.sub(r"\^\s*\{?\s*\\(?:top|intercal|mathsf\{T\}|mathrm\{T\})\s*\}?", "^T", s)
    s = re.sub(r"\^\s*\{\s*T\s*\}", "^T", s)
    s = re.sub(r"\\left\s*\[\s*\\begin\{matrix\}", r"\\begin{bmatrix}", s)
    s = re.sub(r"\\end\{matrix\}\s*\\right\s*\]", r"\\end{bmatrix}", s)
    s = re.sub(r"\\begin\{[pv]?matrix\}", r"\\begin{bmatrix}", s)
    s = re.sub(r"\\end\{[pv]?matrix\}", r"\\end{bmatrix}", s)
    s = re.sub(r"\\left\s*([(\[])", r"\1", s)
    s = re.sub(r"\\right\s*([)\]])", r"\1", s)
    s = re.sub(r"\\(?:left|right)\s*\.", " ", s)
    s = s.replace(r"\cdot", r" \cdot ").replace(r"\times", r" \cdot ")
    if re.search(r"\d[eE][+-]?\d", s):
        raise LatexError("E-notation such as 1e5 is ambiguous in LaTeX; write 10^{5}")
    return s


def _match_close(s: str, start: int, open_ch: str, close_ch: str) -> int:
    """Index of the bracket closing the one at ``start``."""
    depth = 0
    i = start
    while i < len(s):
        if s.startswith(r"\begin{bmatrix}", i):
            end = s.find(r"\end{bmatrix}", i)
            if end < 0:
                raise LatexError(f"unclosed matrix at character {i}")
            i = end + len(r"\end{bmatrix}")
            continue
        ch = s[i]
        if ch == open_ch:
            depth += 1
        elif ch == close_ch:
            depth -= 1
            if depth == 0:
                return i
        i += 1
    raise LatexError(f"unbalanced '{open_ch}' at character {start}")


def _split_top(s: str, sep: str) -> list[str]:
    """Split on ``sep`` at bracket depth zero."""
    parts, depth, current = [], 0, []
    i = 0
    while i < len(s):
        if s.startswith(r"\begin{bmatrix}", i):
            end = s.find(r"\end{bmatrix}", i)
            if end < 0:
                raise LatexError(f"\\begin{{bmatrix}} without \\end{{bmatrix}} at character {i}")
            end += len(r"\end{bmatrix}")
            current.append(s[i:end])
            i = end
            continue
        ch = s[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        if ch == sep and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
        i += 1
    parts.append("".join(current))
    return parts


# -------------------------------------------------------------------------- numbers ---

def _check_size(expr):
    """Refuse numbers too large to handle (10^{10^{10}}) before anything evaluates them."""
    for node in sympy.preorder_traversal(expr):
        if isinstance(node, sympy.Pow):
            exponent = node.exp
            if exponent.is_number:
                try:
                    if exponent.has(sympy.Pow):
                        _check_size(exponent)
                    if abs(sympy.N(exponent, 20)) > _MAX_EXPONENT:
                        raise LatexError("number too large (exponent beyond 400)")
                except (TypeError, ValueError):
                    raise LatexError("exponent is not a real number")
        if isinstance(node, sympy.Integer) and len(str(abs(int(node)))) > _MAX_DIGITS:
            raise LatexError(f"number with more than {_MAX_DIGITS} digits")


def _literal_count(text: str) -> int:
    return len(re.findall(r"(?<![A-Za-z_^{])(?:\d+(?:\.\d*)?|\.\d+)", text))


def _exact_matrix(table):
    """sympy.Matrix(table); a table of rationals is built straight over QQ (or ZZ), the domain
    SymPy would choose itself, without sympifying every entry again."""
    if not all(isinstance(v, sympy.Rational) for row in table for v in row):
        return sympy.Matrix(table)
    from sympy.polys.domains import QQ, ZZ
    from sympy.polys.matrices import DomainMatrix

    if all(v.q == 1 for row in table for v in row):
        rep = DomainMatrix([[ZZ(int(v.p)) for v in row] for row in table], (len(table), len(table[0])), ZZ)
    else:
        rep = DomainMatrix([[QQ(int(v.p), int(v.q)) for v in row] for row in table],
                           (len(table), len(table[0])), QQ)
    return sympy.Matrix._fromrep(rep.to_sparse())


def _vector_literal(inner: str):
    """Entries of ``[a \\quad b ...]`` / ``[a, b, c]`` / ``[a  b]``, or None if not a list."""
    raw = inner.replace(r"\quad", "  ").replace(r"\qquad", "  ").replace("~", " ")
    if "&" in raw:
        entries = raw.split("&")
    elif "," in raw:
        entries = raw.split(",")
    else:
        entries = re.findall(_NUMBER, raw)
        if len(entries) < 2 or re.sub(_NUMBER, "", raw).strip():
            return None
    entries = [e.strip() for e in entries]
    if len(entries) < 2 or any(not e for e in entries):
        return None
    return entries


# ------------------------------------------------------------------------- parsing ----

class _Reader:
    """Turns one LaTeX string into a SymPy tree with explicit op nodes."""

    def __init__(self, names=frozenset()):
        self.constants: dict = {}
        self.notes: list = []
        self.placeholders: dict = {}
        self.names = names          # a program's assigned names: each read as that one symbol
        self.named: dict = {}       # a name's placeholder symbol -> the name's symbol

    def _placeholder(self, value) -> str:
        name = f"Zph{len(self.placeholders)}"
        self.placeholders[sympy.Symbol(rf"\mathit{{{name}}}", commutative=False)] = value
        return rf" \mathit{{{name}}} "

    def _constant(self, matrix) -> str:
        # a name no spec can write (an input named C_1 stays an input)
        symbol = sympy.Symbol(f"_C{len(self.constants) + 1}", commutative=False)
        self.constants[symbol] = matrix
        return self._placeholder(symbol)

    def read(self, text: str):
        s = self._lift(_normalize(text))
        return self._skeleton(s)

    def _skeleton(self, s: str):
        lone = _LONE_PLACEHOLDER.fullmatch(s)
        if lone:    # a lifted matrix or call on its own: nothing left for latex2sympy2 to parse
            value = self.placeholders.get(sympy.Symbol(rf"\mathit{{{lone.group(1)}}}", commutative=False))
            if value is not None:
                _check_size(value)
                return value
        result = _skeleton_by_shape(s) if SKELETON_CACHE else None
        if result is not None:
            _check_size(result)             # before xreplace, which may evaluate powers
            result = result.xreplace(self.placeholders)
            _check_size(result)
            return self._names_back(result)
        l2s = _fresh_parser()
        if not s.strip():
            raise LatexError("empty expression")
        try:
            result = l2s.latex2sympy(s)
        except LatexError:
            raise
        except RecursionError:
            raise LatexError("expression nested too deeply")
        except Exception as exc:  # latex2sympy2 raises bare Exception with a caret drawing
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise LatexError(f"cannot parse '{s.strip()[:60]}': {first}")
        if isinstance(result, list):
            raise LatexError("a list of relations is not an expression")
        if isinstance(result, sympy.MatrixBase):
            raise LatexError("matrix in an unexpected place")
        _check_size(result)                 # before xreplace, which may evaluate powers
        result = result.xreplace(self.placeholders)
        _check_size(result)
        return self._names_back(_hadamard(result))

    def _names_back(self, result):
        """A program's names put back for their placeholders, nothing evaluated (a - a stays)."""
        if not self.named:
            return result
        back = {**self.named, **{sympy.Symbol(p.name): v for p, v in self.named.items()}}
        with sympy.evaluate(False):
            return result.xreplace(back)

    def _lift(self, s: str) -> str:
        """Replace matrix literals, bracket vectors and function calls by placeholders."""
        out = []
        i = 0
        while i < len(s):
            if s.startswith(r"\begin{bmatrix}", i):
                end = s.find(r"\end{bmatrix}", i)
                if end < 0:
                    raise LatexError("\\begin{bmatrix} without \\end{bmatrix}")
                body = s[i + len(r"\begin{bmatrix}"):end]
                i = end + len(r"\end{bmatrix}")
                matrix = self._matrix_body(body)
                i, matrix = self._maybe_transpose(s, i, matrix)
                out.append(self._constant(matrix))
                continue
            if s[i] == "[":
                close = _match_close(s, i, "[", "]")
                entries = _vector_literal(s[i + 1:close])
                if entries is not None:
                    matrix = sympy.Matrix([[self._number(e) for e in entries]])
                    i, matrix = self._maybe_transpose(s, close + 1, matrix)
                    out.append(self._constant(matrix))
                else:
                    out.append("(" + self._lift(s[i + 1:close]) + ")")
                    i = close + 1
                continue
            token = self._name_at(s, i) if self.names else None
            if token is not None:
                text, i = token
                out.append(text)
                continue
            if s.startswith(r"\odot", i):     # an elementwise product: a marker, see _hadamard
                if not "".join(out).strip() or not s[i + len(r"\odot"):].strip():
                    raise LatexError(r"'\odot' needs an operand on each side")
                out.append(r" \cdot \mathit{Zodot} \cdot ")
                i += len(r"\odot")
                continue
            _misread(s, i)
            call = self._function_at(s, i)
            if call is not None:
                name, i = call
                out.append(self._placeholder(name))  # replaced by _call below
                continue
            macro = re.match(r"\\[A-Za-z]+", s[i:]) if self.names else None
            if macro:               # in a program, no letter of a macro's name is a name
                out.append(macro.group())
                i += macro.end()
                continue
            out.append(s[i])
            i += 1
        return "".join(out)

    def _name_at(self, s: str, i: int):
        """In a program: (text, index after) for an assigned name at ``s[i:]`` (a placeholder for its
        symbol, read before ``e^`` or a constant could claim the letter) or for a subscript copied
        whole (no letter in it is a name); None to read ``s[i]`` as usual."""
        if s[i] == "_" and i > 0:
            j = i + 1 + len(s[i + 1:]) - len(s[i + 1:].lstrip())
            if j < len(s) and s[j] == "{":
                end = _match_close(s, j, "{", "}") + 1
            else:
                m = re.match(r"\\[A-Za-z]+|\d+|.", s[j:], re.S)
                end = j + (m.end() if m else 0)
            return s[i:end], end
        m = _NAME_TOKEN.match(s, i)
        if m is None:
            return None
        word = re.match(r"([A-Za-z]{2,})\s*\(", s[i:])
        if word and word.group(1) in FUNCTION_NAMES:
            return None             # a call such as exp(x): _function_at reads it
        name = m.group(1) + (f"_{m.group(2) or m.group(3)}" if m.group(2) or m.group(3) else "")
        if name not in self.names:
            return None
        symbol = sympy.Symbol(name, commutative=False)
        placeholder = next((p for p, v in self.named.items() if v == symbol), None)
        if placeholder is None:     # one placeholder per name: a - a stays a subtraction
            placeholder = sympy.Symbol(rf"\mathit{{Zpn{len(self.named)}}}", commutative=False)
            self.named[placeholder] = symbol
        return f" {placeholder.name} ", m.end()

    def _maybe_transpose(self, s, i, matrix):
        m = re.match(r"\s*\^T", s[i:])
        if m:
            return i + m.end(), matrix.T
        return i, matrix

    def _function_at(self, s: str, i: int):
        """A named function call or ``e^{...}`` at ``s[i:]``: (node, index after it)."""
        m = re.match(r"e\s*\^\s*", s[i:])
        if m and (i == 0 or not (s[i - 1].isalpha() or s[i - 1] == "\\")):
            j = i + m.end()
            if j < len(s) and s[j] == "{":
                close = _match_close(s, j, "{", "}")
                arg = self.read_inner(s[j + 1:close])
                return op("exp")(arg), close + 1
            if j < len(s) and (s[j].isalnum()):
                arg = self.read_inner(s[j])
                return op("exp")(arg), j + 1
        m = re.match(r"\\(?:operatorname|mathrm|text|textrm|mathit)\s*\{\s*([A-Za-z]+)\s*\}|\\([A-Za-z]+)", s[i:])
        if not m:
            m2 = re.match(r"([A-Za-z]{2,})\s*\(", s[i:])
            if m2 and m2.group(1) in FUNCTION_NAMES and (i == 0 or not s[i - 1].isalpha()):
                return self._call(s, i, m2.group(1), i + m2.end(1))
            return None
        name = m.group(1) or m.group(2)
        if name not in FUNCTION_NAMES:
            if m.group(1):
                raise LatexError(f"unknown function '{name}'")
            return None
        return self._call(s, i, name, i + m.end())

    def _call(self, s, i, name, j):
        canonical, j = read_axis(s, j, name, FUNCTION_NAMES[name])
        rest = s[j:]
        k = j + len(rest) - len(rest.lstrip())
        if k >= len(s) or s[k] not in "([":
            raise LatexError(f"'{name}' must be followed by its argument in parentheses")
        close = _match_close(s, k, s[k], ")" if s[k] == "(" else "]")
        args = [a for a in _split_top(s[k + 1:close], ",")]
        canonical = OVERLOADS.get((canonical, len(args)), canonical)
        if len(args) != FUNCTION_ARITY[canonical]:
            raise LatexError(f"'{name}' takes {FUNCTION_ARITY[canonical]} argument(s), got {len(args)}")
        if name == "log":
            self.notes.append(r"\log is read as the natural logarithm.")
        parsed = [self.read_inner(a) for a in args]
        end = close + 1
        node = op(canonical)(*parsed)
        m = re.match(r"\s*\^T", s[end:])
        if m:
            node = op("transpose")(node)
            end += m.end()
        return node, end

    def read_inner(self, text):
        return self._skeleton(self._lift(text))

    def _matrix_body(self, body: str):
        rows = [r for r in re.split(r"\\\\", body)]
        rows = [r for r in rows if r.strip()]
        if not rows:
            raise LatexError("empty matrix")
        table = [[self._number(cell) for cell in row.split("&")] for row in rows]
        width = len(table[0])
        if any(len(row) != width for row in table):
            raise LatexError("matrix rows of different lengths")
        return _exact_matrix(table)

    def _number(self, text: str):
        if self.names:              # a program's name in a matrix written out: not Euler's e there either
            for m in _NAME_TOKEN.finditer(re.sub(r"\\[A-Za-z]+", " ", text)):
                name = m.group(1) + (f"_{m.group(2) or m.group(3)}" if m.group(2) or m.group(3) else "")
                if name in self.names:
                    raise LatexError(f"'{name}' is a node of the program: a matrix written out holds numbers")
        return parse_number(text)


_CONSTANT_LETTER = re.compile(r"([eEI])_\s*(?:\{[^{}]*\}|\d+|[A-Za-z])")


def _misread(s: str, i: int):
    """Refuse e, E or I with a subscript at ``s[i:]`` (not a name of the table, which was read
    before): latex2sympy2 drops the subscript and more (``e_1 z`` reads as Euler's number alone)."""
    m = _CONSTANT_LETTER.match(s, i)
    if m and (i == 0 or not (s[i - 1].isalpha() or s[i - 1] in "\\_")):
        what = "the imaginary unit" if m.group(1) == "I" else "Euler's number"
        raise LatexError(f"'{m.group()}' cannot be a name here: the parser reads {m.group(1)} with a "
                         f"subscript as {what}; choose another letter")


# a name as latex2sympy2 reads it: one letter, its subscript braced, a run of digits or one letter
_NAME_TOKEN = re.compile(r"([A-Za-z])(?:_\s*(?:\{\s*([A-Za-z0-9]+)\s*\}|(\d+|[A-Za-z])))?")
_LONE_PLACEHOLDER = re.compile(r"\s*\\mathit\{(Zph\d+)\}\s*")
SKELETON_CACHE = True        # the skeleton cache (skeleton.py) is used; the benchmark turns it off
_CACHE: dict = {}            # text -> Parsed; parsing is deterministic, and a kind reads a field twice
_CACHE_SIZE = 256


def clear_cache():
    """Forget every parsed expression and matrix (benchmarks time cold parses with it)."""
    _CACHE.clear()
    _MATRICES.clear()


def parse_expression(text: str, names=()) -> Parsed:
    """Parse an expression such as ``f(x) = \\max[...]``; a left-hand side is dropped.

    ``names``: a program's names assigned so far; each written name (a letter with its
    subscript) is read as that symbol, even where the parser would read a constant
    (``e``, ``I``) or a differential (``d z``).
    Results are cached by text; each call gets its own copy of the constants and notes.
    """
    if not isinstance(text, str):
        raise LatexError("expected a LaTeX string")
    key = (text, frozenset(names)) if names else text
    hit = _CACHE.get(key)
    if hit is None:
        hit = parse_deep(_parse_expression, text, frozenset(names))   # deep nesting: a larger stack
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.pop(next(iter(_CACHE)))
        _CACHE[key] = hit
    return Parsed(expr=hit.expr, constants={k: v.copy() for k, v in hit.constants.items()},
                  notes=list(hit.notes))


def _parse_expression(text: str, names=frozenset()) -> Parsed:
    parts = _split_top(text, "=")
    if len(parts) > 2:
        raise LatexError("more than one '=' in an expression")
    body = parts[-1]
    reader = _Reader(names)
    expr = reader.read(body)
    return Parsed(expr=expr, constants=reader.constants, notes=list(dict.fromkeys(reader.notes)))


_PLAIN_NUMBER = re.compile(r"\s*(" + _NUMBER + r")\s*")
_DECIMALS: dict = {}         # '-0.12' -> Rational(-3, 25): a wide matrix repeats its cells


def parse_number(text) -> sympy.Rational:
    """A single exact number: ``-0.1`` -> -1/10, ``\\frac{1}{3}``, ``10^{-3}``."""
    if isinstance(text, bool):
        raise LatexError("expected a number, got true/false")
    if isinstance(text, int):
        return sympy.Integer(text)
    if isinstance(text, float):
        if not math.isfinite(text):
            raise LatexError(f"expected a finite number, got {text}")
        return sympy.Rational(repr(text))
    if not isinstance(text, str):
        raise LatexError("expected a number")
    plain = _PLAIN_NUMBER.fullmatch(text)
    if plain:       # a bare decimal (a matrix cell): nothing for _normalize to change
        digits = re.sub(r"\s", "", plain.group(1))
        if len(digits) > _MAX_DIGITS:
            raise LatexError(f"number with more than {_MAX_DIGITS} digits")
        value = _DECIMALS.get(digits)
        if value is None:
            if len(_DECIMALS) >= 4096:
                _DECIMALS.clear()
            value = _DECIMALS[digits] = sympy.Rational(digits)
        return value
    s = _normalize(text)
    s = s.strip()
    if re.fullmatch(r"\[\s*(" + _NUMBER + r")\s*\]", s):
        s = s.strip()[1:-1]
    m = re.fullmatch(r"\s*(" + _NUMBER + r")\s*", s)
    if m:
        digits = re.sub(r"\s", "", m.group(1))
        if len(digits) > _MAX_DIGITS:
            raise LatexError(f"number with more than {_MAX_DIGITS} digits")
        return sympy.Rational(digits)
    if r"\begin" in s or "&" in s:
        raise LatexError(f"expected a number, got a matrix: '{text.strip()[:40]}'")
    if re.search(r"\^\s*\{[^{}]*\^", s):
        raise LatexError("nested exponents (such as 10^{10^{10}}) are not accepted in a number")
    l2s = _fresh_parser()
    try:
        value = l2s.latex2sympy(s)
    except Exception as exc:
        raise LatexError(f"cannot read '{text.strip()[:40]}' as a number: "
                         f"{str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__}")
    if not isinstance(value, sympy.Basic):
        raise LatexError(f"'{text.strip()[:40]}' is not a number")
    _check_size(value)
    with sympy.evaluate(True):
        value = sympy.nsimplify(value) if value.has(sympy.Float) else value.doit()
    if not value.is_number or value.free_symbols:
        raise LatexError(f"'{text.strip()[:40]}' is not a number")
    if not value.is_real:
        raise LatexError(f"'{text.strip()[:40]}' is not a real number")
    return value


_MATRICES: dict = {}         # text -> ImmutableMatrix (immutable: shared, not copied)


def parse_matrix(text, *, shape=None) -> sympy.Matrix:
    """A numeric value as a Matrix: a bmatrix, ``[a \\quad b]^T``, ``[0.5]`` or a number.

    Every numeric literal written must become one entry, so nothing is dropped silently.
    A text read before is not read again (a kind reads its values in solve and again in
    its independent route).
    """
    if isinstance(text, str) and text in _MATRICES:
        matrix = _MATRICES[text]
        if shape is not None and tuple(matrix.shape) != tuple(shape):
            raise LatexError(f"expected shape {shape[0]}x{shape[1]}, got {matrix.rows}x{matrix.cols}")
        return matrix
    matrix = _parse_matrix(text)
    if isinstance(text, str):
        if len(_MATRICES) >= _CACHE_SIZE:
            _MATRICES.pop(next(iter(_MATRICES)))
        _MATRICES[text] = matrix
    if shape is not None and tuple(matrix.shape) != tuple(shape):
        raise LatexError(f"expected shape {shape[0]}x{shape[1]}, got {matrix.rows}x{matrix.cols}")
    return matrix


def _parse_matrix(text) -> sympy.ImmutableMatrix:
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        matrix = sympy.Matrix([[parse_number(text)]])
    elif isinstance(text, list):
        if text and all(isinstance(r, list) for r in text):
            widths = {len(r) for r in text}
            if len(widths) != 1:
                raise LatexError("matrix rows of different lengths")
            matrix = sympy.Matrix([[parse_number(c) for c in r] for r in text])
        else:
            matrix = sympy.Matrix([parse_number(c) for c in text])
    elif isinstance(text, str):
        parsed = parse_expression(text)
        expr = parsed.expr
        if expr in parsed.constants:
            matrix = parsed.constants[expr]
        elif isinstance(expr, sympy.Expr) and expr.func == op("transpose") and expr.args[0] in parsed.constants:
            matrix = parsed.constants[expr.args[0]].T
        elif isinstance(expr, sympy.Expr) and expr.is_number:
            matrix = sympy.Matrix([[parse_number(text)]])
        else:
            raise LatexError(f"'{text.strip()[:50]}' is not a numeric matrix or vector")
        literals = _literal_count(re.sub(r"\\(?:begin|end)\{[a-z]*\}", "", _normalize(text)))
        if not re.search(r"\\frac|\^|\\sqrt", text) and literals != len(matrix):
            raise LatexError(f"read {len(matrix)} entries but {literals} numbers are written")
    else:
        raise LatexError("expected a LaTeX matrix or a number")
    return matrix.as_immutable()


# ------------------------------------------------------------------ display LaTeX ---

def display_latex(text: str) -> str:
    """``text`` checked for showing verbatim in math mode (see :mod:`symdl.input.tex_display`).

    Raises LatexError naming the first character, macro or unclosed part TeX would not read
    as intended.
    """
    return check_display(text)
