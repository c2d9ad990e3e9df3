"""The answer policy of an exam (``[exam] grading``): significant figures, the points step, error
carried forward, the partial-credit band; a question's own figures (``[question.grading]``) and the
points split a spec gives (``rubric`` tables), read and checked. Light: read with the spec, before
SymPy is imported. The rules: docs/answer-policy.md."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from fractions import Fraction

from symdl.errors import SpecError


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


GRADING_KEYS = ("figures", "step", "carry_forward", "partial")


def read_policy(table, path):
    """``[exam] grading``: the answer policy (figures, step, carry_forward, partial), checked."""
    where = "exam.grading"
    if not isinstance(table, dict):
        raise SpecError("expected a table (figures, step, carry_forward, partial)", file=path, field=where)
    for key in table:
        if key not in GRADING_KEYS:
            raise SpecError(f"unknown key (known: {', '.join(GRADING_KEYS)})", file=path, field=f"{where}.{key}")
    figures = _figures(table.get("figures", 3), path, None, f"{where}.figures")
    step = table.get("step", 0.5)
    if not isinstance(step, (int, float)) or isinstance(step, bool) or not 0 < step <= 100:
        raise SpecError("expected a number of points above 0 (such as 0.5)", file=path, field=f"{where}.step")
    carry = table.get("carry_forward", True)
    if not isinstance(carry, bool):
        raise SpecError("expected true or false", file=path, field=f"{where}.carry_forward")
    band = None
    if "partial" in table:
        partial = table["partial"]
        if not isinstance(partial, dict) or set(partial) != {"figures", "credit"}:
            raise SpecError("expected a table { figures = 2, credit = 0.5 }", file=path, field=f"{where}.partial")
        band_figures = _figures(partial["figures"], path, None, f"{where}.partial.figures")
        if band_figures >= figures:
            raise SpecError(f"the partial band's figures must be fewer than the policy's {figures}", file=path,
                            field=f"{where}.partial.figures")
        credit = partial["credit"]
        if not isinstance(credit, (int, float)) or isinstance(credit, bool) or not 0 < credit < 1:
            raise SpecError("expected a fraction of the item's points between 0 and 1", file=path,
                            field=f"{where}.partial.credit")
        band = Band(band_figures, Fraction(str(credit)))
    return Policy(figures=figures, step=Fraction(str(step)), carry_forward=carry, partial=band)


def _figures(value, path, qid, where) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or not 1 <= value <= 15:
        raise SpecError("expected a number of significant figures from 1 to 15", file=path, question=qid,
                        field=where)
    return value


def question_policy(policy, table, path, qid):
    """A question's ``[question.grading]``: its own ``figures`` and per-answer ``answers`` figures."""
    if table is None:
        return policy
    if not isinstance(table, dict):
        raise SpecError("expected a table (figures, answers)", file=path, question=qid, field="grading")
    for key in table:
        if key not in ("figures", "answers"):
            raise SpecError("unknown key (known: figures, answers)", file=path, question=qid, field=f"grading.{key}")
    figures = _figures(table["figures"], path, qid, "grading.figures") if "figures" in table else None
    answers = table.get("answers", {})
    if not isinstance(answers, dict):
        raise SpecError("expected a table: answer name = figures", file=path, question=qid, field="grading.answers")
    checked = {name: _figures(v, path, qid, f"grading.answers.{name}") for name, v in answers.items()}
    return policy.within(figures, checked)


def rubric_splits(table, question, path) -> dict:
    """The points the spec gives rubric units: ``[question.rubric]`` (no parts) or each part's ``rubric``."""
    out = {}
    found = [(None, "rubric", table.get("rubric"))] if "rubric" in table else []
    for name, part in (table.get("parts") or {}).items():
        if isinstance(part, dict) and "rubric" in part:
            found.append((name, f"parts.{name}.rubric", part["rubric"]))
    if found and found[0][0] is None and question.parts:
        raise SpecError("this question has parts: give each part's rubric under [question.parts.<part>.rubric]",
                        file=path, question=question.id, field="rubric")
    for part, where, split in found:
        if not isinstance(split, dict):
            raise SpecError("expected a table: answer or criterion = points", file=path, question=question.id,
                            field=where)
        for key, points in split.items():
            if not isinstance(points, (int, float)) or isinstance(points, bool) or not 0 <= points < 1e6:
                raise SpecError("expected a number of points", file=path, question=question.id, field=f"{where}.{key}")
        out[part] = {key: Fraction(str(points)) for key, points in split.items()}
    return out
