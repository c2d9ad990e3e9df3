"""The architecture kind's answers (values, which are final, their labels) and the grader's rubric items."""

from __future__ import annotations

from fractions import Fraction

from .seqfields import SEQ_TYPES
from .shapes import shape_list

WINDOWED = ("conv", "tconv", "maxpool", "avgpool")
SHAPED = WINDOWED + ("gap", "fc", "flatten", "softmax", "zeropad", "upsample", "globalmax", "rbf",
                     "subsampling", "add", "concat", "multiply", "depthwise", "separable", "adaptivepool",
                     "locallyconnected") + SEQ_TYPES
LEARNING = ("conv", "tconv", "fc", "batchnorm", "depthwise", "separable", "subsampling", "locallyconnected")


def answer_values(results, convention, bpv) -> dict:
    """Every answer under its stable name, in order: each layer's, then the totals."""
    values = {}
    for r in results:
        n = r.spec.name
        values[f"{n}.output"] = shape_list(r.out, convention)
        values[f"{n}.learnables"] = r.learnables
        if r.spec.type not in SEQ_TYPES:      # several tensors each: their count is the answer
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
    if key == "learnables":
        return r.spec.type in SEQ_TYPES      # a sequence layer's blank is its count
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


def rubric(sol, question, results):
    """Each blank of the table is a graded item: an output size or a weights shape weight 1, a bias
    weight 1/2 (its shape follows from the filters alone); symdl.grading.rubric shares the points by these
    weights (DI504: 13 outputs, 8 weights, 8 biases: 25 points, 1, 1 and 1/2 each). The totals are not
    blanks of the table: graded only when the question's text asks for a total."""
    asks_total = "total" in (question.text or "").lower() or any(
        "total" in (text or "").lower() for _, text, _ in question.part_list())
    for name, answer in sol.meta.items():
        if name.startswith("total."):
            answer.graded = bool(answer.final and asks_total)
        elif answer.final and name.endswith(".bias"):
            answer.weight = Fraction(1, 2)
    sol.credit(None, "A later size or count that follows correctly from an earlier wrong one "
                     "(an error carried forward) loses the points of the first error only.", alternative=True)
