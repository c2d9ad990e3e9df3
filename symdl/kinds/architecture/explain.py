"""The architecture kind's Solution: assumptions, answers, formulas, the completed table, calculations, totals."""

from __future__ import annotations

import re

import sympy

from symdl.notation.display import Percent, Quantity, ValueShown
from symdl.kinds.architecture.notation import Dims, Lines
from symdl.notation.printer import substitute
from symdl.solution import Figure, Section, Solution, Step, Table, Text, shown

from .answers import name_answers, rubric
from .derive import BN_SPLIT, LayerResult, derive_network, full, instructor, shape_of
from .fields import CONVENTION_NAMES, LayerSpec, bytes_per_value
from .formulas import AXES, C_in, F, G, I, N_in, N_L, N_out, S, _formula, _product, _ratio, _sum
from . import seqderive
from .seqfields import SEQ_PARAMETERS, SEQ_TYPES

_SPATIAL = ("conv", "tconv", "maxpool", "avgpool", "depthwise", "separable", "locallyconnected", "subsampling")
from .shapes import categories

BN_NAMES = {"matlab": ("Scale", "Offset"), "pytorch": ("weight", "bias"), "keras": ("gamma", "beta")}


def solve(question) -> Solution:
    convention, results = derive_network(question)
    bpv = bytes_per_value(question)
    sol = Solution(question.id, question.kind)
    _assumptions(sol, convention, bpv, results)
    totals = name_answers(sol, results, convention, bpv)
    intro = _formulas(convention, results)
    if any(r.inputs for r in results) and len(results) <= GRAPH_LIMIT:
        sol.section("The network").add(Figure("network", network_graph(results, convention),
                                              caption="Layers top to bottom; a side branch to the right."))
    _completed_table(sol, results, convention)
    calc = sol.section("Calculations, layer by layer")
    calc.items.extend(intro.items)
    seen = {}
    for r in results:
        title = f"{r.spec.no + '  ' if r.spec.no else ''}{r.spec.name} ({r.spec.type_label.lower()})"
        sub = Section(title=title, role="layer")
        if r.inp is not None:
            sub.add(full(Text("Input: ", shape_of(r.inp, convention), ";  output: ",
                              shape_of(r.out, convention), ".")))
        sub.items.extend(_once(r.steps, r.spec.name, seen))
        if not any(shown(i, "model") for i in sub.items):
            sub.audience = "full"          # nothing to work out (an activation, dropout, ...)
        calc.add(sub)
    _totals(sol, results, bpv, totals)
    rubric(sol, question, results)
    return sol


GRAPH_LIMIT = 32      # layers a drawing of the network may hold (one row each)


def network_graph(results, convention) -> dict:
    """Nodes (name, type, output shape, lane, row) and edges of a branching network: a layer that reads
    the layer above it stays in its lane, one that reads another layer goes one lane to the right of
    its input's, a merge returns to its leftmost input's lane."""
    lanes, nodes, edges = {}, [], []
    for row, r in enumerate(results):
        spec = r.spec
        sources = list(spec.inputs) or ([results[row - 1].spec.name] if row else [])
        if not sources:
            lane = 0
        elif len(sources) > 1:
            lane = min(lanes[s] for s in sources)
        elif row and sources[0] == results[row - 1].spec.name:
            lane = lanes[sources[0]]
        else:
            lane = lanes[sources[0]] + 1
        lanes[spec.name] = lane
        nodes.append({"name": spec.name, "type": spec.type_label, "shape": shape_of(r.out, convention),
                      "lane": lane, "row": row})
        edges.extend({"source": s, "target": spec.name,
                      "bend": "out" if lanes[s] < lane else "back" if lanes[s] > lane else ""} for s in sources)
    index = {n["name"]: i for i, n in enumerate(nodes)}
    for e in edges:
        e["source"], e["target"] = index[e["source"]], index[e["target"]]
    return {"nodes": nodes, "edges": edges, "lanes": max(lanes.values()) + 1}


def _once(steps, name, seen) -> list:
    """The layer's steps, a model-answer line worked out for an earlier layer with the very same
    numbers replaced by its result and the earlier layer's name ("as conv2_2")."""
    out = []
    for item in steps:
        if isinstance(item, Step) and item.audience == "model" and item.substituted is not None:
            key = (item.text, item.lhs, item.substituted)      # SymPy trees hash and compare by structure
            if key in seen:
                out.append(full(item))
                out.append(Step(f"{item.text}, as {seen[key]}", lhs=item.lhs, result=item.result))
                continue
            seen[key] = name
        out.append(item)
    return out


