"""The command line: exit statuses, the check table, no partial output, the time limit.

Most cases use the small ``fake`` kind of tests/fakekind.py (the sum a + b, with switches to
lie, spin or crash), run through ``symdl.cli.main`` in a subprocess, so that what is tested
is the real process boundary: exit status, stdout, stderr.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

import fakekind
from symdl import derive as derive_module
from symdl.cli import main
from symdl.commands import check_table
from symdl.derive import derive
from symdl.solve import solve_exam
from symdl.errors import TimeLimitError, UsageError, VerificationFailed
from symdl.render import latex
from symdl.render import pdf as pdf_render
from support import TESTS, answer_values, children_cpu

HERE = TESTS
ROOT = HERE.parent


def fake_cli(*args, cwd=None, env_extra=None, timeout=60):
    env = dict(os.environ, PYTHONPATH=str(HERE) + os.pathsep + os.environ.get("PYTHONPATH", ""))
    env.pop("SYMDL_DEBUG", None)
    env.update(env_extra or {})
    return subprocess.run([sys.executable, "-c", "import fakekind; fakekind.main()", *args],
                          capture_output=True, text=True, cwd=cwd or ROOT, env=env, timeout=timeout)


def write(tmp_path, *questions, name="exam.toml", **kw):
    path = tmp_path / name
    path.write_text(fakekind.spec(*questions, **kw))
    return path


# --------------------------------------------------------------------------- check ----

def test_check_prints_the_table_and_exits_0(tmp_path):
    spec = write(tmp_path, {"a": "0.1", "b": "0.2"}, {"a": "-3", "b": r"\frac{1}{3}"})
    proc = fake_cli("check", str(spec))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines[0].split() == ["question", "answer", "derived", "independent", "agree"]
    assert set(lines[1]) <= {"-", " "}
    rows = [line.split() for line in lines[2:-1]]
    assert rows == [["Q1", "sum", "0.3", "0.3", "yes"],
                    ["Q1", "positive", "True", "True", "yes"],
                    ["Q2", "sum", "-2.666666667", "-2.666666667", "yes"],
                    ["Q2", "positive", "False", "False", "yes"]]
    assert lines[-1] == "4 of 4 answers agree with their independent recomputation"
    # progress on stderr, one line per question
    assert re.fullmatch(r"Q1 \(fake\): 2 answers, verified, [\d.]+ s\nQ2 \(fake\): 2 answers, verified, [\d.]+ s\n",
                        proc.stderr)


def test_check_exits_1_and_names_the_disagreement(tmp_path):
    spec = write(tmp_path, {"a": "1", "b": "2"}, {"a": "1", "b": "2", "lie": True})
    proc = fake_cli("check", str(spec))
    assert proc.returncode == 1
    assert re.search(r"^Q2\s+sum\s+3\s+4\s+NO$", proc.stdout, re.M), proc.stdout
    assert proc.stdout.splitlines()[-1] == "3 of 4 answers agree with their independent recomputation; DISAGREE: Q2:sum"
    assert "FAILED: sum" in proc.stderr


def test_check_table_in_process(tmp_path, monkeypatch):
    fakekind.install(monkeypatch)
    report = solve_exam(write(tmp_path, {"a": "10^{3}", "b": "0.5"}))
    table = check_table(report)
    assert table.splitlines()[2].split() == ["Q1", "sum", "1000.5", "1000.5", "yes"]


def test_derive_exit_1_still_writes_and_names_the_answer(tmp_path):
    spec = write(tmp_path, {"a": "1", "b": "2", "lie": True})
    proc = fake_cli("derive", str(spec), "--out", str(tmp_path / "out"), "--no-pdf")
    assert proc.returncode == 1
    assert proc.stderr.splitlines()[-1].startswith("symdl: error: verification failed for Q1:sum")
    data = json.loads((tmp_path / "out" / "fake-exam" / "answers.json").read_text())
    assert data["questions"][0]["verified"] is False
    folder = tmp_path / "out" / "fake-exam"
    assert "Verification failed for: sum" in (folder / "verification.tex").read_text()
    # the model answers say so in their one footer line, never in the instructor's words
    key = (folder / "answer-key.tex").read_text()
    assert "Some answers disagree with their independent recomputation" in key
    assert "Every answer was recomputed" not in key


def test_derive_exit_0_writes_exactly_the_key(tmp_path):
    spec = write(tmp_path, {"a": "0.25", "b": "0.5"})
    proc = fake_cli("derive", str(spec), "--out", str(tmp_path / "out"), "--no-pdf")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["fake-exam"]
    folder = tmp_path / "out" / "fake-exam"
    written = ["answer-key.tex", "answers.json", "exam-sheet.tex", "grading.tex", "verification.tex"]
    assert sorted(p.name for p in folder.iterdir()) == [".symdl-manifest.json", *written]
    manifest = json.loads((folder / ".symdl-manifest.json").read_text())
    assert manifest["files"] == {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
                                 for name in written}
    data = json.loads((folder / "answers.json").read_text())
    assert answer_values(data["questions"][0]) == {"sum": 0.75, "positive": True,
                                               "remark": "text answers are not checked numerically"}


# ----------------------------------------------------------------- internal errors ----

def test_internal_error_is_one_line_exit_3(tmp_path):
    spec = write(tmp_path, {"a": "1", "b": "2", "crash": True})
    proc = fake_cli("derive", str(spec), "--out", str(tmp_path / "out"), "--no-pdf")
    assert proc.returncode == 3
    assert "Traceback" not in proc.stderr
    assert proc.stderr.count("\n") == 1
    assert "internal error" in proc.stderr and "ZeroDivisionError" in proc.stderr
    assert "question Q1 (fake)" in proc.stderr
    assert not (tmp_path / "out").exists()
    debug = fake_cli("derive", str(spec), "--out", str(tmp_path / "out"), "--no-pdf",
                     env_extra={"SYMDL_DEBUG": "1"})
    assert "Traceback" in debug.stderr and "ZeroDivisionError" in debug.stderr


# -------------------------------------------------------------------- time limit ----

def test_time_limit_stops_a_slow_derivation(tmp_path):
    spec = write(tmp_path, {"a": "1", "b": "2", "spin": 30})
    # unstopped, the spin ends after 30 s and derive exits 0; the timeout only guards against a hang
    proc = fake_cli("derive", str(spec), "--out", str(tmp_path / "out"), "--no-pdf", "--time-limit", "0.5",
                    timeout=120)
    assert proc.returncode == 2
    assert proc.stderr == f"symdl: error: {spec}: question Q1: derivation exceeded the time limit of 0.5 s\n"
    assert not (tmp_path / "out").exists()


def test_time_limit_survives_code_that_swallows_exceptions(tmp_path, monkeypatch):
    fakekind.install(monkeypatch)
    spec = write(tmp_path, {"a": "1", "b": "2", "spin": 1.0, "swallow": True})
    with pytest.raises(TimeLimitError, match="time limit of 0.2 s"):
        solve_exam(spec, time_limit_s=0.2)


# ---------------------------------------------------------------- no partial output ----

def test_failing_question_leaves_no_folder(tmp_path, monkeypatch):
    fakekind.install(monkeypatch)
    spec = write(tmp_path, {"a": "1", "b": "2"}, {"a": "1", "b": "not a number"})
    out = tmp_path / "deep" / "out"
    with pytest.raises(Exception):
        derive(spec, out, pdf=False)
    assert not (tmp_path / "deep").exists()


def test_exception_while_writing_leaves_no_stray_folder(tmp_path, monkeypatch):
    fakekind.install(monkeypatch)
    spec = write(tmp_path, {"a": "1", "b": "2"})
    out = tmp_path / "out"
    out.mkdir()
    (out / "keep.txt").write_text("mine")
    boom = RuntimeError("disk on fire")

    def fail(*args, **kwargs):
        raise boom

    monkeypatch.setattr(pdf_render, "tex_available", lambda: True)
    monkeypatch.setattr(pdf_render, "build", fail)
    with pytest.raises(RuntimeError):
        derive(spec, out, pdf=True)
    assert sorted(p.name for p in out.iterdir()) == ["keep.txt"]      # no .fake-exam.* staging


def test_failed_replace_keeps_the_previous_key(tmp_path, monkeypatch):
    fakekind.install(monkeypatch)
    spec = write(tmp_path, {"a": "1", "b": "2"})
    out = tmp_path / "out"
    derive(spec, out, pdf=False)
    before = (out / "fake-exam" / "answers.json").read_text()
    spec.write_text(fakekind.spec({"a": "5", "b": "2"}))
    real_rename = Path.rename

    def rename(self, target):
        if self.name.startswith(".fake-exam.") and not self.name.endswith(".old"):
            raise OSError(28, "No space left on device")
        return real_rename(self, target)

    monkeypatch.setattr(Path, "rename", rename)
    with pytest.raises(UsageError, match="No space left"):
        derive(spec, out, pdf=False)
    assert (out / "fake-exam" / "answers.json").read_text() == before
    assert sorted(p.name for p in out.iterdir()) == ["fake-exam"]


def test_rederive_replaces_the_old_key_whole(tmp_path, monkeypatch):
    fakekind.install(monkeypatch)
    spec = write(tmp_path, {"a": "1", "b": "2"})
    out = tmp_path / "out"
    derive(spec, out, pdf=False)
    # A file symdl did not write is never deleted: the older key stays, the run is refused.
    (out / "fake-exam" / "stale.txt").write_text("from an older run")
    spec.write_text(fakekind.spec({"a": "5", "b": "2"}))
    with pytest.raises(UsageError, match=r"holds files symdl did not write \(stale.txt\)"):
        derive(spec, out, pdf=False)
    assert (out / "fake-exam" / "stale.txt").read_text() == "from an older run"
    assert json.loads((out / "fake-exam" / "answers.json").read_text())["questions"][0]["answers"]["sum"]["value"] == 3
    (out / "fake-exam" / "stale.txt").unlink()
    derive(spec, out, pdf=False)
    assert sorted(p.name for p in (out / "fake-exam").iterdir()) == [".symdl-manifest.json", "answer-key.tex",
                                                                     "answers.json", "exam-sheet.tex", "grading.tex",
                                                                     "verification.tex"]
    assert json.loads((out / "fake-exam" / "answers.json").read_text())["questions"][0]["answers"]["sum"]["value"] == 7
    assert sorted(p.name for p in out.iterdir()) == ["fake-exam"]


def test_out_is_a_file(tmp_path, monkeypatch):
    fakekind.install(monkeypatch)
    spec = write(tmp_path, {"a": "1", "b": "2"})
    (tmp_path / "out").write_text("not a folder")
    with pytest.raises(UsageError, match="not a folder"):
        derive(spec, tmp_path / "out", pdf=False)
    assert main(["derive", str(spec), "--out", str(tmp_path / "out"), "--no-pdf"]) == 2


def test_verification_failure_is_raised_after_writing(tmp_path, monkeypatch):
    fakekind.install(monkeypatch)
    spec = write(tmp_path, {"a": "1", "b": "2", "lie": True})
    with pytest.raises(VerificationFailed) as info:
        derive(spec, tmp_path / "out", pdf=False)
    assert info.value.exit_status == 1
    assert (tmp_path / "out" / "fake-exam" / "answers.json").is_file()


def test_init_writes_a_spec_that_checks(tmp_path):
    assert main(["init", str(tmp_path / "new")]) == 0
    assert (tmp_path / "new" / "di504.toml").is_file()
    assert main(["init", str(tmp_path / "new")]) == 2          # never overwrites


def test_module_entry_point_help():
    proc = subprocess.run([sys.executable, "-m", "symdl", "--help"], capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 0 and "derive" in proc.stdout and "check" in proc.stdout


def test_the_solving_api_lives_below_derive():
    """derive writes documents; solving (used by derive, variants, grade and tests) is symdl.solve's,
    which never imports derive."""
    from symdl import solve
    assert callable(solve.solve_question) and callable(solve.solve_exam)
    assert not hasattr(derive_module, "solve_question")
    assert not any(getattr(v, "__name__", "") == "symdl.derive" for v in vars(solve).values())


def test_unwritable_out_is_exit_2(tmp_path, monkeypatch):
    fakekind.install(monkeypatch)
    spec = write(tmp_path, {"a": "1", "b": "2"})
    assert main(["derive", str(spec), "--out", "/proc/symdl-cannot-write-here", "--no-pdf"]) == 2


def test_init_copy_of_di504_checks_in_full(tmp_path, capsys):
    """`init` then `check` on the copy: every DI504 answer agrees, exit 0, one row each."""
    assert main(["init", str(tmp_path / "exam")]) == 0
    capsys.readouterr()
    assert main(["check", str(tmp_path / "exam" / "di504.toml")]) == 0
    out, err = capsys.readouterr()
    rows = out.splitlines()[2:-1]
    total = len(rows)
    assert total >= 100 and {r.split()[0] for r in rows} == {"Q1", "Q2", "Q3", "Q4", "Q5"}
    assert all(r.split()[-1] == "yes" for r in rows)
    assert out.splitlines()[-1] == f"{total} of {total} answers agree with their independent recomputation"
    assert len(err.splitlines()) == 5 and all("verified" in line for line in err.splitlines())


def test_a_question_with_nothing_checked_is_not_verified(tmp_path):
    spec = write(tmp_path, {"a": "1", "b": "2"}, {"a": "1", "b": "2", "only_text": True})
    proc = fake_cli("check", str(spec))
    assert proc.returncode == 1
    assert proc.stdout.splitlines()[-1] == ("2 of 2 answers agree with their independent recomputation; "
                                            "no checked answer in: Q2")
    derived = fake_cli("derive", str(spec), "--out", str(tmp_path / "out"), "--no-pdf")
    assert derived.returncode == 1 and "Q2 (no checked answer)" in derived.stderr


# ------------------------------------------------------- issue 10: the CLI's promises ----

REGRESSIONS = HERE / "regressions"
Q5 = """[exam]
id = "q5"
title = "t"
[[question]]
id = "Q5"
kind = "training_log"
log = "{log}"
format = "matlab"
framework = "matlab"
minibatch = 32
"""
DI504_LOG = ROOT / "symdl" / "data" / "di504" / "q5-training-log.txt"


def symdl_cli(*args, cwd=None, env_extra=None, timeout=240, python=sys.executable):
    env = dict(os.environ, PATH=os.path.dirname(sys.executable) + os.pathsep + os.environ.get("PATH", ""))
    env.pop("SYMDL_DEBUG", None)
    env.update(env_extra or {})
    return subprocess.run([python, "-m", "symdl", *args], capture_output=True, text=True,
                          cwd=cwd or ROOT, env=env, timeout=timeout)


def test_version_and_help_for_a_newcomer():
    from symdl import __version__

    version = symdl_cli("--version")
    assert version.returncode == 0 and version.stdout == f"symdl {__version__}\n"
    top = symdl_cli("--help").stdout
    for status in ("0 ", "1 ", "2 ", "3 "):
        assert re.search(rf"^  {status} ", top, re.M), top              # every exit status explained
    derive_help = " ".join(symdl_cli("derive", "--help").stdout.split())
    assert "files go to OUT/<exam id>/" in derive_help and "--data-dir DIR" in derive_help


def test_init_prints_the_next_command(tmp_path):
    proc = symdl_cli("init", "exam", cwd=tmp_path)
    assert proc.returncode == 0
    assert proc.stdout.splitlines() == ["exam/di504.toml", "exam/q5-training-log.txt",
                                        "next: python -m symdl derive exam/di504.toml"]


def test_regression_cli_repro(tmp_path):
    """cli/repro.sh: init onto a file, 300-character names: exit 2 in one line; --time-limit 1e12 works."""
    proc = subprocess.run(["bash", str(REGRESSIONS / "cli" / "repro.sh")], capture_output=True, text=True,
                          cwd=ROOT, timeout=300, env=dict(os.environ, TMPDIR=str(tmp_path), PATH=os.path.dirname(
                              sys.executable) + os.pathsep + os.environ["PATH"]))
    assert [int(rc) for rc in re.findall(r"rc=(\d+)", proc.stdout)] == [2, 2, 2, 0]
    errors = [line for line in proc.stderr.splitlines() if line.startswith("symdl:")]
    assert len(errors) == 3 and all(line.startswith("symdl: error: ") for line in errors), proc.stderr
    assert "exists and is not a folder" in errors[0]
    assert errors[1].endswith("c.toml: File name too long") and "File name too long" in errors[2]
    assert "Traceback" not in proc.stderr and "internal error" not in proc.stderr


def test_init_onto_a_file_or_a_long_name(tmp_path):
    (tmp_path / "afile").write_text("x")
    proc = symdl_cli("init", str(tmp_path / "afile"))
    assert proc.returncode == 2
    assert proc.stderr == f"symdl: error: {tmp_path / 'afile'}: exists and is not a folder; name a new or existing folder\n"
    assert (tmp_path / "afile").read_text() == "x"
    long = symdl_cli("init", "d" * 300, cwd=tmp_path)
    assert long.returncode == 2 and long.stderr.count("\n") == 1 and "File name too long" in long.stderr


@pytest.mark.parametrize("limit", ["1e12", "inf", "1e308"])
def test_a_huge_time_limit_means_no_limit(tmp_path, limit):
    spec = write(tmp_path, {"a": "1", "b": "2"})
    assert fake_cli("check", str(spec), "--time-limit", limit).returncode == 0
    proc = fake_cli("derive", str(spec), "--out", str(tmp_path / "out"), "--no-pdf", "--time-limit", limit)
    assert proc.returncode == 0, proc.stderr


def test_time_limit_covers_rendering(tmp_path, monkeypatch):
    fakekind.install(monkeypatch)
    spec = write(tmp_path, {"a": "1", "b": "2"}, {"a": "3", "b": "4"})

    def slow_render(exam, results, document="model"):
        for result in results:
            if result.question.id == "Q2":
                fakekind._spin(10, False)
        return "tex"

    monkeypatch.setattr(latex, "render", slow_render)
    start = time.process_time()                 # CPU time (the spin is busy): the machine's load does not count
    with pytest.raises(TimeLimitError) as info:
        derive(spec, tmp_path / "out", pdf=False, time_limit_s=0.5)
    assert time.process_time() - start < 3
    assert info.value.question == "Q2" and "rendering exceeded the time limit of 0.5 s" in str(info.value)
    assert not (tmp_path / "out").exists()


def test_time_limit_covers_the_pdf_build(tmp_path):
    from test_output_safety import fake_tex, neuron_spec, wait_dead

    env = fake_tex(tmp_path, "hang")
    spec = neuron_spec(tmp_path / "spec")
    # The fake latexmk hangs for ever: unstopped, the run never ends. 20 s leave the derivation its
    # time on a loaded machine (else its own limit fires first); tests/unit/test_deadline.py times
    # the budget exactly on a controlled clock.
    start = time.monotonic()
    proc = subprocess.run([sys.executable, "-m", "symdl", "derive", str(spec), "--out", "out", "--time-limit", "20"],
                          capture_output=True, text=True, cwd=tmp_path, env=env, timeout=120)
    assert time.monotonic() - start < 100            # the hang never ends; 20 s plus start-up and clean-up do
    assert proc.returncode == 2
    assert re.fullmatch(rf"symdl: error: {re.escape(str(spec))}: the PDF build \([\d.]+ s left\) exceeded "
                        r"the time limit of 20 s", proc.stderr.splitlines()[-1])
    assert not (tmp_path / "out").exists()
    assert wait_dead([int(p) for p in (tmp_path / "pids").read_text().split()]) == []


def test_regression_render_past_the_time_limit(tmp_path):
    """(x^{400})^{400} with --time-limit 20: once rendered for 194 s past the limit; now bounded by it."""
    spec = REGRESSIONS / "graph_render_206s_past_20s_limit_exit3.toml"
    start = children_cpu()                       # CPU time: the machine's load does not count
    proc = symdl_cli("derive", str(spec), "--out", str(tmp_path / "out"), "--time-limit", "20", timeout=200)
    cpu = children_cpu() - start
    assert cpu < 45, cpu                         # 20 s of derivation and rendering, plus start-up
    assert proc.returncode in (0, 2), proc.stderr
    if proc.returncode == 2:
        assert proc.stderr.splitlines()[-1].startswith(f"symdl: error: {spec}: question G: ")
        assert "exceeded the time limit of 20 s" in proc.stderr and not (tmp_path / "out").exists()


@pytest.mark.parametrize("log, words", [
    (str(DI504_LOG), "must lie in the spec's folder"),
    ("../outside/q5-training-log.txt", "must lie in the spec's folder"),
    ("link.txt", "must lie in the spec's folder"),
    ("/proc/self/environ", "must lie in the spec's folder"),
])
def test_data_files_outside_the_spec_folder_are_refused(tmp_path, log, words):
    (tmp_path / "outside").mkdir()
    shutil.copy(DI504_LOG, tmp_path / "outside" / DI504_LOG.name)
    (tmp_path / "exam").mkdir()
    (tmp_path / "exam" / "link.txt").symlink_to(tmp_path / "outside" / DI504_LOG.name)
    spec = tmp_path / "exam" / "q5.toml"
    spec.write_text(Q5.format(log=log))
    for command in (["check", str(spec)], ["derive", str(spec), "--out", str(tmp_path / "out")]):
        proc = symdl_cli(*command)
        assert proc.returncode == 2
        assert proc.stderr.startswith(f"symdl: error: {spec}: question Q5: field 'log': ") and words in proc.stderr
        assert proc.stderr.count("\n") == 1 and not (tmp_path / "out").exists()


def test_data_dir_admits_a_log_elsewhere(tmp_path):
    (tmp_path / "data").mkdir()
    shutil.copy(DI504_LOG, tmp_path / "data" / "run.txt")
    (tmp_path / "exam").mkdir()
    for name, log in (("rel.toml", "run.txt"), ("up.toml", "../data/run.txt"), ("abs.toml", tmp_path / "data" / "run.txt")):
        spec = tmp_path / "exam" / name
        spec.write_text(Q5.format(log=log))
        assert symdl_cli("check", str(spec)).returncode == 2
        proc = symdl_cli("check", str(spec), "--data-dir", str(tmp_path / "data"))
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.splitlines()[-1].endswith("agree with their independent recomputation")


def test_embedded_di504_reads_its_log_beside_it(tmp_path):
    proc = symdl_cli("check", cwd=tmp_path)
    assert proc.returncode == 0 and re.search(r"^Q5 ", proc.stdout, re.M)


@pytest.mark.parametrize("package", ["latex2sympy2", "sympy", "numpy", "jinja2"])
def test_a_missing_package_says_what_to_install(tmp_path, package):
    code = (f"import sys; sys.modules[{package!r}] = None; from symdl.cli import main; "
            f"sys.exit(main(['derive', '--out', {str(tmp_path / 'out')!r}, '--no-pdf']))")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].startswith(f"symdl: error: the Python package '{package}' is missing")
    assert "pip install -e ." in proc.stderr and "bug" not in proc.stderr and "Traceback" not in proc.stderr


def test_a_python_without_the_packages(tmp_path):
    """A real interpreter that lacks sympy and latex2sympy2 (another pyenv Python), symdl on its path."""
    bare = next((p for p in sorted(Path.home().glob(".pyenv/versions/3.1[1-3]*/bin/python3"))
                 if subprocess.run([str(p), "-c", "import sympy"], capture_output=True).returncode != 0), None)
    if bare is None:
        pytest.skip("no Python >= 3.11 without sympy on this machine")
    proc = symdl_cli("check", python=str(bare), env_extra={"PYTHONPATH": str(ROOT)}, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert re.fullmatch(r"symdl: error: the Python package '\w+' is missing from \S+: install symdl with its "
                        r"dependencies \(pip install -e \. in the repository, or make key\)\n", proc.stderr)


def test_numpy_warnings_never_reach_stderr(tmp_path):
    """A numpy RuntimeWarning (overflow in the float route) must not print its source line."""
    spec = tmp_path / "w.toml"
    spec.write_text("[exam]\nid = \"w\"\ntitle = \"t\"\n[[question]]\nid = \"G\"\nkind = \"graph\"\n"
                    "function = 'f = e^{x}'\n[question.values]\nx = '1000'\n")
    code = ("import sys, numpy, symdl.solve as d; real = d.solve_exam\n"
            "def noisy(*a, **k):\n    numpy.exp(numpy.float64(1000.0)); numpy.float64(1.0) / 0.0\n"
            "    return real(*a, **k)\n"
            "d.solve_exam = noisy\nfrom symdl.cli import main; sys.exit(main(['check', sys.argv[1]]))")
    proc = subprocess.run([sys.executable, "-c", code, str(spec)], capture_output=True, text=True, cwd=ROOT,
                          timeout=120)
    assert proc.returncode in (0, 1, 2), proc.stderr
    assert "Warning" not in proc.stderr and "numpy" not in proc.stderr
    assert all(re.match(r"(G \(graph\): |symdl: error: )", line) for line in proc.stderr.splitlines()), proc.stderr


@pytest.mark.parametrize("args, words", [
    (["derive", "--time-limit", "-1"], "argument --time-limit: must be a positive number of seconds"),
    (["derive", "--time-limit", "nan"], "argument --time-limit: must be a positive number of seconds"),
    (["frobnicate"], "invalid choice: 'frobnicate'"),
    (["check", "--data-dir", "/nonexistent-symdl-folder"], "/nonexistent-symdl-folder: --data-dir: not a folder"),
])
def test_usage_errors_are_one_line(args, words):
    proc = symdl_cli(*args)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("symdl: error: ") and words in proc.stderr
