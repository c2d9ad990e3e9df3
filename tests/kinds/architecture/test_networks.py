"""Non-sequential networks and the further layers against published parameter counts.

Sources: torchvision.models (ResNet-18: 11,689,512 parameters, resnet18 docs "num_params";
SqueezeNet 1.0: 1,248,424 and 1.1: 1,235,496, squeezenet1_0 / squeezenet1_1 docs; GoogLeNet 6,624,904,
googlenet docs, the auxiliary classifiers not counted), Keras Applications
MobileNet (alpha 1.0, 224: 4,253,864 total, 4,231,976 trainable, 21,888 non-trainable; model.summary()).
"""

from __future__ import annotations

import textwrap

import pytest

from symdl import kinds
from symdl.errors import SpecError
from symdl.input.spec import load_exam
from symdl.check.verify import verify
from support import solution_of


def toml_value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, str):
        return f'"{v}"' if "'" in v or not v.startswith("[") else f"'{v}'"
    if isinstance(v, list):
        return "[" + ", ".join(toml_value(x) for x in v) + "]"
    return str(v)


def write_spec(tmp_path, layers, convention, extra=""):
    body = textwrap.dedent(f"""
        [exam]
        id = "t"
        title = "t"
        [[question]]
        id = "A"
        kind = "architecture"
        points = 10
        convention = "{convention}"
        {extra}
    """)
    for layer in layers:
        body += "[[question.layer]]\n" + "\n".join(f"{k} = {toml_value(v)}" for k, v in layer.items()) + "\n"
    path = tmp_path / "spec.toml"
    path.write_text(body)
    return path


def solve_spec(path):
    q = load_exam(path).questions[0]
    q.values = kinds.get("architecture").schema.check(q)
    return q, solution_of(q)


# -- builders: each network written layer by layer as its paper / framework defines it --------------------
def resnet18():
    L = [dict(name="x", type="input", size=[3, 224, 224]),
         dict(name="conv1", type="Conv2d", filters=64, size=7, stride=2, padding=3, bias=False),
         dict(name="bn1", type="BatchNorm2d"), dict(name="relu", type="relu"),
         dict(name="maxpool", type="MaxPool2d", size=3, stride=2, padding=1)]
    last, channels = "maxpool", 64
    for stage, width in enumerate((64, 128, 256, 512), start=1):
        for block in range(2):
            p = f"layer{stage}.{block}"
            stride = 2 if stage > 1 and block == 0 else 1
            L += [dict(name=f"{p}.conv1", type="Conv2d", filters=width, size=3, stride=stride, padding=1,
                       bias=False, inputs=[last]),
                  dict(name=f"{p}.bn1", type="BatchNorm2d"), dict(name=f"{p}.relu1", type="relu"),
                  dict(name=f"{p}.conv2", type="Conv2d", filters=width, size=3, padding=1, bias=False),
                  dict(name=f"{p}.bn2", type="BatchNorm2d")]
            shortcut = last
            if stride != 1 or channels != width:        # projection shortcut: 1 x 1 convolution, stride 2
                L += [dict(name=f"{p}.downsample.0", type="Conv2d", filters=width, size=1, stride=stride,
                           bias=False, inputs=[last]),
                      dict(name=f"{p}.downsample.1", type="BatchNorm2d")]
                shortcut = f"{p}.downsample.1"
            L += [dict(name=f"{p}.add", type="add", inputs=[f"{p}.bn2", shortcut]),
                  dict(name=f"{p}.relu2", type="relu")]
            last, channels = f"{p}.relu2", width
    L += [dict(name="avgpool", type="AdaptiveAvgPool2d", output_size=1), dict(name="flatten", type="flatten"),
          dict(name="fc", type="Linear", nodes=1000)]
    return L


def fire(name, last, squeeze, e1, e3):
    return [dict(name=f"{name}.squeeze", type="Conv2d", filters=squeeze, size=1, inputs=[last]),
            dict(name=f"{name}.squeeze_activation", type="relu"),
            dict(name=f"{name}.expand1x1", type="Conv2d", filters=e1, size=1, inputs=[f"{name}.squeeze_activation"]),
            dict(name=f"{name}.expand1x1_activation", type="relu"),
            dict(name=f"{name}.expand3x3", type="Conv2d", filters=e3, size=3, padding=1,
                 inputs=[f"{name}.squeeze_activation"]),
            dict(name=f"{name}.expand3x3_activation", type="relu"),
            dict(name=f"{name}.cat", type="concatenate",
                 inputs=[f"{name}.expand1x1_activation", f"{name}.expand3x3_activation"])]


