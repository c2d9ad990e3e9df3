"""The skeleton cache: a simple expression skeleton parsed once per shape, by latex2sympy2's own grammar rules."""

from __future__ import annotations

import re

import sympy

from symdl.errors import LatexError
from symdl.input.latex.state import _fresh_parser, op

# The skeleton cache. latex2sympy2's parser costs tens of milliseconds per call, and a deep
# network's function is many skeletons of one shape (``W_{7} \cdot (lifted) + b_{7}``). A
# skeleton made only of names (a letter with an optional subscript), lifted placeholders,
# numbers, + - ( ), \cdot and ^T is parsed once per shape: its names and placeholders are
# renamed \mathit{Zc0}, \mathit{Zc1}... in order of appearance, the renamed text is parsed
# (and kept), and the real names are put back with nothing evaluated, which gives the tree
# latex2sympy2 builds for the original text (tests/test_bench.py compares the two). Anything
# else, and every error, goes through latex2sympy2 as written.
_SKELETONS: dict = {}
_TOKEN = re.compile(r"(?P<ph>\\mathit\{Zp[hn]\d+\})(?!\s*[(\[])"
                    r"|(?<![\\A-Za-z0-9^_{])(?P<letter>[A-DF-HJ-Za-cf-hk-z])"
                    r"(?:_\{(?P<sub>[A-Za-z0-9]+)\}|_(?P<sub1>[A-Za-z0-9]))?(?![A-Za-z0-9_'{(\[])(?!\s*[(\[])")
_SIMPLE_REST = re.compile(r"(?:\s|[+\-().0-9]|\\cdot|\^T|\\mathit\{Zc\d+\})*")


def _skeleton_by_shape(s: str):
    """The unevaluated tree for a simple skeleton ``s`` from the cache, or None."""
    real: dict = {}                 # canonical symbol name -> the real symbol

    def rename(m):
        if m.group("ph"):
            symbol = sympy.Symbol(m.group("ph"), commutative=False)
        else:
            sub = m.group("sub") or m.group("sub1")
            symbol = sympy.Symbol(m.group("letter") + ("_" + sub if sub else ""), commutative=False)
        for canon, value in real.items():
            if value == symbol:
                return " " + canon + " "
        canon = rf"\mathit{{Zc{len(real)}}}"
        real[canon] = symbol
        return " " + canon + " "

    canon = _TOKEN.sub(rename, s)
    if not _SIMPLE_REST.fullmatch(canon):
        return None
    canon = " ".join(canon.split())
    tree = _SKELETONS.get(canon)
    if tree is None:
        try:
            tree = _read_simple(canon)
            if tree is None:
                tree = _fresh_parser().latex2sympy(canon)
        except Exception:
            return None             # parsed again as written, for the author's error message
        if not isinstance(tree, sympy.Basic) or isinstance(tree, sympy.MatrixBase):
            return None
        if len(_SKELETONS) >= 512:
            _SKELETONS.clear()
        _SKELETONS[canon] = tree
    mapping = {sympy.Symbol(k, commutative=False): v for k, v in real.items()}
    with sympy.evaluate(False):
        return tree.xreplace(mapping)


_SIMPLE_TOKEN = re.compile(r"\s*(\\mathit\{Zc\d+\}|\d+(?:\.\d+)?|\\cdot|\^T|[+\-()])")


def _read_simple(canon: str):
    """latex2sympy2's tree for a renamed simple skeleton, built by the rules of its grammar
    and with its own add_flat/mul_flat, without running its parser; None when unsure.

    additive: left-associative + and - (``a - b`` is ``a + (-1) b``, a number negated);
    mp: left-associative \\cdot; unary: a sign, or juxtaposed postfixes multiplied;
    postfix: an atom with ^T applied; atom: a renamed symbol, a number, or ( additive ).
    """
    tokens, pos, text = [], 0, canon.strip()
    while pos < len(text):
        m = _SIMPLE_TOKEN.match(text, pos)
        if not m:
            return None
        tokens.append(m.group(1))
        pos = m.end()
    grammar = _SimpleGrammar(tokens, _fresh_parser())
    try:
        tree = grammar.additive()
    except LatexError:
        return None
    return tree if grammar.at == len(tokens) else None


class _SimpleGrammar:
    """A recursive-descent reader of the simple skeleton's tokens, rule by rule as latex2sympy2's."""

    def __init__(self, tokens, l2s):
        self.tokens, self.l2s, self.at = tokens, l2s, 0

    def peek(self):
        return self.tokens[self.at] if self.at < len(self.tokens) else None

    def take(self):
        self.at += 1
        return self.tokens[self.at - 1]

    def negate(self, inner):
        return -inner if inner.func.is_Number else self.l2s.mul_flat(-1, inner)

    def additive(self):
        left = self.mp()
        while self.peek() in ("+", "-"):
            sign = self.take()
            right = self.mp()
            left = self.l2s.add_flat(left, self.negate(right) if sign == "-" else right)
        return left

    def mp(self):
        left = self.unary()
        while self.peek() == r"\cdot":
            self.take()
            left = self.l2s.mul_flat(left, self.unary())
        return left

    def unary(self):
        if self.peek() in ("+", "-"):
            sign = self.take()
            inner = self.unary()
            return inner if sign == "+" else self.negate(inner)
        items = [self.postfix()]
        while self.peek() is not None and (self.peek() == "(" or self.peek()[0].isdigit()
                                           or self.peek().startswith(r"\mathit")):
            items.append(self.postfix())
        result = items[-1]
        for item in reversed(items[:-1]):
            result = self.l2s.mul_flat(item, result)
        return result

    def postfix(self):
        base = self.atom()
        while self.peek() == "^T":
            self.take()
            base = op("transpose")(base)
        return base

    def atom(self):
        token = self.take() if self.peek() is not None else None
        if token is None:
            raise LatexError("empty")
        if token.startswith(r"\mathit"):
            if self.peek() == "(":       # latex2sympy2 reads a name before '(' as a function call
                raise LatexError("call")
            return sympy.Symbol(token, commutative=False)
        if token[0].isdigit():
            return sympy.Rational(token)
        if token == "(":
            inner = self.additive()
            if self.peek() != ")":
                raise LatexError("unbalanced")
            self.take()
            return inner
        raise LatexError("unexpected token")