def _assumptions(sol, convention, bpv, results):
    name = CONVENTION_NAMES[convention]
    order = "C x H x W" if convention == "pytorch" else "H x W x C"
    sol.assume(f"Convention: {name}. Activations are written {order}"
               + ("; a fully connected layer's output is 1 x 1 x n." if convention == "matlab"
                  else "; a vector (after flatten or a fully connected layer) is written [n]."))
    sol.assume(Text(*_layouts(convention)))
    sol.assume(instructor(Text(
        "Multiply-accumulates (MACs) are counted for convolution, transposed-convolution and fully "
        "connected layers only (one per weight-activation product, biases not counted); pooling, "
        "activations, batch normalization, dropout and soft-max count 0. Batch size 1.")))
    sol.assume(instructor(Text(
        f"Activation memory: every layer's output is stored, {bpv} bytes per value"
        + (" (float32)" if bpv == 4 else "") + ", batch size 1 (an in-place ReLU would share its "
        "input's memory).")))
    if any(r.spec.type in SEQ_TYPES for r in results):
        sol.assume(instructor(Text(
            "Sequences are written T x d (positions x features), batch left out. A recurrent layer's, an "
            "attention layer's and a Transformer block's MACs count every product of its matrix "
            "multiplications over the T steps (attention: the projections, the T_q x T_k scores and the "
            "weighted sums); an embedding's lookup and layer normalization count 0.")))
    if any(r.spec.type == "batchnorm" for r in results):
        sol.assume("Batch normalization: the learnable scale and offset count as learnables; the running "
                   "mean and variance are stored but not learned and are reported apart. " + BN_SPLIT[convention])


def _layouts(convention) -> tuple:
    """The parts of the sentence that states the convention's parameter shapes."""
    kh, kw, cg, fg = AXES["h"]["k"], AXES["w"]["k"], _ratio(C_in, G), _ratio(F, G)
    n_o, n_i = Quantity("out"), Quantity("in")
    if convention == "matlab":
        return ("MATLAB parameter shapes: convolution weights ", Dims(kh, kw, C_in, F), " (grouped: ",
                Dims(kh, kw, cg, fg, G), "), bias ", Dims(1, 1, F), "; transposed convolution ",
                Dims(kh, kw, F, C_in), "; fully connected weights ", Dims(n_o, n_i), ", bias ", Dims(n_o, 1),
                "; padding [t b ; l r] as the exam writes it, or [t b l r] as MATLAB's documentation "
                "writes it.")
    if convention == "pytorch":
        return ("PyTorch parameter shapes: convolution weight ", Dims(F, cg, kh, kw), ", bias ", Dims(F),
                "; transposed convolution weight ", Dims(C_in, fg, kh, kw), "; Linear weight ",
                Dims(n_o, n_i), ", bias ", Dims(n_o), "; padding symmetric.")
    return ("Keras parameter shapes: Conv2D kernel ", Dims(kh, kw, cg, F), ", bias ", Dims(F),
            "; Conv2DTranspose kernel ", Dims(kh, kw, F, C_in), "; Dense kernel ", Dims(n_i, n_o),
            ", bias ", Dims(n_o), "; 'same' padding makes the output ceil(n/s) long and puts the odd "
            "pad at the end.")


def _formulas(convention, results) -> Section:
    intro = Section("Formulas")
    if any(r.spec.type in SEQ_TYPES for r in results):
        intro.items.extend(seqderive.formulas(convention, results))
        if not any(r.spec.type in _SPATIAL for r in results):
            return intro
    ah, aw = AXES["h"], AXES["w"]
    dilated = any(r.spec.dilation != (1, 1) for r in results)
    with sympy.evaluate(False):
        span = sympy.Add(sympy.Mul(ah["d"], sympy.Add(ah["k"], -1)), 1)
        d_one = sympy.Eq(ah["d"], 1)
        plain = sympy.Add(ah["n"], ah["p0"], ah["p1"], sympy.Mul(-1, ah["k"]))
    intro.add(full(Text("Along the height a window of ", ah["k"], " taps with dilation ", ah["d"], " spans ",
                        span, " rows; with padding ", ah["p0"], " before (top), ", ah["p1"],
                        " after (bottom) and stride ", ah["s"], " the number of window positions is")))
    intro.add(Text("Output height (the width likewise, with ", aw["k"], ", ", aw["p0"], ", ", aw["p1"], ", ",
                   aw["s"], "):"))
    intro.add(Step("", lhs=ah["out"], formula=_formula("floor_d" if dilated else "floor", "h")))
    if dilated:
        intro.add(Text("With ", d_one, " the numerator is ", plain, "."))
    grouped = any(getattr(r.spec, "groups", 1) != 1 for r in results)
    c_in = _ratio(C_in, G) if grouped else C_in
    intro.add(Text("A convolution with ", F, " filters", *((" (in ", G, " groups)") if grouped else ()),
                   " gives ", F, " channels and has ", _product(ah["k"], aw["k"], c_in, F), " weights and ", F,
                   " biases; a fully connected layer has ", _product(N_out, N_in), " weights and ", N_out,
                   " biases."))
    intro.add(instructor(Text("Multiply-accumulates: ", _product(ah["out"], aw["out"], F, ah["k"], aw["k"], c_in),
                              " for a convolution, ", _product(N_out, N_in), " for a fully connected layer.")))
    if convention == "pytorch" and any(r.spec.ceil for r in results):
        intro.add(Text("With ceil_mode the floor becomes a ceiling, and a last window that would start "
                       "past the input and the top/left padding is dropped (PyTorch's rule)."))
    return intro


