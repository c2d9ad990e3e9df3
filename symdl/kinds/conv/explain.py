"""The conv kind's Solution: the given data, the output size, the window sums, maxima or means, and
the backward pass, as steps, tables and text holding SymPy and display objects (no LaTeX here)."""

from __future__ import annotations

import sympy as sp

from symdl.notation.display import FloorOf, MaxOf, PartialOf, Quantity
from symdl.kinds.conv.notation import ConvWindowSum, MinusInfinity, SlashOf, SumLines
from symdl.solution import Math, Solution, Step, Table, Text

from . import exact as ex
from .fields import out_side, read

UE = sp.UnevaluatedExpr
TABLE_ROWS = 36      # short sums of a matrix of at most this many entries: one table row each
TABLE_TERMS = 10     # a sum of at most this many terms is short
STEPS_ALL = 9        # long sums of a matrix of at most this many entries: one step each
SHOW_FIRST = 4       # otherwise the first few steps, then a table of the other values
REST_PAIRS = 4       # entries per row of the table of the other values
REST_ROWS = 15       # rows of that table at most
MAX_TERMS = 30       # a sum with more terms is given by its value only
PER_LINE = 6


def _sum_lines(terms, lines=True) -> SumLines:
    """The terms joined by + / -, with ``lines`` an aligned line break after every PER_LINE terms."""
    return SumLines(terms, PER_LINE if lines else None)


def _product(a, b):
    return sp.Mul(UE(a), UE(b), evaluate=False)


def _sym(base, *index, ch=None):
    sub = "_{" + ",".join(str(k + 1) for k in index) + "}" if index else ""
    return sp.Symbol(base + sub + (f"^{{({ch + 1})}}" if ch is not None else ""))


def _name(base, *index):
    return ".".join([base] + [str(k + 1) for k in index])


# ------------------------------------------------------------------------- solving ---

def solve(question) -> Solution:
    p = read(question)
    sol = Solution(question.id, question.kind)
    _conventions(sol, p)
    _given(sol, p)
    _output_size(sol, p)
    xp = ex.padded(p, p.x)
    if any(p.pad):
        _padded(sol, p, xp)
    forward = {"conv": _conv_forward, "maxpool": _maxpool_forward, "avgpool": _avgpool_forward}[p.operation]
    computed = forward(sol, p, xp)
    if p.upstream is not None:
        _backward(sol, p, xp, computed)
    return sol


def _conventions(sol, p):
    sol.assume("Rows and columns are numbered from 1, from the top left.")
    if p.dilation_gaps:
        sol.assume("Dilation is written as the number of zeros between kernel taps (the cs231n notes' convention: "
                   f"dilation 0 is an ordinary kernel): the taps are {p.dilation[0]} x {p.dilation[1]} apart, "
                   "PyTorch's dilation.")
    if p.operation == "conv":
        sol.assume("As in PyTorch, TensorFlow and Keras, the convolution is a cross-correlation: the kernel "
                   "slides over the input without being flipped.")
    if p.padding_mode == "same":
        sol.assume("'same' padding follows TensorFlow/Keras: the total padding along an axis is "
                   "max((ceil(n/s) - 1) s + d (k - 1) + 1 - n, 0), split evenly, any odd zero going to the "
                   "bottom or right (with stride 1 this is also PyTorch's padding='same').")
    if p.stride_default:
        sol.assume("No stride is given: as in PyTorch, the pooling stride equals the window.")
    if p.operation == "maxpool" and any(p.pad):
        sol.assume("Max pooling pads with negative infinity (padded positions never win a window), as PyTorch.")
    if p.operation == "avgpool" and any(p.pad):
        sol.assume("Average pooling counts the padding zeros in each window's mean (PyTorch's default, "
                   "count_include_pad=True): every window is divided by its full size.")
    if p.operation == "maxpool" and p.upstream is not None:
        sol.assume("A max-pool's gradient goes to the window's maximum; at a tie, to the first maximum in "
                   "row-major order (PyTorch's convention).")
    if p.upstream_ones:
        sol.assume("No upstream gradient is given: the loss is taken as the sum of all outputs, so every "
                   "upstream entry is 1.")


