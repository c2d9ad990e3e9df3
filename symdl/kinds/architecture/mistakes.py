"""The mistakes students make filling in an architecture table: the network re-derived by the same
engine (derive.derive_network) with one thing done wrong.

Only the table's blanks (the final answers: output sizes, weight and bias shapes, the total
learnables) carry mistakes; a later size that an earlier wrong one changes is listed with it
(the error carried forward), under the same name. A bias shape a student leaves out is a blank,
not a value, so "bias forgotten" is listed on the counts only.

Flattening in another order (channels first instead of last) changes no size and no count, only
which weight meets which value, so a table of sizes cannot show it; the order a table does show
is that of the fully connected weights (inputs x outputs written for outputs x inputs).
"""

from __future__ import annotations

from symdl.errors import SpecError
from symdl.grading.mistake_rows import asked_names
from symdl.solution import Mistake

from .answers import answer_values
from .derive import derive_network
from .fields import bytes_per_value

# (the engine's switch, the mistake's name, what the student did)
MISTAKES = (
    ("pad_once", "padding-counted-once",
     "you added the padding of one side only; the output size counts the padding before and after"),
    ("same", "same-padding-assumed",
     "you took every convolution to keep its input size ('same'), ignoring the padding the layer states"),
    ("no_bias", "bias-forgotten", "you counted the weights only, not the one bias per filter or node"),
    ("flatten", "channels-dropped-when-flattening",
     "you took height times width, not height times width times channels, as the fully connected input"),
    ("fc_order", "fc-weights-order-swapped",
     "you wrote the fully connected weights with the two sizes the other way round (inputs by outputs "
     "for outputs by inputs)"),
    ("one_bias", "one-bias-vector-per-gate",
     "you counted one bias vector per gate; this recurrent layer has two (PyTorch's b_ih and b_hh, "
     "Keras's GRU with reset_after)"),
)


def mistakes(question, solution) -> dict:
    """{answer name: [Mistake]} for the table's blanks and the total learnables a mistake changes."""
    bpv = bytes_per_value(question)
    right = solution.answers
    wanted = set(asked_names(solution)) | {"total.learnables"}
    found: dict = {}
    for switch, name, why in MISTAKES:
        try:
            convention, results = derive_network(question, mistake=switch)
        except SpecError:
            continue          # the mistake makes the network impossible (a kernel past its input)
        for answer, value in answer_values(results, convention, bpv).items():
            if answer in wanted and value != right.get(answer) and value != []:
                found.setdefault(answer, []).append(Mistake(name, value, why))
    return found
