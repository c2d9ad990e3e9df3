"""The graph kind's model answer for DI504 Q1: what is marked for whom, parts, finals, boxes."""

from symdl.kinds import graph
from symdl.kinds.graph.parts import part_of
from symdl.solution import Step, Table, Text, shown
from symdl.input.spec import default_spec, load_exam
from support import solution_of


def di504_q1():
    return load_exam(default_spec()).questions[0]


def _words(item):
    text = item if isinstance(item, Text) else getattr(item, "text", "")
    parts = (text,) if isinstance(text, str) else getattr(text, "parts", ())
    return " ".join(p for p in parts if type(p) is str)


def test_finals_are_the_output_and_the_gradients_at_the_inputs():
    sol = solution_of(di504_q1())
    assert [(a.name, a.part) for a in sol.finals()] == [("output", "b"), ("grad.x", "c"), ("grad.W", "c")]
    assert all(a.label is not None for a in sol.finals())
    assert {a.part for a in sol.meta.values()} == {"b", "c"}        # every answer names its part
    assert [s.part for s in sol.sections] == ["a", "b", "c"]


def test_boxed_steps_are_the_gradients_at_w_and_x():
    sol = solution_of(di504_q1())
    boxed = [s for sec in sol.sections for s in sec.items if isinstance(s, Step) and s.boxed]
    assert [s.result for s in boxed] == [sol.answers["grad.x"], sol.answers["grad.W"]]


def test_model_answer_keeps_the_students_steps_only():
    sol = solution_of(di504_q1())
    model = [i for sec in sol.sections for i in sec.items if shown(i, "model")]
    assert not any(isinstance(i, Table) for i in model)              # the node table is the full derivation's
    assert not any("as it was read" in _words(i) for i in model)      # the function printed back: instructor
    assert any("as it was read" in _words(i) for sec in sol.sections for i in sec.items if shown(i, "instructor"))
    assert any("scalar-expanded" in _words(i) for i in model)
    assert sum(1 for i in model if getattr(i, "name", None) == "graph") == 3      # the three drawings
    backward = [i for i in sol.sections[2].items if isinstance(i, Step)]
    assert len(backward) == 6 and all(shown(s, "model") for s in backward)   # given, then one per edge
    for item in model:
        for bad in ("spec field", "float64", "symdl", "as parsed"):
            assert bad not in _words(item).lower()


def test_the_subgradient_convention_is_stated_once():
    sol = solution_of(di504_q1())
    stated = [a for a in sol.assumptions if isinstance(a, str) and "subgradient" in a]
    assert len(stated) == 1


def test_parts_are_found_by_their_words():
    class Q:
        parts = {"a": "Compute the value at every node.", "b": "Back-propagate the gradient to x."}
    assert [part_of(Q, r) for r in ("graph", "forward", "backward")] == [None, "a", "b"]
    Q.parts = {"i": "Draw the graph.", "ii": "Find the derivative of f with respect to w."}
    assert [part_of(Q, r) for r in ("graph", "forward", "backward")] == ["i", None, "ii"]


def test_the_kind_writes_no_latex():
    """No string of the graph kind's modules is LaTeX (docstrings aside) but in its notation.py, where
    its display objects print themselves: what it shows is built from the printer, the op table's
    display forms and display objects. The strings allowed name a
    backslash without writing LaTeX: the patterns that read parts and assignments, an error's advice."""
    import ast
    import re
    from pathlib import Path

    from symdl.kinds.graph import parts, program

    allowed = {pattern for _, pattern in parts._ROLES} | {program._NAME.pattern, program._SIMPLE.pattern,
                                                          program._AUTOMATIC.pattern, " \\cdot (...)'"}
    found = []
    for path in sorted(Path(graph.__file__).parent.glob("*.py")):
        if path.name == "notation.py":
            continue
        tree = ast.parse(path.read_text())
        docs = {id(n.body[0].value) for n in ast.walk(tree)
                if isinstance(n, (ast.Module, ast.FunctionDef, ast.ClassDef)) and n.body
                and isinstance(n.body[0], ast.Expr) and isinstance(n.body[0].value, ast.Constant)}
        for node in ast.walk(tree):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
                if re.search(r"\\[A-Za-z]", node.value) and node.value not in allowed:
                    found.append((path.name, node.lineno, node.value))
    assert found == []


def test_scalar_expanded_graph_when_asked(tmp_path):
    from symdl.kinds.graph.expanded import expanded_data
    from symdl.kinds.graph.build import build_graph
    from symdl.solution import Figure

    q = di504_q1()
    data = expanded_data(build_graph(q))
    labels = [n["label"]["text"] for n in data["nodes"] if n["style"] == "op"]
    # W x by entries: 4 products and 2 sums; + c2, exp and max once per entry
    assert sorted(labels) == sorted([r"\times"] * 4 + ["+"] * 4 + [r"\exp"] * 2 + [r"\max"] * 2)
    assert sum(n["style"] == "input" for n in data["nodes"]) == 6 and len(data["outputs"]) == 2
    assert sum(isinstance(i, Figure) for i in solution_of(q).sections[0].items) == 1     # off by default
    q.fields["expanded"] = True
    q.values["expanded"] = True
    assert sum(isinstance(i, Figure) for i in solution_of(q).sections[0].items) == 2
