"""The exam's conventions at a kink, and the sentences the sheet states them in.

Subgradients ([exam] subgradients): "pytorch" (the default) has relu'(0) = 0 and |x|'(0) = 0;
"symmetric" has relu'(0) = 1/2 (what central finite differences give). Ties ([exam] ties): where
k entries of a max or min are equal, "split" (the default) gives each 1/k of the gradient, as
torch.maximum and torch.amax do; "first" gives all of it to the first of them (the first argument,
the first entry in reading order), as torch.max along a dimension and torch.argmax pick; "all"
gives each of them the whole gradient, as some texts write the max's derivative.
"""

from __future__ import annotations

import sympy

HALF = sympy.Rational(1, 2)

# relu'(0), |x|'(0) and x's share of clamp's gradient at a bound, one convention for the whole exam
SUBGRADIENTS = {
    "pytorch": {"relu": sympy.Integer(0), "abs": sympy.Integer(0), "clamp": sympy.Integer(1)},
    "symmetric": {"relu": HALF, "abs": sympy.Integer(0), "clamp": HALF},
}
DEFAULT_SUBGRADIENTS = "pytorch"
TIES = ("split", "first", "all")
DEFAULT_TIES = "split"


def tie_shares(ties, k):
    """The share of the gradient each of ``k`` tied winners gets, in their order."""
    if ties == "first":
        return [sympy.Integer(1)] + [sympy.Integer(0)] * (k - 1)
    if ties == "all":
        return [sympy.Integer(1)] * k
    return [sympy.Rational(1, k)] * k


_TIE_WORDS = {
    "split": "at a tie of max/min the gradient is split evenly among the tied arguments "
             "(half to each of two, a third to each of three)",
    "first": "at a tie of max/min the whole gradient goes to the first tied argument (the first entry "
             "in reading order), as torch.max along a dimension and torch.argmax pick it",
    "all": "at a tie of max/min every tied argument receives the whole gradient",
}
_SUBGRADIENT_WORDS = {
    "pytorch": "Kinks follow PyTorch's subgradients: relu'(0) = 0 and |x|'(0) = 0, and ",
    "symmetric": "Kinks use the symmetric subgradient: relu'(0) = 1/2 and |x|'(0) = 0 (what central "
                 "finite differences give), and ",
}


def subgradient_words(convention, ties=DEFAULT_TIES):
    """The sentence stating relu'(0), |x|'(0) and the tie convention."""
    return _SUBGRADIENT_WORDS[convention] + _TIE_WORDS[ties] + "."


STEP_WORDS = ("floor, ceil and round are step functions: their derivative is 0 wherever it exists and "
              "does not exist at a jump (floor and ceil jump at every integer, round at every half-integer); "
              "the backward pass uses 0 there too, as PyTorch does.")
ROUND_WORDS = "round(x) rounds a half to the even neighbour (round(2.5) = 2, round(3.5) = 4), as torch.round does."
CLAMP_WORDS = {
    "pytorch": "clamp(x, lo, hi) = min(max(x, lo), hi) passes the gradient to x where lo <= x <= hi, the bounds "
               "included (as torch.clamp does), to lo where x < lo and to hi where x > hi.",
    "symmetric": "clamp(x, lo, hi) = min(max(x, lo), hi) passes the gradient to x where lo < x < hi, to lo where "
                 "x < lo and to hi where x > hi; at x = lo or x = hi half of it goes to x and half to the bound.",
}
NOTES = ("subgradient", "step", "round", "clamp")      # the order the sheet states them in


def kink_notes(convention, keys, ties=DEFAULT_TIES):
    """The sentences of the notes ``keys`` (each row's ``kinks``), in the sheet's order."""
    words = {"subgradient": subgradient_words(convention, ties), "step": STEP_WORDS, "round": ROUND_WORDS,
             "clamp": CLAMP_WORDS[convention]}
    return [words[key] for key in NOTES if key in keys]