def squeezenet(version):
    pool = dict(type="MaxPool2d", size=3, stride=2, ceil_mode=True)
    if version == "1_0":
        L = [dict(name="x", type="input", size=[3, 224, 224]),
             dict(name="conv1", type="Conv2d", filters=96, size=7, stride=2), dict(name="relu1", type="relu"),
             dict(name="pool1", **pool)]
        plan = [(16, 64), (16, 64), (32, 128), "pool", (32, 128), (48, 192), (48, 192), (64, 256), "pool",
                (64, 256)]
    else:
        L = [dict(name="x", type="input", size=[3, 224, 224]),
             dict(name="conv1", type="Conv2d", filters=64, size=3, stride=2), dict(name="relu1", type="relu"),
             dict(name="pool1", **pool)]
        plan = [(16, 64), (16, 64), "pool", (32, 128), (32, 128), "pool", (48, 192), (48, 192), (64, 256),
                (64, 256)]
    last = "pool1"
    for i, item in enumerate(plan):
        if item == "pool":
            L.append(dict(name=f"pool{i}", **pool))
            last = f"pool{i}"
            continue
        L += fire(f"fire{i}", last, item[0], item[1], item[1])
        last = f"fire{i}.cat"
    L += [dict(name="dropout", type="dropout", rate=0.5),
          dict(name="final_conv", type="Conv2d", filters=1000, size=1), dict(name="relu_final", type="relu"),
          dict(name="avgpool", type="AdaptiveAvgPool2d", output_size=1)]
    return L


def mobilenet_v1():
    pad = dict(type="ZeroPadding2D", padding=[[0, 1], [0, 1]])
    L = [dict(name="input_1", type="input", size=[224, 224, 3]), dict(name="conv1_pad", **pad),
         dict(name="conv1", type="Conv2D", filters=32, size=3, stride=2, padding="valid", bias=False),
         dict(name="conv1_bn", type="BatchNormalization"), dict(name="conv1_relu", type="relu6")]
    plan = [(64, 1), (128, 2), (128, 1), (256, 2), (256, 1), (512, 2)] + [(512, 1)] * 5 + [(1024, 2), (1024, 1)]
    for i, (filters, stride) in enumerate(plan, start=1):
        if stride == 2:
            L.append(dict(name=f"conv_pad_{i}", **pad))
        L += [dict(name=f"conv_dw_{i}", type="DepthwiseConv2D", size=3, stride=stride,
                   padding="same" if stride == 1 else "valid", bias=False),
              dict(name=f"conv_dw_{i}_bn", type="BatchNormalization"), dict(name=f"conv_dw_{i}_relu", type="relu6"),
              dict(name=f"conv_pw_{i}", type="Conv2D", filters=filters, size=1, padding="same", bias=False),
              dict(name=f"conv_pw_{i}_bn", type="BatchNormalization"), dict(name=f"conv_pw_{i}_relu", type="relu6")]
    L += [dict(name="global_average_pooling2d", type="GlobalAveragePooling2D"),
          dict(name="dropout", type="dropout", rate=0.001),
          dict(name="conv_preds", type="Dense", nodes=1000), dict(name="predictions", type="softmax")]
    return L


def basic_conv(name, filters, size, last, stride=1, padding=0):
    """torchvision's BasicConv2d: a convolution without bias, batch normalization, ReLU."""
    return [dict(name=f"{name}.conv", type="Conv2d", filters=filters, size=size, stride=stride, padding=padding,
                 bias=False, inputs=[last]),
            dict(name=f"{name}.bn", type="BatchNorm2d"), dict(name=f"{name}.relu", type="relu")]


def inception(name, last, c1, c3r, c3, c5r, c5, proj):
    """torchvision's Inception block: four branches read ``last``, concatenated (its "5 x 5" branch is 3 x 3)."""
    pool = dict(name=f"{name}.branch4.pool", type="MaxPool2d", size=3, stride=1, padding=1, ceil_mode=True,
                inputs=[last])
    L = (basic_conv(f"{name}.branch1", c1, 1, last)
         + basic_conv(f"{name}.branch2.0", c3r, 1, last) + basic_conv(f"{name}.branch2.1", c3, 3,
                                                                      f"{name}.branch2.0.relu", padding=1)
         + basic_conv(f"{name}.branch3.0", c5r, 1, last) + basic_conv(f"{name}.branch3.1", c5, 3,
                                                                      f"{name}.branch3.0.relu", padding=1)
         + [pool] + basic_conv(f"{name}.branch4.1", proj, 1, pool["name"]))
    return L + [dict(name=f"{name}.cat", type="concatenate",
                     inputs=[f"{name}.branch{i}.relu" if i == 1 else f"{name}.branch{i}.1.relu" for i in (1, 2, 3, 4)])]


