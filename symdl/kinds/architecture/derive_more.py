"""The architecture kind's further layers: merges (add, concatenate, multiply), zero padding, depthwise and
separable convolution, global max and adaptive pooling, upsampling; and the receptive field per layer."""

from __future__ import annotations

import sympy

from symdl.notation.display import Quantity
from symdl.kinds.architecture.notation import Dims
from symdl.notation.printer import substitute
from symdl.solution import Step, Text

from .formulas import AXES, C_in, C_out, F, I, MACS, N_L, _product, _sum, full, instructor
from .shapes import Shape, channel_vector_shape, conv_bias_shape, shape_list

M = sympy.Symbol("m", integer=True)      # the depthwise channel multiplier


def _dims(shape, convention):
    return Dims(*shape_list(shape, convention))


def merge(d, spec, inputs, r, items):
    """``inputs``: [(name, Shape)]. Add and multiply need equal shapes; concatenation stacks channels."""
    conv = d.convention
    (first, a), rest = inputs[0], inputs[1:]
    word = {"add": "added", "multiply": "multiplied", "concat": "concatenated"}[spec.type]
    for name, b in rest:
        same_grid = (a.h, a.w, a.flat, a.seq) == (b.h, b.w, b.flat, b.seq)
        if not same_grid or (spec.type != "concat" and a.c != b.c):
            raise d.q.error(spec.field("inputs"), f"layer '{spec.name}': inputs '{first}' "
                            f"({' x '.join(map(str, shape_list(a, conv)))}) and '{name}' "
                            f"({' x '.join(map(str, shape_list(b, conv)))}) cannot be {word}"
                            + (" (their heights and widths differ)" if spec.type == "concat" else
                               " (their shapes differ)"))
    names = ", ".join(n for n, _ in inputs)
    if spec.type == "concat":
        channels = [I(s.c) for _, s in inputs]
        r.out = Shape(a.h, a.w, sum(s.c for _, s in inputs), flat=a.flat, seq=a.seq)
        parts = [Quantity("C", n) if n.isidentifier() else sympy.Symbol(f"C_{i + 1}")
                 for i, (n, _) in enumerate(inputs)]
        items.append(Step(f"channels of {names}, stacked", lhs=C_out, formula=_sum(*parts),
                          substituted=substitute(_sum(*parts), dict(zip(parts, channels))), result=I(r.out.c)))
    else:
        r.out = a
        op = "sum" if spec.type == "add" else "elementwise product"
        items.append(Text(f"The {op} of {names}: the shapes agree, ", _dims(a, conv),
                          ", and so does the output; nothing is learned."))
    return r


def zeropad(d, spec, inp, r, items):
    t, b, l, rr = spec.padding
    ah, aw = AXES["h"], AXES["w"]
    r.out = Shape(inp.h + t + b, inp.w + l + rr, inp.c)
    for a, n, p0, p1, out in ((ah, inp.h, t, b, r.out.h), (aw, inp.w, l, rr, r.out.w)):
        formula = _sum(a["n"], a["p0"], a["p1"])
        items.append(Step(f"padded {a['word']}", lhs=a["out"], formula=formula,
                          substituted=substitute(formula, {a["n"]: I(n), a["p0"]: I(p0), a["p1"]: I(p1)}),
                          result=I(out)))
    items.append(full(Text("Zero padding adds rows and columns of zeros; the channels pass through, "
                           "nothing is learned.")))
    return r


