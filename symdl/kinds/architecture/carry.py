"""Error carried forward for the architecture kind: each layer again from a student's size of the
layer before it (``derive``'s own layer walk), and the total learnables from a student's weight
and bias shapes."""

from __future__ import annotations

from math import prod

from . import derive_more
from .answers import answer_values
from .derive import LayerResult, _Deriver
from .fields import MAX_AREA, MAX_VALUES, MERGES, bytes_per_value, parse_layers
from .shapes import Shape, input_shape

_READ: dict = {}        # id(question) -> (question, convention, layer specs, bytes per value)
KEYS = ("output", "weights", "bias")


def _layers(question):
    hit = _READ.get(id(question))
    if hit is None or hit[0] is not question:
        convention, specs = parse_layers(question)
        hit = _READ[id(question)] = (question, convention, specs, bytes_per_value(question))
    return hit[1:]


def _shape(size, convention, computed: Shape) -> Shape:
    """A student's activation size as a Shape (flat where the layer's own output is flat and 1 x 1)."""
    shape = input_shape([int(v) for v in size], convention)
    if computed.flat and shape.h == 1 and shape.w == 1:
        return Shape(1, 1, shape.c, flat=True)
    return shape


def _walk(question, given):
    """Every layer derived again, each from the student's output of the layer(s) it reads where given."""
    convention, specs, _ = _layers(question)
    deriver = _Deriver(question, convention)
    results, shape, outputs = [], None, {}
    for spec in specs:
        if spec.type in MERGES:
            inputs = [(name, outputs[name]) for name in spec.inputs]
            res = LayerResult(spec, inputs[0][1], inputs[0][1])
            derive_more.merge(deriver, spec, inputs, res, res.steps)
        else:
            deriver.others = [outputs[name] for name in spec.inputs[1:]]
            res = deriver.layer(spec, outputs[spec.inputs[0]] if spec.inputs else shape)
        if res.out.h * res.out.w > MAX_AREA or res.out.numel > MAX_VALUES:
            raise ValueError(f"layer '{spec.name}': too large an output to carry forward")
        results.append(res)
        name = f"{spec.name}.output"
        shape = outputs[spec.name] = _shape(given[name], convention, res.out) if name in given else res.out
    return convention, specs, results


def carry(question, solution, given: dict) -> dict:
    """{answer: value recomputed from the student's layer sizes, weights and biases} for every dependent answer."""
    convention, specs, results = _walk(question, given)
    names = [s.name for s in specs]
    touched = [names.index(n.rsplit(".", 1)[0]) for n in given if n.rsplit(".", 1)[0] in names
               and n.rsplit(".", 1)[1] in KEYS]
    values = answer_values(results, convention, _layers(question)[2])
    out = {}
    if any(n.endswith(".output") for n in given):
        first = min(names.index(n.rsplit(".", 1)[0]) for n in given if n.endswith(".output") and
                    n.rsplit(".", 1)[0] in names)
        later = set(names[first + 1:])
        out = {k: v for k, v in values.items() if k.rsplit(".", 1)[0] in later or k.startswith("total.")}
    if touched:
        total = 0
        for r in results:
            w, b = given.get(f"{r.spec.name}.weights"), given.get(f"{r.spec.name}.bias")
            total += (prod(int(v) for v in w) if w is not None else r.weight_count) + \
                     (prod(int(v) for v in b) if b is not None else r.bias_count)
        out["total.learnables"] = total
    return {name: value for name, value in out.items() if name in solution.meta}
