"""The conv kind's receptive field through a stack of layers: each layer's effective stride (jump),
receptive field and the centre of its first unit, by the standard recurrences, with dilation; along the
height and the width apart when a layer's numbers differ per axis.

    k_eff = d (k - 1) + 1,  j_out = j_in s,  r_out = r_in + (k_eff - 1) j_in,
    c_out = c_in + ((k_eff - 1)/2 - p_before) j_in,     j_0 = 1, r_0 = 1, c_0 = 1 (input pixel 1)
"""

from __future__ import annotations

from dataclasses import dataclass

import sympy as sp

from symdl.solution import Solution, Step, Table, Text

MAX_LAYERS = 20
MAX_INT = 64
UE = sp.UnevaluatedExpr
J_IN, R_IN, C_IN, K, D, S, P_B = sp.symbols(r"j_{in} r_{in} c_{in} k d s p_{before}")


AXES = ("height", "width")


@dataclass
class Layer:
    name: str
    kernel: tuple        # (height, width)
    stride: tuple
    pad: tuple           # ((before, after) of the height, (before, after) of the width)
    dilation: tuple      # the spacing of the taps (1: adjacent), whatever the spec's convention

    def axis(self, a: int) -> "Layer":
        """The layer along one axis (0: height, 1: width), each number a plain integer."""
        return Layer(self.name, self.kernel[a], self.stride[a], self.pad[a], self.dilation[a])


@dataclass
class Stack:
    layers: list
    input_size: tuple | None     # (height, width)
    gaps: bool           # the spec wrote dilation as the zeros between taps (cs231n)

    @property
    def square(self) -> bool:
        """Both axes alike in every layer and the input: one set of answers."""
        return all(x.axis(0) == x.axis(1) for x in self.layers) and (
            self.input_size is None or self.input_size[0] == self.input_size[1])

    def axis(self, a: int) -> "Stack":
        size = None if self.input_size is None else self.input_size[a]
        return Stack([x.axis(a) for x in self.layers], size, self.gaps)


def _int(question, where, value, low, high=MAX_INT):
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise question.error(where, f"expected an integer from {low} to {high}, got {value!r}")
    return value


def _pair(question, where, value, low, high=MAX_INT) -> tuple:
    """An integer for both axes, or [height, width]."""
    if isinstance(value, list):
        if len(value) != 2:
            raise question.error(where, "expected an integer or [height, width]")
        return tuple(_int(question, where, v, low, high) for v in value)
    v = _int(question, where, value, low, high)
    return v, v


def _pads(question, where, value) -> tuple:
    """Padding: p; [before, after] (both axes); [top, bottom, left, right]; or [height, width], each an
    integer or [before, after] (a list of lists)."""
    def side(v):
        pair = v if isinstance(v, list) else [v, v]
        if len(pair) != 2:
            raise question.error(where, "expected an integer, [before, after], [top, bottom, left, right] "
                                        "or [[top, bottom], [left, right]]")
        return tuple(_int(question, where, x, 0) for x in pair)

    if isinstance(value, list) and len(value) == 4:
        return side(value[:2]), side(value[2:])
    if isinstance(value, list) and any(isinstance(v, list) for v in value):
        if len(value) != 2:
            raise question.error(where, "expected [[top, bottom], [left, right]]")
        return side(value[0]), side(value[1])
    both = side(value)
    return both, both


def _layer(question, n, table, gaps) -> Layer:
    where = f"layers[{n}]"
    if not isinstance(table, dict):
        raise question.error(where, "expected a table: { kernel = 3, stride = 1, padding = 1, dilation = 1 }")
    unknown = sorted(set(table) - {"name", "kernel", "stride", "padding", "dilation"})
    if unknown:
        raise question.error(f"{where}.{unknown[0]}", "unknown field (known: name, kernel, stride, padding, "
                                                      "dilation)")
    if "kernel" not in table:
        raise question.error(f"{where}.kernel", "missing required field")
    name = table.get("name", f"layer {n}")
    if not isinstance(name, str) or not name.strip() or len(name) > 30:
        raise question.error(f"{where}.name", "expected a short name")
    d = _pair(question, f"{where}.dilation", table.get("dilation", 0 if gaps else 1), 0 if gaps else 1)
    return Layer(name.strip(), _pair(question, f"{where}.kernel", table["kernel"], 1),
                 _pair(question, f"{where}.stride", table.get("stride", 1), 1),
                 _pads(question, f"{where}.padding", table.get("padding", 0)),
                 tuple(v + 1 for v in d) if gaps else d)