def googlenet():
    pool = dict(type="MaxPool2d", size=3, stride=2, ceil_mode=True)
    L = [dict(name="x", type="input", size=[3, 224, 224])] + basic_conv("conv1", 64, 7, "x", stride=2, padding=3)
    L += [dict(name="maxpool1", **pool)] + basic_conv("conv2", 64, 1, "maxpool1") \
        + basic_conv("conv3", 192, 3, "conv2.relu", padding=1) + [dict(name="maxpool2", **pool)]
    last = "maxpool2"
    blocks = [("3a", (64, 96, 128, 16, 32, 32)), ("3b", (128, 128, 192, 32, 96, 64)), "maxpool3",
              ("4a", (192, 96, 208, 16, 48, 64)), ("4b", (160, 112, 224, 24, 64, 64)),
              ("4c", (128, 128, 256, 24, 64, 64)), ("4d", (112, 144, 288, 32, 64, 64)),
              ("4e", (256, 160, 320, 32, 128, 128)), "maxpool4",
              ("5a", (256, 160, 320, 32, 128, 128)), ("5b", (384, 192, 384, 48, 128, 128))]
    for block in blocks:
        if isinstance(block, str):
            L.append(dict(name=block, type="MaxPool2d", size=3 if block == "maxpool3" else 2, stride=2,
                          ceil_mode=True, inputs=[last]))
            last = block
            continue
        L += inception(f"inception{block[0]}", last, *block[1])
        last = f"inception{block[0]}.cat"
    return L + [dict(name="avgpool", type="AdaptiveAvgPool2d", output_size=1), dict(name="flatten", type="flatten"),
                dict(name="dropout", type="dropout", rate=0.2), dict(name="fc", type="Linear", nodes=1000)]


def test_googlenet_inception_modules(tmp_path):
    q, sol = solve_spec(write_spec(tmp_path, googlenet(), "pytorch"))
    a = sol.answers
    assert a["total.learnables"] == 6_624_904                  # torchvision googlenet (no auxiliary heads)
    assert a["inception3a.cat.output"] == [256, 28, 28]        # 64 + 128 + 32 + 32 channels
    assert a["inception5b.cat.output"] == [1024, 7, 7]
    assert all(c.ok for c in verify(q, sol))


def test_resnet18(tmp_path):
    q, sol = solve_spec(write_spec(tmp_path, resnet18(), "pytorch"))
    a = sol.answers
    assert a["total.learnables"] == 11_689_512                 # torchvision resnet18
    assert a["layer2.0.add.output"] == [128, 28, 28]
    assert a["layer2.0.downsample.0.weights"] == [128, 64, 1, 1]
    assert a["layer4.1.relu2.output"] == [512, 7, 7]
    assert a["avgpool.output"] == [512, 1, 1]
    assert all(c.ok for c in verify(q, sol))


@pytest.mark.parametrize("version, total", [("1_0", 1_248_424), ("1_1", 1_235_496)])
def test_squeezenet(tmp_path, version, total):
    q, sol = solve_spec(write_spec(tmp_path, squeezenet(version), "pytorch"))
    a = sol.answers
    assert a["total.learnables"] == total                      # torchvision squeezenet1_0 / 1_1
    # the first fire module's two expansions, 64 + 64 channels, stacked: 128 (1.0: 54 x 54 after ceil pooling)
    assert a["fire0.cat.output"] == ([128, 54, 54] if version == "1_0" else [128, 55, 55])
    assert a["avgpool.output"] == [1000, 1, 1]
    assert all(c.ok for c in verify(q, sol))


def test_mobilenet_v1_keras(tmp_path):
    q, sol = solve_spec(write_spec(tmp_path, mobilenet_v1(), "keras"))
    a = sol.answers
    assert a["total.learnables"] == 4_231_976                  # Keras MobileNet: trainable
    assert a["total.non_learnable"] == 21_888                  # non-trainable (moving mean and variance)
    assert a["total.learnables"] + a["total.non_learnable"] == 4_253_864
    assert a["conv_dw_1.weights"] == [3, 3, 32, 1]             # Keras depthwise_kernel (k_h, k_w, C, m)
    assert a["conv_pad_2.output"] == [113, 113, 64]            # ZeroPadding2D(((0, 1), (0, 1)))
    assert a["conv_dw_13.output"] == [7, 7, 1024]
    assert all(c.ok for c in verify(q, sol))