def _matrices(sec, items):
    """Labelled matrices side by side: one row, the labels in the header (the partial splits it to fit)."""
    sec.add(Table(header=[label for label, _ in items], rows=[[M for _, M in items]], align="c" * len(items),
                  role="matrices"))


def _given(sol, p):
    sec = sol.section("The given data")
    many = p.C > 1
    items = [(sp.Symbol(f"X_{{{c + 1}}}" if many else "X"), X) for c, X in enumerate(p.x)]
    for f, kern in enumerate(p.kernels):
        items += [(sp.Symbol("K" + (f"_{{{c + 1}}}" if many else "") + (f"^{{({f + 1})}}" if p.F > 1 else "")), K)
                  for c, K in enumerate(kern)]
    if p.has_bias:
        items.append((sp.Symbol("b"), sp.Matrix([p.bias])))
    words = ["the input"] + (["the kernel" + ("s" if p.F > 1 else "")] if p.kernels else []) + \
        (["the bias" + ("es" if p.F > 1 else "")] if p.has_bias else [])
    sec.add(Text("Given: " + (", ".join(words[:-1]) + " and " + words[-1] if len(words) > 1 else words[0]) +
                 (" (subscript: the input channel; superscript: the filter)." if many or p.F > 1 else ".")))
    _matrices(sec, items)
    if p.operation != "conv":
        sec.add(Text(f"{'Max' if p.operation == 'maxpool' else 'Average'} pooling, each channel on its own, "
                     f"with a {p.window[0]} x {p.window[1]} window."))


def _output_size(sol, p):
    sec = sol.section("Output size")
    sec.add(Text("Along each axis: the input size, the padding before and after, the dilation, the "
                 + ("kernel" if p.operation == "conv" else "window") + " size and the stride:"))
    sizes = []
    for axis, (H, sub, before, after) in enumerate((("H", "h", "top", "bottom"), ("W", "w", "left", "right"))):
        n, k, s, d = p.in_size[axis], p.window[axis], p.stride[axis], p.dilation[axis]
        pb, pa = p.pad[2 * axis], p.pad[2 * axis + 1]
        syms = sp.symbols(f"{H}_{{in}} p_{{{before}}} p_{{{after}}} d_{sub} k_{sub} s_{sub}")
        with sp.evaluate(False):
            num = sp.Add(syms[0], syms[1], syms[2], sp.Mul(-1, syms[3], sp.Add(syms[4], -1)), -1)
            formula = sp.Add(FloorOf(sp.Mul(num, sp.Pow(syms[5], -1))), 1)
        numbers = dict(zip(syms, (sp.Integer(v) for v in (n, pb, pa, d, k, s))))
        with sp.evaluate(False):
            substituted = formula.xreplace({key: UE(v) for key, v in numbers.items()})
        if p.padding_mode == "same":
            total = pb + pa
            sec.add(Text(f"'same' padding along the {'height' if axis == 0 else 'width'}: "
                         f"total max((ceil({n}/{s}) - 1) x {s} + {d} x ({k} - 1) + 1 - {n}, 0) = {total}, "
                         f"so {pb} before and {pa} after."))
        size = out_side(n, pb + pa, k, s, d)
        sizes.append(size)
        sec.add(Step("", lhs=sp.Symbol(f"{H}_{{out}}"), formula=formula, substituted=substituted,
                     result=sp.Integer(size)))
        rest = (n + pb + pa - d * (k - 1) - 1) % s
        if rest:
            sec.add(Text(f"The stride {s} does not divide {n + pb + pa - d * (k - 1) - 1}: the floor drops "
                         f"the last {rest} {'row' if axis == 0 else 'column'}{'s' if rest > 1 else ''} of the "
                         "padded input, which no window reaches."))
    sol.answer("output_size", sp.Matrix([sizes]))
    chans = p.F
    sec.add(Text(f"The output is {sizes[0]} x {sizes[1]}" + (f" with {chans} channels" if chans > 1 else "") + "."))


