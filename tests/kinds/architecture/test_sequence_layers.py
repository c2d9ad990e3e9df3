"""The architecture kind's sequence layers (recurrent, embedding, layer norm, attention, Transformer blocks)
against torch.nn's own parameter counts and output shapes, Keras's documented summaries, and the published
totals of BERT-base and GPT-2 small; every spec also passes the kind's own numpy route."""

from __future__ import annotations

import textwrap

import pytest

from symdl import kinds
from symdl.errors import SpecError
from symdl.kinds import architecture as arch
from symdl.input.spec import load_exam
from symdl.check.verify import verify
from support import TESTS, solution_of

SPECS = TESTS / "specs"


def write(tmp_path, layers, convention):
    body = textwrap.dedent(f"""
        [exam]
        id = "t"
        title = "t"
        [[question]]
        id = "A"
        kind = "architecture"
        convention = "{convention}"
    """)
    for layer in layers:
        body += "[[question.layer]]\n" + "\n".join(
            f"{k} = {str(v).lower() if isinstance(v, bool) else repr(v).replace(chr(39), chr(34))}"
            for k, v in layer.items()) + "\n"
    path = tmp_path / "spec.toml"
    path.write_text(body)
    return path


def solve(path):
    """(answers, every check passed) of the spec's question."""
    q = load_exam(path).questions[0]
    q.values = kinds.get("architecture").schema.check(q)
    sol = solution_of(q)
    checks = verify(q, sol)
    return sol.answers, all(c.ok for c in checks) and len(checks) == len(
        [v for v in sol.answers.values() if not isinstance(v, str)])


def run(tmp_path, layers, convention):
    answers, ok = solve(write(tmp_path, layers, convention))
    assert ok, "the numpy route disagrees"
    return answers


# -- Keras: the figures of keras.io's guide "Working with RNNs" (keras-io/guides/working_with_rnns.py,
#    its model.summary() outputs as printed in the guide) ----------------------------------------------------
KERAS_GUIDE = [
    # Embedding(input_dim=1000, output_dim=64), LSTM(128), Dense(10): 64000, 98816, 1290 (total 164,106)
    ([dict(name="x", type="input", size=[7]), dict(name="e", type="Embedding", vocabulary=1000, dim=64),
      dict(name="lstm", type="LSTM", units=128), dict(name="d", type="Dense", nodes=10)],
     {"e": 64000, "lstm": 98816, "d": 1290}, {"lstm": [128]}, 164106),
    # Embedding(1000, 64), GRU(256, return_sequences=True), SimpleRNN(128), Dense(10): 247296, 49280
    ([dict(name="x", type="input", size=[7]), dict(name="e", type="Embedding", vocabulary=1000, dim=64),
      dict(name="gru", type="GRU", units=256, return_sequences=True),
      dict(name="rnn", type="SimpleRNN", units=128), dict(name="d", type="Dense", nodes=10)],
     {"gru": 247296, "rnn": 49280, "d": 1290}, {"gru": [7, 256], "rnn": [128]}, 361866),
    # Bidirectional(LSTM(64, return_sequences=True), input_shape=(5, 10)), Bidirectional(LSTM(32)), Dense(10):
    # (None, 5, 128) 38400, (None, 64) 41216, 650 (total 80,266)
    ([dict(name="x", type="input", size=[5, 10]),
      dict(name="b1", type="LSTM", units=64, return_sequences=True, bidirectional=True),
      dict(name="b2", type="LSTM", units=32, bidirectional=True), dict(name="d", type="Dense", nodes=10)],
     {"b1": 38400, "b2": 41216, "d": 650}, {"b1": [5, 128], "b2": [64]}, 80266),
    # the guide's encoder: Embedding(1000, 64) then LSTM(64, return_state=True): 33024
    ([dict(name="x", type="input", size=[7]), dict(name="e", type="Embedding", vocabulary=1000, dim=64),
      dict(name="encoder", type="LSTM", units=64)], {"encoder": 33024}, {"encoder": [64]}, 64000 + 33024),
]


