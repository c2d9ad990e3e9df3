"""The independent route for sequence layers: each layer run forward on zeros in numpy with the tensors
Keras or PyTorch allocates, named and laid out as the framework does; parameters counted by their
elements, multiply-accumulates by the sizes of the products actually taken. No formula of the derivation."""

from __future__ import annotations

import math

STEP_LIMIT = 4096        # time steps run one by one; past it the rest are counted, not run
_PARTS = {"rnn": "h", "lstm": "ifgo", "gru": "rzn"}   # the gate blocks each recurrent kind stacks


def _np():
    import numpy as np

    return np


class Tally:
    """The tensors allocated (by name) and the products taken."""

    def __init__(self):
        self.tensors, self.macs = [], 0

    def new(self, name, shape):
        array = _np().zeros(shape, _np().float32)
        self.tensors.append((name, array))
        return array

    def ein(self, expr, *operands):
        """numpy.einsum, counting one multiply-accumulate per combination of all the indices."""
        letters = {}
        for term, op in zip(expr.split("->")[0].split(","), operands):
            letters.update(zip(term, op.shape))
        self.macs += math.prod(letters.values())
        return _np().einsum(expr, *operands, optimize=len(operands) > 1 and operands[0].ndim > 1)

    def count(self):
        return sum(a.size for _, a in self.tensors)


def _sigmoid(x):
    return 1 / (1 + _np().exp(-x))


def _cell(kind, gates_x, gates_h, h, c, split_bias):
    """One step of the cell from the input's and the state's gate blocks."""
    np = _np()
    n = len(c)                 # the cell's width (an LSTM's state h may be projected narrower)
    block = {p: slice(i * n, (i + 1) * n) for i, p in enumerate(_PARTS[kind])}
    if kind == "rnn":
        return np.tanh(gates_x + gates_h), c
    if kind == "lstm":
        z = gates_x + gates_h
        c = _sigmoid(z[block["f"]]) * c + _sigmoid(z[block["i"]]) * np.tanh(z[block["g"]])
        return _sigmoid(z[block["o"]]) * np.tanh(c), c
    r = _sigmoid(gates_x[block["r"]] + gates_h[block["r"]])
    u = _sigmoid(gates_x[block["z"]] + gates_h[block["z"]])
    cand = np.tanh(gates_x[block["n"]] + r * gates_h[block["n"]])
    return (1 - u) * cand + u * h, c


def _direction(tally, kind, x, units, w_in, w_rec, b_in, b_rec, x_first, w_proj=None):
    """One direction over the sequence ``x`` (T, d); returns (T, units), or (T, p) through a projection
    ``w_proj`` (p, units) of the state after each step (PyTorch's weight_hr)."""
    np = _np()
    T = x.shape[0]
    width = units if w_proj is None else w_proj.shape[0]
    h, c = np.zeros(width), np.zeros(units)
    out = np.zeros((T, width))
    for t in range(min(T, STEP_LIMIT)):
        gx = tally.ein("ij,j->i", w_in, x[t]) if x_first else tally.ein("j,ji->i", x[t], w_in)
        gh = tally.ein("ij,j->i", w_rec, h) if x_first else tally.ein("j,ji->i", h, w_rec)
        h, c = _cell(kind, gx + b_in, gh + b_rec, h, c, True)
        if w_proj is not None:
            h = tally.ein("ij,j->i", w_proj, h)
        out[t] = h
    if T > STEP_LIMIT:
        tally.macs += (T - STEP_LIMIT) * (w_in.size + w_rec.size + (0 if w_proj is None else w_proj.size))
    return out


