"""The further layers and the receptive field against published numbers and torch.nn.

Sources: Araujo, Norris, Sim, "Computing Receptive Fields of Convolutional Neural Networks", Distill
2019, table of receptive fields (AlexNet 195, VGG-16 212 at the last pooling layer); Yu and Koltun,
"Multi-Scale Context Aggregation by Dilated Convolutions", ICLR 2016 (3 x 3 kernels dilated 1, 2, 4
see 3, 7, 15 rows; a 3-tap kernel dilated by 2 spans 5); the Keras SeparableConv2D / DepthwiseConv2D
kernel shapes (depthwise (k_h, k_w, C, m), pointwise (1, 1, C m, F)).
"""

from __future__ import annotations

import pytest

from symdl import kinds
from symdl.errors import SpecError
from symdl.kinds import architecture as arch
from symdl.input.spec import load_exam
from symdl.check.verify import verify
from support import TESTS, solution_of
from test_networks import solve_spec, write_spec

SPECS = TESTS / "specs"


def with_field(tmp_path, spec, line):
    text = (SPECS / spec).read_text()
    head, sep, rest = text.partition('kind = "architecture"')
    path = tmp_path / spec
    path.write_text(head + sep + "\n" + line + rest)
    return path


@pytest.mark.parametrize("spec, layer, field", [
    ("architecture_alexnet_pytorch.toml", "features.12", 195),     # AlexNet pool5 (Distill 2019)
    ("architecture_vgg16_keras.toml", "block5_pool", 212),         # VGG-16 pool5 (Distill 2019)
    ("architecture_vgg16_keras.toml", "block5_conv3", 196),
])
def test_receptive_fields_published(tmp_path, spec, layer, field):
    q, sol = solve_spec(with_field(tmp_path, spec, "receptive_field = true"))
    assert sol.answers[f"{layer}.receptive_field"] == [field, field]
    assert all(c.ok for c in verify(q, sol))


def test_dilated_stack(tmp_path):
    layers = [dict(name="x", type="input", size=[1, 32, 32])] + [
        dict(name=f"d{d}", type="Conv2d", filters=1, size=3, dilation=d, padding=d) for d in (1, 2, 4)]
    q, sol = solve_spec(write_spec(tmp_path, layers, "pytorch", "receptive_field = true"))
    a = sol.answers
    assert [a[f"d{d}.receptive_field"] for d in (1, 2, 4)] == [[3, 3], [7, 7], [15, 15]]   # Yu & Koltun
    assert a["d2.effective_kernel"] == [5, 5] and a["d4.effective_kernel"] == [9, 9]
    assert "d1.effective_kernel" not in a
    assert a["d4.output"] == [1, 32, 32]
    assert all(c.ok for c in verify(q, sol))


def test_separable_depthwise_upsampling_keras(tmp_path):
    layers = [dict(name="x", type="input", size=[32, 32, 3]),
              dict(name="sep", type="SeparableConv2D", filters=16, size=3),
              dict(name="sep2", type="SeparableConv2D", filters=16, size=3, multiplier=2, padding="same"),
              dict(name="dw", type="DepthwiseConv2D", size=3, multiplier=2, stride=2, padding="same"),
              dict(name="up", type="UpSampling2D", scale=2),
              dict(name="gmp", type="GlobalMaxPooling2D")]
    q, sol = solve_spec(write_spec(tmp_path, layers, "keras"))
    a = sol.answers
    assert a["sep.output"] == [30, 30, 16] and a["sep.learnables"] == 3 * 3 * 3 + 3 * 16 + 16
    assert a["sep.weights"] == [3, 3, 3, 1] and a["sep.pointwise"] == [1, 1, 3, 16]
    assert a["sep2.learnables"] == 3 * 3 * 16 * 2 + 32 * 16 + 16
    assert a["dw.output"] == [15, 15, 32] and a["dw.learnables"] == 3 * 3 * 16 * 2 + 32
    assert a["up.output"] == [30, 30, 32] and a["gmp.output"] == [32]
    assert all(c.ok for c in verify(q, sol))


