"""The architecture kind's model answer: what a student sees (short), what is final, the rubric, the
quantities the sheet states (issue 13), all checked against hand computations of DI504 Q4 and AlexNet."""

from __future__ import annotations

from fractions import Fraction

import pytest

from symdl import kinds
from symdl.solution import Section, Step, shown
from symdl.input.spec import default_spec, load_exam
from symdl.check.verify import verify
from support import TESTS, solution_of

SPECS = TESTS / "specs"


def solved(path, qid=None):
    q = next(q for q in load_exam(path).questions if q.kind == "architecture" and (qid is None or q.id == qid))
    q.values = kinds.get("architecture").schema.check(q)
    return q, solution_of(q)


@pytest.fixture(scope="module")
def q4():
    return solved(default_spec(), "Q4")


def layer_blocks(sol):
    calc = next(s for s in sol.sections if s.title.startswith("Calculations"))
    return {s.title.split("(")[0].split()[-1]: s for s in calc.items if isinstance(s, Section)}


def model_steps(block):
    return [i for i in block.items if isinstance(i, Step) and shown(i, "model")]


def test_one_line_per_distinct_computation(q4):
    _, sol = q4
    blocks = layer_blocks(sol)
    conv11 = model_steps(blocks["conv1_1"])
    # the height (floor((3001 + 3 + 3 - 200)/1) + 1 = 2808) and the learnables (200*1*1*64 + 64); the
    # width passes through (k_w = 1, stride 1, no padding) and is not worked out
    assert [s.text for s in conv11] == ["output height", "learnables"]
    assert [int(s.result) for s in conv11] == [2808, 200 * 64 + 64]
    # conv2_2's height repeats conv2_1's numbers (468 + 1 + 1 - 3): "as conv2_1", no formula
    h22 = model_steps(blocks["conv2_2"])[0]
    assert h22.text == "output height, as conv2_1" and h22.substituted is None and int(h22.result) == 468
    # conv3_1 learns what conv2_2 learns: 3*1*128*128 + 128
    n31 = model_steps(blocks["conv3_1"])[-1]
    assert n31.text == "learnables, as conv2_2" and int(n31.result) == 3 * 128 * 128 + 128
    # conv3_2 works out both axes: floor((33 + 1 + 1 - 2)/3) + 1 = 12
    assert [int(s.result) for s in model_steps(blocks["conv3_2"])] == [78, 12, 3 * 2 * 128 * 128 + 128]
    # a ReLU has nothing to work out: its block is for the full derivation only
    assert blocks["ReLU1_1"].audience == "full"
    # fc7 shows the flattened size 13*12*128 = 19968
    assert [int(s.result) for s in model_steps(blocks["fc7"])] == [19968, 19968 * 256 + 256]
    # MACs are for the instructor, never in the model answer
    every = [i for b in blocks.values() for i in b.items]
    assert all(i.audience == "instructor" for i in every if isinstance(i, Step) and i.text == "multiply-accumulates")
    assert sum(len(model_steps(b)) for b in blocks.values()) == 20


def test_finals_and_totals(q4):
    _, sol = q4
    finals = {a.name for a in sol.finals()}
    # conv1_1's weights and bias are printed on the exam sheet (given); its output is a blank
    assert "conv1_1.output" in finals and "conv1_1.weights" not in finals
    assert {"conv3_2.weights", "fc7.bias", "pool3.output", "prob.output", "total.learnables"} <= finals
    assert not {"ReLU1_1.output", "data.output", "output.output", "total.macs"} & finals
    assert all(a.part is None for a in sol.meta.values())
    total = next(i for s in sol.sections if s.title == "Totals" for i in s.items if isinstance(i, Step))
    assert total.boxed and int(total.result) == 5427338 and shown(total, "model")
    assert sol.meta["total.memory_bytes"].unit == "bytes"


def test_rubric_shares_the_25_points():
    from symdl.solve import solve_question
    from symdl.grading.rubric import items

    q = next(q for q in load_exam(default_spec()).questions if q.id == "Q4")
    sol = solve_question(q).solution
    found = items(q, sol)
    # the table's blanks: 6 conv + 3 pool + fc7-9 + prob outputs (13), the weights of 5 convs (conv1_1's
    # are given) and 3 fc (8), their biases (8): 13 + 8 + 8/2 = 25 weight units for 25 points, so an
    # output or a weights blank is worth 1, a bias blank 1/2; the total is not a blank of the table
    assert len(found) == 29 and sum(i.points for i in found) == q.points == 25
    assert all(i.points == (Fraction(1, 2) if i.answer.endswith(".bias") else 1) for i in found)
    assert "total.learnables" not in {i.answer for i in found} and sol.meta["total.learnables"].points is None
    assert all(i.entry == () for i in found)        # a shape is one blank: one item, judged whole


def test_floor_quantities_are_answers():
    q, sol = solved(SPECS / "architecture_alexnet_pytorch.toml")
    a = sol.answers
    # torchvision AlexNet conv1: (224 + 2 + 2 - 11)/4 + 1 = 217/4 + 1 = 55.25 before the floor; 217 = 4*54 + 1
    assert a["features.0.unfloored"] == [Fraction(221, 4), Fraction(221, 4)]
    assert a["features.0.dropped"] == [1, 1]
    assert "features.3.dropped" not in a           # floor((27 + 4 - 5)/1) + 1: nothing dropped
    assert all(c.ok for c in verify(q, sol))


def test_same_padding_per_side_is_an_answer():
    q, sol = solved(SPECS / "architecture_vgg16_keras.toml")
    # Keras 'same', k = 3, stride 1: P = (224 - 1) 1 + 3 - 224 = 2, one on each side
    assert sol.answers["block1_conv1.padding"] == [1, 1, 1, 1]
    assert all(c.ok for c in verify(q, sol))


def test_a_square_layer_is_worked_out_once():
    from symdl.notation.printer import tex

    _, sol = solved(SPECS / "architecture_alexnet_pytorch.toml")
    conv1 = layer_blocks(sol)["features.0"]
    lines = model_steps(conv1)
    # floor((224 + 2 + 2 - 11)/4) + 1 = 55 for both axes: one line, H_out = W_out = ...
    assert tex(lines[0].lhs) == r"H_{\mathrm{out}} = W_{\mathrm{out}}" and int(lines[0].result) == 55
    assert not any(s.text == "output width" for s in lines)
    assert any(isinstance(i, Step) and i.text == "output width" and i.audience == "full" for i in conv1.items)