def recurrent(tally, spec, x, convention):
    """The recurrent layer on zeros: PyTorch's weight_ih/weight_hh/bias_ih/bias_hh per layer and direction,
    Keras's kernel, recurrent_kernel and bias (two rows for a GRU with reset_after) per direction."""
    np = _np()
    kind, e = spec.type, spec.extra
    units, rows = e["units"], len(_PARTS[spec.type]) * e["units"]
    directions = ["", "_reverse"] if e["bidirectional"] else [""]
    for layer in range(e["num_layers"]):
        outs = []
        for tag in directions:
            w_proj = None
            if convention == "pytorch":
                proj = e.get("proj_size", 0)
                w_in = tally.new(f"weight_ih_l{layer}{tag}", (rows, x.shape[1]))
                w_rec = tally.new(f"weight_hh_l{layer}{tag}", (rows, proj or units))
                b = [tally.new(f"bias_{k}_l{layer}{tag}", (rows,)) for k in ("ih", "hh")] if spec.bias else [0, 0]
                w_proj = tally.new(f"weight_hr_l{layer}{tag}", (proj, units)) if proj else None
            else:
                w_in = tally.new(f"kernel{tag}", (x.shape[1], rows))
                w_rec = tally.new(f"recurrent_kernel{tag}", (units, rows))
                if not spec.bias:
                    b = [0, 0]
                elif e["reset_after"]:
                    both = tally.new(f"bias{tag}", (2, rows))
                    b = [both[0], both[1]]
                else:
                    b = [tally.new(f"bias{tag}", (rows,)), 0]
            seq = x if not tag else x[::-1]
            y = _direction(tally, kind, seq, units, w_in, w_rec, b[0], b[1], convention == "pytorch", w_proj)
            outs.append(y if not tag else y[::-1])
        x = np.concatenate(outs, axis=1)
    return x if e["return_sequences"] else x[-1]


def layer_norm(tally, x, bias, names):
    np = _np()
    gamma = tally.new(names[0], x.shape[-1:]) + 1
    beta = tally.new(names[1], x.shape[-1:]) if bias else 0
    centred = x - x.mean(axis=-1, keepdims=True)
    return centred / np.sqrt((centred ** 2).mean(axis=-1, keepdims=True) + 1e-5) * gamma + beta


def _softmax(z):
    np = _np()
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def keras_attention(tally, prefix, q, k, v, heads, key_dim, value_dim, out_dim, bias):
    """keras.layers.MultiHeadAttention: einsum kernels (d, H, k), output kernel (H, v, d_out)."""
    def dense(name, expr, x, shape, bias_shape):
        w = tally.new(f"{prefix}{name}/kernel", shape)
        return tally.ein(expr, x, w) + (tally.new(f"{prefix}{name}/bias", bias_shape) if bias else 0)

    qh = dense("query", "td,dhk->thk", q, (q.shape[1], heads, key_dim), (heads, key_dim))
    kh = dense("key", "td,dhk->thk", k, (k.shape[1], heads, key_dim), (heads, key_dim))
    vh = dense("value", "td,dhk->thk", v, (v.shape[1], heads, value_dim), (heads, value_dim))
    weights = _softmax(tally.ein("thk,shk->hts", qh, kh) / math.sqrt(key_dim))
    context = tally.ein("hts,shv->thv", weights, vh)
    return dense("attention_output", "thv,hvo->to", context, (heads, value_dim, out_dim), (out_dim,))


