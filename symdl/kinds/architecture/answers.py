"""The architecture kind's answers (values, which are final, their labels) and the grader's rubric items."""

from __future__ import annotations

from .shapes import shape_list

WINDOWED = ("conv", "tconv", "maxpool", "avgpool")
SHAPED = WINDOWED + ("gap", "fc", "flatten", "softmax", "zeropad", "upsample", "globalmax", "rbf",
                     "subsampling", "add", "concat", "multiply", "depthwise", "separable", "adaptivepool",
                     "locallyconnected")
LEARNING = ("conv", "tconv", "fc", "batchnorm", "depthwise", "separable", "subsampling", "locallyconnected")


def answer_values(results, convention, bpv) -> dict:
    """Every answer under its stable name, in order: each layer's, then the totals."""
    values = {}
    for r in results:
        n = r.spec.name
        values[f"{n}.output"] = shape_list(r.out, convention)
        values[f"{n}.learnables"] = r.learnables
        values[f"{n}.weights"] = list(r.weights)
        values[f"{n}.bias"] = list(r.bias)
        values[f"{n}.macs"] = r.macs
        if r.spec.type in ("batchnorm", "rbf"):
            values[f"{n}.non_learnable"] = r.non_learnable
        if r.connections is not None:
            values[f"{n}.connections"] = r.connections
        if r.same_pads is not None:
            values[f"{n}.padding"] = list(r.same_pads)
        if r.pointwise is not None:
            values[f"{n}.pointwise"] = list(r.pointwise)
        if r.eff_kernel is not None:
            values[f"{n}.effective_kernel"] = list(r.eff_kernel)
        if r.receptive is not None:
            values[f"{n}.receptive_field"] = list(r.receptive[0])
        if any(r.dropped):
            values[f"{n}.dropped"] = list(r.dropped)
            values[f"{n}.unfloored"] = list(r.unfloored)
    values["total.learnables"] = sum(r.learnables for r in results)
    values["total.macs"] = sum(r.macs for r in results)
    values["total.memory_bytes"] = sum(r.out.numel for r in results) * bpv
    if any(r.spec.type in ("batchnorm", "rbf") for r in results):
        values["total.non_learnable"] = sum(r.non_learnable for r in results)
    return values


_LABELS = {"output": "output size", "learnables": "learnables", "weights": "weights", "bias": "bias",
           "macs": "multiply-accumulates", "non_learnable": "running statistics (not learned)",
           "padding": "'same' padding [top bottom left right]",
           "dropped": "rows and columns the floor drops", "unfloored": "output size before the floor",
           "pointwise": "pointwise weights", "effective_kernel": "effective (dilated) kernel",
           "receptive_field": "receptive field", "connections": "connections"}
_TOTAL_LABELS = {"learnables": "total learnables", "macs": "total multiply-accumulates",
                 "memory_bytes": "activation memory", "non_learnable": "total running statistics"}


def _final(r, key) -> bool:
    """Whether a layer's answer fills a blank of the exam's table (boxed, in the summary)."""
    if key in r.spec.given:
        return False
    if key == "output":
        return r.spec.type in SHAPED
    if key == "pointwise":
        return True
    if key in ("weights", "bias"):
        return r.spec.type in LEARNING and (key == "weights" or bool(r.bias))
    return False


def name_answers(sol, results, convention, bpv) -> dict:
    """Record every answer with its part (the question has none), label and final mark; returns the totals."""
    by_name = {r.spec.name: r for r in results}
    for name, value in answer_values(results, convention, bpv).items():
        layer, key = name.rsplit(".", 1)
        if layer == "total":
            sol.answer(name, value, label=_TOTAL_LABELS[key], final=(key == "learnables"),
                       unit="bytes" if key == "memory_bytes" else None)
        else:
            sol.answer(name, value, label=f"{layer}: {_LABELS[key]}", final=_final(by_name[layer], key))
    return {k.split(".", 1)[1]: v for k, v in sol.answers.items() if k.startswith("total.")}


def _apportion(points, counts) -> list:
    """``points`` split over groups in proportion to ``counts`` (largest remainder), whole points."""
    total = sum(counts)
    if points is None or not total:
        return [None] * len(counts)
    shares = [points * c / total for c in counts]
    whole = [int(s) for s in shares]
    order = sorted(range(len(counts)), key=lambda i: whole[i] - shares[i])
    for i in order[:points - sum(whole)]:
        whole[i] += 1
    return whole


def rubric(sol, question, results):
    """One credit item per group of the table's blanks, the question's points shared by their number."""
    groups = [
        ("Output sizes of the convolution and pooling layers: the output-size formula with the layer's "
         "numbers, the result, the channels", lambda r: r.spec.type in WINDOWED + ("zeropad", "upsample", "subsampling", "depthwise", "separable",
                                          "locallyconnected"),
         ("output",)),
        ("Weights and bias of the convolution layers: shapes in the convention's layout and their count",
         lambda r: r.spec.type in ("conv", "tconv", "depthwise", "separable", "subsampling", "locallyconnected"),
         ("weights", "bias")),
        ("Batch normalization: scale and offset per channel; the running statistics not learned",
         lambda r: r.spec.type == "batchnorm", ("weights", "bias")),
        ("Fully connected and output layers: the flattened input size (height x width x channels), "
         "the output sizes, weights and biases",
         lambda r: r.spec.type in ("fc", "flatten", "softmax", "gap", "globalmax", "adaptivepool", "add",
                                   "concat", "multiply", "rbf"),
         ("output", "weights", "bias")),
    ]
    counts = [sum(1 for r in results if pick(r) for key in keys if _final(r, key)) for _, pick, keys in groups]
    points = _apportion(question.points, counts)
    for (text, _, _), count, share in zip(groups, counts, points):
        if count:
            sol.credit(None, text, share)
    sol.credit(None, "A later size or count that follows correctly from an earlier wrong one "
                     "(an error carried forward) loses the points of the first error only.", alternative=True)