def read(question, gaps) -> Stack:
    raw = question.get("layers", list)
    if not raw or len(raw) > MAX_LAYERS:
        raise question.error("layers", f"expected 1 to {MAX_LAYERS} layers, each a table with its kernel")
    layers = [_layer(question, n, table, gaps) for n, table in enumerate(raw, start=1)]
    size = question.get("input_size", (int, list), default=None)
    if size is not None:
        size = _pair(question, "input_size", size, 1, 10 ** 6)
        for a in (0, 1):
            n = size[a]
            for i, layer in enumerate(layers, start=1):
                n = (n + sum(layer.pad[a]) - layer.dilation[a] * (layer.kernel[a] - 1) - 1) // layer.stride[a] + 1
                if n < 1:
                    raise question.error(f"layers[{i}]", f"the input of {size[a]} ({AXES[a]}) has no output "
                                                         "left after this layer")
    return Stack(layers, size, gaps)


def recurrences(stack):
    """Per layer of a one-axis stack: (k_eff, jump, receptive field, centre of the first unit, output size or
    None), exact."""
    j, r, c, n = sp.Integer(1), sp.Integer(1), sp.Integer(1), stack.input_size
    rows = []
    for layer in stack.layers:
        k_eff = layer.dilation * (layer.kernel - 1) + 1
        r = r + (k_eff - 1) * j
        c = c + (sp.Rational(k_eff - 1, 2) - layer.pad[0]) * j
        j = j * layer.stride
        if n is not None:
            n = (n + sum(layer.pad) - k_eff) // layer.stride + 1
        rows.append((k_eff, j, r, c, n))
    return rows


def _step(lhs, formula, numbers, result):
    with sp.evaluate(False):
        substituted = formula.xreplace({k: UE(sp.Integer(v) if isinstance(v, int) else v) for k, v in numbers.items()})
    return Step("", lhs=lhs, formula=formula, substituted=substituted, result=result)


def _fmt(pair, square):
    return str(pair[0]) if square else f"{pair[0]} x {pair[1]}"


def _layer_steps(sec, layer, before, rows, axis=None):
    """The four recurrence steps of one layer along one axis; ``before`` is (j, r, c) of the layer below."""
    (j, r, c), (k_eff, j_out, r_out, c_out, _) = before, rows
    KE = sp.Symbol("k_{eff}")
    with sp.evaluate(False):
        f_k = sp.Add(sp.Mul(D, sp.Add(K, -1)), 1)
        f_j = sp.Mul(J_IN, S)
        f_r = sp.Add(R_IN, sp.Mul(sp.Add(KE, -1), J_IN))
        f_c = sp.Add(C_IN, sp.Mul(sp.Add(sp.Mul(sp.Add(KE, -1), sp.Pow(2, -1)), sp.Mul(-1, P_B)), J_IN))
    steps = [_step(KE, f_k, {D: layer.dilation, K: layer.kernel}, sp.Integer(k_eff)),
             _step(sp.Symbol("j_{out}"), f_j, {J_IN: j, S: layer.stride}, j_out),
             _step(sp.Symbol("r_{out}"), f_r, {R_IN: r, KE: k_eff, J_IN: j}, r_out),
             _step(sp.Symbol("c_{out}"), f_c, {C_IN: c, KE: k_eff, P_B: layer.pad[0], J_IN: j}, c_out)]
    if axis is not None:
        steps[0].text = AXES[axis]
    sec.add(*steps)


