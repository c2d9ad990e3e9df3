"""After solving: the answer policy's interval for every answer, the rubric's points, the common mistakes.

Run by solve.solve_question once a solution is verified. The rules (docs/answer-policy.md):

- **the answer policy** (``[exam] grading``, :class:`Policy`): a number is right within half a unit
  of the ``figures``-th significant figure (default 3) of the EXACT value; an integer, and an exact
  *short* decimal (a terminating decimal with at most ``figures`` significant figures: 0, -0.04,
  2.15, 155), only as written. A question (``[question.grading] figures``) or one of its answers
  (``[question.grading.answers] "name" = figures``) may ask for other figures. The interval is
  stored as ``answer.tolerance`` = {"abs", "rel"}, exact Fractions, shaped as the value (entry by
  entry); yes/no and text answers have none.
- **points**: symdl.grading.rubric's items (numeric entries and criteria), summing exactly to each part's
  points; ``answer.points`` = the sum of its items' points.
- **mistakes**: the kind's ``mistakes(question, solution)`` hook; a mistake whose value equals
  the right answer (relatively, at high precision, or within its tolerance) is dropped, the
  others are stored on ``solution.meta[name].mistakes``. A hook that raises is a bug.

(Schema 1's tolerance, half a unit of the last digit the key shows, is gone: it was the key's
precision, not the student's.)
"""

from __future__ import annotations

from symdl.grading import rubric
from symdl.grading.mistake_rows import dedupe
from symdl.grading.policy import policy_of
from symdl.grading.values import numbers_of, policy_tolerance, same_numbers
from symdl.solution import Mistake


def grade(question, solution, kind) -> None:
    """Fill in every answer's tolerance (the policy's interval), points (the rubric's) and mistakes (in place)."""
    policy = policy_of(question)
    for answer in solution.meta.values():
        figures = answer.figures or policy.figures_of(answer.name)
        answer.figures = figures
        if answer.tolerance is None:
            answer.tolerance = policy_tolerance(answer.value, figures)
    if kind.mistakes is not None:
        attach_mistakes(solution, kind.mistakes(question, solution) or {}, kind)
    rubric.assign(question, solution)


# ----------------------------------------------------------------------- mistakes ----

def attach_mistakes(solution, found: dict, kind) -> None:
    """Store the mistakes of ``found`` (answer name -> [Mistake]) that give a wrong value."""
    for name, mistakes in found.items():
        if name not in solution.meta:
            raise KeyError(f"mistakes() names {name!r}, which is no answer of question {solution.question_id}")
        answer = solution.meta[name]
        right = numbers_of(answer.value)              # the answer's entries, made once for all its mistakes
        kept = []
        for mistake in mistakes:
            if not isinstance(mistake, Mistake):
                raise TypeError(f"mistakes() of kind {kind.name} gave {type(mistake).__name__}, not a Mistake")
            if not same_numbers(numbers_of(mistake.value), right, answer.tolerance, kind.tolerance):
                kept.append(mistake)
        answer.mistakes = kept
    dedupe(solution)            # each mistake once per question
