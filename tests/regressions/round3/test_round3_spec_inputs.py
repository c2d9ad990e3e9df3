"""Round-3 regressions of draws, conditions and generated logs, each ending as its NOTES.txt says.

Every input is a copy of shared/regressions/round3/<folder>/ (NOTES.txt beside it). Each runs through
``python -m symdl`` in a subprocess, as a user would; CPU time is the child's (getrusage), never wall time.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
ROOT = HERE.parents[2]


def cli(*args, timeout=300):
    """(process, CPU seconds the child used) of ``python -m symdl args``."""
    env = dict(os.environ)
    env.pop("SYMDL_DEBUG", None)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    proc = subprocess.run([sys.executable, "-m", "symdl", *map(str, args)], capture_output=True, text=True,
                          cwd=ROOT, env=env, timeout=timeout)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return proc, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)


def one_error_line(proc, *words):
    """Exit 2 with one line on stderr holding every one of ``words``; nothing on stdout."""
    assert proc.returncode == 2, (proc.returncode, proc.stderr[-600:])
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("symdl: error: "), proc.stderr
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr
    for word in words:
        assert word in lines[0], (word, lines[0])
    return lines[0]


def import_cpu():
    """CPU seconds of starting symdl and reading nothing (the floor a fast refusal is measured against)."""
    _, cpu = cli("check", HERE / "missing.toml")
    return cpu


def test_draw_step_third_is_refused_at_reading_whatever_the_seed(tmp_path):
    spec = HERE / "draw_step_third_exit3" / "d1.toml"
    one_error_line(cli("check", spec)[0], "Q1", "values.x", "step must be a decimal")
    for seed in (0, 1, 7):
        proc, _ = cli("variants", spec, "--count", 3, "--seed", seed, "--out", tmp_path / f"v{seed}")
        one_error_line(proc, "Q1", "values.x", "decimal")
        assert not (tmp_path / f"v{seed}").exists()          # nothing written


def test_draw_huge_exponent_is_refused_in_well_under_a_second():
    floor = import_cpu()
    proc, cpu = cli("check", HERE / "draw_step_huge_exponent_hang" / "d2.toml", "--time-limit", 5, timeout=60)
    one_error_line(proc, "Q1", "values.x", "exponent")
    assert cpu - floor < 0.5, (cpu, floor)


def test_require_1000_term_sum_is_evaluated():
    spec = HERE / "require_recursion_exit3" / "require_1000_term_sum.toml"
    proc, _ = cli("check", spec)
    assert proc.returncode == 0, proc.stderr
    assert "7 of 7 answers agree" in proc.stdout


def test_require_nested_parentheses_is_refused_naming_exam_require():
    proc, _ = cli("check", HERE / "require_recursion_exit3" / "require_nested_parens.toml")
    one_error_line(proc, "exam.require")


def test_variants_exhausted_says_how_many_the_condition_allows(tmp_path):
    spec = HERE / "variants_exhausted_unclear_error" / "f.toml"
    proc, _ = cli("export", "moodle", spec, "--variants", 3, "--seed", 0, "--out", tmp_path / "out")
    line = one_error_line(proc, "exam.require", "variant 003", "'Q1.output[0] != -24'",
                          "the conditions allow only 2 of the 3 variants", "at most 2")
    assert "'?'" not in line and "0 of 0" not in line
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("name", ["g8", "g8b"])
def test_generated_log_beyond_its_iteration_budget_is_refused_at_once(name):
    floor = import_cpu()
    proc, cpu = cli("derive", HERE / "generated_log_memory_8GB" / f"{name}.toml", "--no-pdf", "--time-limit", 60,
                    "--out", HERE / "never-written", timeout=120)
    one_error_line(proc, "Q1", "generate.iterations_per_epoch")
    assert cpu - floor < 1.0, (cpu, floor)
    assert not (HERE / "never-written").exists()


@pytest.mark.parametrize("name, behaviour", [("gen_overfit", "overfitting"), ("gen_learnwell", "learning well")])
def test_generated_log_reads_as_asked(tmp_path, name, behaviour):
    """The seeds of the notes made logs the key read otherwise: the seed is drawn again, said in the report."""
    proc, _ = cli("derive", HERE / "generated_log_not_as_intended" / f"{name}.toml", "--no-pdf",
                  "--out", tmp_path)
    assert proc.returncode == 0, proc.stderr[-600:]
    doc = json.loads(next(tmp_path.glob("*/answers.json")).read_text())
    answers = doc["questions"][0]["answers"]
    assert answers["generated.as_intended"]["value"] is True
    wanted = {"overfitting": ("overfitting", True), "learning well": ("learning", True)}[behaviour]
    assert answers[wanted[0]]["value"] is wanted[1]
    report = next(tmp_path.glob("*/verification.tex")).read_text()
    assert "was drawn again" in report


def test_time_limit_covers_reading_the_spec(monkeypatch, capsys):
    """A spec whose reading would not end (simulated: the draws' reader spins) stops at --time-limit with
    one line naming the phase, exit 2; the limit is lifted once the spec is read (the question's own starts)."""
    import time

    from symdl import cli
    from symdl.input import draws

    def spin(data, file=None):
        end = time.process_time() + 30
        while time.process_time() < end:
            pass
        raise AssertionError("the time limit did not stop reading")

    monkeypatch.setattr(draws, "find", spin)
    start = time.process_time()
    status = cli.main(["check", str(HERE / "draw_step_third_exit3" / "d1.toml"), "--time-limit", "0.5"])
    assert status == 2 and time.process_time() - start < 5
    err = capsys.readouterr().err
    assert "reading the spec exceeded the time limit of 0.5 s" in err and "d1.toml" in err


def test_reading_limit_ends_when_the_questions_start(capsys):
    """The reading limit ends when the spec is read: reading_done() (before a worker pool) or a question's own
    limit, which replaces it, so a derivation longer than what was left of reading's limit is not stopped."""
    import signal

    from symdl import deadline

    with deadline.reading(0.05, "spec.toml"):
        assert signal.getitimer(signal.ITIMER_REAL)[0] > 0
        deadline.reading_done()
        assert signal.getitimer(signal.ITIMER_REAL)[0] == 0
    with deadline.reading(5, "spec.toml"):
        with deadline.time_limit(10, type("Q", (), {"file": "f", "id": "Q1"})()):
            assert signal.getitimer(signal.ITIMER_REAL)[0] > 5       # the question's own limit, not reading's
    assert signal.getitimer(signal.ITIMER_REAL)[0] == 0


def test_the_sheet_key_and_check_read_the_same_redrawn_log():
    """The redrawn log is the question's log for every reader: the sheet (which never derives) prints it,
    the independent route reads it, and it is not the log of the seed given."""
    from symdl.kinds.training_log import KIND
    from symdl.kinds.training_log.generate import generate
    from symdl.kinds.training_log.source import generated_settings, log_text, settings
    from symdl.input.spec import load_exam

    q = load_exam(HERE / "generated_log_not_as_intended" / "gen_overfit.toml").questions[0]
    q.values = KIND.schema.check(q)
    text, name = log_text(q)
    chosen = generated_settings(q)
    assert chosen.redraw >= 1 and f"seed {chosen.seed}" in name
    assert text == generate(chosen) != generate(settings(q, q.values))
    printed = repr(KIND.sheet(q))
    assert all(line.split()[-1] in printed for line in text.splitlines() if "loss:" in line)
    other = KIND.independent(q)
    assert bool(other["overfitting"]) is True and bool(other["diverging"]) is False