def depthwise(d, spec, inp, r, items):
    """One k_h x k_w filter (m of them) per input channel; a separable layer adds a 1 x 1 convolution."""
    conv, m, c = d.convention, spec.multiplier, inp.c
    kh, kw = spec.kernel
    ah, aw = AXES["h"], AXES["w"]
    h, w = d.spatial(spec, inp, r, items)
    bias = spec.bias and d.mistake != "no_bias"
    values = {ah["k"]: I(kh), aw["k"]: I(kw), C_in: I(c), M: I(m), F: I(spec.filters or 0)}
    dw = _product(ah["k"], aw["k"], C_in, M)
    r.weights = ([c * m, 1, kh, kw] if conv == "pytorch" else
                 [kh, kw, 1, m, c] if conv == "matlab" else [kh, kw, c, m])
    if spec.type == "depthwise":
        r.out = Shape(h, w, c * m)
        r.weight_count = kh * kw * c * m
        r.bias_count = c * m if bias else 0
        r.bias = ([1, 1, m, c] if conv == "matlab" else [c * m]) if bias else []
        formula = _sum(dw, _product(C_in, M)) if bias else dw
        items.append(Step("output channels", lhs=C_out, formula=_product(C_in, M),
                          substituted=substitute(_product(C_in, M), values), result=I(c * m)))
    else:
        f = spec.filters
        r.out = Shape(h, w, f)
        r.pointwise = [f, c * m, 1, 1] if conv == "pytorch" else [1, 1, c * m, f]
        r.weight_count = kh * kw * c * m + c * m * f
        r.bias_count = f if bias else 0
        r.bias = ([1, 1, f] if conv == "matlab" else [f]) if bias else []
        pw = _product(C_in, M, F)
        formula = _sum(dw, pw, F) if bias else _sum(dw, pw)
        items.append(full(Text("A separable convolution filters each channel on its own (depthwise), then "
                               "mixes the channels with F pointwise filters, one by one in size.")))
    items.append(Step("learnables", lhs=N_L, formula=formula, substituted=substitute(formula, values),
                      result=I(r.learnables)))
    r.macs = h * w * c * m * kh * kw + (h * w * c * m * spec.filters if spec.type == "separable" else 0)
    items.append(instructor(Step("multiply-accumulates", lhs=MACS, result=I(r.macs))))
    return r


def global_pool(d, spec, inp, r, items):
    """Global max pooling, and PyTorch's adaptive pooling to a given output size."""
    if inp.flat:
        raise d.error(spec, "type", "pooling needs a spatial input")
    if spec.type == "globalmax":
        r.out = Shape(1, 1, inp.c, flat=(d.convention == "keras"))
        items.append(Text("Global max pooling keeps each channel's largest of its ", Dims(inp.h, inp.w),
                          " values: the output is ", _dims(r.out, d.convention), "; nothing is learned."))
        return r
    oh, ow = spec.output_size
    r.out = Shape(oh, ow, inp.c)
    items.append(Text("Adaptive pooling divides the ", Dims(inp.h, inp.w), " grid into ", Dims(oh, ow),
                      " cells, whatever the input size: the output is ", _dims(r.out, d.convention),
                      "; nothing is learned."))
    return r


def upsample(d, spec, inp, r, items):
    if inp.flat:
        raise d.error(spec, "type", "upsampling needs a spatial input")
    sh, sw = spec.scale
    r.out = Shape(inp.h * sh, inp.w * sw, inp.c)
    for a, n, s, out in ((AXES["h"], inp.h, sh, r.out.h), (AXES["w"], inp.w, sw, r.out.w)):
        formula = _product(a["n"], a["s"])
        items.append(Step(f"upsampled {a['word']}", lhs=a["out"], formula=formula,
                          substituted=substitute(formula, {a["n"]: I(n), a["s"]: I(s)}), result=I(out)))
    return r