@pytest.mark.parametrize("layers, counts, shapes, total", KERAS_GUIDE)
def test_keras_guide_figures(tmp_path, layers, counts, shapes, total):
    answers = run(tmp_path, layers, "keras")
    for name, count in counts.items():
        assert answers[f"{name}.learnables"] == count
    for name, shape in shapes.items():
        assert answers[f"{name}.output"] == shape
    assert answers["total.learnables"] == total


def test_keras_gru_reset_after_false_has_one_bias(tmp_path):
    """reset_after=False (Keras 1's GRU): 3(h(h + d) + h); h = 256, d = 64 by hand: 3 (256 x 320 + 256)."""
    layers = [dict(name="x", type="input", size=[7, 64]), dict(name="gru", type="GRU", units=256, reset_after=False)]
    assert run(tmp_path, layers, "keras")["gru.learnables"] == 3 * (256 * 320 + 256) == 246528


def test_keras_attention_by_hand(tmp_path):
    """MultiHeadAttention(num_heads=2, key_dim=32) on 32 features, as keras.io's 'Text classification with
    Transformer' builds it: query, key and value kernels 32 x 2 x 32 with 2 x 32 biases, output kernel
    2 x 32 x 32 with 32 biases: 3 (2048 + 64) + 2048 + 32 = 8416. value_dim 16, output_dim 8 by hand:
    2 (2048 + 64) + (32 x 2 x 16 + 32) + (2 x 16 x 8 + 8) = 4224 + 1056 + 264."""
    seq = dict(name="x", type="input", size=[200, 32])
    assert run(tmp_path, [seq, dict(name="a", type="MultiHeadAttention", num_heads=2, key_dim=32)],
               "keras")["a.learnables"] == 8416
    answers = run(tmp_path, [seq, dict(name="a", type="MultiHeadAttention", num_heads=2, key_dim=32, value_dim=16,
                                       output_dim=8)], "keras")
    assert answers["a.learnables"] == 4224 + 1056 + 264
    assert answers["a.output"] == [200, 8]


# -- PyTorch: every count against torch.nn's own modules --------------------------------------------------
torch_cases = [(kind, d, h, bi, layers, bias) for kind in ("RNN", "LSTM", "GRU")
               for d, h in ((10, 20), (3, 7)) for bi in (False, True) for layers in (1, 3) for bias in (True, False)]


def numel(module):
    return sum(p.numel() for p in module.parameters())


@pytest.mark.parametrize("kind, d, h, bi, layers, bias", torch_cases)
def test_recurrent_against_torch(tmp_path, kind, d, h, bi, layers, bias):
    torch = pytest.importorskip("torch")
    module = getattr(torch.nn, kind)(d, h, num_layers=layers, bidirectional=bi, bias=bias)
    out, _ = module(torch.zeros(6, d))            # unbatched (L, H_in)
    answers = run(tmp_path, [dict(name="x", type="input", size=[6, d]),
                             dict(name="r", type=kind, hidden_size=h, num_layers=layers, bidirectional=bi,
                                  bias=bias)], "pytorch")
    assert answers["r.learnables"] == numel(module)
    assert answers["r.output"] == list(out.shape)


@pytest.mark.parametrize("d, h, proj, bi, layers, bias", [(10, 20, 5, False, 1, True), (10, 20, 5, True, 1, True),
                                                       (10, 20, 5, False, 3, True), (7, 9, 8, True, 2, True),
                                                       (3, 12, 1, True, 3, False), (16, 32, 4, False, 2, False)])
def test_lstm_projection_against_torch(tmp_path, d, h, proj, bi, layers, bias):
    """PyTorch's LSTM(proj_size=p): weight_hh h x p per gate, weight_hr p x h, the output (and the next layer's
    input) D p wide: counts, shapes and every tensor against torch's own."""
    torch = pytest.importorskip("torch")
    module = torch.nn.LSTM(d, h, num_layers=layers, bidirectional=bi, bias=bias, proj_size=proj)
    out, _ = module(torch.zeros(6, d))
    answers = run(tmp_path, [dict(name="x", type="input", size=[6, d]),
                             dict(name="r", type="LSTM", hidden_size=h, num_layers=layers, bidirectional=bi,
                                  bias=bias, proj_size=proj)], "pytorch")
    assert answers["r.learnables"] == numel(module)
    assert answers["r.output"] == list(out.shape) == [6, (2 if bi else 1) * proj]


