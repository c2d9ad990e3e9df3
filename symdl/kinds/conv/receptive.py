"""The conv kind's receptive field through a stack of layers: each layer's effective stride (jump),
receptive field and the centre of its first unit, by the standard recurrences, with dilation.

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


@dataclass
class Layer:
    name: str
    kernel: int
    stride: int
    pad: tuple           # (before, after)
    dilation: int        # the spacing of the taps (1: adjacent), whatever the spec's convention


@dataclass
class Stack:
    layers: list
    input_size: int | None
    gaps: bool           # the spec wrote dilation as the zeros between taps (cs231n)


def _int(question, where, value, low, high=MAX_INT):
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise question.error(where, f"expected an integer from {low} to {high}, got {value!r}")
    return value


def read(question, gaps) -> Stack:
    raw = question.get("layers", list)
    if not raw or len(raw) > MAX_LAYERS:
        raise question.error("layers", f"expected 1 to {MAX_LAYERS} layers, each a table with its kernel")
    layers = []
    for n, table in enumerate(raw, start=1):
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
        pad = table.get("padding", 0)
        pads = [pad, pad] if not isinstance(pad, list) else pad
        if len(pads) != 2:
            raise question.error(f"{where}.padding", "expected an integer or [before, after]")
        pads = tuple(_int(question, f"{where}.padding", v, 0) for v in pads)
        d = _int(question, f"{where}.dilation", table.get("dilation", 0 if gaps else 1), 0 if gaps else 1)
        layers.append(Layer(name.strip(), _int(question, f"{where}.kernel", table["kernel"], 1),
                            _int(question, f"{where}.stride", table.get("stride", 1), 1), pads, d + 1 if gaps else d))
    size = question.get("input_size", int, default=None)
    if size is not None:
        size = _int(question, "input_size", size, 1, 10 ** 6)
        n = size
        for i, layer in enumerate(layers, start=1):
            n = (n + sum(layer.pad) - layer.dilation * (layer.kernel - 1) - 1) // layer.stride + 1
            if n < 1:
                raise question.error(f"layers[{i}]", f"the input of {size} has no output left after this layer")
    return Stack(layers, size, gaps)


def recurrences(stack):
    """Per layer: (k_eff, jump, receptive field, centre of the first unit, output size or None), exact."""
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


def solve(question, stack) -> Solution:
    sol = Solution(question.id, question.kind)
    sol.assume("Positions are counted in input pixels from 1: the centre of a unit is the input position at the "
               "middle of its receptive field (half-integer when the field has an even size); padding counts as "
               "positions outside the input.")
    if stack.gaps:
        sol.assume("Dilation is written as the number of zeros between kernel taps (the cs231n notes' convention: "
                   "dilation 0 is an ordinary kernel); the taps are then dilation + 1 apart (PyTorch's dilation).")
    sec = sol.section("The recurrences")
    sec.add(Text("Each layer widens the field by its effective kernel minus one, in steps of the jump (the "
                 "distance in input pixels between neighbouring units of the layer below); the jump multiplies by "
                 "the stride; the first unit's centre moves by half the effective kernel minus the padding, in "
                 "jumps of the layer below. Before the first layer: j = 1, r = 1, c = 1."))
    j, r, c = sp.Integer(1), sp.Integer(1), sp.Integer(1)
    table = []
    for i, (layer, (k_eff, j_out, r_out, c_out, n)) in enumerate(zip(stack.layers, recurrences(stack)), start=1):
        sec = sol.section(f"Layer {i}: {layer.name}")
        sec.add(Text(f"Kernel {layer.kernel}, stride {layer.stride}, padding {layer.pad[0]} before and "
                     f"{layer.pad[1]} after, dilation {layer.dilation}."))
        KE = sp.Symbol("k_{eff}")
        with sp.evaluate(False):
            f_k = sp.Add(sp.Mul(D, sp.Add(K, -1)), 1)
            f_j = sp.Mul(J_IN, S)
            f_r = sp.Add(R_IN, sp.Mul(sp.Add(KE, -1), J_IN))
            f_c = sp.Add(C_IN, sp.Mul(sp.Add(sp.Mul(sp.Add(KE, -1), sp.Pow(2, -1)), sp.Mul(-1, P_B)), J_IN))
        sec.add(_step(KE, f_k, {D: layer.dilation, K: layer.kernel}, sp.Integer(k_eff)),
                _step(sp.Symbol("j_{out}"), f_j, {J_IN: j, S: layer.stride}, j_out),
                _step(sp.Symbol("r_{out}"), f_r, {R_IN: r, KE: k_eff, J_IN: j}, r_out),
                _step(sp.Symbol("c_{out}"), f_c, {C_IN: c, KE: k_eff, P_B: layer.pad[0], J_IN: j}, c_out))
        last = i == len(stack.layers)
        sol.answer(f"jump.{i}", j_out, label=sp.Symbol(f"j_{{{i}}}"))
        sol.answer(f"rf.{i}", r_out, label=sp.Symbol(f"r_{{{i}}}"), final=last)
        sol.answer(f"start.{i}", c_out, label=sp.Symbol(f"c_{{{i}}}"))
        if n is not None:
            sol.answer(f"size.{i}", sp.Integer(n), label=sp.Symbol(f"n_{{{i}}}"))
        table.append([layer.name, layer.kernel, layer.stride, layer.dilation, j_out, r_out, c_out]
                     + ([n] if n is not None else []))
        j, r, c = j_out, r_out, c_out
    sec = sol.section("Summary")
    sec.add(Table(header=["layer", "k", "s", "d", "jump", "receptive field", "first centre"]
                  + (["output size"] if stack.input_size is not None else []), rows=table,
                  align="l" + "r" * (len(table[0]) - 1)))
    sec.add(Text(f"A unit of the last layer sees {r} x {r} input pixels (square kernels); neighbouring units are "
                 f"{j} pixels apart."))
    return sol


def sheet(stack) -> list:
    """The layers as the exam sheet lists them (nothing computed)."""
    rows = [[layer.name, layer.kernel, layer.stride, f"{layer.pad[0]}, {layer.pad[1]}",
             layer.dilation - 1 if stack.gaps else layer.dilation] for layer in stack.layers]
    items = [Table(header=["layer", "kernel", "stride", "padding (before, after)",
                           "dilation (zeros between taps)" if stack.gaps else "dilation"], rows=rows, align="lrrrr")]
    if stack.input_size is not None:
        items.insert(0, Text(f"The input is {stack.input_size} pixels wide."))
    return items
