"""Display LaTeX from a spec read as TeX reads it: safe characters, allowed macros, whole groups.

A spec may show a formula verbatim (a neuron's ``model``, a softmax ``score``). The text is
tokenized with TeX's own rules over a small safe set of characters (no ``^^`` notation, no
control character, nothing outside printable ASCII), every control word must be in an
allow-list, and the token list is parsed the way math mode nests it: braces, ``\\left``/
``\\right`` pairs, ``\\begin``/``\\end`` of matrix environments, one superscript and one
subscript per atom, the arguments each macro takes. Anything else raises LatexError while the
spec is read, so ``check`` refuses what ``derive`` could not typeset.
"""

from __future__ import annotations

import re
import string

from symdl.errors import LatexError

MAX_LENGTH = 600
MAX_DEPTH = 24
MAX_MATRIX_COLUMNS = 20     # \setcounter{MaxMatrixCols}{20} in the answer key

_SAFE_CHARS = frozenset(string.ascii_letters + string.digits + " \n\t+-*/=()[]<>,.;:!?'|^_{}\\&")
_CONTROL_SYMBOLS = frozenset(",;:! {}|\\")

ONE_ARG = frozenset("mathbf boldsymbol bm mathrm mathit mathsf mathcal mathbb hat bar tilde vec dot".split())
TEXT_ARG = frozenset({"text", "textrm", "operatorname"})
TWO_ARGS = frozenset({"frac", "dfrac", "tfrac"})
BIG = frozenset({"big", "Big", "bigg", "Bigg"})
SYMBOLS = frozenset("""
cdot times odot circ div pm mp top intercal prime partial nabla sum prod
quad qquad max min exp log ln tanh sigma arg
alpha beta gamma delta epsilon varepsilon zeta eta theta lambda mu nu xi pi rho tau phi varphi
chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega
leq geq neq approx sim infty in to mid lvert rvert lVert rVert vert Vert langle rangle
lfloor rfloor lceil rceil ldots cdots vdots
""".split())
# Control words that are single math characters: the only ones TeX takes, unbraced, as the
# argument of ^, _, \sqrt or an accent (a macro such as \sum or \max there is an error)
SINGLE = frozenset("""
cdot times odot circ div pm mp top intercal prime partial nabla infty in to mid leq geq neq approx sim
alpha beta gamma delta epsilon varepsilon zeta eta theta lambda mu nu xi pi rho tau phi varphi
chi psi omega Gamma Delta Theta Lambda Xi Pi Sigma Phi Psi Omega sigma
""".split())
MACROS = ONE_ARG | TEXT_ARG | TWO_ARGS | BIG | SYMBOLS | {"sqrt", "left", "right", "begin", "end"}
ENVIRONMENTS = frozenset({"bmatrix", "pmatrix", "matrix", "vmatrix"})
_DELIMITER_CHARS = frozenset("()[]|./<>")
_DELIMITER_WORDS = frozenset("lvert rvert lVert rVert vert Vert langle rangle lfloor rfloor lceil rceil".split())
_TEXT_CHARS = frozenset(string.ascii_letters + string.digits + " ,.;:!?()[]+=/*'")

_TOKEN = re.compile(r"\\([A-Za-z]+)\s*|\\(.)|(\s+)|(.)", re.S)


def _tokens(s: str) -> list[tuple[str, str]]:
    """TeX's tokens of ``s``: ('word', name), ('symbol', ch), ('space', ' ') or ('char', ch)."""
    if "^^" in s:
        raise LatexError("TeX's '^^' character notation is not allowed in displayed LaTeX")
    for ch in s:
        if ch not in _SAFE_CHARS:
            shown = repr(ch) if ch.isprintable() else f"U+{ord(ch):04X}"
            raise LatexError(f"character {shown} is not allowed in displayed LaTeX")
    out = []
    for m in _TOKEN.finditer(s):
        word, symbol, space, char = m.groups()
        if word is not None:
            if word not in MACROS:
                raise LatexError(f"macro '\\{word}' is not allowed in displayed LaTeX")
            out.append(("word", word))
            if m.group(0)[-1].isspace():        # TeX skips it; kept so the source reads as written
                out.append(("space", " "))
        elif symbol is not None:
            if symbol not in _CONTROL_SYMBOLS:
                raise LatexError(f"'\\{symbol}' is not allowed in displayed LaTeX")
            out.append(("symbol", symbol))
        elif space is not None:
            out.append(("space", " "))
        elif char == "\\":
            raise LatexError("a lone '\\' at the end of displayed LaTeX")
        else:
            out.append(("char", char))
    return out