def test_lstm_projection_by_hand(tmp_path):
    """LSTM(10, 20, proj_size=5): 4 x 20 x (10 + 5) + 2 x 80 + 5 x 20 = 1200 + 160 + 100 = 1460; stacked, the
    second layer reads 5: 4 x 20 x (5 + 5) + 160 + 100 = 1060; bidirectional doubles each and the second
    layer reads 10."""
    x = dict(name="x", type="input", size=[6, 10])
    lstm = dict(name="r", type="LSTM", hidden_size=20, proj_size=5)
    assert run(tmp_path, [x, lstm], "pytorch")["r.learnables"] == 1460
    assert run(tmp_path, [x, dict(lstm, num_layers=2)], "pytorch")["r.learnables"] == 1460 + 1060
    assert run(tmp_path, [x, dict(lstm, num_layers=2, bidirectional=True)], "pytorch")["r.learnables"] == \
        2 * 1460 + 2 * (4 * 20 * (10 + 5) + 160 + 100)


@pytest.mark.parametrize("convention, layer, message", [
    ("pytorch", dict(name="r", type="LSTM", hidden_size=4, proj_size=4), "smaller than hidden_size"),
    ("pytorch", dict(name="r", type="GRU", hidden_size=4, proj_size=2), "LSTM option"),
    ("keras", dict(name="r", type="LSTM", units=4, proj_size=2), "PyTorch option"),
])
def test_bad_projections_name_the_field(tmp_path, convention, layer, message):
    path = write(tmp_path, [dict(name="x", type="input", size=[6, 8]), layer], convention)
    with pytest.raises(SpecError, match=message) as err:
        solve(path)
    assert err.value.field.endswith("proj_size")


@pytest.mark.parametrize("E, heads, kdim, vdim, bias", [(16, 4, None, None, True), (16, 2, 8, 12, True),
                                                       (24, 3, None, None, False), (12, 1, 5, 5, False),
                                                       (12, 3, 12, 7, True)])
def test_attention_against_torch(tmp_path, E, heads, kdim, vdim, bias):
    """Self-attention, and attention to keys and values of other widths (kdim, vdim: PyTorch's separate
    q/k/v_proj_weight), the keys and values made by Linear layers from the input."""
    torch = pytest.importorskip("torch")
    module = torch.nn.MultiheadAttention(E, heads, bias=bias, kdim=kdim, vdim=vdim)
    q = torch.zeros(6, E)
    out, _ = module(q, torch.zeros(6, kdim or E), torch.zeros(6, vdim or E))
    layers = [dict(name="q", type="input", size=[6, E])]
    if kdim is None:
        layers.append(dict(name="a", type="MultiheadAttention", num_heads=heads, bias=bias))
    else:
        layers += [dict(name="k", type="Linear", nodes=kdim), dict(name="v", type="Linear", nodes=vdim, inputs=["q"]),
                   dict(name="a", type="MultiheadAttention", num_heads=heads, bias=bias, inputs=["q", "k", "v"])]
    answers = run(tmp_path, layers, "pytorch")
    assert answers["a.learnables"] == numel(module)
    assert answers["a.output"] == list(out.shape)


def test_decoder_against_torch(tmp_path):
    torch = pytest.importorskip("torch")
    one = torch.nn.TransformerDecoderLayer(32, 4, 80)
    stack = torch.nn.TransformerDecoder(one, 2)
    out = stack(torch.zeros(5, 1, 32), torch.zeros(5, 1, 32))
    answers = run(tmp_path, [dict(name="x", type="input", size=[5, 32]), dict(name="memory", type="relu"),
                             dict(name="dec", type="TransformerDecoderLayer", num_heads=4, dim_feedforward=80,
                                  num_layers=2, inputs=["x", "memory"])], "pytorch")
    assert answers["dec.learnables"] == numel(stack)
    assert answers["dec.output"] == [out.shape[0], out.shape[2]]