# -- the completed table ------------------------------------------------------------------------------
def _completed_table(sol, results, convention):
    """One row per layer; the partial splits it over pages and sizes its columns."""
    sec = sol.section("Completed table")
    header = ["no.", "name", "type", "parameters", "activations (layer output)", "learnables (weights/biases)"]
    rows = [[r.spec.no, r.spec.name, r.spec.type_label, _params_cell(r.spec, r),
             _activation_cell(r, convention), _learnables_cell(r, convention)] for r in results]
    sec.add(Table(header, rows, small=True, role="layers"))
    for r in results:
        if r.spec.note:
            sec.add(instructor(Text(f"Note on {r.spec.name}: {r.spec.note}")))   # the sheet shows the layer as read


def _window_lines(spec: LayerSpec) -> list:
    lines = []
    if spec.padding_text:
        lines.append(f"padding: {spec.padding_text}")
    lines.append(f"stride: [{spec.stride[0]} {spec.stride[1]}]")
    if spec.dilation != (1, 1):
        lines.append(f"dilation: [{spec.dilation[0]} {spec.dilation[1]}]")
    if spec.groups != 1:
        lines.append(f"groups: {spec.groups}")
    if spec.ceil:
        lines.append("ceil_mode: true")
    if spec.output_padding != (0, 0):
        lines.append(f"output padding: [{spec.output_padding[0]} {spec.output_padding[1]}]")
    if not spec.bias:
        lines.append("no bias")
    return lines


def _params_cell(spec: LayerSpec, result: LayerResult) -> Lines:
    t = spec.type
    lines = []
    if t in ("conv", "tconv"):
        lines.append(f"filters: {spec.filters}")
        if spec.table is not None:
            lines.append(Text("size: ", Dims(*spec.kernel)))
            lines.append(f"connections: a table ({sum(len(row) for row in spec.table)} input maps in all)")
        else:
            depth = spec.depth if spec.depth is not None else result.inp.c // spec.groups
            lines.append(Text("size: ", Dims(spec.kernel[0], spec.kernel[1], depth)))
    elif t in ("maxpool", "avgpool", "depthwise", "separable", "subsampling", "locallyconnected"):
        if t in ("separable", "locallyconnected"):
            lines.append(f"filters: {spec.filters}")
        lines.append(Text("size: ", Dims(*spec.kernel)))
        if spec.multiplier != 1:
            lines.append(f"multiplier: {spec.multiplier}")
    if spec.inputs:
        lines.append(("inputs: " if len(spec.inputs) > 1 else "input: ") + ", ".join(spec.inputs))
    if t in ("conv", "tconv", "maxpool", "avgpool", "depthwise", "separable", "subsampling", "locallyconnected"):
        lines.extend(_window_lines(spec))
    elif t == "zeropad":
        lines.append(f"padding: {spec.padding_text}")
    elif t == "adaptivepool":
        lines.append(Text("output size: ", Dims(*spec.output_size)))
    elif t == "upsample":
        lines.append(Text("scale: ", Dims(*spec.scale)))
    elif t == "fc":
        lines.append(f"nodes: {spec.nodes}")
        if not spec.bias:
            lines.append("no bias")
    elif t in ("softmax", "classification") and spec.nodes is not None:
        lines.append(f"nodes: {spec.nodes}")
    elif t == "dropout" and "rate" in spec.extra:
        lines.append(f"rate: {spec.extra['rate']}")
    elif t in SEQ_TYPES:
        lines.extend(f"{k}: {str(spec.raw[k]).lower() if isinstance(spec.raw[k], bool) else spec.raw[k]}"
                     for k in SEQ_PARAMETERS + ("bias",) if k in spec.raw)
    return Lines(*(lines or ["-"]))


