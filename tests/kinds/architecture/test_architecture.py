"""The architecture kind against published parameter counts, hand counts and its own checks."""

from __future__ import annotations


import shutil
import subprocess
import textwrap
import time
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from symdl.derive import derive
from symdl.solve import solve_question
from symdl.errors import SpecError
from symdl import kinds
from symdl.kinds import architecture as arch
from symdl.notation.printer import tex
from symdl.render import latex
from symdl.solution import Section, Step
from symdl.input.spec import default_spec, load_exam
from symdl.check.verify import agree, verify
from support import TESTS, documented_example, independent_of, shared_derive, solution_of

SPECS = TESTS / "specs"


def question_of(path, qid=None):
    exam = load_exam(path)
    return next(q for q in exam.questions if q.kind == "architecture" and (qid is None or q.id == qid))


def solved(path, qid=None):
    q = question_of(path, qid)
    q.values = kinds.get('architecture').schema.check(q)
    return q, solution_of(q)


def spec_text(tmp_path, layers, convention="matlab", extra=""):
    body = textwrap.dedent(f"""
        [exam]
        id = "t"
        title = "t"
        [[question]]
        id = "A"
        kind = "architecture"
        convention = "{convention}"
        {extra}
    """)
    for layer in layers:
        body += "[[question.layer]]\n" + "\n".join(f"{k} = {v}" for k, v in layer.items()) + "\n"
    path = tmp_path / "spec.toml"
    path.write_text(body)
    return path


# -- DI504 Q4 ------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def q4():
    return solved(default_spec(), "Q4")


def test_di504_sizes(q4):
    _, sol = q4
    a = sol.answers
    # hand computation: floor((3001 + 3 + 3 - 200)/1) + 1 = 2808, floor((2808 - 6)/6) + 1 = 468, ...
    assert a["conv1_1.output"] == [2808, 33, 64]
    assert a["conv1_2.output"] == [2808, 33, 64]
    assert a["pool1.output"] == [468, 33, 64]
    assert a["pool2.output"] == [78, 33, 128]
    assert a["conv3_2.output"] == [78, 12, 128]          # floor((33 + 1 + 1 - 2)/3) + 1 = 12
    assert a["pool3.output"] == [13, 12, 128]
    assert a["fc7.output"] == [1, 1, 256]
    assert a["fc7.weights"] == [256, 13 * 12 * 128]
    assert a["fc7.bias"] == [256, 1]
    assert a["conv1_1.weights"] == [200, 1, 1, 64]
    assert a["conv1_1.bias"] == [1, 1, 64]
    assert a["conv3_2.weights"] == [3, 2, 128, 128]
    assert a["pool1.learnables"] == 0 and a["pool1.weights"] == []
    assert a["fc9.output"] == [1, 1, 10] and a["output.output"] == [1, 1, 10]
    expected = (200 * 64 + 64) + (3 * 64 * 64 + 64) + (3 * 64 * 128 + 128) + 2 * (3 * 128 * 128 + 128) \
        + (3 * 2 * 128 * 128 + 128) + (19968 * 256 + 256) + (256 * 256 + 256) + (256 * 10 + 10)
    assert a["total.learnables"] == expected == 5427338
    assert a["conv1_1.macs"] == 2808 * 33 * 64 * 200


def test_di504_verified_and_steps(q4):
    q, sol = q4
    checks = verify(q, sol)
    assert checks and all(c.ok for c in checks)
    calc = next(s for s in sol.sections if s.title.startswith("Calculations"))
    conv11 = next(s for s in calc.items if isinstance(s, Section) and "conv1_1" in s.title)
    h = next(i for i in conv11.items if isinstance(i, Step) and i.text == "output height")
    assert r"\left\lfloor \frac{H_{\mathrm{in}} + p_{t} + p_{b} - k_{h}}{s_{h}} \right\rfloor + 1" == tex(h.formula)
    assert "3001 + 3 + 3 - 200" in tex(h.substituted)
    assert int(h.result) == 2808
    # every stride of DI504 divides: no layer reports a dropped row
    assert "does not divide" not in notes_of(calc)
    # the renamed ReLU is noted on the sheet
    table = next(s for s in sol.sections if s.title == "Completed table")
    assert any("ReLU3_1 a second time" in "".join(map(str, getattr(i, "parts", ()))) for i in table.items)


def notes_of(section, name=None):
    return " ".join(" ".join(p for p in i.parts if isinstance(p, str))
                    for sub in section.items if isinstance(sub, Section) and (name is None or name in sub.title)
                    for i in sub.items if not isinstance(i, Step))


