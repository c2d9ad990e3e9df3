"""The architecture kind's common mistakes: the network re-derived by the same engine with one thing done wrong."""

from __future__ import annotations

from symdl.errors import SpecError
from symdl.solution import Mistake

from .answers import answer_values
from .derive import derive_network
from .fields import bytes_per_value

# (the engine's switch, the mistake's name, what the student did)
MISTAKES = (
    ("same", "'same' padding assumed",
     "took every convolution to keep its input size, ignoring the padding the layer states"),
    ("ceil", "ceiling for floor", "rounded the number of window positions up instead of down"),
    ("no_bias", "bias forgotten", "counted the weights only, not the one bias per filter or node"),
    ("flatten", "channels dropped when flattening",
     "took height times width, not height times width times channels, as the fully connected input"),
)


def mistakes(question, solution) -> dict:
    """{answer name: [Mistake]} for the final answers, the layers' learnables and the totals a mistake
    changes (a later answer an earlier wrong size changes is listed too: the error carried forward)."""
    bpv = bytes_per_value(question)
    right = solution.answers
    wanted = {name for name, meta in solution.meta.items()
              if meta.final or name.startswith("total.") or (name.endswith(".learnables") and meta.value)}
    found: dict = {}
    for switch, name, why in MISTAKES:
        try:
            convention, results = derive_network(question, mistake=switch)
        except SpecError:
            continue          # the mistake makes the network impossible (a kernel past its input)
        for answer, value in answer_values(results, convention, bpv).items():
            if answer in wanted and value != right.get(answer):
                found.setdefault(answer, []).append(Mistake(name, value, why))
    return found
