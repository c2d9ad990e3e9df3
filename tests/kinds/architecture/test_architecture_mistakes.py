"""The architecture kind's mistakes: each network re-derived with one slip, against sizes walked here."""

from symdl import kinds
from symdl.solve import solve_question
from symdl.input.spec import default_spec, load_exam
from support import TESTS

# DI504 Q4, MATLAB H x W x C: (name, kernel h, kernel w, stride h, stride w, [t b l r], filters or None)
DI504 = [("conv1_1", 200, 1, 1, 1, (3, 3, 0, 0), 64), ("conv1_2", 3, 1, 1, 1, (1, 1, 0, 0), 64),
         ("pool1", 6, 1, 6, 1, (0, 0, 0, 0), None), ("conv2_1", 3, 1, 1, 1, (1, 1, 0, 0), 128),
         ("conv2_2", 3, 1, 1, 1, (1, 1, 0, 0), 128), ("pool2", 6, 1, 6, 1, (0, 0, 0, 0), None),
         ("conv3_1", 3, 1, 1, 1, (1, 1, 0, 0), 128), ("conv3_2", 3, 2, 1, 3, (1, 1, 1, 1), 128),
         ("pool3", 6, 1, 6, 1, (0, 0, 0, 0), None)]


def walk(layers, h, w, c, once=False):
    """{layer: [H, W, C]} by floor((n + p_before + p_after - k) / s) + 1, with ``once`` the padding
    after left out (counted on one side only)."""
    out = {}
    for name, kh, kw, sh, sw, (t, b, l, r), f in layers:
        if once:
            b = r = 0
        h, w = (h + t + b - kh) // sh + 1, (w + l + r - kw) // sw + 1
        c = f or c
        out[name] = [h, w, c]
    return out


def graded(path, qid=None):
    exam = load_exam(path)
    q = next(q for q in exam.questions if qid in (None, q.id))
    sol = solve_question(q).solution
    return sol, {a: {m.name: m.value for m in meta.mistakes} for a, meta in sol.meta.items() if meta.mistakes}


def test_di504_padding_counted_once_against_a_walk():
    sol, m = graded(default_spec(), "Q4")
    right, once = walk(DI504, 3001, 33, 1), walk(DI504, 3001, 33, 1, once=True)
    assert all(sol.answers[f"{n}.output"] == right[n] for n in right)
    assert once["conv1_1"] == [2805, 33, 64]                     # 3001 + 3 - 200 + 1
    for name in right:
        assert m[f"{name}.output"]["padding-counted-once"] == once[name], name
    h, w, c = once["pool3"]
    fc7_in = h * w * c
    assert m["fc7.weights"]["padding-counted-once"] == [256, fc7_in]
    right_in = 13 * 12 * 128
    assert m["total.learnables"]["padding-counted-once"] == 5427338 - 256 * right_in + 256 * fc7_in


def test_di504_the_other_mistakes_by_hand():
    _, m = graded(default_spec(), "Q4")
    # 'same' assumed: conv1_1 keeps 3001 rows; pool1 then floor((3001 - 6)/6) + 1 = 500; conv3_2's width
    # ceil(33/3) = 11
    assert m["conv1_1.output"]["same-padding-assumed"] == [3001, 33, 64]
    assert m["pool1.output"]["same-padding-assumed"] == [500, 33, 64]
    assert m["conv3_2.output"]["same-padding-assumed"] == [83, 11, 128]
    # the bias forgotten: 5,427,338 less 64 + 64 + 128 * 4 + 256 * 2 + 10 = 1,162 biases; a bias shape
    # left out is a blank, not a value: no row of its own
    assert m["total.learnables"]["bias-forgotten"] == 5427338 - 1162
    assert not any(name.endswith(".bias") for name in m)
    # channels dropped at the flatten: fc7 sees 13 * 12 = 156 inputs, not 19,968
    assert m["fc7.weights"]["channels-dropped-when-flattening"] == [256, 156]
    assert m["total.learnables"]["channels-dropped-when-flattening"] == 5427338 - 19968 * 256 + 156 * 256
    # the fully connected weights the other way round; fc8 is 256 x 256, so it cannot show
    assert m["fc7.weights"]["fc-weights-order-swapped"] == [19968, 256]
    assert m["fc9.weights"]["fc-weights-order-swapped"] == [256, 10]
    assert "fc8.weights" not in m
    names = {n for found in m.values() for n in found}
    assert names == {"padding-counted-once", "same-padding-assumed", "bias-forgotten",
                     "channels-dropped-when-flattening", "fc-weights-order-swapped"}
    # only the table's blanks and the total: no row on a count the exam does not ask
    assert not any(name.endswith((".learnables", ".macs")) or name in ("total.macs", "total.memory_bytes")
                   for name in m if name != "total.learnables")


def test_alexnet_pytorch_padding_counted_once():
    """torchvision AlexNet (C x H x W), padding 2/2/1/1/1 counted on one side: walked here."""
    layers = [("features.0", 11, 11, 4, 4, (2, 2, 2, 2), 64), ("features.2", 3, 3, 2, 2, (0, 0, 0, 0), None),
              ("features.3", 5, 5, 1, 1, (2, 2, 2, 2), 192), ("features.5", 3, 3, 2, 2, (0, 0, 0, 0), None),
              ("features.6", 3, 3, 1, 1, (1, 1, 1, 1), 384), ("features.8", 3, 3, 1, 1, (1, 1, 1, 1), 256),
              ("features.10", 3, 3, 1, 1, (1, 1, 1, 1), 256), ("features.12", 3, 3, 2, 2, (0, 0, 0, 0), None)]
    sol, m = graded(TESTS / "specs" / "architecture_alexnet_pytorch.toml")
    right, once = walk(layers, 224, 224, 3), walk(layers, 224, 224, 3, once=True)
    for name, (h, w, c) in right.items():
        assert sol.answers[f"{name}.output"] == [c, h, w]
        assert m[f"{name}.output"]["padding-counted-once"] == [once[name][2], once[name][0], once[name][1]]
    assert once["features.0"] == [54, 54, 64]                     # floor((224 + 2 - 11)/4) + 1
    assert m["total.learnables"]["bias-forgotten"] == 61_100_840 - (64 + 192 + 384 + 256 + 256 + 4096 + 4096 + 1000)
    assert m["classifier.1.weights"]["fc-weights-order-swapped"] == [9216, 4096]


def test_the_kind_hook_names_each_mistake_on_every_row_it_changes():
    q = load_exam(default_spec()).questions[3]
    kind = kinds.get(q.kind)
    sol = kinds.solve(q)
    found = kind.mistakes(q, sol)
    rows = {}
    for answer, ms in found.items():
        for mk in ms:
            rows.setdefault(mk.name, set()).add(answer)
    assert len(rows["same-padding-assumed"]) == 11               # nine windowed layers, fc7, the total
