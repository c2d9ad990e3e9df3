"""The conv kind's receptive field against torch autograd (the gradient of one output unit of a stack of
all-ones convolutions marks exactly the input pixels it sees) and a hand loop over the windows; the
cs231n dilation naming against torch's dilation."""

import numpy as np
import pytest

from symdl.solve import solve_question
from symdl.errors import SpecError
from symdl.check.verify import to_float_array
from support import one_question

STACKS = [
    [dict(kernel=3, padding=1), dict(kernel=2, stride=2), dict(kernel=3, padding=2, dilation=2), dict(kernel=2, stride=2)],
    [dict(kernel=7, stride=2, padding=3), dict(kernel=3, stride=2, padding=1), dict(kernel=3, padding=1),
     dict(kernel=3, padding=1)],                                         # ResNet's stem and a basic block
    [dict(kernel=3, dilation=1), dict(kernel=3, dilation=2), dict(kernel=3, dilation=4), dict(kernel=3, dilation=8)],
    [dict(kernel=5, stride=3, padding=[0, 2]), dict(kernel=4, stride=2, padding=[3, 1], dilation=3)],
    [dict(kernel=11, stride=4), dict(kernel=3, stride=2), dict(kernel=5, padding=2), dict(kernel=3, stride=2)],
]


def toml_layers(stack):
    def value(v):
        return str(v) if not isinstance(v, list) else "[" + ", ".join(map(str, v)) + "]"
    return "layers = [\n" + "".join("  { " + ", ".join(f"{k} = {value(v)}" for k, v in layer.items()) + " },\n"
                                    for layer in stack) + "]\n"


def derived(tmp_path, stack, extra=""):
    result = solve_question(one_question(tmp_path, "conv", 'operation = "receptive_field"\n' + extra + toml_layers(stack)))
    assert result.verified
    return {k: float(v) for k, v in result.solution.answers.items()}


def seen_by_torch(stack, depth, unit, n=600):
    """The input pixels (1-based, padding counted as positions) that output ``unit`` of layer ``depth`` sees:
    the nonzero gradient of that unit through all-ones 1-D convolutions, the input placed far from the
    edges (an offset of n/2 pixels) so no padding clips it."""
    torch = pytest.importorskip("torch")
    x = torch.zeros(1, 1, n, dtype=torch.float64, requires_grad=True)
    h = x
    for layer in stack[:depth]:
        pad = layer.get("padding", 0)
        before, after = pad if isinstance(pad, list) else (pad, pad)
        h = torch.nn.functional.pad(h, (before, after))
        w = torch.ones(1, 1, layer["kernel"], dtype=torch.float64)
        h = torch.nn.functional.conv1d(h, w, stride=layer.get("stride", 1), dilation=layer.get("dilation", 1))
    jump = 1
    for layer in stack[:depth]:
        jump *= layer.get("stride", 1)
    shift = 300 // jump                     # a unit whose field lies inside the input
    h[0, 0, unit + shift].backward()
    seen = np.nonzero(x.grad[0, 0].numpy())[0]
    return seen.min() - shift * jump + 1, seen.max() - shift * jump + 1


@pytest.mark.parametrize("stack", STACKS)
def test_every_layer_against_torch(tmp_path, stack):
    got = derived(tmp_path, stack)
    for depth in range(1, len(stack) + 1):
        lo0, hi0 = seen_by_torch(stack, depth, 0)
        lo1, hi1 = seen_by_torch(stack, depth, 1)
        assert got[f"rf.{depth}"] == hi0 - lo0 + 1
        assert got[f"start.{depth}"] == (lo0 + hi0) / 2
        assert got[f"jump.{depth}"] == (lo1 + hi1) / 2 - (lo0 + hi0) / 2


def test_published_and_hand_values(tmp_path):
    """AlexNet's first layers: conv 11/4, pool 3/2: receptive fields 11 and 19, jumps 4 and 8; ResNet's stem
    (7/2 pad 3, max-pool 3/2 pad 1): 7 then 11, jumps 2 then 4 (as tabulated in Araujo et al., "Computing
    receptive fields of convolutional neural networks", Distill 2019); four 3-tap convolutions dilated 1, 2, 4,
    8 (Yu and Koltun, 2016): fields 3, 7, 15, 31."""
    alex = derived(tmp_path, STACKS[4])
    assert (alex["rf.1"], alex["jump.1"], alex["rf.2"], alex["jump.2"]) == (11, 4, 19, 8)
    resnet = derived(tmp_path, STACKS[1])
    assert (resnet["rf.1"], resnet["jump.1"], resnet["rf.2"], resnet["jump.2"]) == (7, 2, 11, 4)
    dilated = derived(tmp_path, STACKS[2])
    assert [dilated[f"rf.{i}"] for i in range(1, 5)] == [3, 7, 15, 31]


