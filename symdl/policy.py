"""The answer policy of an exam (``[exam] grading``): significant figures, the points step, error
carried forward, the partial-credit band. Light: read with the spec, before SymPy is imported."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction


@dataclass(frozen=True)
class Band:
    """The policy's partial-credit band: a value right to ``figures`` significant figures (but not
    to the policy's) earns ``credit`` (a fraction of the item's points)."""

    figures: int
    credit: Fraction


@dataclass(frozen=True)
class Policy:
    """The answer policy of an exam (``[exam] grading``), or of one question with its overrides."""

    figures: int = 3
    step: Fraction = Fraction(1, 2)
    carry_forward: bool = True
    partial: Band | None = None
    answers: dict = field(default_factory=dict)     # answer name -> figures (a question's override)

    def figures_of(self, name) -> int:
        return self.answers.get(name, self.figures)

    def within(self, figures=None, answers=None) -> "Policy":
        """This policy with a question's overrides."""
        return replace(self, figures=figures or self.figures, answers=dict(answers or {}))


DEFAULT_POLICY = Policy()


def policy_of(question) -> Policy:
    """The answer policy that holds for ``question`` (the default when the spec gives none)."""
    return getattr(question, "grading", None) or DEFAULT_POLICY


