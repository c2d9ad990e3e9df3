"""Multi-head attention and Transformer encoder and decoder blocks, derived in Keras's and PyTorch's
conventions: output sizes, learnables by projection, multiply-accumulates."""

from __future__ import annotations

from symdl.notation.display import Quantity
from symdl.solution import Step, Text

from .formulas import MACS, I, N_L, S, _product, _sum, full, instructor
from .seqcommon import F_, _need_seq, _sq, _step, d_
from .shapes import Shape

k_, v_, o_ = Quantity("d", "k"), Quantity("d", "v"), Quantity("d", "out")
x_ = Quantity("d", "in")
S_ = Quantity("T", "kv")
N_block = Quantity("N", "block")


def _inputs(d, spec, inp):
    """(query, key, value) shapes: one input attends to itself; two are (query, key = value); three are
    PyTorch's (query, key, value) and Keras's (query, value, key)."""
    others = list(getattr(d, "others", []))
    shapes = [inp] + others
    for s in shapes:
        _need_seq(d, spec, s, "attention")
    if len(shapes) == 1:
        return inp, inp, inp
    if len(shapes) == 2:
        return inp, others[0], others[0]
    q, a, b = shapes
    key, value = (a, b) if d.convention == "pytorch" else (b, a)
    if key.w != value.w:
        raise d.error(spec, "inputs", f"the key has {key.w} positions and the value {value.w}")
    return q, key, value


def projection(d, spec, what, n_in, n_out, bias, items, audience="model"):
    """One projection n_in -> n_out (with n_out biases): its count as a step."""
    formula = _sum(_product(x_, o_), o_) if bias else _product(x_, o_)
    items.append(_step(what, Quantity("N", what.split()[0]), formula, {x_: I(n_in), o_: I(n_out)},
                       n_in * n_out + (n_out if bias else 0), audience))
    return n_in * n_out + (n_out if bias else 0)


def attention_counts(d, spec, q, key, value, bias, items, audience="model"):
    """(learnables, macs, tensors, output features) of one multi-head attention."""
    x, H, conv = spec.extra, spec.extra["num_heads"], d.convention
    if conv == "pytorch" or spec.type != "mha":
        E = q.c
        if conv == "pytorch" and E % H:
            raise d.error(spec, "num_heads", f"the embedding dimension {E} is not divisible by {H} heads")
        kd = vd = E // H if conv == "pytorch" else q.c // H
        dout = E
    else:
        kd, vd = x["key_dim"], x["value_dim"]
        dout = x.get("output_dim", q.c)
    hk, hv = H * kd, H * vd
    n = [projection(d, spec, "query projection", q.c, hk, bias, items, audience),
         projection(d, spec, "key projection", key.c, hk, bias, items, audience),
         projection(d, spec, "value projection", value.c, hv, bias, items, audience),
         projection(d, spec, "output projection", hv, dout, bias, items, audience)]
    macs = q.w * q.c * hk + key.w * key.c * hk + value.w * value.c * hv + H * q.w * key.w * (kd + vd) + q.w * hv * dout
    return sum(n), macs, _attention_tensors(conv, q.c, key.c, value.c, H, kd, vd, dout, bias), dout


def _attention_tensors(conv, dq, dk, dv, H, kd, vd, dout, bias):
    if conv == "keras":
        out = [("query/kernel", [dq, H, kd]), ("key/kernel", [dk, H, kd]), ("value/kernel", [dv, H, vd]),
               ("attention_output/kernel", [H, vd, dout])]
        return out + ([("query/bias", [H, kd]), ("key/bias", [H, kd]), ("value/bias", [H, vd]),
                       ("attention_output/bias", [dout])] if bias else [])
    E = dq
    if dk == dv == E:
        out = [("in_proj_weight", [3 * E, E])]
    else:
        out = [("q_proj_weight", [E, E]), ("k_proj_weight", [E, dk]), ("v_proj_weight", [E, dv])]
    out.append(("out_proj.weight", [E, E]))
    return out + ([("in_proj_bias", [3 * E]), ("out_proj.bias", [E])] if bias else [])


