"""Each mistake once per question (symdl/grading/mistake_rows.py): duplicates between mistakes dropped, a cap."""

import sympy

from symdl.grading.mistake_rows import MAX_MISTAKES, by_name, dedupe
from symdl.solution import Mistake, Solution

R = sympy.Rational


def solution(rows):
    """A Solution whose answers carry ``rows``: {answer: (right value, [Mistake])}."""
    sol = Solution("Q", "toy")
    for name, (value, mistakes) in rows.items():
        sol.answer(name, value, final=True)
        sol.meta[name].mistakes = list(mistakes)
    return sol


def names(sol):
    return {a: [m.name for m in meta.mistakes] for a, meta in sol.meta.items()}


def test_a_mistake_giving_the_same_values_on_the_same_rows_as_an_earlier_one_is_dropped():
    m = sympy.Matrix
    sol = solution({
        "x": (m([1, 2]), [Mistake("a", m([0, 2])), Mistake("b", m([0, 2])), Mistake("c", m([0, 2]))]),
        "W": (R(3), [Mistake("a", R(5)), Mistake("b", R(5)), Mistake("c", R(7))]),
        "y": (R(1), [Mistake("b", R(2))]),
    })
    dedupe(sol)
    # b gives a's values on x and W, but it also changes y: not the same mistake, kept;
    # c differs from a on W: kept
    assert names(sol) == {"x": ["a", "b", "c"], "W": ["a", "b", "c"], "y": ["b"]}
    sol = solution({"x": (m([1, 2]), [Mistake("a", m([0, 2])), Mistake("b", m([0, 2 + R(1, 10**30)]))]),
                    "W": (R(3), [Mistake("a", R(5)), Mistake("b", R(5))])})
    dedupe(sol)
    # b equals a on every row it affects (to 50 digits, relatively): a student writes the same, one is kept
    assert names(sol) == {"x": ["a"], "W": ["a"]}


def test_a_mistake_listed_twice_on_one_answer_keeps_its_first_value():
    sol = solution({"x": (R(1), [Mistake("a", R(2)), Mistake("a", R(3))])})
    dedupe(sol)
    assert [(mk.name, mk.value) for mk in sol.meta["x"].mistakes] == [("a", 2)]


def test_at_most_max_mistakes_per_question_the_first_listed():
    sol = solution({"x": (R(0), [Mistake(f"m{k}", R(k + 1)) for k in range(MAX_MISTAKES + 3)])})
    dedupe(sol)
    assert names(sol)["x"] == [f"m{k}" for k in range(MAX_MISTAKES)]
    assert list(by_name(sol)) == [f"m{k}" for k in range(MAX_MISTAKES)]


def test_the_groups_follow_the_kinds_order_read_back_from_the_answers():
    # the kind lists t, e, w; the first answer shows only w (e and t change nothing there)
    sol = solution({"z": (R(1), [Mistake("w", R(0))]),
                    "x": (R(1), [Mistake("t", R(2)), Mistake("e", R(3)), Mistake("w", R(0))]),
                    "y": (R(1), [Mistake("n", R(5))])})
    assert list(by_name(sol)) == ["t", "e", "w", "n"]
    assert by_name(sol)["w"].keys() == {"z", "x"}
