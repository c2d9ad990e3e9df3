"""The mistakes students make with dropout, each the layer again with one slip:

- **not-scaled** (inverted): the kept units passed without the 1/(1 - p), at training (output, gradient);
- **scaled-by-keep** (inverted): the kept units multiplied by 1 - p instead of divided;
- **scaled-at-eval** (inverted): the 1/(1 - p) applied at evaluation too;
- **dropped-at-eval**: the mask applied at evaluation.
"""

from __future__ import annotations

from symdl.solution import Mistake

from .fields import read


def mistakes(question, solution) -> dict:
    d = read(question)
    q = 1 - d.drop
    runs = []
    if d.scaling == "inverted" and d.train:
        runs.append(("not-scaled", "you dropped the units but did not divide the kept ones by 1 - p",
                     {"train.output": d.x.multiply_elementwise(d.mask),
                      "train.grad": d.upstream.multiply_elementwise(d.mask) if d.upstream is not None else None}))
        runs.append(("scaled-by-keep", "you multiplied the kept units by 1 - p instead of dividing by it",
                     {"train.output": d.x.multiply_elementwise(d.mask) * q,
                      "train.grad": d.upstream.multiply_elementwise(d.mask) * q if d.upstream is not None else None}))
    if d.scaling == "inverted" and d.eval:
        runs.append(("scaled-at-eval", "you scaled by 1/(1 - p) at evaluation too; inverted dropout scales only "
                     "during training", {"eval.output": d.x / q,
                                         "eval.grad": d.upstream / q if d.upstream is not None else None}))
    if d.eval and d.mask is not None:
        factor = 1 / q if d.scaling == "inverted" else 1
        runs.append(("dropped-at-eval", "you applied the mask at evaluation; nothing is dropped then",
                     {"eval.output": d.x.multiply_elementwise(d.mask) * factor}))
    found: dict = {}
    for slug, why, values in runs:
        for name, value in values.items():
            if value is not None and name in solution.answers and value != solution.answers[name]:
                found.setdefault(name, []).append(Mistake(slug, value, why))
    return found