def test_floor_drop_is_stated():
    _, sol = solved(SPECS / "architecture_alexnet_pytorch.toml")
    calc = next(s for s in sol.sections if s.title.startswith("Calculations"))
    # floor((224 + 2 + 2 - 11)/4) + 1 = 55: 217 = 4 * 54 + 1, one row and one column never covered
    text = notes_of(calc, "features.0 ")
    assert "the floor drops 1 row at the bottom" in text and "drops 1 column at the right" in text
    block = next(s for s in calc.items if isinstance(s, Section) and s.title.startswith("features.0 "))
    note = next(i for i in block.items if not isinstance(i, Step) and "the floor drops 1 row" in str(i.parts))
    # the numbers are math, not ASCII in the prose: 228 - 11 = 217, 217 mod 4 = 1
    assert [tex(p) for p in note.parts if not isinstance(p, str)] == ["4", "228 - 11 = 217", r"217 \bmod 4 = 1"]


# -- published parameter counts, in each convention -----------------------------------------------
@pytest.mark.parametrize("spec, total", [
    ("architecture_lenet5_matlab.toml", 61_706),          # LeNet-5
    ("architecture_alexnet_matlab.toml", 60_965_224),     # MATLAB alexnet (grouped, original)
    ("architecture_alexnet_pytorch.toml", 61_100_840),    # torchvision.models.alexnet
    ("architecture_vgg16_keras.toml", 138_357_544),       # keras.applications.VGG16
])
def test_published_counts(spec, total):
    q, sol = solved(SPECS / spec)
    assert sol.answers["total.learnables"] == total
    assert all(c.ok for c in verify(q, sol))


def test_alexnet_shapes_by_convention():
    _, mat = solved(SPECS / "architecture_alexnet_matlab.toml")
    assert mat.answers["conv1.output"] == [55, 55, 96]
    assert mat.answers["conv2.weights"] == [5, 5, 48, 128, 2]   # MATLAB grouped layout
    assert mat.answers["conv2.bias"] == [1, 1, 128, 2]
    assert mat.answers["pool5.output"] == [6, 6, 256]
    assert mat.answers["fc6.weights"] == [4096, 9216]
    _, pt = solved(SPECS / "architecture_alexnet_pytorch.toml")
    assert pt.answers["features.0.output"] == [64, 55, 55]       # floor((224 + 4 - 11)/4) + 1
    assert pt.answers["features.0.weights"] == [64, 3, 11, 11]
    assert pt.answers["features.0.bias"] == [64]
    assert pt.answers["flatten.output"] == [9216]
    assert pt.answers["classifier.1.weights"] == [4096, 9216]
    _, vgg = solved(SPECS / "architecture_vgg16_keras.toml")
    assert vgg.answers["block5_pool.output"] == [7, 7, 512]
    assert vgg.answers["fc1.weights"] == [25088, 4096]           # Dense kernel in x out
    assert vgg.answers["block1_conv1.weights"] == [3, 3, 3, 64]
    assert vgg.answers["total.macs"] == 15_470_264_320           # the published ~15.5 GMACs


# -- beyond DI504, one spec per convention, counted by hand ----------------------------------------
def test_matlab_segmentation_spec():
    q, sol = solved(SPECS / "architecture_segnet_matlab.toml")
    a = sol.answers
    assert a["conv1.output"] == [50, 38, 16]        # 'same', stride 2: ceil(100/2), ceil(75/2)
    assert a["pool1.output"] == [24, 18, 16]        # floor((50 - 3)/2) + 1, floor((38 - 3)/2) + 1
    assert a["up1.output"] == [48, 36, 8]           # (24 - 1) 2 + 4 - 1 - 1
    assert a["up1.weights"] == [4, 4, 8, 16]
    assert a["bn1.learnables"] == 32 and a["bn1.non_learnable"] == 32
    assert a["bn1.weights"] == [1, 1, 16]
    assert a["total.learnables"] == (5 * 5 * 3 * 16 + 16) + 32 + (4 * 4 * 16 * 8 + 8) + (8 * 2 + 2)
    assert all(c.ok for c in verify(q, sol))
    calc = next(s for s in sol.sections if s.title.startswith("Calculations"))
    conv1 = next(s for s in calc.items if isinstance(s, Section) and "conv1" in s.title)
    pads = {tex(i.lhs): int(i.result) for i in conv1.items if isinstance(i, Step) and i.lhs is not None}
    assert (pads["P_{h}"], pads["p_{t}"], pads["p_{b}"]) == (3, 1, 2)   # odd pad at the end


