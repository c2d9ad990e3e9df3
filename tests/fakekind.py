"""A tiny problem kind for testing the pipeline itself: the sum a + b of two LaTeX numbers.

Its switches make it misbehave on purpose: ``lie`` (the independent route is off by one:
verification must fail), ``spin`` (loop for that many seconds: the time limit must stop
it), ``swallow`` (spin inside a broad ``except``, as careless code would), ``crash``
(raise ZeroDivisionError: an internal error), ``only_text`` (no numeric answer at all: nothing is
verified, which must not pass as verified). Registered through ``symdl.kinds.register`` by ``install()``, used in-process
and in subprocesses via ``python -c "import fakekind; fakekind.main()"`` with
``PYTHONPATH=tests``.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import sympy

from symdl.solution import Mistake, Solution, Step, Text, only

NAME = "fake"



def _spin(seconds, swallow):
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if swallow:
            try:
                sum(range(1000))
            except BaseException:  # noqa: BLE001 - deliberately careless
                pass
        else:
            sum(range(1000))


def solve(question):
    a, b = question.number("a"), question.number("b")
    spin = question.get("spin", (int, float), 0)
    if spin:
        _spin(spin, question.get("swallow", bool, False))
    if question.get("crash", bool, False):
        return 1 // 0
    sol = Solution(question.id, question.kind)
    if question.get("only_text", bool, False):
        sol.answer("remark", "nothing numeric to check")
        return sol
    sym_a, sym_b, sym_s = sympy.symbols("a b s")
    with sympy.evaluate(False):
        substituted = sympy.Add(a, b)
    sol.section("The sum", part="a").add(
        Step("Add the two numbers.", lhs=sym_s, formula=sym_a + sym_b, substituted=substituted,
             result=a + b, boxed=True))
    sol.answer("sum", a + b, part="a", label=sym_s, final=True)
    sol.sections[-1].add(*only("full", Text("Addition is commutative, so the order does not matter.")))
    sol.section("How the sum was checked", audience="instructor").add(
        Text("An instructor's note: the sum was also recomputed in floats.", audience="instructor"))
    sol.credit("a", "The two numbers added", 1)
    sol.credit("a", "The sum written as a fraction", alternative=True)
    sol.answer("positive", bool(a + b > 0))
    sol.answer("remark", "text answers are not checked numerically")
    return sol


def mistakes(question, solution):
    """Subtracting instead of adding; the sum rounded to an integer (no mistake when it is one)."""
    a, b = question.number("a"), question.number("b")
    if "sum" not in solution.answers:          # only_text: nothing numeric, no mistake to make
        return {}
    return {"sum": [Mistake("subtracted", a - b, "b taken away instead of added"),
                    Mistake("rounded", sympy.Integer(round(a + b)))]}


def independent(question):
    a, b = float(question.number("a")), float(question.number("b"))
    total = a + b + (1.0 if question.get("lie", bool, False) else 0.0)
    return {"sum": total, "positive": a + b > 0}


PARTIAL_FILE = Path(__file__).with_name("fakekind.tex.j2")


def kind():
    """The fake kind, as any kind outside symdl would declare itself."""
    from symdl.kinds import Kind
    from symdl.input.schema import Field, Schema

    return Kind(name=NAME,
                schema=Schema(Field("a", "value"), Field("b", "value"),
                              *(Field(f, "any", default=None) for f in ("lie", "spin", "swallow", "crash",
                                                                         "only_text"))),
                solve=solve, independent=independent, checks_note="The sum was recomputed in floats.",
                mistakes=mistakes,
                template=PARTIAL_FILE)


def install(monkeypatch=None):
    """Register the kind through symdl's public registry (once per process; ``monkeypatch`` is
    accepted for the older call sites and not used)."""
    from symdl import kinds

    if kinds.registered(NAME) is None:
        kinds.register(kind())


def main(argv=None):
    """Run symdl's command line with the fake kind registered (for subprocess tests)."""
    from symdl.cli import main as cli_main

    install()
    sys.exit(cli_main(argv if argv is not None else sys.argv[1:]))


def spec(*questions, title="A test exam", exam_id="fake-exam") -> str:
    """A spec text with one fake question per dict of fields given."""
    lines = ["[exam]", f"id = {exam_id!r}", f"title = {_toml(title)}", ""]
    for i, fields in enumerate(questions, start=1):
        lines += ["[[question]]", f'id = "Q{i}"', f'kind = "{NAME}"']
        lines += [f"{k} = {_toml(v)}" for k, v in fields.items()]
        lines.append("")
    return "\n".join(lines)


def _toml(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k} = {_toml(v)}" for k, v in value.items()) + "}"
    import json

    return json.dumps(value, ensure_ascii=False)  # a JSON string is a valid TOML basic string