def torch_attention(tally, prefix, q, k, v, heads, bias):
    """torch.nn.MultiheadAttention: in_proj_weight (3E, E) when kdim = vdim = E, else three weights."""
    np = _np()
    E = q.shape[1]
    if k.shape[1] == E and v.shape[1] == E:
        w = tally.new(prefix + "in_proj_weight", (3 * E, E))
        ws = [w[:E], w[E:2 * E], w[2 * E:]]
    else:
        ws = [tally.new(prefix + f"{n}_proj_weight", (E, x.shape[1])) for n, x in (("q", q), ("k", k), ("v", v))]
    b = tally.new(prefix + "in_proj_bias", (3 * E,)) if bias else np.zeros(3 * E)
    qp, kp, vp = (tally.ein("ti,oi->to", x, wi) + b[i * E:(i + 1) * E] for i, (x, wi) in enumerate(zip((q, k, v), ws)))
    split = [y.reshape(y.shape[0], heads, E // heads) for y in (qp, kp, vp)]
    weights = _softmax(tally.ein("thk,shk->hts", split[0], split[1]) / math.sqrt(E // heads))
    context = tally.ein("hts,shk->thk", weights, split[2]).reshape(q.shape[0], E)
    w_out = tally.new(prefix + "out_proj.weight", (E, E))
    return tally.ein("ti,oi->to", context, w_out) + (tally.new(prefix + "out_proj.bias", (E,)) if bias else 0)


def linear(tally, name, x, n_out, bias):
    w = tally.new(name + ".weight", (n_out, x.shape[-1]))
    return tally.ein("ti,oi->to", x, w) + (tally.new(name + ".bias", (n_out,)) if bias else 0)


def block(tally, spec, x, memory, convention):
    """A Transformer encoder or decoder layer, ``num_layers`` times: PyTorch's TransformerEncoderLayer /
    TransformerDecoderLayer, keras_hub's TransformerEncoder / TransformerDecoder (key_dim = d // H)."""
    e, d = spec.extra, x.shape[1]
    heads, bias = e["num_heads"], spec.bias
    for n in range(e["num_layers"]):
        p = f"layers.{n}." if e["num_layers"] > 1 else ""
        if convention == "pytorch":
            def attend(name, q, kv):
                return torch_attention(tally, p + name + ".", q, kv, kv, heads, bias)
            norm_names = [(f"{p}norm{i}.weight", f"{p}norm{i}.bias") for i in (1, 2, 3)]
        else:
            def attend(name, q, kv):
                return keras_attention(tally, p + name + "/", q, kv, kv, heads, d // heads, d // heads, d, True)
            norm_names = [(f"{p}norm{i}/gamma", f"{p}norm{i}/beta") for i in (1, 2, 3)]
        x = layer_norm(tally, x + attend("self_attn", x, x), bias, norm_names[0])
        used = 1
        if memory is not None and spec.type == "decoder":
            x = layer_norm(tally, x + attend("multihead_attn", x, memory), bias, norm_names[1])
            used = 2
        inner = _np().maximum(linear(tally, p + "linear1", x, e["dim_feedforward"], bias), 0)
        x = layer_norm(tally, x + linear(tally, p + "linear2", inner, d, bias), bias, norm_names[used])
    return x


def seq_pass(state, spec, others):
    """A sequence layer (or Dense/Linear, flatten on a sequence) through the pass: the state's ``seq``
    (T, d) zeros, or ``x``/``channels`` when the result is flat. Returns (parameters, None, MACs, None)."""
    np = _np()
    t, conv, x = spec.type, state.convention, state.seq
    tally = Tally()
    if t == "embedding":
        table = tally.new("embeddings", (spec.extra["vocabulary"], spec.extra["dim"]))
        y = table[np.zeros(state.channels, int)]
    elif t == "posembedding":
        y = x + tally.new("embeddings", (spec.extra["length"], x.shape[1]))[:x.shape[0]].reshape(x.shape)
    elif t == "layernorm":
        y = layer_norm(tally, x if x is not None else np.zeros(state.channels), spec.bias, ("gamma", "beta"))
    elif t in ("rnn", "lstm", "gru"):
        y = recurrent(tally, spec, x, conv)
    elif t == "mha":
        q, rest = x, [s for s in others]
        k, v = (q, q) if not rest else (rest[0], rest[0]) if len(rest) == 1 else (
            (rest[0], rest[1]) if conv == "pytorch" else (rest[1], rest[0]))
        if conv == "pytorch":
            y = torch_attention(tally, "", q, k, v, spec.extra["num_heads"], spec.bias)
        else:
            e = spec.extra
            y = keras_attention(tally, "", q, k, v, e["num_heads"], e["key_dim"], e["value_dim"],
                                e.get("output_dim", q.shape[1]), spec.bias)
    elif t in ("encoder", "decoder"):
        y = block(tally, spec, x, others[0] if others else None, conv)
    elif t == "fc":
        y = linear(tally, "dense", x, spec.nodes, spec.bias)
        weight = next(a for n, a in tally.tensors if n.endswith(".weight"))
        bias = next((a for n, a in tally.tensors if n.endswith(".bias")), None)
        _set(state, y)
        return weight, bias, tally.macs, None
    elif t == "flatten":
        y = x.reshape(-1)
    else:            # activations, dropout, soft-max, batch normalization: the size passes through
        return None
    _set(state, y)
    return _params(tally), None, tally.macs, None


class _Count:
    """The parameters' element count, as the route's arrays report it (``size``), without copying them."""

    def __init__(self, size):
        self.size = size


def _params(tally):
    return _Count(tally.count()) if tally.tensors else None


def _set(state, y):
    if y.ndim == 2:
        state.seq, state.x, state.channels = y, None, y.shape[1]
    else:
        state.seq, state.x, state.channels = None, None, y.shape[0]
