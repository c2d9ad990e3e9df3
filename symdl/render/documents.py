"""What the three LaTeX documents (model answers, rubric, verification) say of answers, parts and points.

Template globals for ``answer-key.tex.j2``, ``summary.tex.j2``, ``grading.tex.j2`` and
``verification.tex.j2``: a final answer boxed with its label and unit, a part's final answers,
credit items and mistakes, a number of points, a tolerance. Every piece of math comes from
the printer; every piece of text is escaped.
"""

from __future__ import annotations

import re
from fractions import Fraction

import sympy

from symdl.notation import printer
from symdl.grading.values import SIG_DIGITS, interval, mp_value, part_of
from symdl.solution import Math, Tex, Text, shown
from symdl import kinds
from symdl.check import hp
from symdl.check.verify import describe
from symdl.grading import rubric
from symdl.grading.policy import policy_of
from symdl.render.texsafe import escape, paragraph

DOCUMENTS = {                      # document -> (template, audience of the kind partials)
    "model": ("answer-key.tex.j2", "model"),
    "full": ("answer-key.tex.j2", "full"),
    "grading": ("grading.tex.j2", "model"),
    "verification": ("verification.tex.j2", "instructor"),
}

ROUNDING_RULE = (r"Numbers are exact unless marked with $\approx$; in the working such a value is rounded to "
                 f"{SIG_DIGITS} significant digits for display only (every later step uses the "
                 "unrounded value). Numbers from 10{,}000 up are written with thin separators.")


def policy_sentence(policy) -> str:
    """The answer policy in one or two sentences, as the instructor states it (plain text)."""
    f = policy.figures
    text = (f"A number is right when it lies within half a unit of its {_ordinal(f)} significant figure "
            f"(give numbers to {f} significant figures); an integer or an exact decimal of at most {f} "
            "significant figures must be given exactly.")
    if policy.partial is not None:
        text += (f" A number right only to {policy.partial.figures} significant figures earns "
                 f"{_fraction_words(policy.partial.credit)} of its points.")
    return text


def _ordinal(n) -> str:
    return {1: "1st", 2: "2nd", 3: "3rd"}.get(n, f"{n}th")


def _fraction_words(x) -> str:
    x = Fraction(x)
    return {Fraction(1, 2): "half", Fraction(1, 4): "a quarter", Fraction(3, 4): "three quarters"}.get(
        x, f"{float(x):g} times")


def rounding_rule(exam) -> Tex:
    """The key's rounding note: final answers at the policy's figures, the working at more, the rule."""
    policy = policy_of(exam)
    return Tex(f"Final answers are given to {policy.figures} significant figures. " + _escape(policy_sentence(policy))
               + " " + ROUNDING_RULE)
FOOTER_VERIFIED = "Every number in this key was checked by a second, independent computation."
FOOTER_FAILED = ("Some answers disagree with their independent recomputation; "
                 "see verification.pdf before handing this key out.")
TEXT_BOX_CHARS = 60          # a text answer longer than this is framed as a paragraph


def _escape(text) -> str:

    return escape(text)


def points(value) -> Tex:
    """A number of points: 5, 2.5, or 10/3 as a fraction."""
    if value is None:
        return Tex("")
    exact = Fraction(repr(value)) if isinstance(value, float) else Fraction(value)
    if exact.denominator == 1:
        return Tex(printer.tex(sympy.Integer(exact.numerator)))
    text = printer.tex(sympy.Rational(exact.numerator, exact.denominator))
    return Tex(f"${text}$" if "\\" in text else text)


def _plain_list(value):
    return isinstance(value, (list, tuple)) and all(isinstance(v, (int, sympy.Integer)) and not isinstance(v, bool)
                                                    for v in value)


