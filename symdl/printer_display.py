"""How the printer prints symdl's shared display objects (symdl/display.py): one ``_print_<Class>``
each, attached to :class:`symdl.printer.SymdlPrinter`, so that no kind writes LaTeX itself.

A display object of one kind lives in that kind's package (``symdl/kinds/<kind>/notation.py``) and
prints itself through ``_symdl_latex(printer)``, which the printer calls first; nothing is attached
here for it. The graph kind's objects are still printed here (to move with that kind's rewrite).
"""

from __future__ import annotations

import sympy

from symdl.display_base import GraphFormula, GraphParen
from symdl.printer import SymdlPrinter, tex, text_in_math, value_tex, vector_tex  # noqa: F401  (defined first)
from symdl.solution import Tex


# -- shared display objects (symdl.display) ---------------------------------------------------------
def _print_Quantity(self, expr):
    base, sub, accent = expr.parts
    out = rf"\mathrm{{{base}}}" if len(base) > 1 else base
    if accent == "tilde":
        out = rf"\tilde{{{out}}}"
    if sub:
        out += r"_{\mathrm{" + sub.replace("_", r"\_") + "}}"
    return out


def _print_FloorOf(self, expr):
    return r"\left\lfloor " + self._print(expr.args[0]) + r" \right\rfloor"


def _print_CeilOf(self, expr):
    return r"\left\lceil " + self._print(expr.args[0]) + r" \right\rceil"


def _print_MaxOf(self, expr):
    return r"\max\left(" + ", ".join(self._print(a) for a in expr.args) + r"\right)"


def _print_Percent(self, expr):
    if expr.approx:
        value = tex(expr.value, sig_digits=expr.sig, approximate=True)
        return r"\approx " + value + r"\,\%"
    return self._print(sympy.sympify(expr.value)) + r"\,\%"


def _print_Lines(self, expr):
    from symdl.solution import Text

    def line(item):
        if isinstance(item, Text):
            return " ".join(text_in_math(p) if isinstance(p, str) and not isinstance(p, Tex)
                            else self._print(p) for p in item.parts)
        if isinstance(item, str) and not isinstance(item, Tex):
            return text_in_math(item)
        return self._print(item)
    return r"\begin{array}{l}" + r" \\ ".join(line(i) for i in expr.items) + r"\end{array}"


def _print_LogFixed(self, expr):
    return f"{float(expr.value):.{expr.decimals}f}"


def _print_PartialOf(self, expr):
    of, wrt = self._print(expr.of), self._print(expr.wrt)
    if expr.fraction:
        return r"\frac{\partial " + of + r"}{\partial " + wrt + "}"
    return r"\partial " + of + r" / \partial " + wrt


_RELATION_TEX = {"-": "-", "=": "=", "<": "<", ">": ">", "<=": r"\le", ">=": r"\ge", "!=": r"\ne", "<-": r"\leftarrow",
                 ":": ":", "in": r"\in", "~": r"\approx"}


def _print_ValueShown(self, expr):
    relation, body = value_tex(expr.value, expr.sig)
    return str(body) if expr.bare else f"{relation} {body}"


def _print_RelationChain(self, expr):
    from symdl.solution import Tex as _Tex

    out = []
    for item in expr.items:
        if isinstance(item, str) and not isinstance(item, _Tex):
            out.append(_RELATION_TEX[item])
        else:
            out.append(tex(item))
    return " ".join(out)


def _print_VectorShown(self, expr):
    relation, body = vector_tex(expr.value)
    return f"{relation} {body}" if expr.relation else str(body)


for _method in (_print_Quantity, _print_FloorOf, _print_CeilOf, _print_MaxOf, _print_Percent,
                _print_Lines, _print_LogFixed, _print_PartialOf, _print_ValueShown, _print_RelationChain,
                _print_VectorShown):
    setattr(SymdlPrinter, _method.__name__, _method)


# -- the graph kind's display objects (symdl.display.Graph*) ----------------------------------------
def _graph_part(self, part):
    return part if isinstance(part, str) else self._print(part)


def _print_GraphGradient(self, expr):
    out = rf"\bar{{{expr.name}}}"
    return out if expr.via is None else out + rf"^{{({expr.via})}}"


def _print_GraphGradientSum(self, expr):
    terms = [self._print(t) for t in expr.terms]
    if len(terms) > expr.limit:
        terms = terms[:3] + [r"\cdots"] + terms[-2:]
    return " + ".join(terms)


def _print_GraphFormula(self, expr):
    """Written without recursion: a graph's function may nest hundreds of ops deep."""
    done = {}
    stack = [expr]
    while stack:
        item = stack[-1]
        pending = [p for p in (item.parts if isinstance(item, GraphFormula) else (item.part,))
                   if isinstance(p, (GraphFormula, GraphParen)) and id(p) not in done]
        if pending:
            stack.extend(pending)
            continue
        stack.pop()
        parts = [done[id(p)] if isinstance(p, (GraphFormula, GraphParen)) else _graph_part(self, p)
                 for p in (item.parts if isinstance(item, GraphFormula) else (item.part,))]
        done[id(item)] = (item.template.format(*parts) if isinstance(item, GraphFormula)
                          else r"\left(" + parts[0] + r"\right)")
    return done[id(expr)]


def _print_GraphParen(self, expr):
    return _print_GraphFormula(self, GraphFormula("{0}", expr))


for _method in (_print_GraphGradient, _print_GraphGradientSum, _print_GraphFormula, _print_GraphParen):
    setattr(SymdlPrinter, _method.__name__, _method)
