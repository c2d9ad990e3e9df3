"""The conv kind against independent truth: published worked examples, hand numpy loops, torch autograd."""

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import sympy

from symdl.derive import derive
from symdl.solve import solve_question
from symdl.errors import SpecError
from symdl.kinds import conv
from symdl.kinds.conv.fields import read
from symdl.input.spec import load_exam
from symdl.check.verify import to_float_array, verify
from support import (TESTS, answer_values, central_difference, documented_example, one_question,
    shared_derive, solution_of)

SPECS = TESTS / "specs"
ROOT = TESTS.parent
SPEC_FILES = ["conv_basic.toml", "conv_multi.toml", "conv_pool.toml", "conv_large.toml"]
ALL = [(f, q.id) for f in SPEC_FILES for q in load_exam(SPECS / f).questions]

# Dumoulin & Visin, "A guide to convolution arithmetic for deep learning" (2016), Figure 1.1
# (and 1.2): the 5 x 5 input, the 3 x 3 kernel, the convolution's output and the 3 x 3
# max-pool (stride 1) of the same input, as printed in the figures.
DV_INPUT = [[3, 3, 2, 1, 0], [0, 0, 1, 3, 1], [3, 1, 2, 2, 3], [2, 0, 0, 2, 2], [2, 0, 0, 0, 1]]
DV_KERNEL = [[0, 1, 2], [2, 2, 0], [0, 1, 2]]
DV_CONV = [[12, 12, 17], [10, 17, 19], [9, 6, 14]]
DV_MAXPOOL = [[3, 3, 3], [3, 3, 3], [3, 2, 3]]
# CS231n "Convolutional Neural Networks" notes, pooling layer figure: 2 x 2 max-pool, stride 2.
CS231N_INPUT = [[1, 1, 2, 4], [5, 6, 7, 8], [3, 2, 1, 0], [1, 2, 3, 4]]
CS231N_MAXPOOL = [[6, 8], [3, 4]]


def arr(value):
    return np.squeeze(to_float_array(value))


def question(tmp_path, body, name="c"):
    return one_question(tmp_path, "conv", body, name)


def spec_question(file, qid):
    return next(q for q in load_exam(SPECS / file).questions if q.id == qid)


def bmatrix(rows):
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(str(v) for v in r) for r in rows) + r" \end{bmatrix}"


def floats(p):
    x = np.array([np.array(X.tolist(), dtype=float) for X in p.x])
    k = np.array([[np.array(K.tolist(), dtype=float) for K in f] for f in p.kernels]) if p.kernels else None
    g = np.array([np.array(G.tolist(), dtype=float) for G in p.upstream]) if p.upstream else None
    return x, k, g


def names(base, count):
    return [base] if count == 1 else [f"{base}.{n}" for n in range(1, count + 1)]


# ---------------------------------------------------- the test's own direct loops ---

def hand_forward(op, x, k, bias, stride, pad, dilation, window):
    """Four nested loops over (channel, row, column, kernel entry), no numpy vectorisation."""
    t, b, l, r = pad
    C, H, W = x.shape
    kh, kw = window
    fill = -np.inf if op == "maxpool" else 0.0
    xp = np.full((C, H + t + b, W + l + r), fill)
    xp[:, t:t + H, l:l + W] = x
    Ho = (H + t + b - dilation[0] * (kh - 1) - 1) // stride[0] + 1
    Wo = (W + l + r - dilation[1] * (kw - 1) - 1) // stride[1] + 1
    outs = k.shape[0] if op == "conv" else C
    y = np.zeros((outs, Ho, Wo))
    for o in range(outs):
        for i in range(Ho):
            for j in range(Wo):
                vals = []
                for c in ([o] if op != "conv" else range(C)):
                    for u in range(kh):
                        for v in range(kw):
                            xv = xp[c, i * stride[0] + u * dilation[0], j * stride[1] + v * dilation[1]]
                            vals.append(k[o, c, u, v] * xv if op == "conv" else xv)
                y[o, i, j] = (sum(vals) + bias[o] if op == "conv" else max(vals) if op == "maxpool"
                              else sum(vals) / (kh * kw))
    return y


