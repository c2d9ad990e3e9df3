"""Generated logs: cost in proportion to the printed rows, and every documented setting read as its behaviour.

The random settings span the documented ranges (docs/kinds/training_log.md, "Generated logs"); a setting
either makes a log whose verdicts are the behaviour's, confirmed on a subset by the independent float route
(check.independent: numpy's polyfit, the t quantile by integration), or is refused with one line naming a
``generate.<field>``.
"""

from __future__ import annotations

import random
import time
import tracemalloc
from fractions import Fraction
from pathlib import Path

import pytest

from symdl.errors import SpecError
from symdl.kinds.training_log import KIND
from symdl.kinds.training_log import generate as gen
from symdl.kinds.training_log.reading import analyse
from symdl.kinds.training_log.trends import trend_section
from symdl.kinds.training_log.verdicts import verdicts
from symdl.solution import Solution
from symdl.kinds.training_log.intended import EXPECTED, MAX_REDRAWS, redraw_seed
from symdl.kinds.training_log.source import MAX_ITERATIONS
from symdl.input.spec import Question
from support import independent_of, solution_of


def question(fields):
    q = Question(id="Q", kind="training_log", text="", fields=fields, file=Path("exam.toml"))
    q.values = KIND.schema.check(q)
    return q


def settings(fmt, iterations, epochs=100, behaviour="diverging"):
    every = iterations if fmt != "keras" else iterations
    return gen.Settings(behaviour, fmt, epochs, iterations, every, every, Fraction(1, 1000), Fraction(1, 2), 7)


def cost(s):
    """(text, CPU seconds, peak bytes allocated) of generating the log of ``s`` (no cache)."""
    gen.generate.cache_clear()
    tracemalloc.start()
    start = time.process_time()
    text = gen.generate(s)
    cpu = time.process_time() - start
    peak = tracemalloc.get_traced_memory()[1]
    tracemalloc.stop()
    return text, cpu, peak


@pytest.mark.parametrize("fmt", gen.FORMATS)
def test_the_generator_costs_what_it_prints_not_the_iterations(fmt):
    """The same 100 epochs printed once per epoch, with 10 and with 10^7 iterations per epoch (10^9 in all):
    the same number of lines, and CPU time and peak memory of the same size (the run is never walked)."""
    small_text, small_cpu, small_peak = cost(settings(fmt, 10))
    big_text, big_cpu, big_peak = cost(settings(fmt, 10**7))
    assert len(big_text.splitlines()) == len(small_text.splitlines()) == gen.line_count(settings(fmt, 10**7))
    assert big_peak < 2 * small_peak + 200_000, (small_peak, big_peak)
    assert big_cpu < 0.5 and big_cpu < 5 * small_cpu + 0.05, (small_cpu, big_cpu)


def test_settings_beyond_the_iteration_budget_are_refused_before_any_work():
    table = dict(behaviour="learning well", epochs=20, iterations_per_epoch=MAX_ITERATIONS // 20 + 1,
                 validation_every=MAX_ITERATIONS // 20 + 1, verbose_every=MAX_ITERATIONS // 20 + 1)
    start = time.process_time()
    with pytest.raises(SpecError) as info:
        solution_of(question(dict(format="matlab", minibatch=32, generate=table)))
    assert time.process_time() - start < 0.2
    assert info.value.field == "generate.iterations_per_epoch"


def test_the_derivation_at_the_iteration_budget_costs_no_more_than_a_small_run():
    """The kind's derivation reads only the printed rows: 10^6 iterations in all cost as much as 100."""
    def run(iterations):
        table = dict(behaviour="overfitting", epochs=20, iterations_per_epoch=iterations,
                     validation_every=iterations, verbose_every=iterations, seed=3)
        q = question(dict(format="matlab", minibatch=32, generate=table))
        gen.generate.cache_clear()
        tracemalloc.start()
        start = time.process_time()
        sol = solution_of(q)
        cpu = time.process_time() - start
        peak = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        assert sol.answers["generated.as_intended"] is True
        return cpu, peak

    small_cpu, small_peak = run(5)
    big_cpu, big_peak = run(MAX_ITERATIONS // 20)
    assert big_peak < 2 * small_peak, (small_peak, big_peak)
    assert big_cpu < 3 * small_cpu + 0.2, (small_cpu, big_cpu)


def random_fields(rng):
    """Settings drawn over the documented ranges: every format and behaviour, 5 to 145 epochs, 1 to 99999
    iterations per epoch (within the budget), print frequencies that keep the log within 300 lines, the
    significance at its default, its documented lowest (0.01) or 0.2, other thresholds and shuffles."""
    fmt = rng.choice(gen.FORMATS)
    epochs = rng.randint(5, 145)
    iterations = min(rng.choice([1, rng.randint(1, 30), rng.randint(1, 99999)]), MAX_ITERATIONS // epochs)
    table = dict(behaviour=rng.choice(gen.BEHAVIOURS), epochs=epochs, iterations_per_epoch=iterations,
                 seed=rng.randrange(10**6))
    if fmt == "matlab":
        table["validation_every"] = table["verbose_every"] = iterations
    if fmt == "pytorch":
        table["verbose_every"] = iterations
    fields = dict(format=fmt, minibatch=rng.choice([1, 16, 128]), generate=table)
    fields["significance"] = rng.choice(["0.05", "0.01", "0.2"])
    fields["shuffle"] = rng.choice(["once", "never", "every-epoch"])
    if rng.random() < 0.3:
        fields["slow_rate"] = rng.choice(["0.01", "0.05", "0.1"])
    if rng.random() < 0.3:
        fields["rise_tolerance"] = rng.choice(["0.005", "0.02", "0.05"])
    return fields


def key_verdicts(q):
    """The verdicts the key reads from the question's log (the derivation's own functions, without the
    rest of the Solution)."""
    an = analyse(q)
    assert not an.short
    return verdicts(an, trend_section(Solution("Q", "training_log"), an))


def test_random_documented_settings_read_as_their_behaviour():
    """200 random settings: the key's verdicts are the behaviour's; every 8th confirmed by the independent
    float route, every 25th derived whole (generated.as_intended); a refusal names generate.<field> and
    stays rare."""
    rng = random.Random(20261207)
    refused = []
    for n in range(200):
        fields = random_fields(rng)
        q = question(fields)
        try:
            v = key_verdicts(q)
        except SpecError as exc:
            assert exc.field.startswith("generate."), (fields, exc)
            refused.append((fields, exc.message))
            continue
        wanted = EXPECTED[fields["generate"]["behaviour"]]
        assert all(v[key] == value for key, value in wanted.items()), (fields, v)
        if n % 8 == 0:
            other = independent_of(q)
            for key, value in wanted.items():
                if key != "slow":
                    assert other["diverging" if key == "diverged" else key] == value, (fields, key, other)
        if n % 25 == 0:
            assert solution_of(q).answers["generated.as_intended"] is True, fields
    assert len(refused) <= 4, refused


def test_redraw_seeds_are_fixed_and_distinct():
    """The redraws are part of the log's definition: the same on every machine and Python (SHA-256)."""
    assert redraw_seed(988439, 0) == 988439
    seeds = {redraw_seed(988439, k) for k in range(MAX_REDRAWS)}
    assert len(seeds) == MAX_REDRAWS and all(0 <= s < 2**63 for s in seeds)
    assert redraw_seed(988439, 1) == int.from_bytes(
        __import__("hashlib").sha256(b"symdl-log-redraw:988439:1").digest()[:8], "big") % 2**63