def value_parts(value, digits=None):
    """(relation, math body) of an answer's value, or (None, text) for a yes/no or a text."""
    if isinstance(value, (bool, sympy.logic.boolalg.BooleanAtom)):
        return None, "yes" if bool(value) else "no"
    if isinstance(value, str):
        return None, value
    if _plain_list(value):
        if not value:
            return None, "none"
        return "=", Tex(r" \times ".join(printer.tex(sympy.Integer(v)) for v in value))
    if isinstance(value, (list, tuple)):
        value = sympy.Matrix(value)
    relation, body = printer.value_tex(value, sig=digits or SIG_DIGITS)
    return relation, body


def value_tex(value, answer=None) -> Tex:
    """An answer's value as inline LaTeX (a text escaped, a number in math)."""
    relation, body = value_parts(value, answer.digits if answer is not None else None)
    if relation is None:
        return _escape(body)
    unit = _unit(answer.unit if answer is not None else None)
    return Tex(f"${relation + ' ' if relation != '=' else ''}{body}{unit}$")


def _unit(unit) -> str:
    return rf"\,\text{{{_escape(unit)}}}" if unit else ""


def _label_math(answer):
    """The label as math (no $), or None when the label is words."""
    label = answer.label
    if label is None or isinstance(label, Text) or (isinstance(label, str) and not isinstance(label, Tex)):
        return None                              # words (a Text label mixes words and math)
    return printer.tex(label)


def label_tex(answer) -> Tex:
    """An answer's label: words escaped, math in $...$; its name when it has none."""
    math = _label_math(answer)
    if math is not None:
        return Tex(f"${math}$")
    if isinstance(answer.label, Text):
        return paragraph(answer.label)
    return _escape(answer.label if answer.label is not None else answer.name)


def _column(value) -> bool:
    """A column vector of more than one entry (a shape such as [2808, 33, 64] is not one)."""
    if isinstance(value, (list, tuple)) and not _plain_list(value):
        return len(value) > 1 and not any(isinstance(v, (list, tuple)) for v in value)
    return isinstance(value, sympy.MatrixBase) and value.cols == 1 and value.rows > 1


def final_tex(answer, compact=False) -> Tex:
    """A final answer as the summary and the rubric show it: its label, the value boxed, its unit.
    ``compact``: a column vector written as a transposed row, to save a page's height (one of at
    most printer.MAX_SHOWN_COLUMNS entries: a longer row would be shown by its ends only)."""
    value = answer.value
    digits = answer.figures if (answer.final and answer.figures) else answer.digits
    if compact and _column(value) and len(value) <= printer.MAX_SHOWN_COLUMNS:
        relation, body = value_parts(sympy.Matrix(value).T, digits)
        body = Tex(body + r"^{\mathsf{T}}")
    else:
        relation, body = value_parts(value, digits)
    if relation is None and answer.words is not None:
        body = answer.words
    math = _label_math(answer)
    if relation is None:                         # words: framed; a long text framed on lines of its own
        words = _escape(body)
        if len(body) > TEXT_BOX_CHARS:
            return Tex(rf"\par {_lead(answer)}\par\fbox{{\parbox{{\dimexpr\linewidth-2\fboxsep-2\fboxrule\relax}}"
                       rf"{{\raggedright {words}}}}}\par ")
        return Tex(rf"{_lead(answer)} \fbox{{{words}}}")
    boxed = rf"\boxed{{{body}{_unit(answer.unit)}}}"
    if math is not None:
        return Tex(f"${math} {relation} {boxed}$")
    lead = r"\approx " if relation != "=" else ""
    return Tex(f"{_lead(answer)} ${lead}{boxed}$")


def _lead(answer) -> str:
    """The label before a value in words: "label:", without a colon after ? or !."""
    label = label_tex(answer)
    return label if label.rstrip().endswith(("?", "!", ":")) else label + ":"


def part_finals(question, solution, part) -> list:
    """The final answers of ``part`` (None: the whole question, when it has no parts)."""
    return [a for a in solution.finals() if part_of(question, a.part) == part]