class _Reader:
    """A recursive reading of the token list as math mode nests it."""

    def __init__(self, tokens):
        self.tokens = tokens
        self.i = 0
        self.depth = 0

    def peek(self, skip_space=True):
        j = self.i
        while skip_space and j < len(self.tokens) and self.tokens[j][0] == "space":
            j += 1
        return self.tokens[j] if j < len(self.tokens) else None

    def take(self):
        tok = self.peek()
        if tok is None:
            raise LatexError("displayed LaTeX ends too early (a missing argument or closing part)")
        while self.tokens[self.i][0] == "space":
            self.i += 1
        self.i += 1
        return tok

    def enter(self):
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise LatexError(f"displayed LaTeX nested deeper than {MAX_DEPTH} levels")

    def math_list(self, closer=None, env=None):
        """Atoms with their scripts until ``closer`` (a token) or the end; returns the closer."""
        self.enter()
        columns = 1
        while True:
            tok = self.peek()
            if tok is None or tok == closer or tok in (("char", "}"), ("word", "right"), ("word", "end")):
                break
            if tok == ("char", "&") or tok == ("symbol", "\\"):
                if env is None:
                    raise LatexError(f"'{'&' if tok[1] == '&' else chr(92) * 2}' outside a matrix")
                self.take()
                columns = columns + 1 if tok[1] == "&" else 1
                if columns > MAX_MATRIX_COLUMNS:
                    raise LatexError(f"a matrix of more than {MAX_MATRIX_COLUMNS} columns")
                if tok[1] == "\\" and self.peek() == ("char", "["):
                    raise LatexError("'\\\\' followed by '[': put the bracket in braces")
                continue
            self.atom_with_scripts()
        self.depth -= 1
        return tok

    def atom_with_scripts(self):
        tok = self.peek()
        if tok not in (("char", "^"), ("char", "_")):
            self.atom()
        seen = set()
        while self.peek() in (("char", "^"), ("char", "_"), ("char", "'")):
            mark = self.take()[1]
            if mark == "'":
                if seen:
                    raise LatexError("a prime after a script or a space: write the primes together, first")
                while self.peek(skip_space=False) == ("char", "'"):
                    self.i += 1
                seen.add("'")
                continue
            if mark in seen:
                raise LatexError(f"double {'superscript' if mark == '^' else 'subscript'}: use braces")
            seen.add(mark)
            self.script_argument()

    def script_argument(self):
        tok = self.peek()
        if tok is None:
            raise LatexError("a '^' or '_' without its argument")
        if tok == ("char", "{"):
            return self.atom()
        if tok[0] == "char" and tok[1] not in "^_&{}'":
            return self.take()
        if tok[0] == "word" and tok[1] in SINGLE:
            return self.take()
        raise LatexError("the argument of '^' or '_' must be one character, a symbol or a braced group")

    def argument(self):
        """One macro argument: a single character or math symbol, or a braced group."""
        tok = self.peek()
        if tok is None or tok[0] == "char" and tok[1] in "}^_&'":
            raise LatexError("a macro without its argument (or one that needs braces)")
        if tok == ("char", "{"):
            return self.atom()
        if tok[0] != "char" and tok[1] not in SINGLE:
            raise LatexError(f"put the argument '\\{tok[1]}' in braces")
        return self.take()

    def group(self):
        self.take()         # the {
        if self.math_list(("char", "}")) != ("char", "}"):
            raise LatexError("unbalanced braces: a '{' is never closed")
        self.take()

    def text_argument(self, name):
        if self.take() != ("char", "{"):
            raise LatexError(f"'\\{name}' takes its text in braces")
        while True:
            if self.i >= len(self.tokens):
                raise LatexError("unbalanced braces: a '{' is never closed")
            kind, value = self.tokens[self.i]
            self.i += 1
            if (kind, value) == ("char", "}"):
                return
            if kind not in ("char", "space") or kind == "char" and value not in _TEXT_CHARS:
                raise LatexError(f"'\\{name}{{...}}' may hold letters, digits, spaces and punctuation only")

    def delimiter(self, after):
        tok = self.take()
        if tok[0] == "char" and tok[1] in _DELIMITER_CHARS or tok[0] == "word" and tok[1] in _DELIMITER_WORDS \
                or tok in (("symbol", "{"), ("symbol", "}"), ("symbol", "|")):
            return
        raise LatexError(f"'\\{after}' must be followed by a delimiter such as ( [ | or .")

    def environment_name(self):
        if self.take() != ("char", "{"):
            raise LatexError("\\begin and \\end take an environment name in braces")
        name = ""
        while self.i < len(self.tokens) and self.tokens[self.i][0] == "char" and self.tokens[self.i][1].isalpha():
            name += self.tokens[self.i][1]
            self.i += 1
        if self.i >= len(self.tokens) or self.tokens[self.i] != ("char", "}"):
            raise LatexError("only matrix environments may appear in displayed LaTeX")
        self.i += 1
        if name not in ENVIRONMENTS:
            raise LatexError("only matrix environments may appear in displayed LaTeX")
        return name

    def atom(self):
        tok = self.peek()
        if tok == ("char", "{"):
            return self.group()
        kind, name = self.take()
        if kind != "word":
            return
        if name in ONE_ARG:
            self.argument()
        elif name in TWO_ARGS:
            self.argument()
            self.argument()
        elif name in TEXT_ARG:
            self.text_argument(name)
        elif name == "sqrt":
            if self.peek() == ("char", "["):
                self.take()
                if self.math_list(("char", "]")) != ("char", "]"):
                    raise LatexError("'\\sqrt[' without its closing ']'")
                self.take()
            self.argument()
        elif name in BIG:
            self.delimiter(name)
        elif name == "left":
            self.delimiter("left")
            if self.math_list() != ("word", "right"):
                raise LatexError("a '\\left' without its '\\right'")
            self.take()
            self.delimiter("right")
        elif name == "begin":
            env = self.environment_name()
            if self.math_list(env=env) != ("word", "end"):
                raise LatexError(f"'\\begin{{{env}}}' without its '\\end{{{env}}}'")
            self.take()
            if self.environment_name() != env:
                raise LatexError(f"'\\begin{{{env}}}' closed by another environment")
        elif name in ("right", "end"):
            raise LatexError(f"a '\\{name}' without its opening part")


