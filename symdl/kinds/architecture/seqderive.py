"""The architecture kind's sequence layers, derived: recurrent layers (SimpleRNN/RNN, LSTM, GRU; bidirectional,
stacked), embeddings, layer normalization, multi-head attention and Transformer blocks, in Keras's and
PyTorch's conventions: output sizes, learnables in closed form, multiply-accumulates."""

from __future__ import annotations

from symdl.solution import Step, Text

from . import seqattention
from .formulas import MACS, I, N_L, S, _product, _sum, full, instructor
from .seqcommon import F_, H_, L_, N_layer, T_, V_, _dims, _need_seq, _sq, _step, d_, g_, h_, p_
from .seqfields import GATES, RECURRENT
from .shapes import Shape

# -- recurrent layers ----------------------------------------------------------------------------------
def _bias_vectors(d, spec):
    """Bias vectors per gate group: PyTorch b_ih and b_hh; Keras one, a GRU with reset_after two."""
    if not spec.bias or d.mistake == "no_bias":
        return 0
    n = 2 if d.convention == "pytorch" or spec.extra["reset_after"] else 1
    return 1 if d.mistake == "one_bias" else n


def _recurrent_formula(g, nb, proj=False):
    """g(h(h + d) + b h); with a projection (PyTorch's proj_size p) g(h(p + d) + b h) + p h."""
    core = _product(h_, _sum(p_ if proj else h_, d_))
    inner = core if nb == 0 else _sum(core, h_ if nb == 1 else _product(I(nb), h_))
    gates = inner if g == 1 else _product(I(g), inner)
    return _sum(gates, _product(p_, h_)) if proj else gates


def recurrent(d, spec, inp, r, items):
    _need_seq(d, spec, inp, f"a{'n' if spec.type == 'lstm' else ''} {spec.type_label} layer")
    x, t, conv = spec.extra, spec.type, d.convention
    T, h, g, nb = inp.w, x["units"], GATES[spec.type], _bias_vectors(d, spec)
    D, L, p = (2 if x["bidirectional"] else 1), x["num_layers"], x.get("proj_size", 0)
    w = p or h                                   # the state's width: projected to p when proj_size is given
    ins = [inp.c] + [D * w] * (L - 1)
    per = [g * (h * (w + n) + nb * h) + p * h for n in ins]
    r.weight_count = D * sum(g * h * (w + n) + p * h for n in ins)
    r.bias_count = D * L * g * nb * h
    r.out = Shape(1, T, D * w, seq=True) if x["return_sequences"] else Shape(1, 1, D * w, flat=True)
    r.macs = D * sum(T * (g * h * (n + w) + p * h) for n in ins)
    r.tensors = recurrent_tensors(conv, t, h, ins, nb, D, p)
    gates = {"rnn": "one tanh unit", "lstm": "four gates (input, forget, cell, output)",
             "gru": "three gates (reset, update, candidate)"}[t]
    bias = {0: "no bias", 1: "one bias vector", 2: "two bias vectors (" + (
        "b_ih and b_hh" if conv == "pytorch" else "reset_after: input and recurrent") + ")"}[nb]
    items.append(full(Text(f"Each of the g = {g} parts ({gates}) has an input kernel h x d, a recurrent "
                           f"kernel h x {'p' if p else 'h'} and {bias} of h per step's update"
                           + (f"; the state is projected from h = {h} to p = {p} values by a p x h matrix "
                              "(PyTorch's proj_size)." if p else "."))))
    formula = _recurrent_formula(g, nb, bool(p))
    sizes = {h_: I(h), p_: I(p)} if p else {h_: I(h)}
    items.append(_step("learnables" + (", first layer" if L > 1 else "") + (", one direction" if D > 1 else ""),
                       N_layer if (D > 1 or L > 1) else N_L, formula, {**sizes, d_: I(inp.c)}, per[0]))
    if L > 1:
        width = f"D {'p' if p else 'h'} = {D * w}"
        items.append(_step(f"learnables, each of layers 2 to {L} (input {width})", N_layer, formula,
                           {**sizes, d_: I(D * w)}, per[1]))
    if D > 1 or L > 1:
        parts = [I(per[0])] + ([_product(I(L - 1), I(per[1])) if L > 2 else I(per[1])] if L > 1 else [])
        total = _sum(*parts) if len(parts) > 1 else parts[0]
        if D > 1:
            total = _product(I(2), total)
        items.append(Step("learnables" + (", both directions" if D > 1 else ""), lhs=N_L, formula=None,
                          substituted=total, result=I(r.learnables)))
    shape = "T x " if x["return_sequences"] else ""
    letter = "p" if p else "h"
    items.append(full(Text(f"Output {shape}{'D ' + letter if D > 1 else letter}: ", _dims(r.out),
                           " (every step's state)" if x["return_sequences"] else " (the last step's state)",
                           "." if D == 1 else ", both directions concatenated.")))
    mac = (_product(T_, _sum(_product(g_, h_, _sum(d_, p_)), _product(p_, h_))) if p else
           _product(T_, g_, h_, _sum(d_, h_)))
    where = ", ".join(w for w, on in (("first layer", L > 1), ("one direction", D > 1)) if on)
    items.append(instructor(_step(f"MACs, {where}" if where else "multiply-accumulates", MACS, mac,
                                  {T_: I(T), g_: I(g), **sizes, d_: I(inp.c)}, T * (g * h * (inp.c + w) + p * h))))
    if D > 1 or L > 1:
        items.append(instructor(Step("multiply-accumulates, in all", lhs=MACS, result=I(r.macs))))
    return r


