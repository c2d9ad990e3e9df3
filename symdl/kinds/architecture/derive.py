"""The architecture kind's derivation: each layer's output size, learnables and MACs, step by step."""

from __future__ import annotations

from dataclasses import dataclass, field

import sympy

from symdl.notation.display import Quantity
from symdl.kinds.architecture.notation import Dims
from symdl.notation.printer import substitute
from symdl.solution import Step, Text

MISTAKES = ("same", "pad_once", "no_bias", "flatten", "fc_order", "one_bias")  # one thing done wrong, re-derived

from . import derive_more, seqcommon, seqderive
from .fields import MAX_AREA, MAX_VALUES, MERGES, LayerSpec, parse_layers, values_of
from .formulas import full, instructor
from .formulas import AXES, C_in, C_out, F, G, I, MACS, N_b, N_in, N_L, N_out, N_W, _formula, _product, _ratio, _sum
from .shapes import (Shape, channel_vector_shape, conv_bias_shape, conv_weight_shape, fc_bias_shape,
                     fc_weight_shape, categories, input_shape, shape_list,
                     tconv_weight_shape)


def _plural(n, word):
    return f"{n} {word}" if n != 1 else f"1 {word[:-1] if word.endswith('s') else word}"


def shape_of(shape, convention) -> Dims:
    """The activation ``shape`` as a display H x W x C in ``convention``."""
    return Dims(*shape_list(shape, convention))


@dataclass
class LayerResult:
    spec: LayerSpec
    inp: Shape
    out: Shape
    weights: list = field(default_factory=list)
    bias: list = field(default_factory=list)
    weight_count: int = 0
    bias_count: int = 0
    non_learnable: int = 0
    macs: int = 0
    steps: list = field(default_factory=list)
    same_pads: tuple | None = None      # (t, b, l, r) a 'same' padding worked out
    dropped: tuple = (0, 0)             # rows, columns of the padded input no window reaches
    unfloored: tuple | None = None      # (h, w) output sizes before the floor, exact
    eff_kernel: tuple | None = None     # (h, w) a dilated kernel's span d(k - 1) + 1
    pointwise: list | None = None       # a separable convolution's 1 x 1 weights
    inputs: tuple = ()                  # the layers it read, by name
    receptive: tuple | None = None      # ((r_h, r_w), (j_h, j_w)) receptive field and jump
    connections: int | None = None      # LeNet-5's connection count
    tensors: list = field(default_factory=list)   # a sequence layer's (framework name, shape) for the table

    @property
    def learnables(self):
        return self.weight_count + self.bias_count


# how each framework splits a batch normalization layer's values
BN_SPLIT = {
    "matlab": "MATLAB: Scale and Offset are learnable; TrainedMean and TrainedVariance are state, not learned.",
    "pytorch": "PyTorch: weight and bias are parameters (counted by parameters()); running_mean and "
               "running_var are buffers, as is the step counter num_batches_tracked (one value), not counted.",
    "keras": "Keras: gamma and beta are trainable parameters; moving_mean and moving_variance are "
             "non-trainable parameters, which the summary's total includes.",
}


