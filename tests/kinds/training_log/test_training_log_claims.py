"""DI504 Q5's words match its numbers: each claim about a trend or a gap in the model answer,
recomputed here from the raw log (split on tabs, Fractions), sharing nothing with the kind.

The summary's verdicts read as the body's boxed verdicts (issue: page 1 said "learning: yes" for
"is it learning well?" while the body said slowly; the body said the gap "does not widen" while
it fell to its narrowest at epoch 10 and grew steadily after).
"""

from __future__ import annotations

import re
from fractions import Fraction

import pytest

from symdl.solve import solve_question
from symdl.solution import Text, shown
from symdl.input.spec import load_exam
from support import TESTS

SPEC = TESTS / "specs" / "training_log_di504.toml"
LOG = TESTS.parent / "symdl" / "data" / "di504" / "q5-training-log.txt"


@pytest.fixture(scope="module")
def sol():
    q = load_exam(SPEC, data_dirs=(TESTS.parent,)).questions[0]
    return solve_question(q).solution


def same_batch_gaps():
    """(epoch, validation - training loss) at the last iteration of each epoch (155 e), where both are logged."""
    out = []
    for line in LOG.read_text().splitlines():
        c = line.split("\t")
        if len(c) == 8 and c[0].isdigit() and int(c[1]) == 155 * int(c[0]) and c[6].strip():
            out.append((int(c[0]), Fraction(c[6]) - Fraction(c[5])))
    return out


def boxed_text(sol, head):
    for sec in sol.sections:
        for item in sec.items:
            if isinstance(item, Text) and getattr(item, "boxed", False) and str(item.parts[0]).startswith(head):
                return item
    raise AssertionError(head)


def numbers_in(item):
    """The numbers a Text shows: its math parts printed at the sig. figures shown, and digits in its words."""
    from symdl.render.texsafe import paragraph

    tex = paragraph(item)
    return tex, [float(x) for x in re.findall(r"-?\d+(?:\.\d+)?", tex.replace("{,}", ""))]


def test_gap_claim_is_the_series(sol):
    gaps = same_batch_gaps()
    assert len(gaps) == 25
    (e0, g0), (e1, g1) = gaps[0], gaps[-1]
    em, gm = min(gaps, key=lambda p: p[1])
    assert (em, round(float(gm), 2)) == (10, 104.4)            # narrowest at epoch 10
    widening = [b > a for (_, a), (_, b) in zip(gaps[9:], gaps[10:])]
    assert sum(widening) >= 10                                  # and grows after it in most epochs
    item = boxed_text(sol, "Overfitting")
    tex, nums = numbers_in(item)
    assert "does not widen" not in tex
    assert "narrowed" in tex and "widened since" in tex
    for epoch, gap in ((e0, g0), (em, gm), (e1, g1)):
        assert f"epoch {epoch}" in tex
        assert any(abs(n - float(gap)) <= 0.006 for n in nums), (epoch, float(gap), nums)


def test_summary_words_are_the_bodys(sol):
    learning, overfitting = sol.meta["learning"], sol.meta["overfitting"]
    body_learning = str(boxed_text(sol, "Learning").parts[0])
    assert body_learning.startswith(f"Learning: {learning.words}")
    assert learning.words == "yes, but slowly"
    body_over = str(boxed_text(sol, "Overfitting").parts[0])
    assert body_over.startswith(f"Overfitting: {overfitting.words}")
    assert overfitting.words == "not yet" and overfitting.value is False


def test_shuffle_is_an_assumption_with_its_evidence(sol):
    """'MATLAB shuffles once' is labelled an assumption, and the evidence is cited: the same
    mini-batch's loss falls from epoch to epoch in 24 of 24 epochs (counted here from the log)."""
    ends = []
    for line in LOG.read_text().splitlines():
        c = line.split("\t")
        if len(c) == 8 and c[0].isdigit() and int(c[1]) == 155 * int(c[0]):
            ends.append(Fraction(c[5]))
    falls = sum(1 for a, b in zip(ends, ends[1:]) if b < a)
    assert (falls, len(ends) - 1) == (24, 24)
    from symdl.render.texsafe import paragraph

    texts = [paragraph(i) for s in sol.sections if s.part == "b" and shown(s, "model")
             for i in s.items if isinstance(i, Text)]
    claim = next(t for t in texts if "same samples in every epoch" in t)
    assert claim.startswith("Assumption:")
    assert f"${falls}$ times out of ${len(ends) - 1}$" in claim