def recurrent_tensors(conv, t, h, ins, nb, D, p=0) -> list:
    """(name, shape) of every distinct tensor, as the framework names it; a line for the copies."""
    g = GATES[t]
    out = []
    for layer, n in enumerate(ins[:2]):
        if conv == "pytorch":
            tag = "l0" if layer == 0 else ("l1" if len(ins) == 2 else f"l1 .. l{len(ins) - 1}")
            out += [(f"weight_ih_{tag}", [g * h, n]), (f"weight_hh_{tag}", [g * h, p or h])]
            out += [(f"bias_ih_{tag}", [g * h]), (f"bias_hh_{tag}", [g * h])][:nb]
            out += [(f"weight_hr_{tag}", [p, h])] if p else []
        else:
            out += [("kernel", [n, g * h]), ("recurrent_kernel", [h, g * h])]
            out += [("bias", [nb, g * h] if nb == 2 else [g * h])] if nb else []
    if D > 1:
        out.append(("each twice (the backward direction)" if conv == "keras" else "each twice (_reverse)", None))
    return out


# -- embeddings and layer normalization -------------------------------------------------------------------
def embedding(d, spec, inp, r, items):
    if not inp.flat:
        raise d.error(spec, "type", "an embedding reads a vector of token indices [T]")
    V, dim = spec.extra["vocabulary"], spec.extra["dim"]
    r.out = Shape(1, inp.c, dim, seq=True)
    r.weight_count = V * dim
    r.tensors = [("embeddings" if d.convention == "keras" else "weight", [V, dim])]
    items.append(full(Text("An embedding is a lookup table, one row of d values per token of the vocabulary; "
                           "each of the T indices picks its row.")))
    items.append(_step("learnables", N_L, _product(V_, d_), {V_: I(V), d_: I(dim)}, r.weight_count))
    items.append(full(Text("Output T x d: ", _dims(r.out), "; a lookup multiplies nothing (0 MACs).")))
    return r


def position_embedding(d, spec, inp, r, items):
    _need_seq(d, spec, inp, "a position embedding")
    L = spec.extra["length"]
    if inp.w > L:
        raise d.error(spec, "length", f"the sequence has {inp.w} positions, the table only {L}")
    r.weight_count = L * inp.c
    r.tensors = [("embeddings" if d.convention == "keras" else "weight", [L, inp.c])]
    items.append(full(Text("A learned position embedding holds one vector of d values for each of the L "
                           "positions it can see, and adds the first T to the input; the size is kept.")))
    items.append(_step("learnables", N_L, _product(L_, d_), {L_: I(L), d_: I(inp.c)}, r.weight_count))
    return r


