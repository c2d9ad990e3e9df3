"""A kind paints its own figures, for the PDF and the HTML alike: for every kind and every figure name
its code can put in a Solution, ``Kind.figures`` registers a TeX painter (a macro of the kind's partial)
and an SVG painter together; a figure without them is a contract error in both documents, never a
figure one document silently leaves out. (That the HTML key then holds one SVG per figure of the PDF
key, for DI504 and every docs example, is tests/pipeline/test_html_scan.py.)"""

from __future__ import annotations

import ast
from pathlib import Path

import jinja2
import pytest

from symdl import kinds
from symdl.errors import ContractError
from symdl.render import latex, svg
from symdl.solution import Figure, Section, Solution

KINDS_DIR = Path(kinds.__file__).parent


def figure_names_in_code(kind_name: str) -> set:
    """Every figure name the kind's package writes in a ``Figure(...)`` (the name must be a literal, so
    that this list is complete)."""
    names = set()
    for path in sorted((KINDS_DIR / kind_name).glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Call) and getattr(node.func, "id", None) == "Figure":
                first = node.args[0] if node.args else None
                assert isinstance(first, ast.Constant) and isinstance(first.value, str), \
                    f"{path.name}:{node.lineno}: a figure's name is a literal"
                names.add(first.value)
    return names


def partial_macros(kind_name: str) -> set:
    env = latex.environment()
    source = env.loader.get_source(env, latex.kind_partial(kind_name))[0]
    return {m.name for m in env.parse(source).find_all(jinja2.nodes.Macro)}


@pytest.mark.parametrize("kind_name", kinds.BUILTIN)
def test_every_figure_a_kind_can_make_has_both_painters(kind_name):
    kind = kinds.get(kind_name)
    made = figure_names_in_code(kind_name)
    assert set(kind.figures) == made, "a figure without painters, or painters for no figure"
    macros = partial_macros(kind_name)
    for name, (tex_painter, svg_painter) in kind.figures.items():
        assert tex_painter in macros, f"{kind_name}: no macro {tex_painter} in its partial for {name!r}"
        assert callable(svg_painter)
        assert svg_painter.__module__ == f"symdl.kinds.{kind_name}.painters"     # the kind's, not a renderer's


def test_the_figures_of_di504_are_the_five_kinds_figures():
    """The figures a kind declares are the ones it makes (DI504 makes one of each but the network)."""
    from symdl.solve import solve_exam

    report = solve_exam()
    made = {}

    def walk(items, kind):
        for item in items:
            if isinstance(item, Section):
                walk(item.items, kind)
            elif isinstance(item, Figure):
                made.setdefault(kind, set()).add(item.name)

    for r in report.results:
        walk(r.solution.sections, r.question.kind)
    assert made == {"graph": {"graph"}, "neuron": {"activation"}, "softmax": {"bars"},
                    "training_log": {"curves", "gap"}}
    for kind_name, names in made.items():
        assert names <= set(kinds.get(kind_name).figures)


def test_a_figure_without_painters_is_a_contract_error_in_both_documents():
    """A kind whose Solution holds a figure it registers no painters for: both renderers refuse it,
    naming the kind and the figure (the HTML cannot leave out what the PDF draws, nor the reverse)."""
    from symdl.input.schema import Schema

    def solve(question):
        sol = Solution(question.id, "sketchy")
        sol.section("A drawing").add(Figure("sketch", {"points": [1, 2]}, caption="A sketch."))
        return sol

    kind = kinds.Kind(name="sketchy", schema=Schema(), solve=solve, independent=lambda q: {})
    kinds.register(kind)
    try:
        figure = Figure("sketch", {})
        with pytest.raises(ContractError, match="'sketchy' has no painters for its figure 'sketch'"):
            svg.draw(figure, "sketchy")
        env = latex.environment()
        template = env.from_string('<% import "macros.tex.j2" as m %>'
                                   '<% call(fig) m.sections(q, sol) %><< paint(fig) | tex >><% endcall %>')

        class Q:
            parts, part_points = {}, {}
        sol = solve(type("Question", (), {"id": "Q9"}))
        with pytest.raises(ContractError, match="'sketchy' has no TeX painter for its figure 'sketch'"):
            template.render(q=Q(), sol=sol)
    finally:
        kinds.unregister("sketchy")