def test_output_sizes_against_a_loop(tmp_path):
    got = derived(tmp_path, STACKS[1], "input_size = 224\n")
    n, sizes = 224, []
    for layer in STACKS[1]:                  # count the window positions that fit, one by one
        pad, k, s = layer.get("padding", 0), layer["kernel"], layer.get("stride", 1)
        n = sum(1 for start in range(0, n + 2 * pad, s) if start + k <= n + 2 * pad)
        sizes.append(n)
    assert [got[f"size.{i}"] for i in range(1, 5)] == sizes == [112, 56, 56, 56]


def test_cs231n_dilation_naming(tmp_path):
    """dilation = 1 with dilation_convention = 'gaps' (one zero between the taps, cs231n) is torch's
    dilation 2, in a convolution and in a receptive field."""
    torch = pytest.importorskip("torch")
    x = np.arange(36, dtype=float).reshape(6, 6) % 7 - 3
    k = np.array([[1.0, -1.0], [2.0, 0.5]])
    bm = lambda a: r"'\begin{bmatrix} " + r" \\ ".join(" & ".join(repr(float(v)) for v in r) for r in a) + r" \end{bmatrix}'"
    q = one_question(tmp_path, "conv", f"input = {bm(x)}\nkernel = {bm(k)}\ndilation = 1\ndilation_convention = 'gaps'\n")
    result = solve_question(q)
    assert result.verified
    expected = torch.nn.functional.conv2d(torch.tensor(x)[None, None], torch.tensor(k)[None, None], dilation=2)
    assert np.array(to_float_array(result.solution.answers["output"]), dtype=float) == pytest.approx(expected[0, 0].numpy())
    assert any("zeros between kernel taps" in a for a in result.solution.assumptions)
    gaps = derived(tmp_path, [dict(kernel=3, dilation=1)], "dilation_convention = 'gaps'\n")
    assert gaps["rf.1"] == 5
    zero = derived(tmp_path, [dict(kernel=3, dilation=0)], "dilation_convention = 'gaps'\n")
    assert zero["rf.1"] == 3


@pytest.mark.parametrize("body,field", [
    ('operation = "receptive_field"\n', "layers"),
    ('operation = "receptive_field"\nlayers = [{ stride = 2 }]\n', "layers[1].kernel"),
    ('operation = "receptive_field"\nlayers = [{ kernel = 3, size = 2 }]\n', "layers[1].size"),
    ('operation = "receptive_field"\nlayers = [{ kernel = 3, dilation = 0 }]\n', "layers[1].dilation"),
    ('operation = "receptive_field"\ninput = "1"\nlayers = [{ kernel = 3 }]\n', "input"),
    ('operation = "receptive_field"\ninput_size = 2\nlayers = [{ kernel = 3 }]\n', "layers[1]"),
    ("input = '[1 \\quad 2 \\quad 3]'\nkernel = '[1 \\quad 2]'\ndilation = 0\n", "dilation"),
    ("input = '[1 \\quad 2]'\nkernel = '[1]'\ndilation_convention = 'holes'\n", "dilation_convention"),
])
def test_bad_input_names_the_field(tmp_path, body, field):
    with pytest.raises(SpecError) as err:
        solve_question(one_question(tmp_path, "conv", body))
    assert err.value.field == field


# -- both axes: kernels, strides, paddings and dilations per axis -------------------------------------------
STACKS_2D = [
    [dict(kernel=[3, 5], padding=[[1, 1], [2, 2]]), dict(kernel=2, stride=[2, 1]),
     dict(kernel=[3, 1], stride=[1, 2], dilation=[2, 1], padding=[0, 1, 2, 0])],
    [dict(kernel=[7, 1], stride=[2, 1], padding=[[3, 3], 0]), dict(kernel=[1, 7], stride=[1, 3], padding=[0, 3]),
     dict(kernel=3, stride=2, dilation=[1, 3], padding=1)],          # factorized 7 x 1 and 1 x 7 convolutions
]


def pads_2d(layer):
    """((top, bottom), (left, right)) of a layer as the test writes it."""
    p = layer.get("padding", 0)
    if isinstance(p, int):
        return (p, p), (p, p)
    if len(p) == 4:
        return (p[0], p[1]), (p[2], p[3])
    if any(isinstance(v, list) for v in p):
        return tuple(tuple(v) if isinstance(v, list) else (v, v) for v in p)
    return tuple(p), tuple(p)


def axes_of(layer, key, default):
    v = layer.get(key, default)
    return tuple(v) if isinstance(v, list) else (v, v)


