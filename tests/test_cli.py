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
import subprocess
import sys
from pathlib import Path

import pytest

import fakekind
from symdl import derive as derive_module
from symdl.cli import check_table, main
from symdl.derive import derive, solve_exam
from symdl.errors import TimeLimitError, UsageError, VerificationFailed
from symdl.render import pdf as pdf_render

HERE = Path(__file__).resolve().parent
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
    tex = (tmp_path / "out" / "fake-exam" / "answer-key.tex").read_text()
    assert "Verification failed for: sum" in tex


def test_derive_exit_0_writes_exactly_the_key(tmp_path):
    spec = write(tmp_path, {"a": "0.25", "b": "0.5"})
    proc = fake_cli("derive", str(spec), "--out", str(tmp_path / "out"), "--no-pdf")
    assert proc.returncode == 0, proc.stderr
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["fake-exam"]
    folder = tmp_path / "out" / "fake-exam"
    assert sorted(p.name for p in folder.iterdir()) == [".symdl-manifest.json", "answer-key.tex", "answers.json"]
    manifest = json.loads((folder / ".symdl-manifest.json").read_text())
    assert manifest["files"] == {name: hashlib.sha256((folder / name).read_bytes()).hexdigest()
                                 for name in ("answer-key.tex", "answers.json")}
    data = json.loads((folder / "answers.json").read_text())
    assert data["questions"][0]["answers"] == {"sum": 0.75, "positive": True,
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
    proc = fake_cli("derive", str(spec), "--out", str(tmp_path / "out"), "--no-pdf", "--time-limit", "0.5",
                    timeout=20)
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
    assert '"sum": 3' in (out / "fake-exam" / "answers.json").read_text()
    (out / "fake-exam" / "stale.txt").unlink()
    derive(spec, out, pdf=False)
    assert sorted(p.name for p in (out / "fake-exam").iterdir()) == [".symdl-manifest.json", "answer-key.tex",
                                                                     "answers.json"]
    assert '"sum": 7' in (out / "fake-exam" / "answers.json").read_text()
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


def test_derive_module_exports():
    assert callable(derive_module.solve_question) and callable(derive_module.solve_exam)


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
