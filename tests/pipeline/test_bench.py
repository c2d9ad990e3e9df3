"""Smoke tests of bench/run.py's pieces, and of the speed-ups they measure (kept under 10 s)."""

from __future__ import annotations

import importlib.util
import random
import sys
import tomllib

import numpy as np
import pytest
import sympy

from symdl.input import latex as latex_parse
from symdl.input.latex import skeleton as latex_skeleton
from symdl.solve import solve_question
from symdl.kinds import graph
from symdl.kinds.graph import check as graph_check
from symdl.input.spec import load_exam
from symdl.check.verify import agree
from support import TESTS, independent_of, solution_of

ROOT = TESTS.parent
_spec = importlib.util.spec_from_file_location("symdl_bench_run", ROOT / "bench" / "run.py")
bench = importlib.util.module_from_spec(_spec)
sys.modules["symdl_bench_run"] = bench
_spec.loader.exec_module(bench)


def _question(tmp_path, text, name="spec.toml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_exam(path).questions[0]


def test_chain_spec_is_a_valid_graph_spec():
    data = tomllib.loads(bench.chain_spec(3, 4))
    (q,) = data["question"]
    assert q["kind"] == "graph"
    assert q["function"].count(r"\operatorname{relu}") == 3
    assert sorted(q["values"]) == ["W_1", "W_2", "W_3", "b_1", "b_2", "b_3", "x"]
    w3 = latex_parse.parse_matrix(q["values"]["W_3"])
    assert w3.shape == (4, 4) and all(isinstance(v, sympy.Rational) for v in w3)
    assert latex_parse.parse_matrix(q["upstream"]).shape == (4, 1)
    # same seed, same spec; another seed, other numbers
    assert bench.chain_spec(3, 4) == bench.chain_spec(3, 4)
    assert bench.chain_spec(3, 4, seed=1) != bench.chain_spec(3, 4)


def test_tiny_chain_derives_verifies_and_matches_sympy_diff(tmp_path):
    q = _question(tmp_path, bench.chain_spec(1, 2))
    result = solve_question(q)
    assert result.verified
    naive = bench.naive_gradient(1, 2)          # SymPy's own diff of the written-out function
    ours = [float(v) for v in result.solution.answers["grad.x"]]
    assert np.allclose(ours, naive["grad_x"], rtol=1e-12, atol=0)
    # and by hand: relu(W x + b), L = u^T relu(.), grad_x = W^T (u * [z > 0])
    data = bench.chain_data(1, 2)
    W = np.array(data["W_1"], dtype=float)
    x = np.array(data["x"], dtype=float)
    b = np.array(data["b_1"], dtype=float)
    u = np.array(data["u"], dtype=float)
    z = W @ x + b
    assert np.allclose(np.array(ours).reshape(2, 1), W.T @ (u * (z > 0)))


def test_multi_digit_subscripts_name_the_values():
    parsed = latex_parse.parse_expression(r"\operatorname{relu}(W_{12} \cdot x + b_{12}) + W_{3} x")
    assert {s.name for s in parsed.expr.free_symbols} == {"W_12", "b_12", "W_3", "x"}


def _random_skeleton(rng, depth=0):
    names = ["x", "W", "b", "W_{1}", "b_{12}", "h_2", "A", "C^T", "e", "2", "0.5", "z_{ab}",
             r"\begin{bmatrix} 1 \\ 2 \end{bmatrix}", r"\operatorname{relu}(W x)", r"\tanh(x)", r"e^{x}"]
    parts = []
    for _ in range(rng.randint(1, 4)):
        if depth < 2 and rng.random() < 0.25:
            parts.append("(" + _random_skeleton(rng, depth + 1) + ")" + ("^T" if rng.random() < 0.2 else ""))
        else:
            parts.append(rng.choice(names))
    text = parts[0]
    for part in parts[1:]:
        text += rng.choice([" + ", " - ", r" \cdot ", " "]) + part
    return ("-" if rng.random() < 0.15 else "") + text


def _parse_both(text, monkeypatch):
    out = []
    for cached in (False, True, True):          # uncached, cache filled, cache hit
        monkeypatch.setattr(latex_parse, "SKELETON_CACHE", cached)
        latex_parse.clear_cache()
        try:
            parsed = latex_parse.parse_expression(text)
            out.append((sympy.srepr(parsed.expr), sorted((str(k), str(v)) for k, v in parsed.constants.items())))
        except Exception as exc:
            out.append(("error", type(exc).__name__))
    return out


def test_skeleton_cache_gives_the_uncached_parse(monkeypatch):
    rng = random.Random(3)
    texts = [bench.chain_function(4), r"W_{2}^T x - b_{3}", r"(A B)^T + 2 C", r"e x + y",
             r"\tanh(x) (e^{x}) + A"] + [_random_skeleton(rng) for _ in range(8)]
    for text in texts:
        uncached, filled, hit = _parse_both(text, monkeypatch)
        assert uncached == filled == hit, text


def test_skeleton_cache_parses_a_deep_chain_once():
    latex_parse.clear_cache()
    latex_skeleton._SKELETONS.clear()
    latex_parse.parse_expression(bench.chain_function(12))
    assert len(latex_skeleton._SKELETONS) == 1       # twelve layers, one shape


def test_large_graph_route_agrees_and_catches_a_wrong_answer(tmp_path, monkeypatch):
    # w = 32, L = 2: past the finite-difference budget, so weights take the sampled route
    q = _question(tmp_path, bench.chain_spec(2, 32))
    sol = solution_of(q)
    indep = independent_of(q)
    assert 2 * sum(np.size(v) for k, v in indep.items() if k.startswith("grad.")) > graph_check.FD_BUDGET
    for name, value in sol.answers.items():
        assert agree(value, indep[name], rtol=graph.KIND.tolerance), name
    wrong = sympy.Matrix(sol.answers["grad.W_1"])
    wrong[3, 5] += sympy.Rational(1, 1000)
    assert not agree(wrong, indep["grad.W_1"], rtol=graph.KIND.tolerance)

    # a wrong float rule is not trusted: its finite-difference checks reject it
    original = graph_check._numpy_vjp

    def transposed_matmul(node, g, args, y):
        parts = original(node, g, args, y)
        if node.op == "matmul" and parts[0].shape[0] == parts[0].shape[1]:
            parts[0] = parts[0].T
        return parts
    monkeypatch.setattr(graph_check, "_numpy_vjp", transposed_matmul)
    tampered = independent_of(q)
    assert not agree(sol.answers["grad.W_1"], tampered["grad.W_1"], rtol=graph.KIND.tolerance)
    assert agree(sol.answers["grad.b_1"], tampered["grad.b_1"], rtol=graph.KIND.tolerance)   # untouched


def test_vgg16_spec_counts_the_published_parameters(tmp_path):
    q = _question(tmp_path, bench.vgg16_spec())
    result = solve_question(q)
    assert result.verified
    assert result.solution.answers["total.learnables"] == 138_357_544   # Simonyan & Zisserman, config D


def test_table_renders_the_parts():
    results = {"machine": {"nproc": 2, "cpu": "cpu", "python": "3", "sympy": "1", "sympy_ground_types": "python",
                           "numpy": "2", "tex": ""},
               "derive": {"spec": "s", "runs": 1, "floor_median_s": 1.0, "derive_median_s": 1.5, "ratio": 1.5,
                          "met": True, "help_median_s": 0.05},
               "scaling": {"rows": [{"L": 1, "w": 2, "symdl_s": 0.1, "naive_s": None, "naive_note": "> 60 s (stopped)",
                                     "speedup": None, "verified": True}], "loglog_slope_in_L": {2: 1.0}}}
    text = bench.table(results)
    assert "1.50x" in text and "> 60 s" in text and "w=2: 1.00" in text
    results["variants"] = {"count": 100, "wall_s": 48.25, "cpu_s": 95.0, "cpu_over_2_cores_s": 47.5, "draws": 216,
                           "files": 506, "peak_rss_mb": 400.0, "exports": {"moodle.xml": 1, "canvas-qti.zip": 1},
                           "derive_export_s": 30.0, "tex_s": 18.0, "load_average_after": 1.0, "met": True}
    text = bench.table(results)
    assert "48.2 s wall (derive, verify, documents and LMS parts 30.0 s, TeX 18.0 s)" in text
    assert "moodle.xml, canvas-qti.zip" in text and "target < 60 s: met" in text
    del results["variants"]["tex_s"]            # a results.json from before the phases were recorded
    assert "48.2 s wall, 95.0 s CPU" in bench.table(results)


def _random_renamed(rng, depth=0):
    atoms = [r"\mathit{Zc0}", r"\mathit{Zc1}", r"\mathit{Zc2}", "2", "0.5", "3.25"]
    parts = []
    for _ in range(rng.randint(1, 4)):
        part = "(" + _random_renamed(rng, depth + 1) + ")" if depth < 3 and rng.random() < 0.3 else rng.choice(atoms)
        part += "^T" * rng.choice([0, 0, 0, 1, 2])
        if rng.random() < 0.15:
            part = rng.choice(["-", "+", "- "]) + part
        parts.append(part)
    text = parts[0]
    for part in parts[1:]:
        text += rng.choice([" + ", " - ", r" \cdot ", " ", ""]) + part
    return " ".join(text.split())


def test_simple_reader_builds_latex2sympy2s_own_tree():
    l2s = latex_parse._fresh_parser()
    rng = random.Random(5)
    compared = 0
    for _ in range(40):
        text = _random_renamed(rng)
        ours = latex_skeleton._read_simple(text)
        if ours is None:
            continue
        compared += 1
        assert sympy.srepr(ours) == sympy.srepr(l2s.latex2sympy(text)), text
    assert compared >= 30
    # a name before '(' is a function call for latex2sympy2: not read here
    assert latex_skeleton._read_simple(r"\mathit{Zc0} (\mathit{Zc1})") is None


def test_di504_spec_is_the_full_exam_when_every_kind_is_there(tmp_path):
    from symdl.input.spec import default_spec

    spec, note = bench.di504_spec(tmp_path)          # parts 1 and 2 start here (it once imported a name gone)
    assert spec == default_spec() and note == "full DI504 exam (5 questions)"