def part_boxed_texts(question, solution, part) -> list:
    """The boxed Text items (final answers in words) the model answer shows for ``part``."""
    out = []
    for sec in solution.sections:
        if part_of(question, sec.part) != part or not shown(sec, "model"):
            continue
        out += [it for it in sec.items if isinstance(it, Text) and it.boxed and shown(it, "model")]
    return out


def part_rubric(question, solution, part) -> list:
    return [c for c in solution.rubric if part_of(question, c.part) == part]


def described(value, width=70) -> str:
    """A check's value as short text (the verifier's description, cut at ``width``)."""
    text = describe(value)
    return text if len(text) <= width else text[: width - 3] + "..."


_NUMBERED = re.compile(r"[Qq]?(\d+)")


def question_name(question) -> str:
    """The question's name in a heading: "1" for the id "Q1" (as the exam numbers it), else the id."""
    match = _NUMBERED.fullmatch(str(question.id))
    return match.group(1) if match else str(question.id)


def given_math(question) -> list:
    """The formulas the exam sheet displays right under the question's text (its kind's ``sheet``
    hook: the Math items before the first sentence, e.g. the function f(x), the neuron's model, the
    score function), so the key shows "the function below" below its text."""
    kind = kinds.get(question.kind)
    out = []
    for item in kind.sheet(question) if kind.sheet is not None else ():
        if not isinstance(item, Math):
            break
        out.append(item)
    return out


def footer_line(results) -> str:
    return FOOTER_VERIFIED if all(r.verified for r in results) else FOOTER_FAILED


def template_globals(audience: str) -> dict:
    """The globals every document template sees (``audience`` filters the kind partials)."""
    return dict(audience=audience, shown=shown, points=points, part_finals=part_finals, question_name=question_name,
                given_math=given_math,
                part_boxed_texts=part_boxed_texts, part_rubric=part_rubric,
                final_tex=final_tex, label_tex=label_tex, value_tex=value_tex,
                described=described, rounding_rule=rounding_rule, policy_sentence=policy_sentence,
                rubric_rows=rubric_rows, question_mistakes=question_mistakes, accepted_tex=accepted_tex,
                policy_of=_policy_of)


def _policy_of(x):

    return policy_of(x)


# --------------------------------------------------------------------- the rubric ----

def rubric_rows(question, solution, part) -> list:
    """The rubric's rows of ``part``: one per graded answer (its label, what is accepted, its points)
    then one per criterion (the idea, its model sentence, its points), from symdl.grading.rubric's items."""
    rows, by_answer = [], {}
    for item in rubric.items(question, solution):
        if item.part != part:
            continue
        if item.answer is None:
            crit = next((c for c in solution.rubric if c.slug and _slug_column(question, c) == item.column), None)
            idea = crit.text if crit is not None else item.text
            rows.append({"criterion": True, "idea": idea, "model": _escape(item.text) if crit is not None and crit.model
                         else Tex(""), "points": points(item.points)})
        elif item.answer in by_answer:
            by_answer[item.answer]["items"].append(item)
        else:
            row = {"criterion": False, "answer": solution.meta[item.answer], "items": [item]}
            by_answer[item.answer] = row
            rows.append(row)
    for row in rows:
        if not row["criterion"]:
            row["label"] = label_tex(row["answer"])
            row["accepted"] = accepted_tex(row["answer"])
            row["points"] = _item_points(row["items"])
    return rows


def _slug_column(question, criterion) -> str:

    part = part_of(question, criterion.part)
    return f"{question.id}.{part}.{criterion.slug}" if part else f"{question.id}.{criterion.slug}"


def _item_points(items) -> Tex:
    """An answer's points: "2", or "2 (0.5 each)", or "1.5 + 1 + 1"."""
    total = sum((i.points for i in items), Fraction(0))
    if len(items) == 1:
        return points(total)
    if len({i.points for i in items}) == 1:
        return Tex(f"{points(total)} ({points(items[0].points)} each)")
    return Tex(" + ".join(points(i.points) for i in items))