def pixels_seen(stack, depth, unit):
    """Brute force: every input pixel (row, column; 1-based, padding counted as positions) that output pixel
    ``unit`` of layer ``depth`` reads, following every tap of every window down to the input, in 2-D."""
    seen = {unit}
    for layer in reversed(stack[:depth]):
        (kh, kw), (sh, sw), (dh, dw) = (axes_of(layer, "kernel", 1), axes_of(layer, "stride", 1),
                                        axes_of(layer, "dilation", 1))
        (top, _), (left, _) = pads_2d(layer)
        seen = {(p * sh - top + a * dh, q * sw - left + b * dw) for p, q in seen for a in range(kh) for b in range(kw)}
    return {(p + 1, q + 1) for p, q in seen}


def span(pixels, axis):
    values = [p[axis] for p in pixels]
    return min(values), max(values)


@pytest.mark.parametrize("stack", STACKS_2D)
def test_both_axes_against_a_brute_force_loop_over_input_pixels(tmp_path, stack):
    got = derived(tmp_path, stack, "input_size = [40, 33]\n")
    size = [40, 33]
    for depth in range(1, len(stack) + 1):
        seen0 = pixels_seen(stack, depth, (0, 0))
        (r0, r1), (c0, c1) = span(seen0, 0), span(seen0, 1)
        assert len(seen0) <= (r1 - r0 + 1) * (c1 - c0 + 1)
        for axis, tag, (lo, hi), neighbour in ((0, "h", (r0, r1), (1, 0)), (1, "w", (c0, c1), (0, 1))):
            lo1, hi1 = span(pixels_seen(stack, depth, neighbour), axis)
            assert got[f"rf.{depth}.{tag}"] == hi - lo + 1
            assert got[f"start.{depth}.{tag}"] == (lo + hi) / 2
            assert got[f"jump.{depth}.{tag}"] == (lo1 + hi1) / 2 - (lo + hi) / 2
        layer = stack[depth - 1]
        for axis, tag in ((0, "h"), (1, "w")):        # count the windows that fit, one position at a time
            k, s, d = (axes_of(layer, key, 1)[axis] for key in ("kernel", "stride", "dilation"))
            padded = size[axis] + sum(pads_2d(layer)[axis])
            size[axis] = sum(1 for start in range(0, padded, s) if start + d * (k - 1) < padded)
            assert got[f"size.{depth}.{tag}"] == size[axis]


def test_both_axes_against_torch_autograd(tmp_path):
    """The first 2-D stack through all-ones conv2d layers: the nonzero gradient of one output pixel."""
    torch = pytest.importorskip("torch")
    stack = STACKS_2D[0]
    got = derived(tmp_path, stack)
    x = torch.zeros(1, 1, 60, 60, dtype=torch.float64, requires_grad=True)
    h = x
    for layer in stack:
        (t, b), (l, r) = pads_2d(layer)
        h = torch.nn.functional.pad(h, (l, r, t, b))
        kh, kw = axes_of(layer, "kernel", 1)
        h = torch.nn.functional.conv2d(h, torch.ones(1, 1, kh, kw, dtype=torch.float64),
                                       stride=axes_of(layer, "stride", 1), dilation=axes_of(layer, "dilation", 1))
    h[0, 0, 10, 10].backward()
    rows, cols = np.nonzero(x.grad[0, 0].numpy())
    assert got["rf.3.h"] == rows.max() - rows.min() + 1 and got["rf.3.w"] == cols.max() - cols.min() + 1
    assert got["rf.3.h"] != got["rf.3.w"]


def test_square_stacks_keep_one_set_of_answers(tmp_path):
    got = derived(tmp_path, [dict(kernel=[3, 3], stride=[2, 2], padding=[[1, 1], [1, 1]])], "input_size = [8, 8]\n")
    assert got == {"jump.1": 2, "rf.1": 3, "start.1": 1, "size.1": 4}


@pytest.mark.parametrize("body,field", [
    ('operation = "receptive_field"\nlayers = [{ kernel = [3, 3, 3] }]\n', "layers[1].kernel"),
    ('operation = "receptive_field"\nlayers = [{ kernel = 3, padding = [1, 2, 3] }]\n', "layers[1].padding"),
    ('operation = "receptive_field"\nlayers = [{ kernel = 3, stride = [1, 0] }]\n', "layers[1].stride"),
    ('operation = "receptive_field"\ninput_size = [8, 2]\nlayers = [{ kernel = 3 }]\n', "layers[1]"),
    ('operation = "receptive_field"\ninput_size = [8, 2, 1]\nlayers = [{ kernel = 3 }]\n', "input_size"),
])
def test_bad_pairs_name_the_field(tmp_path, body, field):
    with pytest.raises(SpecError) as err:
        solve_question(one_question(tmp_path, "conv", body))
    assert err.value.field == field
