"""What the architecture kind's sequence layers share: their symbols and the small steps of their
derivations (seqderive: recurrent layers, embeddings, normalization; seqattention: attention, blocks)."""

from __future__ import annotations

from symdl.kinds.architecture.notation import Dims
from symdl.notation.display import Quantity
from symdl.notation.printer import substitute
from symdl.solution import Step

from .formulas import I, S, _product

h_, d_, T_, V_, g_, L_, H_, F_, p_ = (S(n) for n in ("h", "d", "T", "V", "g", "L", "H", "F", "p"))
N_layer = Quantity("N", "layer")


def _sq(x):
    return _product(x, x)


def _dims(shape):
    return Dims(*([shape.w, shape.c] if shape.seq else [shape.c]))


def _need_seq(d, spec, inp, what):
    if not inp.seq:
        got = f"a vector of {inp.c} values" if inp.flat else f"a {inp.h} x {inp.w} x {inp.c} map"
        raise d.error(spec, "type", f"{what} reads a sequence [T, d], got {got}")


def _step(text, lhs, formula, values, result, audience="model"):
    s = Step(text, lhs=lhs, formula=formula, substituted=substitute(formula, values), result=I(result))
    s.audience = audience
    return s
