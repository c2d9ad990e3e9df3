"""The architecture kind against torch.nn: every layer's output shape and parameter numel.

Each spec is rebuilt layer by layer from torch.nn modules (asymmetric MATLAB padding and
Keras 'same' padding through an explicit ZeroPad2d, transposed-convolution cropping by
slicing), a zero batch of one is pushed through, and the shapes and counts are compared with
the solver's answers. Skipped when torch is not installed.
"""

from __future__ import annotations


import pytest

torch = pytest.importorskip("torch")
nn = torch.nn

from symdl.kinds.architecture.fields import parse_layers  # noqa: E402
from symdl.input.spec import default_spec, load_exam  # noqa: E402
from support import TESTS, solution_of

SPECS = TESTS / "specs"


def tf_same(n, k, s, d=1):
    """TensorFlow's SAME padding (before, after) for one axis, written out independently."""
    out = (n + s - 1) // s
    total = max((out - 1) * s + (k - 1) * d + 1 - n, 0)
    return total // 2, total - total // 2


def run_torch(question):
    """{layer name: (output shape [C, H, W] or [n], weight numel, bias numel, weight shape, buffers)}."""
    convention, specs = parse_layers(question)
    results = {}
    x = None
    for spec in specs:
        t = spec.type
        module = None
        params = {}
        buffers = 0
        if t == "input":
            size = spec.size
            if len(size) == 1:
                x = torch.zeros(1, size[0])
            elif convention == "pytorch":
                x = torch.zeros(1, *size)
            else:
                h, w, c = size
                x = torch.zeros(1, c, h, w)
        elif t in ("conv", "maxpool", "avgpool"):
            _, c, h, w = x.shape
            k, s, d = spec.kernel, spec.stride, spec.dilation
            if spec.padding == "same":
                (pt, pb), (pl, pr) = tf_same(h, k[0], s[0], d[0]), tf_same(w, k[1], s[1], d[1])
            else:
                pt, pb, pl, pr = spec.padding
            symmetric = pt == pb and pl == pr
            pre = nn.Identity() if symmetric else nn.ZeroPad2d((pl, pr, pt, pb))
            pad = (pt, pl) if symmetric else 0
            if t == "conv":
                layer = nn.Conv2d(c, spec.filters, k, s, pad, d, spec.groups, spec.bias)
                params = {"weight": layer.weight, "bias": layer.bias}
            elif t == "maxpool":
                layer = nn.MaxPool2d(k, s, pad, d, ceil_mode=spec.ceil)
            else:
                layer = nn.AvgPool2d(k, s, pad, ceil_mode=spec.ceil)
            module = nn.Sequential(pre, layer)
        elif t == "tconv":
            _, c, h, w = x.shape
            k, s, d = spec.kernel, spec.stride, spec.dilation
            if convention == "pytorch":
                layer = nn.ConvTranspose2d(c, spec.filters, k, s, (spec.padding[0], spec.padding[2]),
                                           spec.output_padding, spec.groups, spec.bias, d)
                module = layer
            else:
                layer = nn.ConvTranspose2d(c, spec.filters, k, s, 0, 0, 1, spec.bias, d)
                full = layer(x).shape[2:]
                if spec.padding == "same" or convention == "keras":
                    target = (h * s[0], w * s[1])
                    if spec.padding == "same":
                        crop = [max(f - tg, 0) // 2 for f, tg in zip(full, target)]
                    else:
                        crop = [0, 0]
                    grow = [max(tg - f, 0) for f, tg in zip(full, target)]
                    if spec.padding != "same":
                        target = tuple(max(f, tg) for f, tg in zip(full, target))

                    def module(z, layer=layer, crop=crop, grow=grow, target=target):
                        y = nn.functional.pad(layer(z), (0, grow[1], 0, grow[0]))
                        return y[:, :, crop[0]:crop[0] + target[0], crop[1]:crop[1] + target[1]]
                else:
                    pt, pb, pl, pr = spec.padding

                    def module(z, layer=layer, pt=pt, pb=pb, pl=pl, pr=pr):
                        y = layer(z)
                        return y[:, :, pt:y.shape[2] - pb, pl:y.shape[3] - pr]
            params = {"weight": layer.weight, "bias": layer.bias}
        elif t == "gap":
            module = nn.AdaptiveAvgPool2d(1)
            if convention == "keras":
                module = nn.Sequential(module, nn.Flatten())
        elif t == "fc":
            n_in = x[0].numel()
            layer = nn.Linear(n_in, spec.nodes, spec.bias)
            module = nn.Sequential(nn.Flatten(), layer)
            params = {"weight": layer.weight, "bias": layer.bias}
        elif t == "batchnorm":
            layer = nn.BatchNorm2d(x.shape[1]) if x.dim() == 4 else nn.BatchNorm1d(x.shape[1])
            module = layer.eval()
            params = {"weight": layer.weight, "bias": layer.bias}
            buffers = layer.running_mean.numel() + layer.running_var.numel()
        elif t == "flatten":
            module = nn.Flatten()
        elif t == "dropout":
            module = nn.Dropout(spec.extra.get("rate", 0.5)).eval()
        elif t == "softmax":
            module = nn.Softmax(dim=1)
        elif t == "norm":
            module = nn.LocalResponseNorm(int(spec.raw.get("window", 5)))
        elif t == "activation":
            module = nn.ReLU()
        if module is not None:
            with torch.no_grad():
                x = module(x)
        w, b = params.get("weight"), params.get("bias")
        results[spec.name] = (list(x.shape[1:]), w.numel() if w is not None else 0,
                              b.numel() if b is not None else 0,
                              list(w.shape) if w is not None else [], buffers)
    return convention, results


def to_convention(shape, convention):
    if len(shape) == 1:
        return [1, 1, shape[0]] if convention == "matlab" else shape
    c, h, w = shape
    return [c, h, w] if convention == "pytorch" else [h, w, c]


@pytest.mark.parametrize("spec", [
    "architecture_alexnet_pytorch.toml", "architecture_encdec_pytorch.toml",
    "architecture_lenet5_matlab.toml", "architecture_alexnet_matlab.toml",
    "architecture_segnet_matlab.toml", "architecture_mnist_keras.toml",
    "architecture_vgg16_keras.toml", "DI504",
])
def test_against_torch(spec):
    path = default_spec() if spec == "DI504" else SPECS / spec
    q = next(q for q in load_exam(path).questions if q.kind == "architecture")
    sol = solution_of(q)
    a = sol.answers
    convention, got = run_torch(q)
    total = 0
    for name, (shape, wn, bn, wshape, buffers) in got.items():
        assert a[f"{name}.output"] == to_convention(shape, convention), name
        assert a[f"{name}.learnables"] == wn + bn, name
        total += wn + bn
        if convention == "pytorch" and wshape:
            assert a[f"{name}.weights"] == wshape, name
        if buffers:
            assert a[f"{name}.non_learnable"] == buffers, name
    assert a["total.learnables"] == total


def test_torchvision_alexnet_numel():
    """torch.nn's own count of the torchvision AlexNet layers: 61,100,840."""
    model = nn.Sequential(
        nn.Conv2d(3, 64, 11, 4, 2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(64, 192, 5, padding=2), nn.ReLU(), nn.MaxPool2d(3, 2),
        nn.Conv2d(192, 384, 3, padding=1), nn.ReLU(), nn.Conv2d(384, 256, 3, padding=1), nn.ReLU(),
        nn.Conv2d(256, 256, 3, padding=1), nn.ReLU(), nn.MaxPool2d(3, 2), nn.AdaptiveAvgPool2d(6),
        nn.Flatten(), nn.Dropout(), nn.Linear(9216, 4096), nn.ReLU(), nn.Dropout(),
        nn.Linear(4096, 4096), nn.ReLU(), nn.Linear(4096, 1000))
    numel = sum(p.numel() for p in model.parameters())
    q = load_exam(SPECS / "architecture_alexnet_pytorch.toml").questions[0]
    assert solution_of(q).answers["total.learnables"] == numel == 61_100_840


from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402


@settings(max_examples=80, deadline=None)
@given(kind=st.sampled_from(["Conv2d", "MaxPool2d", "AvgPool2d", "ConvTranspose2d"]),
       n=st.integers(1, 30), k=st.integers(1, 6), s=st.integers(1, 4), p=st.integers(0, 3),
       d=st.integers(1, 3), op=st.integers(0, 3), ceil=st.booleans(), g=st.sampled_from([1, 2]))
def test_random_layer_against_torch(tmp_path_factory, kind, n, k, s, p, d, op, ceil, g):
    """One random layer: the solver's output shape and learnables equal torch.nn's."""
    from symdl.errors import SpecError

    cin, f = 4, 6
    if kind == "Conv2d":
        module = nn.Conv2d(cin, f, k, s, p, d, g)
        fields = dict(filters=f, size=k, stride=s, padding=p, dilation=d, groups=g)
    elif kind == "ConvTranspose2d":
        module = nn.ConvTranspose2d(cin, f, k, s, p, op, g, True, d)
        fields = dict(filters=f, size=k, stride=s, padding=p, dilation=d, groups=g, output_padding=op)
    elif kind == "MaxPool2d":
        module = nn.MaxPool2d(k, s, p, d, ceil_mode=ceil)
        fields = dict(size=k, stride=s, padding=p, dilation=d, ceil_mode=ceil)
    else:
        module = nn.AvgPool2d(k, s, p, ceil_mode=ceil)
        fields = dict(size=k, stride=s, padding=p, ceil_mode=ceil)
    try:
        expected = list(module(torch.zeros(1, cin, n, n)).shape[1:])
    except (RuntimeError, ValueError):
        expected = None                      # torch refuses these settings
    lines = ['[exam]\nid = "r"\ntitle = "r"\n[[question]]\nid = "A"\nkind = "architecture"',
             'convention = "pytorch"', '[[question.layer]]\nname = "x"\ntype = "input"',
             f"size = [{cin}, {n}, {n}]", f'[[question.layer]]\nname = "l"\ntype = "{kind}"']
    lines += [f"{key} = {str(v).lower()}" for key, v in fields.items()]
    path = tmp_path_factory.mktemp("r") / "spec.toml"
    path.write_text("\n".join(lines) + "\n")
    q = load_exam(path).questions[0]
    try:
        sol = solution_of(q)
    except SpecError:
        assert expected is None or min(expected) == 0, "symdl refused a layer torch accepts"
        return
    assert expected is not None, "symdl accepted a layer torch refuses"
    assert sol.answers["l.output"] == expected
    assert sol.answers["l.learnables"] == sum(t.numel() for t in module.parameters())
    if kind in ("Conv2d", "ConvTranspose2d"):
        assert sol.answers["l.weights"] == list(module.weight.shape)