def _padded(sol, p, xp):
    sec = sol.section("The padded input")
    t, b, l, r = p.pad
    fill = MinusInfinity() if p.operation == "maxpool" else sp.Integer(0)
    what = "negative infinity" if p.operation == "maxpool" else "zeros"
    sec.add(Text(f"Padding with {what}: {t} row(s) on top, {b} at the bottom, {l} column(s) on the left, "
                 f"{r} on the right."))
    _matrices(sec, [(Quantity("X", str(c + 1) if p.C > 1 else "", accent="tilde", integer=False),
                     sp.Matrix([[fill if v is ex.PAD else v for v in row] for row in rows]))
                    for c, rows in enumerate(xp)])


def _entries(sec, entries, lhs_of, formula_of, count_of, what="sum over the window"):
    """Every entry's working: one table row each when the sums are short (up to TABLE_ROWS rows),
    else one step each for a small matrix, the first few and a table of the other values for a large one."""
    keys = sorted(entries)
    if len(keys) <= TABLE_ROWS and all(count_of(entries[k]) <= TABLE_TERMS for k in keys):
        rows = [[lhs_of(k), formula_of(entries[k], False), entries[k][-1]] for k in keys]
        sec.add(Table(header=["entry", what, "value"], rows=rows, align="clr",
                      small=max(count_of(entries[k]) for k in keys) > 6 or len(keys) > 16))
        return
    shown = keys if len(keys) <= STEPS_ALL else keys[:SHOW_FIRST]
    for key in shown:
        formula = formula_of(entries[key], True) if count_of(entries[key]) <= MAX_TERMS else None
        sec.add(Step("", lhs=lhs_of(key), formula=formula, result=entries[key][-1]))
    rest = [k for k in keys if k not in shown]
    if len(rest) > REST_PAIRS * REST_ROWS:       # a table that long would run off the page
        sec.add(Text(f"The other {len(rest)} entries are computed the same way; they are the matrix below."))
    elif rest:
        rows = []
        for n in range(0, len(rest), REST_PAIRS):
            chunk = rest[n:n + REST_PAIRS]
            cells = [c for k in chunk for c in (lhs_of(k), entries[k][-1])]
            rows.append(cells + [""] * (2 * REST_PAIRS - len(cells)))
        width = min(REST_PAIRS, len(rest))
        sec.add(Table(header=["entry", "value"] * width, rows=[r[:2 * width] for r in rows], align="cr" * width,
                      small=True, caption=f"The other {len(rest)} entries."))


def _matrix_answer(sol, sec, p, name, lhs, matrix, ch, many):
    sec.add(Step("", lhs=sp.Symbol(lhs + (f"^{{({ch + 1})}}" if many else "")), result=matrix))
    sol.answer(_name(name, ch) if many else name, matrix)


def _conv_forward(sol, p, xp):
    sec = sol.section("Forward pass: the window sums")
    sec.add(Text("Each output entry is the sum" + (", over the input channels," if p.C > 1 else "") +
                 " of the kernel times the part of the " + ("padded " if any(p.pad) else "") + "input it covers"
                 + (", plus the bias:" if p.has_bias else ":")),
            Math(ConvWindowSum(channels=p.C > 1, filters=p.F > 1, bias=p.has_bias, stride=p.stride,
                               dilation=p.dilation)))
    result = ex.conv_forward(p, xp)
    for f, entries in enumerate(result):
        if p.F > 1:
            sec.add(Text(f"Filter {f + 1}:"))
        b = p.bias[f]
        _entries(sec, entries, lambda key: _sym("Y", *key, ch=f if p.F > 1 else None),
                 lambda e, lines: _sum_lines([_product(a, v) for a, v in e[0]] + ([UE(b)] if p.has_bias else []),
                                             lines),
                 lambda e: len(e[0]))
        _matrix_answer(sol, sec, p, "output", "Y", ex.to_matrix(p, entries, lambda e: e[1]), f, p.F > 1)
    return result


def _maxpool_forward(sol, p, xp):
    sec = sol.section("Forward pass: the window maxima")
    sec.add(Text("Each output entry is the largest value of its window" +
                 (" (padded positions left out)." if any(p.pad) else ".")))
    result = ex.maxpool_forward(p, xp)
    for c, entries in enumerate(result):
        if p.C > 1:
            sec.add(Text(f"Channel {c + 1}:"))
        _entries(sec, {k: (v[0], v[1]) for k, v in entries.items()},
                 lambda key: _sym("Y", *key, ch=c if p.C > 1 else None),
                 lambda e, lines: MaxOf(*[UE(v) for v in e[0]]), lambda e: len(e[0]),
                 what="the window's maximum")
        _matrix_answer(sol, sec, p, "output", "Y", ex.to_matrix(p, entries, lambda e: e[1]), c, p.C > 1)
    return result