def layer_norm(d, spec, inp, r, items):
    if not (inp.seq or inp.flat):
        raise d.error(spec, "type", "layer normalization here normalizes the last axis of a sequence or vector")
    c = inp.c
    bias = spec.bias and d.mistake != "no_bias"
    r.weight_count, r.bias_count = c, (c if bias else 0)
    names = ("gamma", "beta") if d.convention == "keras" else ("weight", "bias")
    r.tensors = [(names[0], [c])] + ([(names[1], [c])] if bias else [])
    items.append(full(Text("Layer normalization standardizes each position's d features, then scales and "
                           "shifts them by a learned gain and offset of d values each; nothing is kept "
                           "between batches (no running statistics).")))
    formula = _product(I(2), d_) if bias else d_
    items.append(_step("learnables", N_L, formula, {d_: I(c)}, r.learnables))
    return r


def _methods():
    return {"rnn": recurrent, "lstm": recurrent, "gru": recurrent, "embedding": embedding,
            "posembedding": position_embedding, "layernorm": layer_norm, "mha": seqattention.attention,
            "encoder": seqattention.block, "decoder": seqattention.block}


METHODS = _methods()


def formulas(convention, results) -> list:
    """The closed forms the sequence layers of ``results`` use, stated once before the layers."""
    types = {r.spec.type for r in results}
    b_ = S("b")
    out = []
    if types & set(RECURRENT):
        out.append(Text("A recurrent layer of ", h_, " units reading ", d_, " features per step has, for each "
                        "of its ", g_, " parts (1 for a simple RNN, 4 gates for an LSTM, 3 for a GRU), an input "
                        "kernel of ", _product(h_, d_), " weights, a recurrent kernel of ", _product(h_, h_),
                        " and ", b_, " bias vectors of ", h_, ":"))
        out.append(Step("", lhs=N_L, formula=_product(g_, _sum(_product(h_, _sum(h_, d_)), _product(b_, h_)))))
        if convention == "pytorch":
            out.append(Text("with b = 2 in PyTorch (b_ih and b_hh); in Keras b = 1, except a GRU with reset_after "
                            "(its default), which has 2. A bidirectional layer has this twice; a stacked layer "
                            "reads the ", _product(S("D"), h_), " features of the layer below it (D = 2 directions "
                            "or 1)."))
            if any(r.spec.extra.get("proj_size") for r in results if r.spec.type == "lstm"):
                out.append(Text("An LSTM with a projection (proj_size ", p_, ") keeps a cell of ", h_, " values "
                                "but passes on a state of ", p_, ": its recurrent kernels are ", _product(h_, p_),
                                " per gate and a projection of ", _product(p_, h_), " is added, ",
                                _recurrent_formula(4, 2, True), "; a layer above it reads ", _product(S("D"), p_),
                                " features."))
        else:
            out.append(Text("with b = 1 in Keras, except a GRU with reset_after (its default), which has 2 "
                            "(PyTorch: always 2, b_ih and b_hh). A bidirectional layer has this twice and gives "
                            "2h features."))
    parts = [("embedding", ("An embedding of a vocabulary of ", V_, " tokens into ", d_, " features has ",
                            _product(V_, d_), " learnables (one row per token)")),
             ("posembedding", ("a learned position embedding of ", L_, " positions ", _product(L_, d_))),
             ("layernorm", ("layer normalization ", _product(I(2), d_), " (a gain and an offset per feature)"))]
    present = [words for t, words in parts if t in types]
    if present:
        joined = [p for i, words in enumerate(present) for p in ((", ",) if i else ()) + words]
        first = joined[0]
        out.append(Text(first[:1].upper() + first[1:], *joined[1:], "."))
    if types & {"mha", "encoder", "decoder"}:
        out.append(Text("Multi-head attention with ", H_, " heads projects the query, the key and the value (each "
                        "an inputs x outputs matrix and a bias per output), attends, and projects the "
                        "concatenated heads back; with d features everywhere and d/H per head that is ",
                        _sum(_product(I(4), _sq(d_)), _product(I(4), d_)), " learnables. A Transformer encoder "
                        "block adds a feed-forward part of ", F_, " units, ",
                        _sum(_product(I(2), d_, F_), F_, d_), ", and two layer normalizations, ",
                        _product(I(4), d_), "; a decoder block a cross-attention and a third normalization."))
    return out