def accepted_tex(answer) -> Tex:
    """What the rubric accepts, in words: "$0.773$, 3 s.f.", "$-0.04$ exactly", "yes"."""
    value = answer.value
    if isinstance(value, (bool, sympy.logic.boolalg.BooleanAtom)):
        return Tex("yes" if bool(value) else "no")
    if isinstance(value, str) or answer.tolerance is None:
        return Tex("by the criteria below")
    figures = answer.figures or 3
    entries = rubric.entry_indices(value)
    if entries == [()] and isinstance(value, (list, tuple)):            # a shape: one blank
        return Tex("$" + r" \times ".join(printer.tex(sympy.Integer(int(v))) for v in value) + "$ exactly")
    if len(entries) > MAX_ACCEPTED_LISTED:        # a big vector or matrix: the rule, not every number
        exact_all = all(_is_whole(rubric.entry_of(value, e)) for e in entries)
        return Tex(f"each of the {len(entries)} entries " + ("exactly" if exact_all else f"to {figures} s.f.")
                   + " (the values: the answer key)")
    shown, exact = [], []
    for e in entries:
        x = sympy.sympify(rubric.entry_of(value, e))
        tol = interval(x, figures)
        exact.append(tol is not None and tol[0] == 0)
        shown.append(_figures_text(x, figures, exact[-1]))
    cells = [f"${t}$" for t in shown]                    # one formula an entry: a long vector breaks between
    if entries and len(entries[0]) == 2:                # a matrix by rows: "[a, b; c, d]"
        rows: dict = {}
        for e, c in zip(entries, cells):
            rows.setdefault(e[0], []).append(c)
        body = "[" + "; ".join(", ".join(r) for r in rows.values()) + "]"
    else:
        body = cells[0] if entries == [()] else "[" + ", ".join(cells) + "]"
    if all(exact):
        words = "exactly"
    elif not any(exact):
        words = f"{figures} s.f." + ("" if entries == [()] else " each")
    else:
        words = f"{figures} s.f. (integers and short decimals exactly)"
    return Tex(f"{body}, {words}")


MAX_ACCEPTED_LISTED = 16      # a rubric row lists the accepted value of at most this many entries


def _is_whole(x) -> bool:
    try:
        return sympy.sympify(x).is_Integer is True
    except (TypeError, ValueError, sympy.SympifyError):
        return False


def _figures_text(x, figures, exact) -> str:
    """One number as the rubric states it: exact as written, or rounded to ``figures`` s.f."""
    import mpmath


    if exact:
        return printer.tex(x)
    with mpmath.workdps(hp.DPS):
        text = mpmath.nstr(mp_value(x), figures, strip_zeros=False, min_fixed=-5, max_fixed=7)
    if "e" in text:
        mant, exp = text.split("e")
        return rf"{mant} \cdot 10^{{{int(exp)}}}"
    return text


def question_mistakes(question, solution) -> list:
    """The question's mistakes, each once: {"name", "why", "rows": [(label, value)]}, in the order
    they first appear (an answer's mistakes in the order the kind gave them)."""
    groups: dict = {}
    for answer in solution.meta.values():
        for m in answer.mistakes:
            group = groups.setdefault(m.name, {"name": m.name, "why": m.why, "rows": []})
            group["rows"].append((label_tex(answer), mistake_tex(m.value, answer)))
    return list(groups.values())


def mistake_tex(value, answer) -> Tex:
    """A mistake's value as the rubric shows it: at the answer's figures, a column vector as a row."""
    digits = answer.figures or answer.digits
    if _column(value) and len(value) <= printer.MAX_SHOWN_COLUMNS:
        relation, body = value_parts(sympy.Matrix(value).T, digits)
        return Tex(f"${relation + ' ' if relation != '=' else ''}{body}" + r"^{\mathsf{T}}" + f"{_unit(answer.unit)}$")
    relation, body = value_parts(value, digits)
    if relation is None:
        return _escape(body)
    return Tex(f"${relation + ' ' if relation != '=' else ''}{body}{_unit(answer.unit)}$")