def _learnables_cell(r: LayerResult, convention) -> Lines:
    t = r.spec.type
    if t in SEQ_TYPES:
        return Lines(*[Text(f"{name}: ", Dims(*shape)) if shape else name for name, shape in r.tensors],
                     Text("(", I(r.learnables), " learnables)") if r.learnables else "none (0)")
    if t == "batchnorm":
        a, b = BN_NAMES[convention]
        return Lines(Text(f"{a}: ", Dims(*r.weights)), Text(f"{b}: ", Dims(*r.bias)),
                     Text("(", I(r.learnables), "; running mean and variance ", I(r.non_learnable),
                          " more, not learned)"))
    if r.pointwise is not None:
        return Lines(Text("Depthwise: ", Dims(*r.weights)), Text("Pointwise: ", Dims(*r.pointwise)),
                     Text("Bias: ", Dims(*r.bias)) if r.bias else "Bias: none",
                     Text("(", I(r.learnables), " learnables)"))
    if r.weight_count or r.bias_count or t in ("conv", "tconv", "fc", "depthwise", "locallyconnected"):
        return Lines(Text("Weights: ", Dims(*r.weights)),
                     Text("Bias: ", Dims(*r.bias)) if r.bias else "Bias: none",
                     Text("(", I(r.learnables), " learnables)"))
    if t in ("maxpool", "avgpool", "gap", "globalmax", "adaptivepool", "zeropad", "upsample", "add",
             "concat", "multiply"):
        return Lines("none (0)")
    return Lines("-")


def _activation_cell(r: LayerResult, convention) -> Lines:
    cells = [Text(shape_of(r.out, convention))]
    if r.spec.type == "classification":
        cells.append(f"({categories(r.out)})")
    return Lines(*cells)


# -- totals -----------------------------------------------------------------------------------------------
def _share(part, total):
    return sympy.Rational(part * 100, total) if total else I(0)


def _count_symbol(name, index):
    """N with the layer's name as subscript when the name is a short word, else N with its index."""
    if re.fullmatch(r"[A-Za-z0-9_]{1,24}", name):
        return Quantity("N", name)
    return S(f"N_{index}")


def _totals(sol, results, bpv, totals):
    tot = sol.section("Totals")
    total_learn, total_macs, total_mem = totals["learnables"], totals["macs"], totals["memory_bytes"]
    sum_rows = [[r.spec.name, I(r.learnables) if r.learnables else "0",
                 Percent(_share(r.learnables, total_learn), approx=True) if r.learnables else "-",
                 I(r.macs) if r.macs else "0", I(r.out.numel * bpv)] for r in results]
    sum_rows.append([Text("total"), I(total_learn), Percent(100), I(total_macs), I(total_mem)])
    tot.add(instructor(Table(["layer", "learnables", "share", "MACs", "activation bytes"], sum_rows,
                             small=True, role="totals")))
    nonzero = [r for r in results if r.learnables]
    symbols = [_count_symbol(r.spec.name, i + 1) for i, r in enumerate(nonzero)]
    total_sym = Quantity("N", "total")
    if nonzero and len(nonzero) <= 10:
        tot.add(Step("total learnables: the sum over the layers that learn", lhs=total_sym,
                     formula=_sum(*symbols) if len(symbols) > 1 else symbols[0],
                     substituted=substitute(_sum(*symbols), dict(zip(symbols, [I(r.learnables) for r in nonzero])))
                     if len(symbols) > 1 else None,
                     result=I(total_learn), boxed=True))
    else:
        tot.add(Step("total learnables: the sum of the learnables column of the table", lhs=total_sym,
                     result=I(total_learn), boxed=True))
    if total_learn:
        tot.add(instructor(Text("Share of a layer: ", _ratio(N_L, total_sym), ", in per cent.")))
    tot.add(instructor(Step("total multiply-accumulates: the sum of the MACs column",
                            lhs=Quantity("MACs", "total"), result=I(total_macs))))
    mem_sym, values_sym = S("M"), Quantity("n", "values")
    tot.add(instructor(Step(f"activation memory: every output stored, {bpv} bytes per value", lhs=mem_sym,
                            formula=_product(I(bpv), values_sym),
                            substituted=substitute(_product(I(bpv), values_sym), {values_sym: I(total_mem // bpv)}),
                            result=I(total_mem))))
    tot.add(instructor(Text("That is ", ValueShown(sympy.Rational(total_mem, 2**20), 4, bare=True),
                            " MiB of activations and ",
                            ValueShown(sympy.Rational(total_learn * bpv, 2**20), 4, bare=True),
                            f" MiB of learnables at {bpv} bytes each.")))
    if "non_learnable" in totals:
        tot.add(Text("Non-learnable batch-normalization statistics (running mean and variance): ",
                     I(totals["non_learnable"]), " values."))