def fd_gradient(f, x, h=0.5):
    """Central differences with a wide step: exact (up to rounding) for the linear maps of
    convolution and average pooling."""
    return central_difference(f, x, h)


# ---------------------------------------------------------------- published figures ---

def test_dumoulin_visin_figure_1_1_convolution(tmp_path):
    q = question(tmp_path, f"input = '{bmatrix(DV_INPUT)}'\nkernel = '{bmatrix(DV_KERNEL)}'\n")
    sol = solution_of(q)
    assert sol.answers["output"] == sympy.Matrix(DV_CONV)
    assert list(sol.answers["output_size"]) == [3, 3]
    assert all(c.ok for c in verify(q, sol))


def test_dumoulin_visin_figure_1_2_max_pooling(tmp_path):
    q = question(tmp_path, f"operation = 'maxpool'\ninput = '{bmatrix(DV_INPUT)}'\nwindow = 3\nstride = 1\n")
    assert solution_of(q).answers["output"] == sympy.Matrix(DV_MAXPOOL)


def test_cs231n_max_pool_figure(tmp_path):
    q = question(tmp_path, f"operation = 'maxpool'\ninput = '{bmatrix(CS231N_INPUT)}'\nwindow = 2\n")
    sol = solution_of(q)
    assert sol.answers["output"] == sympy.Matrix(CS231N_MAXPOOL)
    assert any("stride equals the window" in a for a in sol.assumptions)


# Dumoulin & Visin (2016), Figures 2.1-2.7 and 5.1: (input, kernel, stride, padding, dilation) -> output.
DV_SIZES = [(4, 3, 1, 0, 1, 2), (5, 4, 1, 2, 1, 6), (5, 3, 1, 1, 1, 5), (5, 3, 1, 2, 1, 7),
            (5, 3, 2, 0, 1, 2), (5, 3, 2, 1, 1, 3), (6, 3, 2, 1, 1, 3), (7, 3, 1, 0, 2, 3)]


@pytest.mark.parametrize("n, k, s, pad, d, expected", DV_SIZES)
def test_dumoulin_visin_output_sizes(tmp_path, n, k, s, pad, d, expected):
    x = [[(i * n + j) % 5 - 2 for j in range(n)] for i in range(n)]
    kern = [[(u + 2 * v) % 3 - 1 for v in range(k)] for u in range(k)]
    q = question(tmp_path, f"input = '{bmatrix(x)}'\nkernel = '{bmatrix(kern)}'\nstride = {s}\n"
                           f"padding = {pad}\ndilation = {d}\n")
    sol = solution_of(q)
    assert list(sol.answers["output_size"]) == [expected, expected]
    assert sol.answers["output"].shape == (expected, expected)
    assert all(c.ok for c in verify(q, sol))


# ------------------------------------------------------------- every spec, by hand ---

@pytest.mark.parametrize("file, qid", ALL)
def test_forward_matches_a_hand_loop(file, qid):
    q = spec_question(file, qid)
    p = read(q)
    x, k, _ = floats(p)
    y = hand_forward(p.operation, x, k, [float(b) for b in p.bias], p.stride, p.pad, p.dilation, p.window)
    sol = solution_of(q)
    for name, want in zip(names("output", y.shape[0]), y):
        np.testing.assert_allclose(arr(sol.answers[name]), want, rtol=1e-13, atol=1e-13)
    assert list(sol.answers["output_size"]) == list(y.shape[1:])
    assert all(c.ok for c in verify(q, sol))


