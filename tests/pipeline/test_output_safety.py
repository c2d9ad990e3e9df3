"""Nothing lost: symdl replaces only folders it wrote, survives concurrent runs and signals, keeps its time limit.

The regression inputs of tests/regressions/ (copied from the shared corpus) run as they were
found; each case also runs as a direct check of what must hold afterwards. Expected values
come from outside symdl: file contents written here, sha256 from hashlib, answers worked by
hand (z = -0.1*0.7 - 0.2*0.9 + 0.5 = 0.25).
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import signal
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

import fakekind
from symdl.derive import derive
from symdl.errors import UsageError
from support import TESTS, answer_values

HERE = TESTS
ROOT = HERE.parent
REGRESSIONS = HERE / "regressions"
MANIFEST = ".symdl-manifest.json"

NEURON_SPEC = """[exam]
id = "myexam"
title = "t"
[[question]]
id = "N1"
kind = "neuron"
activation = "relu"
W = '[-0.1 \\quad -0.2]^T'
x = '[0.7 \\quad 0.9]^T'
b = '[0.5]'
upstream = '[-0.124]'
"""

# A stand-in for latexmk: "hang" starts a child (as latexmk starts pdflatex) and waits on it,
# "fail" leaves a TeX log with an error and exits non-zero. Both record their pids.
FAKE_LATEXMK = """#!/bin/bash
echo $$ >> "$FAKE_TEX_PIDS"
case "$FAKE_TEX_MODE" in
  hang) sleep 300 & echo $! >> "$FAKE_TEX_PIDS"; wait ;;
  fail) printf 'This is pdfTeX\\n! Undefined control sequence.\\nl.7 \\\\oops\\n' > answer-key.log; exit 12 ;;
esac
"""


def env_with(**extra):
    env = dict(os.environ)
    env.pop("SYMDL_DEBUG", None)
    env["PATH"] = os.path.dirname(sys.executable) + os.pathsep + env.get("PATH", "")
    env.update({k: str(v) for k, v in extra.items()})
    return env


def symdl(*args, cwd, env=None, timeout=240):
    return subprocess.run([sys.executable, "-m", "symdl", *args], capture_output=True, text=True,
                          cwd=cwd, env=env or env_with(), timeout=timeout)


def neuron_spec(folder: Path, name="spec.toml") -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / name).write_text(NEURON_SPEC)
    return folder / name


def fake_tex(tmp_path: Path, mode: str) -> dict:
    """An environment whose latexmk/pdflatex are the fake above; pids go to tmp_path/pids."""
    bin_dir = tmp_path / "fakebin"
    bin_dir.mkdir()
    (bin_dir / "latexmk").write_text(FAKE_LATEXMK)
    (bin_dir / "pdflatex").write_text("#!/bin/sh\nexit 1\n")
    for tool in ("latexmk", "pdflatex"):
        (bin_dir / tool).chmod(0o755)
    env = env_with(FAKE_TEX_MODE=mode, FAKE_TEX_PIDS=tmp_path / "pids")
    env["PATH"] = f"{bin_dir}{os.pathsep}{env['PATH']}"
    return env


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def wait_dead(pids, seconds=60) -> list:      # a hang guard: 10 s were not enough on a loaded machine
    end = time.monotonic() + seconds
    while time.monotonic() < end and any(alive(p) for p in pids):
        time.sleep(0.1)
    return [p for p in pids if alive(p)]


def manifest_matches(folder: Path) -> bool:
    listed = json.loads((folder / MANIFEST).read_text())["files"]
    on_disk = {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in folder.iterdir() if p.name != MANIFEST}
    return listed == on_disk


def tree(folder: Path) -> dict:
    return {str(p.relative_to(folder)): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


# ------------------------------------------------------- nothing symdl did not write ----

def test_regression_out_replaces_spec_folder(tmp_path):
    """repro.sh: --out is the spec folder's parent and the exam id its name: refused, exit 2."""
    proc = subprocess.run(["bash", str(REGRESSIONS / "out_replaces_spec_folder" / "repro.sh")],
                          capture_output=True, text=True, env=env_with(TMPDIR=tmp_path), timeout=120)
    assert proc.returncode == 2                       # set -e: the script stops at the refused derive
    assert proc.stderr.splitlines() == [
        f"symdl: error: myexam: is not a folder symdl wrote (no valid {MANIFEST}): it holds notes.txt, "
        "spec.toml; choose another --out or move it away"]
    (folder,) = [p / "myexam" for p in tmp_path.iterdir() if (p / "myexam").is_dir()]
    assert (folder / "notes.txt").read_text() == "precious\n"
    assert (folder / "spec.toml").read_text().startswith('[exam]\nid = "myexam"')