def locally_connected(d, spec, inp, r, items):
    """A convolution without weight sharing (Keras LocallyConnected2D): its own kernel and bias at
    every output position."""
    kh, kw = spec.kernel
    ah, aw = AXES["h"], AXES["w"]
    h, w = d.spatial(spec, inp, r, items)
    f, c = spec.filters, inp.c
    r.out = Shape(h, w, f)
    bias = spec.bias and d.mistake != "no_bias"
    r.weights, r.bias = [h * w, kh * kw * c, f], ([h, w, f] if bias else [])
    r.weight_count, r.bias_count = h * w * kh * kw * c * f, (h * w * f if bias else 0)
    values = {ah["out"]: I(h), aw["out"]: I(w), ah["k"]: I(kh), aw["k"]: I(kw), C_in: I(c), F: I(f)}
    per = _sum(_product(ah["k"], aw["k"], C_in, F), F) if bias else _product(ah["k"], aw["k"], C_in, F)
    formula = _product(ah["out"], aw["out"], per)
    items.append(full(Text("No weight sharing: every output position has its own kernels and biases.")))
    items.append(Step("learnables", lhs=N_L, formula=formula, substituted=substitute(formula, values),
                      result=I(r.learnables)))
    r.macs = r.weight_count
    items.append(instructor(Step("multiply-accumulates", lhs=MACS, result=I(r.macs))))
    return r


def _methods():
    return {"zeropad": zeropad, "depthwise": depthwise, "separable": depthwise, "globalmax": global_pool,
            "adaptivepool": global_pool, "upsample": upsample, "subsampling": subsampling, "rbf": rbf,
            "locallyconnected": locally_connected}


# -- receptive field -------------------------------------------------------------------------------------
WINDOWED_RF = ("conv", "maxpool", "avgpool", "depthwise", "separable", "locallyconnected", "subsampling")

def receptive_fields(results) -> dict:
    """{layer name: ((r_h, r_w), (j_h, j_w))}: the input rows/columns one output value sees, and the
    input distance between neighbouring outputs (the jump), layer by layer; flat layers are left out.
    Each result gets its field and the working of it."""
    fields = {}
    previous = None
    for res in results:
        spec = res.spec
        sources = [fields.get(n) for n in spec.inputs] if spec.inputs else [previous]
        sources = [s for s in sources if s is not None]
        if spec.type == "input":
            here = ((1, 1), (1, 1))
        elif res.out.flat or not sources:
            here = None
        else:
            (rf, jump) = max(sources, key=lambda s: s[0])
            here = (rf, jump)
            if spec.type in WINDOWED_RF:
                eff = [dd * (k - 1) + 1 for k, dd in zip(spec.kernel, spec.dilation)]
                here = (tuple(r0 + (e - 1) * j0 for r0, e, j0 in zip(rf, eff, jump)),
                        tuple(j0 * s for j0, s in zip(jump, spec.stride)))
            elif spec.type in ("gap", "globalmax", "adaptivepool", "tconv", "upsample"):
                here = None
        fields[spec.name] = here
        res.receptive = here
        res.steps.extend(receptive_steps(res, sources[0] if len(sources) == 1 else None, here))
        previous = here
    return fields


def receptive_steps(res, before, here):
    """The working of one layer's receptive field: r = r_in + (k_eff - 1) j_in, per axis when they differ."""
    spec = res.spec
    if before is None or spec.type not in WINDOWED_RF:
        return []
    steps = []
    axes = ("h",) if before == ((before[0][0],) * 2, (before[1][0],) * 2) and spec.kernel[0] == spec.kernel[1] \
        and spec.dilation[0] == spec.dilation[1] and spec.stride[0] == spec.stride[1] else ("h", "w")
    for i, axis in enumerate(axes):
        a = AXES[axis]
        k_eff = Quantity("k", "eff")
        r_in, j_in = Quantity("r", "in"), Quantity("j", "in")
        formula = _sum(r_in, _product(_sum(k_eff, -1), j_in))
        eff = spec.dilation[i] * (spec.kernel[i] - 1) + 1
        steps.append(Step("receptive field" + ("" if len(axes) == 1 else f" ({a['word']})"), lhs=Quantity("r", "out"),
                          formula=formula,
                          substituted=substitute(formula, {r_in: I(before[0][i]), k_eff: I(eff),
                                                           j_in: sympy.sympify(before[1][i])}),
                          result=I(here[0][i])))
    return steps