def test_torchvision_counts_when_installed(tmp_path):
    try:
        import torchvision.models as tvm
    except Exception as error:        # absent, or built for another torch
        pytest.skip(f"torchvision not usable: {error}")
    for build, layers in ((tvm.resnet18, resnet18()), (tvm.squeezenet1_0, squeezenet("1_0")),
                          (tvm.squeezenet1_1, squeezenet("1_1")),
                          (lambda weights: tvm.googlenet(weights=weights, aux_logits=False, init_weights=False),
                           googlenet())):
        model = build(weights=None)
        _, sol = solve_spec(write_spec(tmp_path, layers, "pytorch"))
        assert sol.answers["total.learnables"] == sum(p.numel() for p in model.parameters())


# -- merges: errors, concatenation, multiply ----------------------------------------------------------------
def test_merge_shape_mismatch_names_both_layers(tmp_path):
    layers = [dict(name="x", type="input", size=[8, 8, 3]),
              dict(name="a", type="conv", filters=4, size=3, padding=1),
              dict(name="b", type="conv", filters=4, size=3, stride=2, inputs=["x"]),
              dict(name="sum", type="add", inputs=["a", "b"])]
    q = load_exam(write_spec(tmp_path, layers, "matlab")).questions[0]
    q.values = kinds.get("architecture").schema.check(q)
    with pytest.raises(SpecError) as err:
        solution_of(q)
    text = str(err.value)
    assert "'a' (8 x 8 x 4)" in text and "'b' (3 x 3 x 4)" in text and "layer.sum.inputs" in text
    assert "\n" not in text


def test_unknown_input_and_single_input_merge_refused(tmp_path):
    base = [dict(name="x", type="input", size=[8, 8, 3])]
    for extra, words in (([dict(name="c", type="conv", filters=2, size=1, inputs=["nope"])], "'nope' is not"),
                         ([dict(name="m", type="add", inputs=["x"])], "two or more")):
        q = load_exam(write_spec(tmp_path, base + extra, "matlab")).questions[0]
        q.values = kinds.get("architecture").schema.check(q)
        with pytest.raises(SpecError, match=words):
            solution_of(q)


def test_multiply_and_flat_concatenation(tmp_path):
    layers = [dict(name="x", type="input", size=[16]),
              dict(name="a", type="fc", nodes=6), dict(name="b", type="fc", nodes=6, inputs=["x"]),
              dict(name="gate", type="multiply", inputs=["a", "b"]),
              dict(name="both", type="concat", inputs=["gate", "a"])]
    q, sol = solve_spec(write_spec(tmp_path, layers, "pytorch"))
    assert sol.answers["gate.output"] == [6] and sol.answers["both.output"] == [12]
    assert sol.answers["total.learnables"] == 2 * (16 * 6 + 6)
    assert all(c.ok for c in verify(q, sol))


def test_a_branching_network_is_drawn(tmp_path):
    from symdl.solution import Figure

    layers = [dict(name="x", type="input", size=[8, 8, 4]),
              dict(name="a", type="conv", filters=4, size=3, padding=1),
              dict(name="b", type="conv", filters=4, size=3, padding=1),
              dict(name="skip", type="conv", filters=4, size=1, inputs=["x"]),
              dict(name="sum", type="add", inputs=["b", "skip"])]
    _, sol = solve_spec(write_spec(tmp_path, layers, "matlab"))
    figure = next(i for s in sol.sections for i in s.items if isinstance(i, Figure))
    nodes, edges = figure.data["nodes"], figure.data["edges"]
    # the shortcut opens a lane to the right of x's; the sum returns to the main lane
    assert [(n["name"], n["lane"]) for n in nodes] == [("x", 0), ("a", 0), ("b", 0), ("skip", 1), ("sum", 0)]
    assert {(e["source"], e["target"], e["bend"]) for e in edges} == {
        (0, 1, ""), (1, 2, ""), (0, 3, "out"), (2, 4, ""), (3, 4, "back")}
    # a sequential network (DI504 Q4) has no drawing
    from symdl.input.spec import default_spec
    q = next(q for q in load_exam(default_spec()).questions if q.id == "Q4")
    q.values = kinds.get("architecture").schema.check(q)
    assert not any(isinstance(i, Figure) for s in solution_of(q).sections for i in s.items)