def attention(d, spec, inp, r, items):
    q, key, value = _inputs(d, spec, inp)
    bias = spec.bias and d.mistake != "no_bias"
    H = spec.extra["num_heads"]
    items.append(full(Text(f"{H} heads: the query, key and value are each projected to H heads of d_k "
                           "(d_v for the value) features, every head attends over the key's positions, and "
                           "the heads' outputs are concatenated and projected to the output.")))
    total, r.macs, r.tensors, dout = attention_counts(d, spec, q, key, value, bias, items)
    items.append(Step("learnables: the four projections", lhs=N_L, formula=None,
                      substituted=None, result=I(total)))
    r.weight_count = total
    r.out = Shape(1, q.w, dout, seq=True)
    items.append(full(Text(f"Output: one vector of {dout} features per query position, ", q.w, " x ", dout, ".")))
    items.append(instructor(Step("multiply-accumulates (projections, scores, weighted sums)", lhs=MACS,
                                 result=I(r.macs))))
    return r


def block(d, spec, inp, r, items):
    """A Transformer encoder (self-attention, feed-forward, two layer norms) or decoder layer (and a
    cross-attention over the memory with a third norm); ``num_layers`` of them stacked."""
    _need_seq(d, spec, inp, "a Transformer block")
    x, c, T = spec.extra, inp.c, inp.w
    H, F, L = x["num_heads"], x["dim_feedforward"], x["num_layers"]
    bias = spec.bias and d.mistake != "no_bias"
    others = list(getattr(d, "others", []))
    memory = others[0] if others else None
    if memory is not None:
        _need_seq(d, spec, memory, "a decoder's memory")
        if memory.c != c:
            raise d.error(spec, "inputs", f"the memory has {memory.c} features, the block {c}")
    decoder = spec.type == "decoder" and memory is not None
    if d.convention == "pytorch" and c % H:
        raise d.error(spec, "num_heads", f"d_model {c} is not divisible by {H} heads")
    attn, macs, _, _ = attention_counts(d, spec, inp, inp, inp, bias, items, "full")
    items.append(_step("self-attention (4 projections of d x d with d biases each)", Quantity("N", "attn"),
                       _sum(_product(I(4), _sq(d_)), _product(I(4), d_)) if bias else _product(I(4), _sq(d_)),
                       {d_: I(c)}, attn))
    cross = 0
    if decoder:
        cross, more, _, _ = attention_counts(d, spec, inp, memory, memory, bias, items, "full")
        macs += more
        items.append(Step("cross-attention over the memory, the same count", lhs=Quantity("N", "cross"),
                          result=I(cross)))
    ffn_formula = _sum(_product(I(2), d_, F_), F_, d_) if bias else _product(I(2), d_, F_)
    ffn = 2 * c * F + ((F + c) if bias else 0)
    items.append(_step("feed-forward (d to F and back)", Quantity("N", "ffn"), ffn_formula,
                       {d_: I(c), F_: I(F)}, ffn))
    norms = 3 if decoder else 2
    norm = norms * (2 * c if bias else c)
    items.append(_step(f"{norms} layer norms", Quantity("N", "norm"), _product(I(norms), _product(I(2), d_)
                                                                                 if bias else d_), {d_: I(c)}, norm))
    one = attn + cross + ffn + norm
    items.append(Step("one block", lhs=N_block, formula=None, substituted=_sum(*[I(v) for v in
                                                                                  (attn, cross, ffn, norm) if v]),
                      result=I(one)))
    if L > 1:
        items.append(_step(f"{L} blocks stacked", N_L, _product(Quantity("N", "block"), S("L")),
                           {N_block: I(one), S("L"): I(L)}, L * one))
    r.weight_count = L * one
    r.macs = L * (macs + 2 * T * c * F)
    r.tensors = _block_tensors(d.convention, c, F, H, decoder, bias)
    items.append(instructor(Step("multiply-accumulates (attention and feed-forward)", lhs=MACS, result=I(r.macs))))
    return r


def _block_tensors(conv, c, F, H, decoder, bias):
    if conv == "pytorch":
        out = [("self_attn.in_proj_weight", [3 * c, c]), ("self_attn.out_proj.weight", [c, c])]
        if decoder:
            out += [("multihead_attn.in_proj_weight", [3 * c, c]), ("multihead_attn.out_proj.weight", [c, c])]
        out += [("linear1.weight", [F, c]), ("linear2.weight", [c, F])]
        out += [(f"norm1 .. norm{3 if decoder else 2}.weight", [c])]
    else:
        out = [("self_attention: query/key/value kernels", [c, H, c // H]),
               ("self_attention: output kernel", [H, c // H, c])]
        if decoder:
            out += [("cross_attention: the same", None)]
        out += [("intermediate_dense/kernel", [c, F]), ("output_dense/kernel", [F, c]),
                (f"{3 if decoder else 2} layer norms: gamma", [c])]
    return out + ([("and a bias for each (norms: beta)", None)] if bias else [])