def _mean(values, area, lines=True):
    """(v_1 + ... + v_n) / n: a fraction in a step, a slash in a table row."""
    total = sp.Add(*[UE(v) for v in values], evaluate=False)
    if not lines:
        return SlashOf(total, sp.Integer(area))
    return sp.Mul(total, sp.Pow(UE(sp.Integer(area)), -1, evaluate=False), evaluate=False)


def _avgpool_forward(sol, p, xp):
    sec = sol.section("Forward pass: the window means")
    area = p.window[0] * p.window[1]
    sec.add(Text(f"Each output entry is the sum of its window's {area} values divided by {area}" +
                 (" (padding zeros included)." if any(p.pad) else ".")))
    result = ex.avgpool_forward(p, xp)
    for c, entries in enumerate(result):
        if p.C > 1:
            sec.add(Text(f"Channel {c + 1}:"))
        _entries(sec, entries, lambda key: _sym("Y", *key, ch=c if p.C > 1 else None),
                 lambda e, lines: _mean(e[0], area, lines) if len(e[0]) <= 12 else None, lambda e: len(e[0]),
                 what="the window's mean")
        _matrix_answer(sol, sec, p, "output", "Y", ex.to_matrix(p, entries, lambda e: e[1]), c, p.C > 1)
    return result


# -------------------------------------------------------------------- backward ---

def _backward(sol, p, xp, forward):
    sec = sol.section("Backward pass")
    many = p.F > 1
    sec.add(Text("The upstream gradient, the derivative of the loss with respect to each output entry:"))
    for f, G in enumerate(p.upstream):
        sec.add(Step("", lhs=sp.Symbol("G" + (f"^{{({f + 1})}}" if many else "")), formula=G))
    if p.operation == "conv":
        _conv_backward(sol, p, xp)
    elif p.operation == "maxpool":
        _maxpool_backward(sol, p, forward)
    else:
        _avgpool_backward(sol, p)


def _grad_sym(of, key=(), ch=None, f=None):
    """dL/dK^(f)_{c,u,v} or dL/dX_{c,a,b} as one symbol (indices from 1; channel and filter when many)."""
    idx = ([str(ch + 1)] if ch is not None else []) + [str(k + 1) for k in key]
    body = of + (f"^{{({f + 1})}}" if f is not None else "") + ("_{" + ",".join(idx) + "}" if idx else "")
    return PartialOf(sp.Symbol("L"), sp.Symbol(body))


def _conv_backward(sol, p, xp):
    sec = sol.section("Gradients of the bias and the kernel" if p.has_bias else "Gradient of the kernel")
    if p.has_bias:
        _bias_gradient(sol, sec, p)
    sec.add(Text("Kernel entry (u, v) multiplies, in the window of output (i, j), the input it lies on: its "
                 "gradient is the sum over all outputs of the upstream value times that input, the forward "
                 "windows read once more:"))
    single = p.F == 1 and p.C == 1
    for f, per_channel in enumerate(ex.conv_grad_kernel(p, xp)):
        for c, entries in enumerate(per_channel):
            if not single:
                sec.add(Text(f"Filter {f + 1}, channel {c + 1}:"))
            fk, ck = (None, None) if single else (f if p.F > 1 else None, c if p.C > 1 else None)
            _entries(sec, entries, lambda key: _grad_sym("K", key, ch=ck, f=fk),
                     lambda e, lines: _sum_lines([_product(g, v) for g, v in e[0]], lines), lambda e: len(e[0]),
                 what="sum over the outputs")
            M = sp.Matrix(p.window[0], p.window[1], lambda u, v: entries[u, v][1])
            sec.add(Step("", lhs=_grad_sym("K", ch=ck, f=fk), result=M))
            sol.answer("grad.kernel" if single else _name("grad.kernel", f, c), M)
    sec = sol.section("Gradient of the input")
    sec.add(Text("Each input entry receives, from every window that covers it, the upstream value of that "
                 "window's output times the kernel entry lying on it" +
                 (" (summed over the filters)" if p.F > 1 else "") +
                 "; an entry no window covers gets 0." + (" The padding's gradients are dropped." if any(p.pad)
                                                          else "")))
    for c, entries in enumerate(ex.conv_grad_input(p)):
        if p.C > 1:
            sec.add(Text(f"Channel {c + 1}:"))
        _entries(sec, entries, lambda key: _grad_sym("X", key, ch=c if p.C > 1 else None),
                 lambda e, lines: _sum_lines([_product(g, k) for g, k in e[0]], lines), lambda e: len(e[0]),
                 what="sum over the windows covering it")
        M = sp.Matrix(p.in_size[0], p.in_size[1], lambda a, b: entries[a, b][1])
        sec.add(Step("", lhs=_grad_sym("X", ch=c if p.C > 1 else None), result=M))
        sol.answer(_name("grad.input", c) if p.C > 1 else "grad.input", M)