def test_pytorch_encoder_decoder_spec():
    q, sol = solved(SPECS / "architecture_encdec_pytorch.toml")
    a = sol.answers
    assert a["conv1.output"] == [16, 33, 33]
    assert a["conv2.output"] == [32, 33, 33]        # dilation 2: floor((33 + 4 - 4 - 1)/1) + 1
    assert a["pool1.output"] == [32, 16, 16]        # ceil((33 - 3)/2) + 1 = 16
    assert a["conv3.weights"] == [32, 8, 3, 3] and a["conv3.bias"] == []
    assert a["up.output"] == [16, 33, 33]           # (16 - 1) 2 - 2 + 3 + 1 + 1
    assert a["up.weights"] == [32, 16, 4, 4]
    assert a["pool2.output"] == [16, 17, 17]        # ceil gives 18, the last window starts in padding
    assert a["gap.output"] == [16, 1, 1] and a["flat.output"] == [16]
    assert a["total.learnables"] == 448 + 32 + 4640 + 2304 + 8208 + 170
    assert all(c.ok for c in verify(q, sol))


def test_keras_spec():
    q, sol = solved(SPECS / "architecture_mnist_keras.toml")
    a = sol.answers
    assert a["conv2.output"] == [13, 13, 64]
    assert a["pool.output"] == [6, 6, 64]
    assert a["up1.output"] == [12, 12, 32] and a["up1.weights"] == [3, 3, 32, 64]
    assert a["up2.output"] == [25, 25, 16]          # 12 * 2 + max(3 - 2, 0)
    assert a["gap.output"] == [16] and a["dense.weights"] == [16, 10]
    assert a["bn1.weights"] == [32] and a["total.non_learnable"] == 64
    assert a["total.learnables"] == 320 + 64 + 18496 + 18464 + 4624 + 170
    assert all(c.ok for c in verify(q, sol))


# -- the formula against the sliding-window pass, at random -------------------------------------------
@settings(max_examples=60, deadline=None)
@given(n=st.integers(1, 40), k=st.integers(1, 7), s=st.integers(1, 5), p=st.integers(0, 3),
       d=st.integers(1, 3), ceil=st.booleans(), kind=st.sampled_from(["Conv2d", "MaxPool2d"]))