def test_against_torch(tmp_path):
    torch = pytest.importorskip("torch")
    nn = torch.nn
    layers = [dict(name="x", type="input", size=[3, 9, 8]),
              dict(name="pad", type="ZeroPad2d", padding=[1, 2, 3, 4]),            # left, right, top, bottom
              dict(name="dw", type="Conv2d", filters=6, size=3, groups=3, dilation=2),
              dict(name="bn", type="BatchNorm2d"),
              dict(name="up", type="Upsample", scale=[2, 3]),
              dict(name="ada", type="AdaptiveAvgPool2d", output_size=[3, 2]),
              dict(name="skip", type="Conv2d", filters=6, size=1, inputs=["ada"]),
              dict(name="sum", type="add", inputs=["ada", "skip"]),
              dict(name="cat", type="concat", inputs=["sum", "skip"])]
    q, sol = solve_spec(write_spec(tmp_path, layers, "pytorch"))
    a = sol.answers
    pad, dw, bn = nn.ZeroPad2d((1, 2, 3, 4)), nn.Conv2d(3, 6, 3, groups=3, dilation=2), nn.BatchNorm2d(6)
    up, ada, skip = nn.Upsample(scale_factor=(2, 3)), nn.AdaptiveAvgPool2d((3, 2)), nn.Conv2d(6, 6, 1)
    x = torch.zeros(1, 3, 9, 8)
    shapes = {}
    for name, module in (("pad", pad), ("dw", dw), ("bn", bn), ("up", up), ("ada", ada)):
        x = module(x)
        shapes[name] = list(x.shape[1:])
    s = skip(x)
    shapes["skip"], shapes["sum"] = list(s.shape[1:]), list((x + s).shape[1:])
    shapes["cat"] = list(torch.cat([x + s, s], dim=1).shape[1:])
    assert {n: a[f"{n}.output"] for n in shapes} == shapes
    for name, module in (("dw", dw), ("bn", bn), ("skip", skip)):
        assert a[f"{name}.learnables"] == sum(p.numel() for p in module.parameters())
    assert a["bn.non_learnable"] == bn.running_mean.numel() + bn.running_var.numel()
    assert all(c.ok for c in verify(q, sol))


def test_lenet5_as_the_paper_gives_it():
    # LeCun et al. 1998, Section II.B: C1 156 trainable parameters and 122,304 connections; S2 12 and
    # 5,880; C3 (Table I's partial connections) 1,516 and 151,600; S4 32 and 2,000; C5 48,120
    # connections; F6 10,164 trainable parameters; the RBF output's 84 x 10 parameters are fixed
    q, sol = solve_spec(SPECS / "architecture_lenet5_paper.toml")
    a = sol.answers
    expected = {"C1": (156, 122_304), "S2": (12, 5_880), "C3": (1_516, 151_600), "S4": (32, 2_000),
                "C5": (48_120, 48_120), "F6": (10_164, 10_164)}
    assert {n: (a[f"{n}.learnables"], a[f"{n}.connections"]) for n in expected} == expected
    assert a["C3.output"] == [10, 10, 16] and a["C3.weights"] == [5, 5, 60]
    assert a["output.learnables"] == 0 and a["output.non_learnable"] == 840
    assert a["total.learnables"] == 60_000
    assert all(c.ok for c in verify(q, sol))
    # the bias forgotten: 6 + 6 + 16 + 16 + 120 + 84 = 248 biases fewer
    found = {m.name: m.value for m in arch.KIND.mistakes(q, sol)["total.learnables"]}
    assert found["bias-forgotten"] == 60_000 - 248


def test_connection_table_errors(tmp_path):
    layers = [dict(name="x", type="input", size=[8, 8, 2]),
              dict(name="c", type="conv", filters=2, size=3, connections=[[0, 1], [2]])]
    q = load_exam(write_spec(tmp_path, layers, "matlab")).questions[0]
    q.values = kinds.get("architecture").schema.check(q)
    with pytest.raises(SpecError, match="input maps 0 to 1"):
        solution_of(q)


def test_locally_connected_keras_docs(tmp_path):
    # Keras LocallyConnected2D docs: LocallyConnected2D(64, (3, 3)) on 32 x 32 x 3 gives 30 x 30 x 64 and
    # "will consume (30*30)*(3*3*3*64) + (30*30)*64 parameters"
    layers = [dict(name="x", type="input", size=[32, 32, 3]),
              dict(name="lc", type="LocallyConnected2D", filters=64, size=3),
              dict(name="lc2", type="LocallyConnected2D", filters=32, size=3)]
    q, sol = solve_spec(write_spec(tmp_path, layers, "keras", "receptive_field = true"))
    a = sol.answers
    assert a["lc.output"] == [30, 30, 64]
    assert a["lc.learnables"] == (30 * 30) * (3 * 3 * 3 * 64) + (30 * 30) * 64
    assert a["lc.weights"] == [900, 27, 64] and a["lc.bias"] == [30, 30, 64]
    # the second: 28 * 28 * (3 * 3 * 64 * 32 + 32); both see 3 then 5 rows
    assert a["lc2.learnables"] == 28 * 28 * (3 * 3 * 64 * 32 + 32)
    assert a["lc2.receptive_field"] == [5, 5]
    assert all(c.ok for c in verify(q, sol))