@pytest.mark.parametrize("file, qid", [a for a in ALL if read(spec_question(*a)).upstream is not None])
def test_gradients_match_finite_differences_or_a_routing_loop(file, qid):
    q = spec_question(file, qid)
    p = read(q)
    x, k, g = floats(p)
    bias = np.array([float(b) for b in p.bias])
    a = solution_of(q).answers

    def loss(xx=x, kk=k, bb=bias):
        return float(np.sum(g * hand_forward(p.operation, xx, kk, bb, p.stride, p.pad, p.dilation, p.window)))

    if p.operation == "maxpool":        # routing by hand: first maximum of each window, row-major
        want = np.zeros_like(x)
        t, _, l, _ = p.pad
        for c in range(p.C):
            for i in range(g.shape[1]):
                for j in range(g.shape[2]):
                    best = None
                    for u in range(p.window[0]):
                        for v in range(p.window[1]):
                            r, s = i * p.stride[0] + u * p.dilation[0] - t, j * p.stride[1] + v * p.dilation[1] - l
                            if 0 <= r < x.shape[1] and 0 <= s < x.shape[2] and (best is None or x[c, r, s] > best[0]):
                                best = (x[c, r, s], r, s)
                    want[c, best[1], best[2]] += g[c, i, j]
    else:
        want = fd_gradient(lambda xx: loss(xx=xx), x)
    for name, w in zip(names("grad.input", p.C), want):
        np.testing.assert_allclose(arr(a[name]), w, rtol=1e-10, atol=1e-10)
    if p.operation == "conv":
        gk = fd_gradient(lambda kk: loss(kk=kk), k)
        for f in range(p.F):
            for c in range(p.C):
                name = "grad.kernel" if p.F == p.C == 1 else f"grad.kernel.{f + 1}.{c + 1}"
                np.testing.assert_allclose(arr(a[name]), gk[f, c], rtol=1e-10, atol=1e-10)
        if p.has_bias:
            np.testing.assert_allclose(arr(a["grad.bias"]), fd_gradient(lambda bb: loss(bb=bb), bias), rtol=1e-10)
        else:
            assert "grad.bias" not in a


def test_the_run_time_check_catches_a_wrong_answer():
    q = spec_question("conv_multi.toml", "M1")
    sol = solution_of(q)
    assert all(c.ok for c in verify(q, sol))
    right = sol.answers["grad.kernel.2.1"]
    nudge = sympy.zeros(3, 3)
    nudge[1, 1] = sympy.Rational(1, 10**5)                            # 1e-5 off one entry: relative 1e-5 > 1e-9
    sol.answers["grad.kernel.2.1"] = right + nudge
    failed = [c.name for c in verify(q, sol) if not c.ok]
    assert failed == ["grad.kernel.2.1"]