def solve(question, stack) -> Solution:
    sol = Solution(question.id, question.kind)
    sol.assume("Positions are counted in input pixels from 1: the centre of a unit is the input position at the "
               "middle of its receptive field (half-integer when the field has an even size); padding counts as "
               "positions outside the input.")
    if stack.gaps:
        sol.assume("Dilation is written as the number of zeros between kernel taps (the cs231n notes' convention: "
                   "dilation 0 is an ordinary kernel); the taps are then dilation + 1 apart (PyTorch's dilation).")
    square = stack.square
    axes = (0,) if square else (0, 1)
    sec = sol.section("The recurrences")
    sec.add(Text("Each layer widens the field by its effective kernel minus one, in steps of the jump (the "
                 "distance in input pixels between neighbouring units of the layer below); the jump multiplies by "
                 "the stride; the first unit's centre moves by half the effective kernel minus the padding, in "
                 "jumps of the layer below. Before the first layer: j = 1, r = 1, c = 1."
                 + ("" if square else " The height and the width follow the recurrences apart, each with its own "
                                      "kernel, stride, padding and dilation.")))
    rows = {a: recurrences(stack.axis(a)) for a in axes}
    before = {a: (sp.Integer(1), sp.Integer(1), sp.Integer(1)) for a in axes}
    table = []
    for i, layer in enumerate(stack.layers, start=1):
        sec = sol.section(f"Layer {i}: {layer.name}")
        pads = (f"{layer.pad[0][0]} before and {layer.pad[0][1]} after" if square else
                f"{layer.pad[0][0]}, {layer.pad[0][1]} (top, bottom) and {layer.pad[1][0]}, {layer.pad[1][1]} "
                "(left, right)")
        sec.add(Text(f"Kernel {_fmt(layer.kernel, square)}, stride {_fmt(layer.stride, square)}, padding {pads}, "
                     f"dilation {_fmt(layer.dilation, square)}."))
        for a in axes:
            _layer_steps(sec, layer.axis(a), before[a], rows[a][i - 1], None if square else a)
            _, j_out, r_out, c_out, n = rows[a][i - 1]
            tag, sub = ("", "") if square else ("." + "hw"[a], "hw"[a] + ",")
            sol.answer(f"jump.{i}{tag}", j_out, label=sp.Symbol(f"j_{{{sub}{i}}}"))
            sol.answer(f"rf.{i}{tag}", r_out, label=sp.Symbol(f"r_{{{sub}{i}}}"), final=i == len(stack.layers))
            sol.answer(f"start.{i}{tag}", c_out, label=sp.Symbol(f"c_{{{sub}{i}}}"))
            if n is not None:
                sol.answer(f"size.{i}{tag}", sp.Integer(n), label=sp.Symbol(f"n_{{{sub}{i}}}"))
            before[a] = (j_out, r_out, c_out)
        cells = [[rows[a][i - 1][k] for a in axes] for k in (1, 2, 3, 4)]
        table.append([layer.name, _fmt(layer.kernel, square), _fmt(layer.stride, square),
                      _fmt(layer.dilation, square)] + [c[0] if square else f"{c[0]} x {c[1]}" for c in cells[:3]]
                     + ([cells[3][0] if square else f"{cells[3][0]} x {cells[3][1]}"]
                        if stack.input_size is not None else []))
    sec = sol.section("Summary")
    sec.add(Table(header=["layer", "k", "s", "d", "jump", "receptive field", "first centre"]
                  + (["output size"] if stack.input_size is not None else []), rows=table,
                  align="l" + "r" * (len(table[0]) - 1)))
    (jh, rh, _), (jw, rw, _) = before[0], before[axes[-1]]
    sec.add(Text(f"A unit of the last layer sees {rh} x {rw} input pixels (height x width); neighbouring units "
                 + (f"are {jh} pixels apart." if jh == jw else f"are {jh} pixels apart down and {jw} across.")))
    return sol


def sheet(stack) -> list:
    """The layers as the exam sheet lists them (nothing computed)."""
    square = stack.square

    def pads(p):
        return f"{p[0][0]}, {p[0][1]}" if square else f"{p[0][0]}, {p[0][1]}; {p[1][0]}, {p[1][1]}"

    rows = [[layer.name, _fmt(layer.kernel, square), _fmt(layer.stride, square), pads(layer.pad),
             _fmt(tuple(d - 1 for d in layer.dilation) if stack.gaps else layer.dilation, square)]
            for layer in stack.layers]
    items = [Table(header=["layer", "kernel", "stride",
                           "padding (before, after)" if square else "padding (top, bottom; left, right)",
                           "dilation (zeros between taps)" if stack.gaps else "dilation"], rows=rows, align="lrrrr")]
    if stack.input_size is not None:
        h, w = stack.input_size
        items.insert(0, Text(f"The input is {h} pixels wide." if square else f"The input is {h} x {w} pixels "
                                                                               "(height x width)."))
    return items