def test_embedding_and_layer_norm_against_torch(tmp_path):
    torch = pytest.importorskip("torch")
    emb, norm, plain = torch.nn.Embedding(500, 24), torch.nn.LayerNorm(24), torch.nn.LayerNorm(24, bias=False)
    out = norm(emb(torch.zeros(9, dtype=torch.long)))
    answers = run(tmp_path, [dict(name="ids", type="input", size=[9]),
                             dict(name="e", type="Embedding", vocabulary=500, dim=24),
                             dict(name="pos", type="position embedding", length=16),
                             dict(name="n", type="LayerNorm"), dict(name="m", type="LayerNorm", bias=False)],
                  "pytorch")
    assert answers["e.learnables"] == numel(emb) and answers["n.learnables"] == numel(norm)
    assert answers["m.learnables"] == numel(plain)
    assert answers["pos.learnables"] == numel(torch.nn.Embedding(16, 24))
    assert answers["n.output"] == list(out.shape)


@pytest.mark.parametrize("d, heads, ff, layers, bias", [(32, 4, 64, 1, True), (768, 12, 3072, 1, True),
                                                      (16, 2, 40, 3, True), (16, 4, 24, 2, False)])
def test_encoder_against_torch(tmp_path, d, heads, ff, layers, bias):
    torch = pytest.importorskip("torch")
    one = torch.nn.TransformerEncoderLayer(d, heads, ff, bias=bias)
    stack = torch.nn.TransformerEncoder(one, layers, enable_nested_tensor=False)
    out = stack(torch.zeros(5, 1, d))
    answers = run(tmp_path, [dict(name="x", type="input", size=[5, d]),
                             dict(name="enc", type="TransformerEncoderLayer", num_heads=heads, dim_feedforward=ff,
                                  num_layers=layers, bias=bias)], "pytorch")
    assert answers["enc.learnables"] == numel(stack)
    assert answers["enc.output"] == [out.shape[0], out.shape[2]]


# -- published totals ------------------------------------------------------------------------------------
@pytest.mark.parametrize("spec, total", [
    ("architecture_bert_base_pytorch.toml", 109_482_240),    # BERT-base with its pooler ("110M")
    ("architecture_gpt2_small_pytorch.toml", 124_439_808),   # GPT-2 small ("124M"), output tied to wte
])
def test_published_transformer_totals(spec, total):
    answers, ok = solve(SPECS / spec)
    assert ok and answers["total.learnables"] == total


def test_published_totals_rebuilt_from_torch():
    """The same totals from torch.nn modules built as the two models are."""
    torch = pytest.importorskip("torch")
    nn = torch.nn
    block = numel(nn.TransformerEncoderLayer(768, 12, 3072))
    bert = (numel(nn.Embedding(30522, 768)) + numel(nn.Embedding(2, 768)) + numel(nn.Embedding(512, 768))
            + numel(nn.LayerNorm(768)) + 12 * block + numel(nn.Linear(768, 768)))
    gpt2 = numel(nn.Embedding(50257, 768)) + numel(nn.Embedding(1024, 768)) + 12 * block + numel(nn.LayerNorm(768))
    assert (bert, gpt2) == (109_482_240, 124_439_808)


# -- the model answer's lines and the errors ---------------------------------------------------------------
def test_lstm_learnables_line_is_the_students_formula(tmp_path):
    """Keras LSTM: 4(h(h + d) + h) with h = 128, d = 64 substituted, 98,816."""
    from symdl.notation.printer import tex

    q = load_exam(write(tmp_path, KERAS_GUIDE[0][0], "keras")).questions[0]
    q.values = kinds.get("architecture").schema.check(q)
    sol = solution_of(q)
    steps = [i for s in sol.sections for sub in s.items if hasattr(sub, "items") for i in sub.items
             if getattr(i, "text", "") == "learnables" and getattr(i, "result", None) == 98816]
    assert steps
    assert tex(steps[0].formula).replace(" ", "") == r"4\left(h\left(h+d\right)+h\right)"
    assert tex(steps[0].substituted).replace(" ", "") == r"4\cdot\left(128\cdot\left(128+64\right)+128\right)"