def test_spec_folder_named_as_the_exam_is_never_deleted(tmp_path):
    spec = neuron_spec(tmp_path / "myexam")
    (tmp_path / "myexam" / "notes.txt").write_text("precious")
    before = tree(tmp_path)
    proc = symdl("derive", "myexam/spec.toml", "--out", ".", "--no-pdf", cwd=tmp_path)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert proc.stderr.startswith("symdl: error: myexam: is not a folder symdl wrote")
    assert tree(tmp_path) == before and spec.is_file()


def test_init_then_derive_into_dot_keeps_the_spec(tmp_path):
    """`init` into a folder named like the exam id, then `derive SPEC --out .`: nothing deleted."""
    assert symdl("init", "di504-midterm-2021", cwd=tmp_path).returncode == 0
    before = tree(tmp_path)
    proc = symdl("derive", "di504-midterm-2021/di504.toml", "--out", ".", "--no-pdf", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.splitlines()[-1].startswith("symdl: error: di504-midterm-2021: is not a folder symdl wrote")
    assert tree(tmp_path) == before


@pytest.fixture
def own_key(tmp_path, monkeypatch):
    """A spec of the fake kind and a key symdl wrote for it in tmp_path/out/fake-exam."""
    fakekind.install(monkeypatch)
    spec = tmp_path / "exam.toml"
    spec.write_text(fakekind.spec({"a": "1", "b": "2"}))
    derive(spec, tmp_path / "out", pdf=False)
    spec.write_text(fakekind.spec({"a": "5", "b": "2"}))
    return spec, tmp_path / "out" / "fake-exam"


def test_a_foreign_file_in_the_key_folder_is_kept_and_named(own_key):
    spec, folder = own_key
    (folder / "notes.txt").write_text("mine")
    before = tree(folder)
    with pytest.raises(UsageError) as info:
        derive(spec, folder.parent, pdf=False)
    assert str(info.value) == (f"{folder}: holds files symdl did not write (notes.txt); "
                               "move them away or choose another --out")
    assert tree(folder) == before and sorted(p.name for p in folder.parent.iterdir()) == ["fake-exam"]


def test_a_changed_file_is_not_replaced(own_key):
    spec, folder = own_key
    (folder / "answers.json").write_text('{"edited": "by hand"}')
    with pytest.raises(UsageError, match="answers.json was changed after symdl wrote it"):
        derive(spec, folder.parent, pdf=False)
    assert (folder / "answers.json").read_text() == '{"edited": "by hand"}'


def test_a_folder_without_manifest_or_a_symlink_is_not_replaced(tmp_path, monkeypatch):
    fakekind.install(monkeypatch)
    spec = tmp_path / "exam.toml"
    spec.write_text(fakekind.spec({"a": "1", "b": "2"}))
    (tmp_path / "out" / "fake-exam").mkdir(parents=True)
    with pytest.raises(UsageError, match="not a folder symdl wrote"):
        derive(spec, tmp_path / "out", pdf=False)
    (tmp_path / "out2").mkdir()
    (tmp_path / "elsewhere").mkdir()
    (tmp_path / "out2" / "fake-exam").symlink_to(tmp_path / "elsewhere")
    with pytest.raises(UsageError, match="symbolic link"):
        derive(spec, tmp_path / "out2", pdf=False)
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_own_key_is_replaced_whole_even_with_a_file_removed(own_key):
    spec, folder = own_key
    (folder / "answer-key.tex").unlink()              # the user removed one of symdl's files
    derive(spec, folder.parent, pdf=False)
    assert json.loads((folder / "answers.json").read_text())["questions"][0]["answers"]["sum"]["value"] == 7
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "answer-key.tex", "answers.json", "exam-sheet.tex", "grading.tex",
                                                        "verification.tex"]
    assert manifest_matches(folder)
    assert sorted(p.name for p in folder.parent.iterdir()) == ["fake-exam"]     # no .old, no staging