class _Deriver:
    """Walks the layers once, writing every step."""

    def __init__(self, question, convention, mistake=None):
        self.q = question
        self.convention = convention
        if mistake is not None and mistake not in MISTAKES:
            raise ValueError(f"unknown mistake {mistake!r}")
        self.mistake = mistake      # re-derive with one thing done wrong (see MISTAKES)
        self.others = []            # the further inputs of an attention layer or a decoder (shapes)

    def error(self, spec, key, message):
        return self.q.error(spec.field(key), f"layer '{spec.name}': {message}")

    # -- one spatial axis of a windowed layer -------------------------------------------------
    def same_padding(self, axis, n, k, s, d, items):
        """The pads 'same' needs along ``axis`` (the odd one at the end); appends the steps."""
        a = AXES[axis]
        eff = d * (k - 1) + 1
        total_kind = "same_total_1" if d == 1 else "same_total"
        target = -(-n // s)
        values = {a["n"]: I(n), a["s"]: I(s), a["k"]: I(k), a["d"]: I(d), a["out"]: I(target)}
        total = max((target - 1) * s + eff - n, 0)
        items.append(full(Text(f"'same' padding along the {a['word']}: the output is ceil(n/s) long; the "
                               f"total padding P is what that takes, the {a['end0']} gets half of it rounded "
                               f"down, the {a['end1']} the rest.")))
        items.append(full(Step(f"'same' output {a['word']}", lhs=a["out"], formula=_formula("same_out", axis),
                               substituted=substitute(_formula("same_out", axis), values), result=I(target))))
        items.append(Step("total padding", lhs=a["P"], formula=_formula(total_kind, axis),
                          substituted=substitute(_formula(total_kind, axis), values), result=I(total)))
        p0 = total // 2
        p1 = total - p0
        items.append(Step(f"{a['end0']} padding", lhs=a["p0"], formula=_formula("same_before", axis),
                          substituted=substitute(_formula("same_before", axis), {a["P"]: I(total)}),
                          result=I(p0)))
        items.append(Step(f"{a['end1']} padding", lhs=a["p1"], formula=_formula("same_after", axis),
                          substituted=substitute(_formula("same_after", axis),
                                                 {a["P"]: I(total), a["p0"]: I(p0)}),
                          result=I(p1)))
        return p0, p1

    def window_axis(self, spec, axis, n, k, s, d, padding, items):
        """Output length along ``axis``; appends the steps; returns (out, p0, p1, dropped, unfloored)."""
        a = AXES[axis]
        eff = d * (k - 1) + 1
        p0, p1 = self.same_padding(axis, n, k, s, d, items) if padding == "same" else padding
        span = n + p0 + p1
        ceil = spec.ceil
        # with ceil_mode a last window may hang past the end: PyTorch only needs one window
        if eff > span + ((s - 1) if ceil else 0):
            what = f"kernel {a['word']} {k}" + (f" (dilated to {eff})" if d != 1 else "")
            raise self.error(spec, "size", f"{what} exceeds the padded input {a['word']} {span}")
        if d != 1:
            span_formula = _sum(_product(a["d"], _sum(a["k"], -1)), 1)
            items.append(Step(f"effective kernel {a['word']}", lhs=Quantity("k", "eff"), formula=span_formula,
                              substituted=substitute(span_formula, {a["d"]: I(d), a["k"]: I(k)}), result=I(eff)))
        kind = ("ceil" if ceil else "floor") + ("" if d == 1 else "_d")
        values = {a["n"]: I(n), a["p0"]: I(p0), a["p1"]: I(p1), a["k"]: I(k), a["s"]: I(s), a["d"]: I(d)}
        inner = span - eff
        out = -(-inner // s) + 1 if ceil else inner // s + 1
        expr = _formula(kind, axis)
        rem = inner % s
        dropped = spec.ceil and rem and (out - 1) * s >= n + p0
        first = a["out"].tilde() if dropped else a["out"]
        step = Step(f"output {a['word']}", lhs=first, formula=expr, substituted=substitute(expr, values),
                    result=I(out))
        # a size the layer passes through unchanged (k = 1, stride 1, no padding) needs no working
        items.append(full(step) if (k, s, d, p0, p1) == (1, 1, 1, 0, 0) else step)
        if spec.ceil and rem:
            out = self._ceil_note(a, n, p0, s, rem, inner, out, first, dropped, items)
        elif rem and not ceil:
            difference = sympy.Eq(sympy.Add(I(span), sympy.Mul(-1, I(eff), evaluate=False), evaluate=False),
                                  I(inner), evaluate=False)
            remainder = sympy.Eq(sympy.Mod(I(inner), I(s), evaluate=False), I(rem), evaluate=False)
            items.append(Text("The stride ", I(s), " does not divide ", difference, ": the floor drops "
                              f"{_plural(rem, a['rows'])} at the {a['end1']} of the padded input "
                              "that no window reaches (", remainder, ")."))
        unfloored = sympy.Rational(inner, s) + 1
        return out, p0, p1, (0 if ceil else rem), unfloored

    def _ceil_note(self, a, n, p0, s, rem, inner, out, first, dropped, items):
        """PyTorch's ceil_mode when the stride does not divide: the last window kept or dropped."""
        if dropped:
            items.append(Text(f"ceil_mode: the last window would start at padded index {(out - 1) * s}, "
                              f"past the input and the {a['end0']} padding ({n} + {p0} = {n + p0}), "
                              "so PyTorch drops it:"))
            items.append(Step("last window dropped", lhs=a["out"], formula=_sum(first, -1),
                              substituted=substitute(_sum(first, -1), {first: I(out)}), result=I(out - 1)))
            return out - 1
        items.append(Text(f"ceil_mode: the stride {s} does not divide {inner}; rounding up keeps "
                          f"a last window that hangs {s - rem} {a['rows']} past the "
                          f"{a['end1']} edge (it sees only what is inside)."))
        return out

    def spatial(self, spec, inp, r, items):
        """Both axes of a convolution or pooling layer: (h, w); the sheet's extra quantities into ``r``."""
        pad = spec.padding
        if self.mistake == "same" and spec.type == "conv" and pad != "same":
            pad = "same"      # the mistake: the size assumed kept ('same'), the stated padding ignored
        elif self.mistake == "pad_once" and pad != "same":
            pad = (pad[0], 0, pad[2], 0)   # the mistake: each axis's padding counted on one side only
        start = len(items)
        h, t, b, drop_h, un_h = self.window_axis(spec, "h", inp.h, spec.kernel[0], spec.stride[0],
                                                 spec.dilation[0], pad if pad == "same" else pad[:2], items)
        middle = len(items)
        w, l, rr, drop_w, un_w = self.window_axis(spec, "w", inp.w, spec.kernel[1], spec.stride[1],
                                                  spec.dilation[1], pad if pad == "same" else pad[2:], items)
        if (inp.h, spec.kernel[0], spec.stride[0], spec.dilation[0], t, b) == \
                (inp.w, spec.kernel[1], spec.stride[1], spec.dilation[1], l, rr):
            self._square(items[start:middle], items[middle:])
        if pad == "same":
            r.same_pads = (t, b, l, rr)
        if spec.dilation != (1, 1):
            r.eff_kernel = tuple(dd * (k - 1) + 1 for k, dd in zip(spec.kernel, spec.dilation))
        r.dropped = (drop_h, drop_w)
        r.unfloored = (un_h, un_w)
        return h, w

    @staticmethod
    def _square(height, width):
        """A square layer's width repeats the height's working: the model answer writes it once,
        H_out = W_out = ..., and the width's lines go to the full derivation."""
        for item in width:
            full(item)
        for item in height:
            if isinstance(item, Step) and item.lhs == AXES["h"]["out"] and item.audience == "model":
                item.lhs = sympy.Eq(AXES["h"]["out"], AXES["w"]["out"], evaluate=False)

    def tconv_axis(self, spec, axis, n, k, s, d, padding, op, items):
        a = AXES[axis]
        values = {a["n"]: I(n), a["k"]: I(k), a["s"]: I(s), a["d"]: I(d), a["op"]: I(op)}
        eff = d * (k - 1) + 1
        if padding == "same":
            kind, out = "tconv_same", n * s
        elif self.convention == "keras":
            kind, out = "tconv_keras_valid" + ("_1" if d == 1 else ""), n * s + max(eff - s, 0)
        else:
            p0, p1 = padding
            values.update({a["p0"]: I(p0), a["p1"]: I(p1)})
            if self.convention == "matlab":
                kind, out = "tconv_matlab", (n - 1) * s + k - p0 - p1
            else:
                kind = "tconv_torch" + ("_d" if d != 1 else "") + ("_o" if op else "")
                out = (n - 1) * s - p0 - p1 + eff + op
        if out < 1:
            raise self.error(spec, "padding", f"the cropping leaves no output {a['word']} ({out})")
        expr = _formula(kind, axis)
        items.append(Step(f"output {a['word']}", lhs=a["out"],
                          formula=expr, substituted=substitute(expr, values), result=I(out)))
        return out

    # -- layers ---------------------------------------------------------------------------------
    def layer(self, spec: LayerSpec, inp: Shape) -> LayerResult:
        t = spec.type
        items = []
        r = LayerResult(spec, inp, inp, steps=items)
        conv = self.convention
        if t == "input":
            r.out = input_shape(spec.size, conv)
            items.append(full(Text("The input's size is given: ", shape_of(r.out, conv), ".")))
            return r
        if t in ("conv", "tconv", "maxpool", "avgpool", "depthwise", "separable", "zeropad",
                 "subsampling", "locallyconnected") and (inp.flat or inp.seq):
            got = f"a sequence of {inp.w} x {inp.c}" if inp.seq else f"a flat vector of {inp.c} values"
            raise self.error(spec, "type", f"a windowed layer needs a spatial input, got {got}")
        if t in seqderive.METHODS:
            return seqderive.METHODS[t](self, spec, inp, r, items)
        if t == "gap":
            if inp.flat or inp.seq:
                raise self.error(spec, "type", "global pooling needs a spatial input")
            r.out = Shape(1, 1, inp.c, flat=(conv == "keras"))
            items.append(Text("Global average pooling averages each channel's ", Dims(inp.h, inp.w),
                              " values to one: the output is ", shape_of(r.out, conv),
                              "; nothing is learned."))
            return r
        if t in derive_more.METHODS:
            return derive_more.METHODS[t](self, spec, inp, r, items)
        method = {"conv": self.conv, "tconv": self.tconv, "maxpool": self.pool, "avgpool": self.pool,
                  "fc": self.fc, "batchnorm": self.batchnorm, "flatten": self.flatten}.get(t, self.elementwise)
        return method(spec, inp, r, items)

    def pool(self, spec, inp, r, items):
        conv = self.convention
        kh, kw = spec.kernel
        if conv == "pytorch":
            for (p0, p1), k, d, word in ((spec.padding[:2], kh, spec.dilation[0], "height"),
                                         (spec.padding[2:], kw, spec.dilation[1], "width")):
                limit = k // 2      # torch checks k // 2 >= pad, dilation or not
                if p0 > limit:
                    raise self.error(spec, "padding", f"PyTorch refuses padding {p0} larger than half "
                                                      f"the kernel {word} ({limit})")
        items.append(full(Text(f"{spec.type_label}: each ", Dims(kh, kw), " window of every channel gives one "
                               "value; the channels pass through, nothing is learned.")))
        h, w = self.spatial(spec, inp, r, items)
        r.out = Shape(h, w, inp.c)
        items.append(full(Step("channels unchanged", lhs=C_out, formula=C_in, result=I(inp.c))))
        return r

    def batchnorm(self, spec, inp, r, items):
        conv = self.convention
        c = inp.c
        r.weights = channel_vector_shape(conv, c)
        r.bias = channel_vector_shape(conv, c)
        r.weight_count, r.bias_count, r.non_learnable = c, c, 2 * c
        items.append(full(Text("Batch normalization keeps the size; per channel it learns a scale and an "
                               "offset, and it keeps a running mean and variance that are updated, not "
                               "learned. " + BN_SPLIT[conv])))
        items.append(Step("scale and offset", lhs=N_L,
                          formula=_product(I(2), C_in), substituted=substitute(_product(I(2), C_in),
                                                                               {C_in: I(c)}),
                          result=I(2 * c)))
        items.append(Step("running mean and variance",
                          lhs=Quantity("N", "run"), formula=_product(I(2), C_in),
                          substituted=substitute(_product(I(2), C_in), {C_in: I(c)}), result=I(2 * c)))
        return r

    def flatten(self, spec, inp, r, items):
        # the mistake "flatten": the channels dropped, H W values instead of H W C
        wrong = self.mistake == "flatten" and not inp.flat
        r.out = Shape(1, 1, inp.h * inp.w if wrong else inp.numel, flat=True)
        if inp.flat:
            items.append(full(Text("The input is already a vector; flatten leaves it as it is.")))
        elif inp.seq:
            T, d = seqcommon.T_, seqcommon.d_
            items.append(Step("values in one vector", lhs=N_out, formula=_product(T, d),
                              substituted=substitute(_product(T, d), {T: I(inp.w), d: I(inp.c)}),
                              result=I(inp.numel)))
        else:
            items.append(Step("values in one vector", lhs=N_out,
                              formula=_product(AXES["h"]["n"], AXES["w"]["n"], C_in),
                              substituted=substitute(_product(AXES["h"]["n"], AXES["w"]["n"], C_in),
                                                     {AXES["h"]["n"]: I(inp.h), AXES["w"]["n"]: I(inp.w),
                                                      C_in: I(inp.c)}),
                              result=I(inp.numel)))
        return r

    def elementwise(self, spec, inp, r, items):
        """Activations, normalization, dropout, soft-max, classification: the size passes through."""
        t, conv = spec.type, self.convention
        if t in ("softmax", "classification") and spec.nodes is not None and spec.nodes != inp.numel:
            raise self.error(spec, "nodes", f"{spec.nodes} nodes given, but the input has {inp.numel} values")
        what = {"activation": f"{spec.type_label} acts on every value on its own",
                "norm": "Cross-channel (local response) normalization divides each value by a sum over "
                        "neighbouring channels, with fixed constants",
                "dropout": "Dropout zeroes random values in training and passes everything at test time",
                "softmax": "Soft-max turns the scores into probabilities, one per class",
                "classification": "The classification output takes the probabilities and computes "
                                  "the loss; it reports " + categories(inp)}[t]
        items.append(full(Text(f"{what}: the output size equals the input size, ",
                               shape_of(inp, conv), "; nothing is learned.")))
        return r

    def conv(self, spec, inp, r, items):
        kh, kw = spec.kernel
        f = spec.filters
        self._check_depth(spec, inp)
        if spec.in_channels is not None and spec.in_channels != inp.c:
            raise self.error(spec, "in_channels", f"in_channels {spec.in_channels} disagrees with the "
                                                  f"{inp.c} channels of the input")
        h, w = self.spatial(spec, inp, r, items)
        r.out = Shape(h, w, f)
        items.append(full(Step("one channel per filter", lhs=C_out, formula=F, result=I(f))))
        self._conv_counts(spec, inp, r, items, transposed=False)
        return r

    def tconv(self, spec, inp, r, items):
        kh, kw = spec.kernel
        f = spec.filters
        self._check_depth(spec, inp)
        pad = spec.padding
        h = self.tconv_axis(spec, "h", inp.h, kh, spec.stride[0], spec.dilation[0],
                            pad if pad == "same" else pad[:2], spec.output_padding[0], items)
        w = self.tconv_axis(spec, "w", inp.w, kw, spec.stride[1], spec.dilation[1],
                            pad if pad == "same" else pad[2:], spec.output_padding[1], items)
        r.out = Shape(h, w, f)
        items.append(full(Step("one channel per filter", lhs=C_out, formula=F, result=I(f))))
        self._conv_counts(spec, inp, r, items, transposed=True)
        return r

    def _check_depth(self, spec, inp):
        """The groups must split the input channels, and a given filter depth must match."""
        g = spec.groups
        if inp.c % g:
            raise self.error(spec, "groups", f"{inp.c} input channels cannot be split into {g} groups")
        if spec.depth is not None and spec.depth != inp.c // g:
            expected = f"{inp.c} input channels" + (f" / {g} groups = {inp.c // g}" if g > 1 else "")
            raise self.error(spec, "size", f"filter depth {spec.depth} disagrees with the {expected}")

    def _conv_counts(self, spec, inp, r, items, transposed):
        if spec.table is not None and not transposed:
            return derive_more.partial_counts(self, spec, inp, r, items)
        conv = self.convention
        kh, kw = spec.kernel
        g, f, cin = spec.groups, spec.filters, inp.c
        ah, aw = AXES["h"], AXES["w"]
        depth = C_in if g == 1 else _ratio(C_in, G)
        if transposed:
            formula = _product(ah["k"], aw["k"], C_in, F) if g == 1 else _product(ah["k"], aw["k"], C_in, _ratio(F, G))
            r.weights = tconv_weight_shape(conv, kh, kw, cin, f, g)
        else:
            formula = _product(ah["k"], aw["k"], depth, F)
            r.weights = conv_weight_shape(conv, kh, kw, cin, f, g)
        values = {ah["k"]: I(kh), aw["k"]: I(kw), C_in: I(cin), F: I(f), G: I(g)}
        r.weight_count = kh * kw * (cin // g) * f
        items.append(full(Step("weights" + (f", {g} groups" if g > 1 else ""),
                               lhs=N_W, formula=formula, substituted=substitute(formula, values),
                               result=I(r.weight_count))))
        if spec.bias and self.mistake != "no_bias":
            r.bias = conv_bias_shape(conv, f, g)
            r.bias_count = f
            items.append(full(Step("one bias per filter", lhs=N_b, formula=F, result=I(f))))
        else:
            items.append(full(Text("No bias (bias = false).")))
        self._learnables_step(r, items, formula, F, values)
        if transposed:
            mac = _product(ah["n"], aw["n"], C_in, ah["k"], aw["k"], F if g == 1 else _ratio(F, G))
            values.update({ah["n"]: I(inp.h), aw["n"]: I(inp.w)})
            r.macs = inp.h * inp.w * cin * kh * kw * (f // g)
        else:
            mac = _product(ah["out"], aw["out"], F, ah["k"], aw["k"], depth)
            values.update({ah["out"]: I(r.out.h), aw["out"]: I(r.out.w)})
            r.macs = r.out.h * r.out.w * f * kh * kw * (cin // g)
        items.append(instructor(Step("multiply-accumulates", lhs=MACS, formula=mac,
                                     substituted=substitute(mac, values), result=I(r.macs))))

    def _learnables_step(self, r, items, weights, bias, values):
        """The layer's learnables in one line: the weights' formula plus the biases (model answer)."""
        formula = _sum(weights, bias) if r.bias_count else weights
        items.append(Step("learnables", lhs=N_L, formula=formula, substituted=substitute(formula, values),
                          result=I(r.learnables)))

    def fc(self, spec, inp, r, items):
        conv = self.convention
        if inp.seq:
            return self.fc_sequence(spec, inp, r, items)
        if not inp.flat and conv != "matlab":
            raise self.error(spec, "type", f"the input is {inp.h} x {inp.w} x {inp.c}, not a vector: "
                                           f"{'torch.nn.Linear' if conv == 'pytorch' else 'Dense'} acts "
                                           "on the last axis only; put a flatten layer before it")
        n_in, n_out = inp.numel, spec.nodes
        ah, aw = AXES["h"], AXES["w"]
        if not inp.flat:
            if self.mistake == "flatten":
                n_in = inp.h * inp.w      # the mistake: the channels dropped from the flattened size
            items.append(full(Text("A fully connected layer sees its whole input as one vector.")))
            items.append(Step("inputs",
                              lhs=N_in, formula=_product(ah["n"], aw["n"], C_in),
                              substituted=substitute(_product(ah["n"], aw["n"], C_in),
                                                     {ah["n"]: I(inp.h), aw["n"]: I(inp.w), C_in: I(inp.c)}),
                              result=I(n_in)))
        else:
            items.append(full(Step("inputs", lhs=N_in, result=I(n_in))))
        r.out = Shape(1, 1, n_out, flat=True)
        items.append(full(Step("one output per node", lhs=N_out, result=I(n_out))))
        r.weights = fc_weight_shape(conv, n_in, n_out)
        if self.mistake == "fc_order":     # the mistake: the weights written inputs x outputs the other way round
            r.weights = r.weights[::-1]
        r.weight_count = n_in * n_out
        formula = _product(N_out, N_in)
        values = {N_in: I(n_in), N_out: I(n_out)}
        items.append(full(Step("weights", lhs=N_W, formula=formula,
                               substituted=substitute(formula, values), result=I(r.weight_count))))
        if spec.bias and self.mistake != "no_bias":
            r.bias = fc_bias_shape(conv, n_out)
            r.bias_count = n_out
            items.append(full(Step("one bias per node", lhs=N_b, formula=N_out, result=I(n_out))))
        else:
            items.append(full(Text("No bias (bias = false).")))
        self._learnables_step(r, items, formula, N_out, values)
        r.macs = n_in * n_out
        items.append(instructor(Step("multiply-accumulates", lhs=MACS, formula=formula,
                                     substituted=substitute(formula, values), result=I(r.macs))))
        return r


    def fc_sequence(self, spec, inp, r, items):
        """Dense / Linear on a sequence: the same weights at each of the T positions, on the last axis."""
        n_in, n_out, T = inp.c, spec.nodes, inp.w
        r.out = Shape(1, T, n_out, seq=True)
        r.weights = fc_weight_shape(self.convention, n_in, n_out)
        r.weight_count = n_in * n_out
        bias = spec.bias and self.mistake != "no_bias"
        r.bias, r.bias_count = (fc_bias_shape(self.convention, n_out), n_out) if bias else ([], 0)
        items.append(full(Text("On a sequence the layer acts on the last axis: the same weights at each of "
                               f"the {T} positions.")))
        formula = _product(N_out, N_in)
        self._learnables_step(r, items, formula, N_out, {N_in: I(n_in), N_out: I(n_out)})
        r.macs = T * n_in * n_out
        mac = _product(seqcommon.T_, N_out, N_in)
        items.append(instructor(Step("multiply-accumulates", lhs=MACS, formula=mac, substituted=substitute(
            mac, {seqcommon.T_: I(T), N_in: I(n_in), N_out: I(n_out)}), result=I(r.macs))))
        return r


def derive_network(question, mistake=None):
    """(convention, [LayerResult]) for the question; raises SpecError naming the layer.
    ``mistake`` (one of MISTAKES) re-derives the network with that one thing done wrong."""
    convention, specs = parse_layers(question)
    deriver = _Deriver(question, convention, mistake)
    results, shape, outputs = [], None, {}
    for spec in specs:
        if spec.type in MERGES:
            inputs = [(name, outputs[name]) for name in spec.inputs]
            res = LayerResult(spec, inputs[0][1], inputs[0][1])
            derive_more.merge(deriver, spec, inputs, res, res.steps)
        else:
            deriver.others = [outputs[name] for name in spec.inputs[1:]]
            res = deriver.layer(spec, outputs[spec.inputs[0]] if spec.inputs else shape)
        res.inputs = spec.inputs
        if res.out.h * res.out.w > MAX_AREA or res.out.numel > MAX_VALUES:
            raise question.error(spec.field("type"), f"layer '{spec.name}': an output of "
                                                     f"{res.out.h} x {res.out.w} x {res.out.c} is too large "
                                                     f"(limit {MAX_AREA} positions, {MAX_VALUES} values)")
        results.append(res)
        shape = outputs[spec.name] = res.out
    if values_of(question)["receptive_field"]:
        derive_more.receptive_fields(results)
    if values_of(question)["connections"]:
        derive_more.connections(results)
    return convention, results