def test_the_independent_route_shares_no_code_with_the_derivation():
    import ast
    import symdl.kinds.conv.check as check
    tree = ast.parse(Path(check.__file__).read_text())
    imported = {n.module for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)} | {
        a.name for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    assert imported <= {"__future__", "numpy", "symdl.check"}
    # from symdl only check.hp (the verifier's rounding bound), never the derivation's modules
    assert {a.name for n in ast.walk(tree) if isinstance(n, ast.ImportFrom) and n.module == "symdl.check"
            for a in n.names} == {"hp"}


# ---------------------------------------------------------------------- torch ---

def torch_reference(p):
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    x, k, g = floats(p)
    xt = torch.tensor(x[None], dtype=torch.float64, requires_grad=True)
    t, b, l, r = p.pad
    out = {}
    if p.operation == "conv":
        kt = torch.tensor(k, dtype=torch.float64, requires_grad=True)
        bt = torch.tensor([float(v) for v in p.bias], dtype=torch.float64, requires_grad=True)
        if p.padding_mode == "same" and p.stride == (1, 1):
            y = F.conv2d(xt, kt, bt, padding="same", dilation=p.dilation)      # torch's own 'same'
        else:
            y = F.conv2d(F.pad(xt, (l, r, t, b)), kt, bt, stride=p.stride, dilation=p.dilation)
    else:
        assert (t, l) == (b, r)
        if p.operation == "maxpool":
            y = F.max_pool2d(xt, p.window, p.stride, (t, l), dilation=p.dilation)
        else:
            y = F.avg_pool2d(xt, p.window, p.stride, (t, l), count_include_pad=True)
    out["output"] = y.detach().numpy()[0]
    if g is not None:
        y.backward(torch.tensor(g[None], dtype=torch.float64))
        out["grad.input"] = xt.grad.numpy()[0]
        if p.operation == "conv":
            out["grad.kernel"] = kt.grad.numpy()
            out["grad.bias"] = bt.grad.numpy()
    return out


@pytest.mark.parametrize("file, qid", ALL)
def test_against_torch_functional_and_autograd(file, qid):
    q = spec_question(file, qid)
    p = read(q)
    ref = torch_reference(p)
    a = solution_of(q).answers
    for name, want in zip(names("output", ref["output"].shape[0]), ref["output"]):
        np.testing.assert_allclose(arr(a[name]), want, rtol=1e-12, atol=1e-12)
    if "grad.input" in ref:
        for name, want in zip(names("grad.input", p.C), ref["grad.input"]):
            np.testing.assert_allclose(arr(a[name]), want, rtol=1e-12, atol=1e-12)
    if "grad.kernel" in ref:
        for f in range(p.F):
            for c in range(p.C):
                name = "grad.kernel" if p.F == p.C == 1 else f"grad.kernel.{f + 1}.{c + 1}"
                np.testing.assert_allclose(arr(a[name]), ref["grad.kernel"][f, c], rtol=1e-12, atol=1e-12)
        if p.has_bias:
            np.testing.assert_allclose(arr(a["grad.bias"]), np.squeeze(ref["grad.bias"]), rtol=1e-12)


def test_same_padding_stride_2_is_tensorflows():
    # TensorFlow's 'same' (tf.nn.conv2d docs): out = ceil(n / s); n = 5, k = 3, s = 2 -> 3, one zero each side
    p = read(spec_question("conv_multi.toml", "M3"))
    assert p.out_size == (3, 3) and p.pad == (1, 1, 1, 1)
    # n = 4, k = 2, s = 1: one zero, after (bottom / right), as TensorFlow and torch's padding='same'
    assert read(spec_question("conv_multi.toml", "M4")).pad == (0, 1, 0, 1)


# ------------------------------------------------------------- exactness, sheet ---

def test_values_stay_exact_rationals():
    a = solution_of(spec_question("conv_multi.toml", "M3")).answers     # a kernel of thirds
    assert any(v.q == 3 for v in a["output"])                          # 1/3 survives, no float
    a = solution_of(spec_question("conv_multi.toml", "M2")).answers     # 0.1 in the kernel
    assert all(isinstance(v, sympy.Rational) for v in a["output"])
    # L = sum of the 2 x 2 outputs: dL/dK_{2,2} = the inputs under the centre, rows and columns 3-4: 1 + 1 + 0 + 3
    assert a["grad.kernel"][1, 1] == 5


def test_max_pool_tie_goes_to_the_first_maximum_and_is_stated():
    q = spec_question("conv_pool.toml", "P1")
    sol = solution_of(q)
    # by hand: windows (1,1) and (1,2) both take their max 3 at input (1,2) (each has more than one 3:
    # the first in row-major order wins): 1 + 2; (2,1) and (2,2) at (2,2): 0.5 + 3;
    # (1,3) and (2,3) (a tie 4, 4) at (2,4): -1 + 1
    g = sol.answers["grad.input"]
    assert g == sympy.Matrix([[0, 3, 0, 0], [0, sympy.Rational(7, 2), 0, 0], [0, 0, 0, 0]])
    assert any("first maximum in row-major order" in a for a in sol.assumptions)
    assert "Tie in window(s) (1, 1), (1, 2), (2, 3)" in repr(sol.sections)


def test_toml_rows_and_channel_lists_read_as_bmatrix_values(tmp_path):
    q = question(tmp_path, "input = [[[1, 2, 3], [4, 5, 6]], [[0, 1, 0], [1, 0, 1]]]\n"
                           "kernel = [[[1, -1]], '[0.5 \\quad 0.5]']\nbias = '0.25'\n")
    a = solution_of(q).answers
    # by hand: channel 1 rows (1-2, 2-3, 4-5, 5-6) -> -1 each; channel 2 halves of (0+1, 1+0, 1+0, 0+1); + 0.25
    assert a["output"] == sympy.Matrix([[-1 + sympy.Rational(1, 2) + sympy.Rational(1, 4)] * 2] * 2)


def test_output_size_step_shows_the_numbers_and_what_the_floor_drops(tmp_path):
    x = [[1] * 6] * 6
    q = question(tmp_path, f"input = '{bmatrix(x)}'\nkernel = '{bmatrix([[1, 0], [0, 1]])}'\nstride = 3\n")
    sol = solution_of(q)
    steps = [i for s in sol.sections for i in s.items if type(i).__name__ == "Step" and i.substituted is not None]
    from symdl.notation.printer import tex
    floor = r"\left\lfloor \frac{6 + 0 + 0 - 1 \cdot \left(2 - 1\right) - 1}{3} \right\rfloor + 1"
    assert floor in tex(steps[0].substituted)
    assert list(sol.answers["output_size"]) == [2, 2]
    assert "drops the last 1 row" in repr(sol.sections)


def test_large_output_shows_first_sums_and_a_table():
    sol = solution_of(spec_question("conv_large.toml", "L1"))      # 36 short sums: one table row each
    assert sol.answers["output"].shape == (6, 6)
    tables = [i for s in sol.sections for i in s.items if type(i).__name__ == "Table"]
    assert any(len(t.rows) == 36 and t.header[1] == "sum over the window" for t in tables)
    sol = solution_of(spec_question("conv_large.toml", "L2"))      # 16 sums of 18 terms: 4 steps, 12 in a table
    assert "The other 12 entries." in repr(sol.sections)


def test_docs_example_derives_with_its_pdf(tmp_path, tmp_path_factory):
    spec = documented_example("conv", tmp_path)
    pdf = shutil.which("latexmk") is not None
    # made once for the run: test_docs_examples.py derives the same example (every question's verified flag)
    report = shared_derive(tmp_path_factory, spec.read_text())
    assert report.verified
    folder = report.folder
    answers = {q["id"]: answer_values(q) for q in json.loads((folder / "answers.json").read_text())["questions"]}
    assert answers["Q1"]["output"] == DV_CONV
    assert answers["Q2"]["output"] == CS231N_MAXPOOL
    # L = sum of outputs: dL/dK_{u,v} = the sum of the inputs kernel entry (u, v) passes over; no bias, no dL/db
    x = np.array(DV_INPUT, dtype=float)
    want_k = [[x[u:u + 3, v:v + 3].sum() for v in range(3)] for u in range(3)]
    assert answers["Q1"]["grad.kernel"] == want_k and "grad.bias" not in answers["Q1"]
    # CS231n figure: maxima 6, 8, 3, 4 at (2,2), (2,4), (3,1), (4,4)
    assert answers["Q2"]["grad.input"] == [[0, 0, 0, 0], [0, 0.5, 0, -1], [2, 0, 0, 0], [0, 0, 0, 0.25]]
    if pdf:
        assert (folder / "answer-key.pdf").stat().st_size > 10_000


# ------------------------------------------------------------------ bad input ---

BAD = [
    ("operation = 'minpool'\ninput = '[1]'\nwindow = 1\n", "operation", "unknown operation"),
    ("input = '\\begin{bmatrix} 1 & 2 \\\\ 3 & 4 \\end{bmatrix}'\nkernel = '\\begin{bmatrix} 1 & 0 & 1 \\\\ 0 & 1 & 0 "
     "\\\\ 1 & 0 & 1 \\end{bmatrix}'\n", "kernel", "more than the padded input"),
    ("input = '[1 \\quad 2]'\nkernel = '[1]'\nstride = 0\n", "stride", "from 1"),
    ("input = '[1 \\quad 2]'\nkernel = '[1]'\ndilation = [1, 0]\n", "dilation", "from 1"),
    ("input = ['[1 \\quad 2]', '[1 \\quad 2 \\quad 3]']\nkernel = ['[1]', '[1]']\n", "input[2]", "one shape"),
    ("input = ['[1 \\quad 2]', '[3 \\quad 4]']\nkernel = '[1]'\n", "kernel", "one kernel per input channel"),
    ("input = '[1 \\quad 2]'\nfilters = ['[1]', '[1 \\quad 1]']\n", "filters[2]", "kernel size"),
    ("input = '[1 \\quad 2]'\nkernel = '[1]'\nbias = [1, 2]\n", "bias", "one per filter"),
    ("input = '[1 \\quad 2]'\nkernel = '[1]'\nupstream = '[1 \\quad 2 \\quad 3]'\n", "upstream", "upstream gradient"),
    ("input = '[1 \\quad 2]'\nkernel = '[1]'\npadding = 'full'\n", "padding", "unknown padding"),
    ("operation = 'maxpool'\ninput = '[1 \\quad 2]'\nkernel = '[1]'\n", "kernel", "not a field"),
    ("operation = 'avgpool'\ninput = '[1 \\quad 2]'\nwindow = 1\ndilation = 2\n", "dilation", "not a field"),
    ("operation = 'maxpool'\ninput = '[1 \\quad 2 \\quad 3]'\nwindow = 2\npadding = 2\n", "padding", "half the window"),
    ("operation = 'maxpool'\ninput = '[1 \\quad 2]'\n", "window", "missing"),
    ("input = '[1 \\quad x]'\nkernel = '[1]'\n", "input", ""),
    ("input = '[1 \\quad 2]'\n", "kernel", "missing"),
    ("input = '[1 \\quad 20000000]'\nkernel = '[1]'\n", "input", "too large"),
    ("input = '[1 \\quad \\pi]'\nkernel = '[1]'\n", "input", "rational number"),
    ("input = '[1 \\quad 2]'\nkernel = '[1]'\nbias = 1e9\n", "bias", "within"),
    ("input = '[1 \\quad 2]'\nkernel = '[1]'\nbackward = false\nupstream = '[1 \\quad 1]'\n", "backward",
     "contradicts"),
    ("input = '[1 \\quad 2]'\nkernel = '[1]'\nfilters = ['[1]']\n", "filters", "not both"),
    ("input = '\\begin{bmatrix} 1 & ^^5cinput{answers.json} \\end{bmatrix}'\nkernel = '[1]'\n", "input", ""),
    ("input = '[1 \\quad 2]'\nkernel = '\\begin{bmatrix} 1 & \\openout3 \\end{bmatrix}'\n", "kernel", ""),
    ("operation = 'maxpool'\ninput = '[1 \\quad 2]'\nwindow = [1, 2]\ndilation = [1, 3]\npadding = [0, 1]\n",
     "padding", "padding only"),
]


@pytest.mark.parametrize("body, field, words", BAD)
def test_bad_fields_name_the_field(tmp_path, body, field, words):
    q = question(tmp_path, body)
    with pytest.raises(SpecError) as info:
        solve_question(q)
    assert info.value.field == field
    text = str(info.value)
    assert str(q.file) in text and "question Q" in text and f"field '{field}'" in text and words in text


def test_bad_input_through_the_cli_is_one_line_exit_2(tmp_path):
    spec = tmp_path / "bad.toml"
    spec.write_text('[exam]\nid = "b"\ntitle = "b"\n[[question]]\nid = "Q7"\nkind = "conv"\n'
                    "input = '[1 \\quad 2]'\nkernel = '[1]'\nstride = 0\n")
    run = subprocess.run([sys.executable, "-m", "symdl", "derive", str(spec), "--out", str(tmp_path / "o")],
                         capture_output=True, text=True, cwd=ROOT, env=dict(os.environ), timeout=120)
    assert run.returncode == 2
    lines = run.stderr.strip().splitlines()
    assert len(lines) == 1 and "bad.toml" in lines[0] and "question Q7" in lines[0] and "field 'stride'" in lines[0]
    assert "Traceback" not in run.stderr and not (tmp_path / "o" / "b").exists()