def test_a_forged_manifest_cannot_delete_outside_the_folder(own_key):
    spec, folder = own_key
    precious = folder.parent / "precious.txt"
    precious.write_text("keep")
    data = json.loads((folder / MANIFEST).read_text())
    data["files"]["../precious.txt"] = hashlib.sha256(b"keep").hexdigest()
    (folder / MANIFEST).write_text(json.dumps(data))
    derive(spec, folder.parent, pdf=False)
    assert precious.read_text() == "keep"
    assert sorted(p.name for p in folder.parent.iterdir()) == ["fake-exam", "precious.txt"]


@pytest.mark.parametrize("umask", [0o022, 0o027])
def test_output_folders_follow_the_umask(tmp_path, monkeypatch, umask):
    fakekind.install(monkeypatch)
    spec = tmp_path / "exam.toml"
    spec.write_text(fakekind.spec({"a": "1", "b": "2"}))
    old = os.umask(umask)
    try:
        derive(spec, tmp_path / "out", pdf=False)
    finally:
        os.umask(old)
    folder = tmp_path / "out" / "fake-exam"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o777 & ~umask
    assert stat.S_IMODE((folder / "answers.json").stat().st_mode) == 0o666 & ~umask


# ------------------------------------------------------------ concurrency and signals ----

def test_regression_concurrent_derives(tmp_path):
    """cli/concurrent.sh: 8 derives into one --out at once all end whole with exit 0."""
    spec = neuron_spec(tmp_path / "spec")
    (tmp_path / "tmp").mkdir()
    proc = subprocess.run(["bash", str(REGRESSIONS / "cli" / "concurrent.sh"), str(spec)], capture_output=True,
                          text=True, env=env_with(TMPDIR=tmp_path / "tmp"), timeout=400)
    assert sorted(re.findall(r"^k(\d) rc=(\d+)$", proc.stdout, re.M)) == [(str(k), "0") for k in range(1, 9)]
    (scratch,) = (tmp_path / "tmp").iterdir()
    out = scratch / "out"
    for err in scratch.glob("conc_*.err"):
        assert err.read_text().splitlines()[-1].startswith(f"wrote {out / 'myexam'}: ")
    assert len(list(scratch.glob("conc_*.err"))) == 8
    assert sorted(p.name for p in out.iterdir()) == ["myexam"]          # no staging, no lock, no .old
    folder = out / "myexam"
    assert {"answer-key.tex", "answers.json", MANIFEST} <= {p.name for p in folder.iterdir()}
    assert manifest_matches(folder)
    answers = answer_values(json.loads((folder / "answers.json").read_text())["questions"][0])
    assert answers["z"] == pytest.approx(0.25, rel=1e-12)
    assert answers["grad.W"] == pytest.approx([-0.124 * 0.7, -0.124 * 0.9], rel=1e-12)