def test_window_formula_matches_pass(tmp_path_factory, n, k, s, p, d, ceil, kind):
    eff = d * (k - 1) + 1
    if eff > n + 2 * p or (kind == "MaxPool2d" and p > k // 2) or (kind == "Conv2d" and ceil):
        return
    layer = {"name": '"l"', "type": f'"{kind}"', "size": k, "stride": s, "padding": p, "dilation": d}
    if kind == "Conv2d":
        layer["filters"] = 2
    if ceil:
        layer["ceil_mode"] = "true"
    path = spec_text(tmp_path_factory.mktemp("h"), [{"name": '"x"', "type": '"input"', "size": [1, n, n]},
                                                    layer], convention="pytorch")
    q, sol = solved(path)
    ind = independent_of(q)
    assert agree(sol.answers["l.output"], ind["l.output"])
    ceil_ = -(-(n + 2 * p - eff) // s) + 1 if ceil else (n + 2 * p - eff) // s + 1
    if ceil and (ceil_ - 1) * s >= n + p:
        ceil_ -= 1
    assert sol.answers["l.output"][1:] == [ceil_, ceil_]


def test_verifier_catches_a_wrong_answer(q4):
    q, sol = q4
    sol.answers["pool1.output"] = [467, 33, 64]
    try:
        failed = [c.name for c in verify(q, sol) if not c.ok]
    finally:
        sol.answers["pool1.output"] = [468, 33, 64]
    assert failed == ["pool1.output"]


# -- bad input: one-line errors naming the layer --------------------------------------------------------
INPUT = {"name": '"in"', "type": '"input"', "size": [10, 10, 3]}


@pytest.mark.parametrize("layer, convention, field, words", [
    ({"name": '"c"', "type": '"conv"', "filters": 4, "size": [3, 3, 2]}, "matlab", "layer.c.size",
     "filter depth 2 disagrees with the 3 input channels"),
    ({"name": '"c"', "type": '"conv"', "filters": 4, "size": [13, 3]}, "matlab", "layer.c.size",
     "kernel height 13 exceeds the padded input height 10"),
    ({"name": '"c"', "type": '"conv"', "filters": 4, "size": 3, "padding": 1}, "keras", "layer.c.padding",
     "Keras padding is 'valid' or 'same'"),
    ({"name": '"c"', "type": '"conv"', "filters": 4, "size": 3, "padding": '"same"', "stride": 2},
     "pytorch", "layer.c.padding", "stride other than 1"),
    ({"name": '"c"', "type": '"conv"', "filters": 4, "size": 3, "padding": "'[1 1 ; 0 0]'"}, "pytorch",
     "layer.c.padding", "MATLAB's"),
    ({"name": '"f"', "type": '"Linear"', "nodes": 4}, "pytorch", "layer.f.type", "flatten"),
    ({"name": '"z"', "type": '"wavelet"'}, "matlab", "layer.z.type", "unknown layer type"),
    ({"name": '"c"', "type": '"conv"', "filters": 4}, "matlab", "layer.c.size", "needs the filter"),
    ({"name": '"c"', "type": '"conv"', "filters": 4, "size": 3, "groups": 2}, "matlab", "layer.c.groups",
     "cannot be split"),
    ({"name": '"p"', "type": '"maxpool"', "size": 2, "ceil_mode": "true"}, "matlab", "layer.p.ceil_mode",
     "PyTorch option"),
    ({"name": '"c"', "type": '"conv"', "filters": 4, "size": 3, "strid": 2}, "matlab", "layer.c.strid",
     "unknown field"),
    ({"name": '"in"', "type": '"relu"'}, "matlab", "layer.in.name", "duplicate"),
    ({"name": '"c"', "type": '"conv"', "filters": 4, "size": 3, "padding": [1, 2, 3]}, "matlab",
     "layer.c.padding", "padding needs 1, 2 or 4 numbers (or [t b ; l r]), got 3"),
    ({"name": '"z"', "type": '"zeropad"', "padding": [1, 2, 3]}, "matlab", "layer.z.padding",
     "zero padding needs 1, 2 or 4 numbers"),
])
def test_bad_input(tmp_path, layer, convention, field, words):
    size = [3, 10, 10] if convention == "pytorch" else [10, 10, 3]
    path = spec_text(tmp_path, [dict(INPUT, size=size), layer], convention=convention)
    q = question_of(path)
    with pytest.raises(SpecError) as info:
        solve_question(q)
    assert info.value.field == field
    assert words in info.value.message
    assert "\n" not in str(info.value)


def test_bad_convention(tmp_path):
    # the choice is checked by the kind's schema: one line naming the field and the known values
    path = spec_text(tmp_path, [INPUT], convention="caffe")
    with pytest.raises(SpecError) as info:
        solve_question(question_of(path))
    assert info.value.field == "convention"
    assert info.value.message == "unknown value 'caffe' (known: keras, matlab, pytorch)"
    assert "\n" not in str(info.value)


def test_convention_spelling_is_normalized(tmp_path):
    # ' PyTorch ' is the pytorch convention: C x H x W, as torch.nn.Conv2d(3, 4, 3) gives 4 x 8 x 8
    layers = [dict(INPUT, size=[3, 10, 10]), {"name": '"c"', "type": '"Conv2d"', "filters": 4, "size": 3}]
    path = spec_text(tmp_path, layers, convention=" PyTorch ")
    _, sol = solved(path)
    assert sol.answers["c.output"] == [4, 8, 8]
    assert sol.answers["c.weights"] == [4, 3, 3, 3]


# -- speed, rendering, PDF ----------------------------------------------------------------------------------
def test_vgg16_solve_is_fast():
    q = question_of(SPECS / "architecture_vgg16_keras.toml")
    solution_of(q)
    start = time.process_time()                  # CPU time: the machine's load does not count
    solution_of(q)
    assert time.process_time() - start < 0.5


def test_render_latex(q4):
    exam = load_exam(SPECS / "architecture_segnet_matlab.toml")
    results = [solve_question(q) for q in exam.questions]
    source = latex.render(exam, results)
    assert r"\left\lfloor \frac{100 + 1 + 2 - 5}{2} \right\rfloor + 1" in source
    assert r"48 \times 36 \times 8" in source
    assert "\\textbackslash" not in source


@pytest.mark.skipif(shutil.which("latexmk") is None or shutil.which("pdftotext") is None,
                    reason="latexmk/pdftotext missing")
def test_pdf_end_to_end(tmp_path_factory):
    # made once for the run: test_margins.py reads the same build
    report = shared_derive(tmp_path_factory, SPECS / "architecture_encdec_pytorch.toml", data_dirs=(TESTS.parent,))
    pdf = report.folder / "answer-key.pdf"
    text = subprocess.run(["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True,
                          check=True).stdout
    assert "Completed table" in text and "Calculations, layer by layer" in text
    assert "15,802" in text and "15802" not in text      # integers from 10,000 up: thin separators
    assert "ceil_mode" in text


def test_doc_example(tmp_path):
    """The example spec in docs/kinds/architecture.md derives to the numbers the page states."""
    path = documented_example("architecture", tmp_path)
    q, sol = solved(path)
    assert sol.answers["conv1.output"] == [32, 24, 16]
    assert sol.answers["pool1.output"] == [15, 11, 16]
    assert sol.answers["fc1.weights"] == [10, 2640]
    assert all(c.ok for c in verify(q, sol))


# -- the answer model: HTML key, no LaTeX in the kind, an independent route that is independent -------
def test_html_key_shows_every_layer_as_mathml():
    from symdl.render import html

    exam = load_exam(default_spec())
    page = html.render(exam, [solve_question(q) for q in exam.questions if q.id == "Q4"])
    assert 'class="tex"' not in page and "Text(" not in page and "\\times" not in page
    conv11 = page[page.index("<h4>L1  conv1_1 (convolution)</h4>"):]
    conv11 = conv11[:conv11.index("<h4>", 5)]
    # conv1_1 by hand: floor((3001 + 3 + 3 - 200)/1) + 1 = 2808, the numbers put in unevaluated
    assert ("<mn>3001</mn><mo>&#x0002B;</mo><mn>3</mn><mo>&#x0002B;</mo><mn>3</mn><mo>&#x02212;</mo>"
            "<mn>200</mn>") in conv11
    assert "<mo>&#x0003D;</mo><mn>2808</mn>" in conv11
    # the completed table's pool1 row: 2808 rows pooled 6 at a time, 6 x 468 = 2808
    row = page[page.index("<td>pool1</td>"):]
    row = row[:row.index("</tr>")]
    assert "<mn>468</mn><mo>&#x000D7;</mo><mn>33</mn><mo>&#x000D7;</mo><mn>64</mn>" in row
    assert "<mtext>stride:&#x000A0;[6&#x000A0;1]</mtext>" in row          # a multi-line cell, one line each


def test_layer_table_is_laid_out_by_role_not_by_title(q4):
    from symdl.solution import Table

    _, sol = q4
    tables = [t for s in sol.sections for t in s.items if isinstance(t, Table)]
    assert [t.role for t in tables] == ["layers", "totals"]
    assert [t.align for t in tables] == [None, None]     # column widths are the template's business
    partial = Path(kinds.get("architecture").template).read_text()
    assert "Completed table" not in partial


def test_package_writes_no_latex_and_check_imports_no_derivation():
    import ast
    import re

    folder = Path(arch.__file__).parent
    for module in folder.glob("*.py"):
        tree = ast.parse(module.read_text())
        literals = [n.value for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, str)]
        macros = [s for s in literals if re.search(r"\\(?!d|s)[A-Za-z]", s)]   # \d, \s: regular expressions
        if module.name == "notation.py":     # the kind's display objects, which print themselves
            macros = []
        assert macros == [], f"{module.name}: {macros}"
        assert len(module.read_text().splitlines()) <= 600
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef):
                assert node.end_lineno - node.lineno + 1 <= 80, f"{module.name}: {node.name}"
    for name in ("check.py", "check_more.py", "check_seq.py"):  # the independent route: the spec as read, numpy
        check = ast.parse((folder / name).read_text())
        imported = {(n.module, tuple(a.name for a in n.names)) for n in ast.walk(check)
                    if isinstance(n, ast.ImportFrom)}
        allowed = {"__future__", "fields", "numpy.lib.stride_tricks"}
        assert all(module in allowed or (module is None and names == ("check_more", "check_seq"))
                   or (module == "seqfields" and names == ("SEQ_TYPES",))      # the type names only
                   for module, names in imported), imported


def test_layer_names_in_the_totals_are_printed_safely(tmp_path):
    # a name that is a word becomes the subscript (its '_' escaped); any other name is numbered
    layers = [INPUT, {"name": '"conv_1"', "type": '"conv"', "filters": 4, "size": 3},
              {"name": '"c#2 {x}"', "type": '"conv"', "filters": 2, "size": 3}]
    exam = load_exam(spec_text(tmp_path, layers))
    source = latex.render(exam, [solve_question(q) for q in exam.questions])
    # conv_1: 3*3*3*4 + 4 = 112; 'c#2 {x}': 3*3*4*2 + 2 = 74; total 186
    assert r"N_{\mathrm{conv\_1}} + N_{2}" in source
    assert "112 + 74" in source and r"= \boxed{186}" in source      # the total is the boxed final answer
    assert r"c\#2 \{x\}" in source and "c#2 {x}" not in source