@pytest.mark.parametrize("convention, layer, message", [
    ("matlab", dict(name="r", type="LSTM", units=4), "Keras or PyTorch convention"),
    ("keras", dict(name="r", type="LSTM"), "units"),
    ("keras", dict(name="r", type="LSTM", units=4, num_layers=2), "PyTorch option"),
    ("pytorch", dict(name="r", type="GRU", hidden_size=4, return_sequences=False), "Keras option"),
    ("pytorch", dict(name="r", type="MultiheadAttention", num_heads=5), "not divisible"),
    ("pytorch", dict(name="r", type="conv", filters=2, size=3), "windowed layer"),
    ("keras", dict(name="r", type="position embedding", length=3), "only 3"),
])
def test_bad_sequence_layers_name_the_layer(tmp_path, convention, layer, message):
    size = [3] if convention == "matlab" else [6, 8]
    path = write(tmp_path, [dict(name="x", type="input", size=size), layer], convention)
    with pytest.raises(SpecError, match=message) as err:
        solve(path)
    assert "r" in str(err.value)


def test_one_bias_mistake_on_a_torch_lstm(tmp_path):
    """PyTorch LSTM(10, 20): 4 x 20 x 30 + 8 x 20 = 2560; one bias vector per gate gives 2480."""
    path = write(tmp_path, [dict(name="x", type="input", size=[6, 10]),
                            dict(name="r", type="LSTM", hidden_size=20)], "pytorch")
    q = load_exam(path).questions[0]
    q.values = kinds.get("architecture").schema.check(q)
    sol = solution_of(q)
    found = arch.KIND.mistakes(q, sol)
    assert sol.answers["r.learnables"] == 2560
    assert {m.name: m.value for m in found["r.learnables"]} == {"bias-forgotten": 2400,
                                                                "one-bias-vector-per-gate": 2480}


def test_keras_blocks_and_cross_attention_by_hand(tmp_path):
    """keras_hub's TransformerEncoder(intermediate_dim=64, num_heads=2) on 32 features: attention with key_dim
    16, 4 (32 x 32) + 4 x 32 = 4224; dense layers 32 x 64 + 64 + 64 x 32 + 32 = 4192; two norms 128: 8544.
    A decoder without an encoder sequence has the same parts; with one, a cross-attention (4224) and a third
    norm (64) more. Attention of 4 queries of 32 features to a memory of 8 features (Keras's (query, value, key)):
    query 32 x 2 x 16 + 32, key and value 8 x 2 x 16 + 32 each, output 2 x 16 x 32 + 32."""
    x = dict(name="x", type="input", size=[6, 32])
    enc = dict(name="b", type="TransformerEncoder", num_heads=2, dim_feedforward=64)
    assert run(tmp_path, [x, enc], "keras")["b.learnables"] == 8544
    assert run(tmp_path, [x, dict(enc, type="TransformerDecoder")], "keras")["b.learnables"] == 8544
    mem = dict(name="m", type="relu")
    dec = dict(enc, type="TransformerDecoder", inputs=["x", "m"])
    assert run(tmp_path, [x, mem, dec], "keras")["b.learnables"] == 8544 + 4224 + 64
    memory = [dict(name="ids", type="input", size=[4]), dict(name="m", type="Embedding", vocabulary=10, dim=8),
              dict(name="q", type="Embedding", vocabulary=10, dim=32, inputs=["ids"])]
    answers = run(tmp_path, memory + [dict(name="a", type="MultiHeadAttention", num_heads=2, key_dim=16,
                                           inputs=["q", "m", "m"])], "keras")
    assert answers["a.learnables"] == (32 * 32 + 32) + 2 * (8 * 32 + 32) + (32 * 32 + 32)
    assert answers["a.output"] == [4, 32]


def test_cli_refuses_a_bad_sequence_layer_in_one_line(tmp_path, capsys):
    """Bad input: one line naming the file, the question and the field, exit 2, nothing written."""
    from symdl.cli import main

    path = write(tmp_path, [dict(name="x", type="input", size=[6, 8]),
                            dict(name="rnn", type="LSTM", units=4, reset_after=True)], "keras")
    out = tmp_path / "out"
    assert main(["derive", str(path), "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "spec.toml" in err[0] and "A" in err[0] and "reset_after" in err[0]
    assert not out.exists()