def _start_and_signal(tmp_path, signum, out, extra=()):
    """Run derive with the hanging fake latexmk, send ``signum`` once latexmk runs."""
    env = fake_tex(tmp_path, "hang")
    spec = neuron_spec(tmp_path / "spec")
    proc = subprocess.Popen([sys.executable, "-m", "symdl", "derive", str(spec), "--out", str(out), *extra],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env, cwd=tmp_path)
    pids_file = tmp_path / "pids"
    end = time.monotonic() + 120
    while time.monotonic() < end and len(pids_file.read_text().split() if pids_file.exists() else []) < 2:
        time.sleep(0.05)
    pids = [int(p) for p in pids_file.read_text().split()]
    proc.send_signal(signum)
    _, stderr = proc.communicate(timeout=60)
    return proc.returncode, stderr, pids


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_signal_during_the_pdf_build_leaves_nothing(tmp_path, signum):
    out = tmp_path / "out"
    returncode, stderr, pids = _start_and_signal(tmp_path, signum, out)
    assert returncode == 128 + signum
    assert stderr.splitlines()[-1] == f"symdl: interrupted by {signal.Signals(signum).name}; no partial output left"
    assert "Traceback" not in stderr
    assert not out.exists()                             # made by this run, removed again
    assert wait_dead(pids) == []                        # latexmk and its child ended


def test_sigterm_keeps_the_previous_key(tmp_path):
    out = tmp_path / "out"
    spec = neuron_spec(tmp_path / "spec")
    assert symdl("derive", str(spec), "--out", str(out), "--no-pdf", cwd=tmp_path).returncode == 0
    before = tree(out)
    returncode, _, pids = _start_and_signal(tmp_path, signal.SIGTERM, out)
    assert returncode == 143 and tree(out) == before
    assert sorted(p.name for p in out.iterdir()) == ["myexam"] and wait_dead(pids) == []


def test_regression_sigterm_script(tmp_path):
    """cli/sigterm.sh with the real TeX (when installed): no staging folder, no TeX process left."""
    marker = uuid.uuid4().hex
    (tmp_path / "tmp").mkdir()
    subprocess.run(["bash", str(REGRESSIONS / "cli" / "sigterm.sh")], capture_output=True, text=True,
                   env=env_with(TMPDIR=tmp_path / "tmp", SYMDL_TEST_MARK=marker), timeout=120)
    (out,) = [p / "out" for p in (tmp_path / "tmp").iterdir()]
    if out.exists():       # the run ended on its own first (no TeX, or the spec refused): whole or nothing
        assert [p.name for p in out.iterdir() if p.name.startswith(".")] == []
    end = time.monotonic() + 60                 # a hang guard (as wait_dead): 10 s can pass on a loaded machine
    while time.monotonic() < end and _marked(marker):
        time.sleep(0.2)
    assert _marked(marker) == []


def _marked(marker) -> list:
    """Live processes whose environment carries ``marker`` (this test's children and theirs)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and alive(int(entry.name)):
            try:
                if f"SYMDL_TEST_MARK={marker}".encode() in (entry / "environ").read_bytes():
                    found.append((entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace"))
            except OSError:
                pass
    return found


# --------------------------------------------------------------- the PDF build fails ----

def test_tex_failure_is_exit_1_with_the_files_written(tmp_path):
    env = fake_tex(tmp_path, "fail")
    spec = neuron_spec(tmp_path / "spec")
    proc = symdl("derive", str(spec), "--out", "out", cwd=tmp_path, env=env)
    assert proc.returncode == 1
    last = proc.stderr.splitlines()[-1]
    assert last.startswith("symdl: error: TeX failed: Undefined control sequence.") and "\n" not in last
    folder = tmp_path / "out" / "myexam"
    # the message names TeX's log, kept beside its .tex and listed in the manifest
    assert "TeX's log: answer-key.log" in last and "answer-key.log and answers.json written to out/myexam" in last
    assert (folder / "answer-key.log").read_text().startswith("This is pdfTeX\n! Undefined control sequence.")
    # a TeX failure: no PDF at all, every .tex and answers.json in place
    assert sorted(p.name for p in folder.iterdir()) == [MANIFEST, "answer-key.log", "answer-key.tex", "answers.json",
                                                        "exam-sheet.tex", "grading.tex", "verification.tex"]
    assert manifest_matches(folder)
    assert json.loads((folder / "answers.json").read_text())["questions"][0]["answers"]["z"]["value"] == 0.25
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["myexam"]