def _print(tokens) -> str:
    """The token list written back: what TeX reads is exactly what was checked."""
    out = []
    for i, (kind, value) in enumerate(tokens):
        if kind == "word":
            following = tokens[i + 1] if i + 1 < len(tokens) else None
            out.append("\\" + value + (" " if following and following[0] == "char" and following[1].isalpha() else ""))
        elif kind == "symbol":
            out.append("\\" + value)
        else:
            out.append(value)
    return "".join(out)


def check_display(text: str) -> str:
    """``text`` written back from its TeX tokens (outer dollar signs and spaces removed) when
    TeX would read it as intended; LatexError otherwise."""
    if not isinstance(text, str):
        raise LatexError("expected a LaTeX string")
    s = text.strip().strip("$").strip()
    if not s:
        raise LatexError("empty LaTeX")
    if len(s) > MAX_LENGTH:
        raise LatexError(f"LaTeX longer than {MAX_LENGTH} characters")
    tokens = _tokens(s)
    reader = _Reader(tokens)
    end = reader.math_list()
    if end is not None:
        raise LatexError({("char", "}"): "unbalanced braces: a '}' closes nothing",
                          ("word", "right"): "a '\\right' without its '\\left'",
                          ("word", "end"): "an '\\end' without its '\\begin'"}[end])
    return _print(tokens)
