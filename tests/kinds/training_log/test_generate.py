"""Generated training logs ([question.generate]): each read, through the kind's own readers, as the behaviour
it was made with; its numbers are the settings'; the same settings give the same text on every Python."""

from __future__ import annotations

import hashlib
import math
import os
import subprocess
from pathlib import Path

import numpy as np
import pytest

from support import TESTS, independent_of, one_question, sheet_of
from symdl.solve import solve_question
from symdl.errors import SpecError
from symdl.kinds.training_log import KIND, generate as gen
from symdl.kinds.training_log.reading import analyse
from symdl.kinds.training_log.verdicts import verdicts
from symdl.kinds.training_log.intended import EXPECTED
from symdl.kinds.training_log.source import log_text
from symdl.kinds.training_log.trends import trend_section
from symdl.solution import Solution, Table, Text
from symdl.input.spec import Question

GENERATOR = TESTS.parent / "symdl" / "kinds" / "training_log" / "generate.py"
PYENV = Path(os.environ.get("PYENV_ROOT", Path.home() / ".pyenv")) / "versions"


def question(fields):
    q = Question(id="Q", kind="training_log", text="", fields=fields, file=Path("exam.toml"))
    q.values = KIND.schema.check(q)
    return q


def seeded_settings(behaviour, seed):
    """The seed's settings from a grid of formats, epochs, iterations per epoch and print frequencies."""
    fmt = gen.FORMATS[seed % 3]
    epochs = (5, 6, 8, 12, 20, 30)[seed // 3 % 6]
    iterations = (1, 4, 10, 37, 155)[seed // 18 % 5]
    table = dict(behaviour=behaviour, epochs=epochs, iterations_per_epoch=iterations, seed=seed)
    if fmt == "matlab":
        table["validation_every"] = (iterations, max(1, iterations // 3), min(50, iterations))[seed % 3]
        table["verbose_every"] = (max(1, iterations // 2), 50)[seed // 90 % 2]
    if fmt == "pytorch":
        table["verbose_every"] = max(1, iterations // 4)
    return dict(format=fmt, minibatch=32, generate=table)


@pytest.mark.parametrize("behaviour", gen.BEHAVIOURS)
def test_every_seed_is_read_as_its_behaviour(behaviour):
    """Every point of seeded_settings' grid once per behaviour (120 seeds): generate -> read -> derive gives
    the behaviour's verdicts (and every 10th seed by the independent float route too, whose t quantiles by
    integration are slow), and the iterations per epoch of the settings."""
    for seed in range(180):
        if gen.FORMATS[seed % 3] != "matlab" and seed >= 90:
            continue            # seeds 90-179 differ from 0-89 only in MATLAB's print frequency
        fields = seeded_settings(behaviour, seed)
        q = question(fields)
        an = analyse(q)
        assert not an.short, (seed, an.short)
        assert an.iterations == fields["generate"]["iterations_per_epoch"]
        v = verdicts(an, trend_section(Solution("Q", "training_log"), an))
        other = independent_of(q) if seed % 10 == 0 else None
        for key, wanted in EXPECTED[behaviour].items():
            assert v[key] == wanted, (seed, fields, key, v)
            if other is not None and key != "slow":
                assert other["diverging" if key == "diverged" else key] == wanted, (seed, fields, key)


def plain_rows(text):
    """(epoch, iteration, seconds, train, val) of a MATLAB table, split by hand."""
    rows = []
    for line in text.splitlines()[1:]:
        e, i, clock, train, val, _ = line.split("\t")
        h, m, s = (int(x) for x in clock.split(":"))
        rows.append((int(e), int(i), 3600 * h + 60 * m + s, float(train), float(val) if val else None))
    return rows


@pytest.mark.parametrize("fmt, framework, drop_last, n, batch", [
    ("matlab", "matlab", None, 5000, 32),       # floor: 156 iterations
    ("matlab", "pytorch", None, 5000, 32),      # ceil: 157
    ("pytorch", "pytorch", None, 1000, 64),     # ceil: 16
    ("keras", "keras", True, 6000, 128),        # drop_last: floor, 46
])
def test_part_a_gives_back_the_training_set(tmp_path, fmt, framework, drop_last, n, batch):
    extra = "" if drop_last is None else f"drop_last = {str(drop_last).lower()}\n"
    q = one_question(tmp_path, "training_log", f'format = "{fmt}"\nframework = "{framework}"\nminibatch = {batch}\n'
                     f'{extra}[question.generate]\nbehaviour = "learning well"\nepochs = 10\n'
                     f'training_set_size = {n}\nseconds_per_iteration = 0.75\nseed = 11\n')
    result = solve_question(q)
    a = result.solution.answers
    assert result.verified, [c.name for c in result.failures]
    floor = drop_last if drop_last is not None else framework == "matlab"
    iterations = n // batch if floor else math.ceil(n / batch)
    assert a["iterations_per_epoch"] == iterations
    sizes = [m for m in range(1, (iterations + 2) * batch) if (m // batch if floor else -(-m // batch)) == iterations]
    assert (a["train_set_size.min"], a["train_set_size.max"]) == (min(sizes), max(sizes))
    assert a["train_set_size.min"] <= n <= a["train_set_size.max"]
    assert a["generated.as_intended"] is True and a["learning"] is True
    if fmt == "matlab":       # whole seconds of 0.75 s per iteration, end to end
        rows = plain_rows(log_text(q)[0])
        assert rows[-1][:2] == (10, 10 * iterations)
        assert abs(float(a["seconds_per_iteration"]) - 0.75) <= 1 / (rows[-1][1] - rows[0][1])


def test_underfitting_noise_has_no_trend():
    """A plateau: the validation losses lie within +-0.4 % of their mean and the epoch means of the mini-batch
    losses within +-1 %, and neither has a least-squares slope (numpy, from the printed text)."""
    fields = dict(format="matlab", minibatch=32, generate=dict(behaviour="underfitting", epochs=12,
                                                              iterations_per_epoch=40, validation_every=20,
                                                              verbose_every=10, seed=3))
    rows = plain_rows(log_text(question(fields))[0])
    its = np.array([r[1] for r in rows if r[4] is not None], float)
    val = np.array([r[4] for r in rows if r[4] is not None])
    assert np.all(np.abs(val / val.mean() - 1) <= gen.VAL_NOISE + 1e-4)
    assert abs(np.polyfit(its, val, 1)[0]) * its[-1] < 1e-3 * val.mean()
    means = np.array([np.mean([r[3] for r in rows if r[0] == e]) for e in range(1, 13)])
    assert np.all(np.abs(means / means.mean() - 1) <= gen.EPOCH_NOISE + 1e-4)
    assert abs(np.polyfit(np.arange(1, 13), means, 1)[0]) * 12 < 1e-3 * means.mean()


def test_untrended_noise_by_numpy():
    xs = [1, 2, 4, 8, 9, 15]
    ys = [0.3, -0.2, 0.5, 0.1, -0.4, 0.2]
    out = gen._untrended(ys, xs, 0.25)
    slope, mean = np.polyfit(xs, out, 1)[0], np.mean(out)
    assert abs(slope) < 1e-15 and abs(mean) < 1e-15
    assert max(abs(v) for v in out) == pytest.approx(0.25)
    raw = np.array(ys) - np.polyval(np.polyfit(xs, ys, 1), xs)
    assert np.allclose(np.array(out) / 0.25, raw / np.abs(raw).max())


def settings(**changes):
    base = dict(behaviour="overfitting", fmt="matlab", epochs=8, iterations=30, validation_every=10,
                verbose_every=5, learning_rate=gen.Fraction(1, 1000), seconds_per_iteration=gen.Fraction(1, 2), seed=5)
    return gen.Settings(**{**base, **changes})


def test_same_settings_same_text_other_seed_other_text():
    text = gen.generate(settings())
    gen.generate.cache_clear()
    assert gen.generate(settings()) == text
    assert gen.generate(settings(seed=6)) != text
    assert len(text.splitlines()) == gen.line_count(settings())
    for fmt in ("keras", "pytorch"):
        s = settings(fmt=fmt, validation_every=30)
        assert len(gen.generate(s).splitlines()) == gen.line_count(s)


def test_the_same_text_on_every_python():
    """generate.py imports the standard library only: each Python 3.11-3.13 at hand loads it alone and
    prints the digest of a log per behaviour and format; all must agree with this process."""
    pythons = [p for v in ("3.11", "3.12", "3.13") for p in sorted(PYENV.glob(f"{v}*/bin/python3"))[-1:]]
    if not pythons:
        pytest.skip("no pyenv Pythons 3.11-3.13 installed")
    code = ("import importlib.util, hashlib, sys\n"
            f"spec = importlib.util.spec_from_file_location('g', {str(GENERATOR)!r})\n"
            "g = importlib.util.module_from_spec(spec); sys.modules['g'] = g; spec.loader.exec_module(g)\n"
            "from fractions import Fraction as F\n"
            "for b in g.BEHAVIOURS:\n"
            "    for f in g.FORMATS:\n"
            "        s = g.Settings(b, f, 9, 24, 24 if f != 'matlab' else 8, 6, F(3, 10**7), F(7, 4), 1234)\n"
            "        print(hashlib.sha256(g.generate(s).encode()).hexdigest())\n")
    here = [hashlib.sha256(gen.generate(gen.Settings(b, f, 9, 24, 24 if f != "matlab" else 8, 6,
                                                     gen.Fraction(3, 10**7), gen.Fraction(7, 4), 1234))
                           .encode()).hexdigest() for b in gen.BEHAVIOURS for f in gen.FORMATS]
    for python in pythons:
        out = subprocess.run([str(python), "-I", "-c", code], capture_output=True, text=True, timeout=60)
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == here, python


def test_the_sheet_hands_the_generated_log_out_whole(tmp_path):
    """The question shows an excerpt; the whole generated log, every row, is handed out after the questions."""
    q = one_question(tmp_path, "training_log", 'minibatch = 16\n[question.generate]\nbehaviour = "diverging"\n'
                                               'epochs = 6\niterations_per_epoch = 120\nverbose_every = 20\nlearning_rate = 0.1\nseed = 2\n')
    items = sheet_of(q)
    lines = log_text(q)[0].splitlines()
    assert len(lines) - 1 > 24                               # longer than the excerpt
    t = next(i for i in items if isinstance(i, Table) and i.role == "handout")
    assert t.header == lines[0].split("\t") and t.rows == [line.split("\t") for line in lines[1:]]
    assert t.rows[-1][3] == "NaN" and t.rows[-1][5] == "0.1000"
    assert f"({len(lines) - 1} rows)" in t.caption
    excerpt = next(i for i in items if isinstance(i, Table) and i.role == "excerpt")
    assert excerpt.rows[:16] == t.rows[:16] and excerpt.rows[-8:] == t.rows[-8:]
    assert excerpt.rows[16] == [f"... {len(lines) - 1 - 24} rows left out here ..."]


BASE = 'minibatch = 32\n[question.generate]\nbehaviour = "overfitting"\nepochs = 10\niterations_per_epoch = 50\n'


@pytest.mark.parametrize("body, field, words", [
    (BASE.replace('"overfitting"', '"memorising"'), "generate.behaviour", "unknown behaviour 'memorising'"),
    (BASE.replace('behaviour = "overfitting"\n', ""), "generate.behaviour", "missing required field"),
    (BASE.replace("epochs = 10", "epochs = 1"), "generate.epochs", "at least 5"),
    (BASE.replace("epochs = 10", "epochs = 7.5"), "generate.epochs", "whole number"),
    (BASE.replace("epochs = 10", 'epochs = "ten"'), "generate.epochs", "whole number"),
    (BASE.replace("epochs = 10\n", ""), "generate.epochs", "missing required field"),
    (BASE + "validation_every = 51\n", "generate.validation_every", "more than the 50 iterations"),
    (BASE + "validation_every = 0\n", "generate.validation_every", "at least 1"),
    ('format = "keras"\n' + BASE + "validation_every = 10\n", "generate.validation_every", "once per epoch"),
    ('format = "csv"\n' + BASE, "format", "matlab, keras, pytorch"),
    (BASE + "training_set_size = 1600\n", "generate.iterations_per_epoch", "exactly one"),
    (BASE.replace("iterations_per_epoch = 50\n", ""), "generate.iterations_per_epoch", "exactly one"),
    (BASE + "learning_rate = -0.1\n", "generate.learning_rate", "above 0"),
    (BASE + 'learning_rate = "fast"\n', "generate.learning_rate", "not a number"),
    (BASE + "seed = -1\n", "generate.seed", "at least 0"),
    (BASE + "momentum = 0.9\n", "generate.momentum", "unknown field"),
    (BASE.replace("epochs = 10", "epochs = 100") + "verbose_every = 1\n", "generate", "at most 300 lines"),
    ('significance = 0.001\n' + BASE, "significance", "0.01 or more"),
    ('log = "run.txt"\n' + BASE, "generate", "not both"),
    ("minibatch = 32\n", "log", "a [question.generate] table"),
])
def test_bad_generate_tables_give_one_line(tmp_path, body, field, words):
    (tmp_path / "run.txt").write_text("Epoch\tIteration\n")
    q = one_question(tmp_path, "training_log", body)
    for step in (solve_question, sheet_of):
        with pytest.raises(SpecError) as info:
            step(q)
        message = str(info.value)
        assert "\n" not in message and "question Q" in message and f"field '{field}'" in message, message
        assert words in message, message


def test_variants_draw_different_logs(tmp_path):
    from symdl.variants import generate

    spec = tmp_path / "v.toml"
    spec.write_text('[exam]\nid = "v"\ntitle = "v"\n[[question]]\nid = "Q"\nkind = "training_log"\n'
                    'minibatch = { choice = [16, 32] }\n[question.generate]\n'
                    'behaviour = { choice = ["learning well", "overfitting", "diverging"] }\nepochs = 6\n'
                    'training_set_size = 960\nvalidation_every = 20\nseed = { random = "integer", low = 0, high = 99 }\n')
    variants = generate(spec, 4, seed=1)
    texts = {log_text(v.exam.questions[0])[0] for v in variants}
    assert len(texts) == 4
    for v in variants:
        q, a = v.exam.questions[0], v.results[0].solution.answers
        assert a["generated.as_intended"] is True and v.results[0].verified
        wanted = EXPECTED[q.fields["generate"]["behaviour"]]
        assert all(a["diverging" if k == "diverged" else k] == x for k, x in wanted.items() if k != "slow")
        assert a["iterations_per_epoch"] == 960 // q.fields["minibatch"]


def test_a_short_generated_log_is_shown_whole_in_the_question(tmp_path):
    q = one_question(tmp_path, "training_log", 'minibatch = 16\n[question.generate]\nbehaviour = "diverging"\n'
                                               'epochs = 6\niterations_per_epoch = 120\nlearning_rate = 0.1\nseed = 2\n')
    items = sheet_of(q)
    lines = log_text(q)[0].splitlines()
    tables = [i for i in items if isinstance(i, Table)]
    assert [t.role for t in tables] == ["excerpt"]                   # no handout for 16 rows
    assert tables[0].rows == [line.split("\t") for line in lines[1:]]
    assert any(f"({len(lines) - 1} rows)" in p for i in items if isinstance(i, Text) for p in i.parts)