def _bias_gradient(sol, sec, p):
    bias = [sum(G, sp.Integer(0)) for G in p.upstream]
    sec.add(Text("The bias is added to every output entry of its filter: its gradient is the sum of the "
                 "upstream gradient."))
    for f, G in enumerate(p.upstream):
        terms = [UE(v) for v in G]
        sec.add(Step("", lhs=PartialOf(sp.Symbol("L"), sp.Symbol("b" + (f"_{{{f + 1}}}" if p.F > 1 else "")),
                                       fraction=True),
                     formula=_sum_lines(terms) if len(terms) <= MAX_TERMS else None, result=bias[f]))
    sol.answer("grad.bias", bias[0] if p.F == 1 else sp.Matrix(bias))


def _maxpool_backward(sol, p, forward):
    sec = sol.section("Gradient of the input: routing to the maxima")
    sec.add(Text("Only the maximum of each window affects the output: the window's upstream value goes to "
                 "that position, every other entry of the window gets 0; where windows overlap, the values "
                 "add up."))
    t, _, l, _ = p.pad
    for c, grads in enumerate(ex.maxpool_grad_input(p, forward)):
        rows, ties = [], []
        for (i, j), (vals, best, (r, q)) in sorted(forward[c].items()):
            if vals.count(best) > 1:
                ties.append(f"({i + 1}, {j + 1})")
            rows.append([_sym("Y", i, j), best, f"({r - t + 1}, {q - l + 1})", p.upstream[c][i, j]])
        if p.C > 1:
            sec.add(Text(f"Channel {c + 1}:"))
        sec.add(Table(header=["output", "window max", "at input (row, col)", "upstream routed"], rows=rows,
                      align="crcr", small=len(rows) > 16))
        if ties:
            sec.add(Text("Tie in window(s) " + ", ".join(ties) + ": the first maximum in row-major order "
                         "takes the gradient."))
        M = sp.Matrix(p.in_size[0], p.in_size[1], lambda a, b: grads[a, b][1])
        sec.add(Step("", lhs=_grad_sym("X", ch=c if p.C > 1 else None), result=M))
        sol.answer(_name("grad.input", c) if p.C > 1 else "grad.input", M)


def _avgpool_backward(sol, p):
    sec = sol.section("Gradient of the input: spreading the means back")
    area = p.window[0] * p.window[1]
    sec.add(Text(f"Each window's upstream value is shared equally by its {area} entries: each input entry "
                 f"gets the sum of the upstream values of the windows covering it, divided by {area}."))
    for c, entries in enumerate(ex.avgpool_grad_input(p)):
        if p.C > 1:
            sec.add(Text(f"Channel {c + 1}:"))
        _entries(sec, entries, lambda key: _grad_sym("X", key, ch=c if p.C > 1 else None),
                 lambda e, lines: _mean(e[0], area, lines) if e[0] and len(e[0]) <= 12 else sp.Integer(0),
                 lambda e: len(e[0]),
                 what="upstream shares")
        M = sp.Matrix(p.in_size[0], p.in_size[1], lambda a, b: entries[a, b][1])
        sec.add(Step("", lhs=_grad_sym("X", ch=c if p.C > 1 else None), result=M))
        sol.answer(_name("grad.input", c) if p.C > 1 else "grad.input", M)