# -- LeNet-5's own layers ----------------------------------------------------------------------------------
def partial_counts(d, spec, inp, r, items):
    """A convolution whose filters read only the input maps its connection table names (LeNet-5's C3)."""
    kh, kw = spec.kernel
    ah, aw = AXES["h"], AXES["w"]
    if spec.groups != 1 or any(i >= inp.c for row in spec.table for i in row):
        raise d.error(spec, "connections", f"the connection table names input maps 0 to {inp.c - 1} only, "
                                           "without groups")
    links = sum(len(row) for row in spec.table)
    L = Quantity("L", "")
    r.weights = [kh, kw, links]
    r.weight_count = kh * kw * links
    bias = spec.bias and d.mistake != "no_bias"
    r.bias, r.bias_count = (conv_bias_shape(d.convention, spec.filters, 1) if bias else []), (spec.filters if bias else 0)
    values = {ah["k"]: I(kh), aw["k"]: I(kw), L: I(links), F: I(spec.filters)}
    items.append(Step("input maps read, summed over the filters (the connection table)", lhs=L,
                      formula=None, result=I(links)))
    formula = _sum(_product(ah["k"], aw["k"], L), F) if bias else _product(ah["k"], aw["k"], L)
    items.append(Step("learnables", lhs=N_L, formula=formula, substituted=substitute(formula, values),
                      result=I(r.learnables)))
    r.macs = r.out.h * r.out.w * r.weight_count
    items.append(instructor(Step("multiply-accumulates", lhs=MACS, result=I(r.macs))))
    return r


def subsampling(d, spec, inp, r, items):
    """LeNet-5's S layers: each window's sum times a learned coefficient plus a learned bias, per map."""
    h, w = d.spatial(spec, inp, r, items)
    r.out = Shape(h, w, inp.c)
    bias = d.mistake != "no_bias"
    r.weights, r.bias = channel_vector_shape(d.convention, inp.c), (channel_vector_shape(d.convention, inp.c)
                                                                     if bias else [])
    r.weight_count, r.bias_count = inp.c, inp.c if bias else 0
    items.append(full(Text("Each map has one trainable coefficient and one trainable bias.")))
    items.append(Step("learnables", lhs=N_L, formula=_product(I(2), C_in),
                      substituted=substitute(_product(I(2), C_in), {C_in: I(inp.c)}), result=I(r.learnables)))
    return r


def rbf(d, spec, inp, r, items):
    """LeNet-5's output: one Euclidean radial basis unit per class, its parameter vector fixed by hand."""
    n_in = inp.numel
    r.out = Shape(1, 1, spec.nodes, flat=True)
    r.non_learnable = spec.nodes * n_in
    formula = _product(Quantity("n", "out"), Quantity("n", "in"))
    items.append(Step("fixed parameters (chosen by hand, not learned)", lhs=Quantity("N", "fixed"),
                      formula=formula, substituted=substitute(formula, {Quantity("n", "out"): I(spec.nodes),
                                                                        Quantity("n", "in"): I(n_in)}),
                      result=I(r.non_learnable)))
    return r


def connections(results):
    """LeNet-5's connection counts: every output value's inputs plus its bias, summed over the outputs."""
    conn = Quantity("N", "conn")
    ah, aw = AXES["h"], AXES["w"]
    for res in results:
        t = res.spec.type
        if t in ("conv", "subsampling"):
            per = (res.learnables if t == "conv" else
                   (res.spec.kernel[0] * res.spec.kernel[1] + 1) * res.out.c)
            res.connections = res.out.h * res.out.w * per
            formula = _product(ah["out"], aw["out"], Quantity("N", "unit"))
            res.steps.append(Step("connections: every output position uses the weights and biases once",
                                  lhs=conn, formula=formula,
                                  substituted=substitute(formula, {ah["out"]: I(res.out.h), aw["out"]: I(res.out.w),
                                                                   Quantity("N", "unit"): I(per)}),
                                  result=I(res.connections)))
        elif t in ("fc", "rbf"):
            res.connections = res.learnables or res.non_learnable
            res.steps.append(Step("connections: one per weight and bias", lhs=conn, result=I(res.connections)))


METHODS = _methods()
