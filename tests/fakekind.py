"""A tiny problem kind for testing the pipeline itself: the sum a + b of two LaTeX numbers.

Its switches make it misbehave on purpose: ``lie`` (the independent route is off by one:
verification must fail), ``spin`` (loop for that many seconds: the time limit must stop
it), ``swallow`` (spin inside a broad ``except``, as careless code would), ``crash``
(raise ZeroDivisionError: an internal error), ``only_text`` (no numeric answer at all: nothing is
verified, which must not pass as verified). Used in-process via ``install(monkeypatch)``
and in subprocesses via ``python -c "import fakekind; fakekind.main()"`` with
``PYTHONPATH=tests``.
"""

from __future__ import annotations

import sys
import time

import sympy

from symdl.solution import Solution, Step

FIELDS = {"a", "b", "lie", "spin", "swallow", "crash", "only_text"}
NAME = "fake"

PARTIAL = """<% import "macros.tex.j2" as m %>
<% call(fig) m.sections(q, sol) %><% endcall %>
"""


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
             result=a + b))
    sol.answer("sum", a + b)
    sol.answer("positive", bool(a + b > 0))
    sol.answer("remark", "text answers are not checked numerically")
    return sol


def independent(question):
    a, b = float(question.number("a")), float(question.number("b"))
    total = a + b + (1.0 if question.get("lie", bool, False) else 0.0)
    return {"sum": total, "positive": a + b > 0}


def _environment_with_partial(original):
    import jinja2

    def environment(*args, **kwargs):
        env = original(*args, **kwargs)
        env.loader = jinja2.ChoiceLoader([env.loader, jinja2.DictLoader({f"kinds/{NAME}.tex.j2": PARTIAL})])
        return env

    return environment


def install(monkeypatch):
    """Register the kind for one test (pytest's monkeypatch undoes it afterwards)."""
    import symdl.kinds
    import symdl.render.latex as latex

    monkeypatch.setitem(sys.modules, "fakekind", sys.modules[__name__])
    monkeypatch.setitem(symdl.kinds.KINDS, NAME, "fakekind")
    monkeypatch.setattr(latex, "environment", _environment_with_partial(latex.environment))


def main(argv=None):
    """Run symdl's command line with the fake kind registered (for subprocess tests)."""
    import symdl.kinds
    import symdl.render.latex as latex
    from symdl.cli import main as cli_main

    sys.modules.setdefault("fakekind", sys.modules[__name__])
    symdl.kinds.KINDS[NAME] = "fakekind"
    latex.environment = _environment_with_partial(latex.environment)
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
