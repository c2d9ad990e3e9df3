"""Every malformed spec under tests/malformed/ through the command line, each in its own process.

Each must end with exit status 2 and one error line on stderr naming the file, the question
and the field (as the spec's ``# expect:`` header says), never a traceback, and leave no
output folder behind. A spec whose first line is ``# xfail: reason`` documents a known bug
in a module this suite does not own (see the reason).

Starting Python and importing SymPy costs ~0.7 s a process, so the corpus runs in processes
forked from this one (imports done once): each child runs ``symdl.cli.main`` exactly as
``python -m symdl`` does, with its own stdout, stderr and exit status. A sample of the corpus
also runs through a real ``python -m symdl`` to prove the two agree.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import time
import traceback
import re
import subprocess
import sys
from pathlib import Path

import pytest
from support import TESTS

HERE = TESTS
CORPUS = HERE / "malformed"
ROOT = HERE.parent
SPECS = sorted(p for p in CORPUS.glob("*.toml"))

# Expectations of the files that cannot carry a comment header.
HEADERLESS = {
    "empty.toml": {"field": "exam", "message": "missing [exam]"},
    "binary.toml": {"message": "UTF-8"},
    "utf16.toml": {"message": "UTF-8"},
    "random_bytes.toml": {"message": "UTF-8"},
    "truncated.toml": {"message": "invalid TOML"},
}
KIND_RE = re.compile(r'^\s*kind\s*=\s*"(\w+)"', re.M)
# Lines a failing run may print before its error: one progress line per question derived.
PROGRESS_RE = re.compile(r"^\S+ \(\w+\): \d+ answers, ")


def expectation(path: Path) -> dict:
    """The ``# expect: question=Q1 field=W message=some words`` header of a spec."""
    if path.name in HEADERLESS:
        return dict(HEADERLESS[path.name])
    head = path.read_bytes().split(b"\n", 3)
    expect = {}
    for line in head[:3]:
        line = line.decode("utf-8", "replace")
        if line.startswith("# xfail:"):
            expect["xfail"] = line.split(":", 1)[1].strip()
        if line.startswith("# expect:"):
            body = line.split(":", 1)[1].strip()
            if "message=" in body:
                body, message = body.split("message=", 1)
                expect["message"] = message.strip()
            for pair in body.split():
                key, _, value = pair.partition("=")
                expect[key] = value
    assert expect or path.name in HEADERLESS, f"{path.name}: no '# expect:' header"
    return expect


def missing_kinds(path: Path) -> list:
    """Kinds the spec's questions use whose modules have not landed (their cases skip)."""
    from symdl.errors import SpecError
    from symdl import kinds
    from symdl.input.spec import load_exam

    try:
        load_exam(path)
    except SpecError:
        return []              # refused while loading: no kind module is involved
    text = path.read_bytes().decode("utf-8", "replace")

    return sorted({k for k in KIND_RE.findall(text)
                   if k in kinds.BUILTIN and importlib.util.find_spec(f"symdl.kinds.{k}") is None})


def run_cli(spec: Path, workdir: Path) -> subprocess.CompletedProcess:
    """The real thing: ``python -m symdl derive SPEC ...`` in a new interpreter."""
    env = dict(os.environ)
    env.pop("SYMDL_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "symdl", *cli_args(spec, workdir)],
                          cwd=workdir, env=env, capture_output=True, text=True, timeout=120)


def cli_args(spec: Path, workdir: Path) -> list:
    limit = expectation(spec).get("time-limit", "20") if spec.is_file() else "20"
    # Some specs name the DI504 log as ../../symdl/data/...: the repository is a data folder.
    return ["derive", str(spec), "--out", str(workdir / "out"), "--no-pdf", "--time-limit", limit,
            "--data-dir", str(ROOT)]


def fork_cli(argv, workdir: Path, logs: Path) -> int:
    """Start ``symdl.cli.main(argv)`` in a forked child writing to ``logs``/stdout, stderr."""
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid:
        return pid
    code = 99
    try:
        os.chdir(workdir)
        for fd, name in ((1, "stdout"), (2, "stderr")):
            target = os.open(logs / name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
            os.dup2(target, fd)
            os.close(target)
        sys.stdin = open(os.devnull)
        sys.stdout = open(1, "w", closefd=False)     # pytest swapped these objects: use fds 1, 2
        sys.stderr = open(2, "w", closefd=False)
        from symdl.cli import main

        code = main(argv)
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 2
    except BaseException:
        traceback.print_exc()          # what Python itself would print
    finally:
        try:
            sys.stdout.flush()
            sys.stderr.flush()
        finally:
            os._exit(code)


class Outcome:
    def __init__(self, returncode, stdout, stderr):
        self.returncode, self.stdout, self.stderr = returncode, stdout, stderr


def run_corpus(specs, base: Path, parallel=2, timeout=600) -> dict:
    """Every spec in a forked child, ``parallel`` at a time: name -> (Outcome, workdir). ``timeout`` (wall
    seconds) only stops a hang: a refusal takes at most a few seconds of CPU, however busy the machine."""
    from symdl import kinds

    for name in kinds.BUILTIN:             # import everything once, before forking
        if importlib.util.find_spec(f"symdl.kinds.{name}") is not None:
            kinds.get(name)
    import symdl.render.answers_json  # noqa: F401
    import symdl.render.latex  # noqa: F401
    import symdl.check.verify

    import gc

    gc.collect()
    gc.freeze()                            # children then share, rather than copy, these objects
    queue, running, results = list(specs), {}, {}
    while queue or running:
        while queue and len(running) < parallel:
            spec = queue.pop(0)
            workdir = base / spec.stem / "work"
            logs = base / spec.stem
            workdir.mkdir(parents=True)
            pid = fork_cli(cli_args(spec, workdir), workdir, logs)
            running[pid] = (spec, workdir, logs, time.monotonic())
        for pid, (spec, workdir, logs, started) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if not done and time.monotonic() - started > timeout:
                os.kill(pid, 9)
                done, status = os.waitpid(pid, 0)
            if done:
                del running[pid]
                code = os.waitstatus_to_exitcode(status)
                results[spec.name] = (Outcome(code, (logs / "stdout").read_text(errors="replace"),
                                              (logs / "stderr").read_text(errors="replace")), workdir)
        time.sleep(0.005)
    gc.unfreeze()
    return results


@pytest.fixture(scope="module")
def outcomes(tmp_path_factory):
    """Run the whole corpus once, two at a time (the machine has two cores)."""
    runnable = [spec for spec in SPECS if not missing_kinds(spec)]
    return run_corpus(runnable, tmp_path_factory.mktemp("corpus"))


def test_corpus_is_large_and_varied():
    assert len(SPECS) >= 40
    kinds = {k for p in SPECS for k in KIND_RE.findall(p.read_bytes().decode("utf-8", "replace"))}
    assert {"graph", "neuron", "softmax", "architecture", "training_log"} <= kinds


@pytest.mark.parametrize("spec", SPECS, ids=[p.stem for p in SPECS])
def test_malformed_spec_exits_2_with_one_clear_line(spec, outcomes, request):
    expect = expectation(spec)
    lacking = missing_kinds(spec)
    if lacking:
        pytest.skip(f"kind(s) not landed yet: {', '.join(lacking)}")
    if "xfail" in expect:   # a known bug elsewhere: still run, so that a fix shows as XPASS
        request.applymarker(pytest.mark.xfail(reason=expect["xfail"], strict=False))
    proc, workdir = outcomes[spec.name]
    stderr = proc.stderr
    assert "Traceback" not in stderr, stderr
    assert proc.returncode == 2, f"exit {proc.returncode}: {stderr}"
    assert proc.stdout == ""
    lines = stderr.splitlines()
    assert lines, "no message"
    error = lines[-1]
    assert error.startswith("symdl: error: "), stderr
    assert all(PROGRESS_RE.match(line) for line in lines[:-1]), stderr
    assert str(spec) in error
    if "question" in expect:
        assert f"question {expect['question']}:" in error, error
    if "field" in expect:
        assert f"field '{expect['field']}'" in error, error
    if "message" in expect:
        assert expect["message"].lower() in error.lower(), error
    assert len(error) < 500
    assert not (workdir / "out").exists(), "an output folder was left behind"
    assert sorted(p.name for p in workdir.iterdir()) == []


SAMPLE = ["binary.toml", "duplicate_ids.toml", "graph_unparsable_function.toml", "neuron_huge_number.toml",
          "log_missing_file.toml"]


@pytest.mark.parametrize("name", SAMPLE)
def test_real_interpreter_matches_forked_child(name, outcomes, tmp_path):
    spec = CORPUS / name
    if name not in outcomes:
        pytest.skip("kind not landed yet")
    workdir = tmp_path / "work"
    workdir.mkdir()
    proc = run_cli(spec, workdir)
    forked, _ = outcomes[name]
    assert (proc.returncode, proc.stdout, proc.stderr) == (forked.returncode, forked.stdout, forked.stderr)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr
    assert not (workdir / "out").exists()


def test_missing_spec_file(tmp_path):
    proc = run_cli(tmp_path / "nope.toml", tmp_path)
    assert proc.returncode == 2
    assert proc.stderr == f"symdl: error: {tmp_path / 'nope.toml'}: spec file not found\n"


def test_spec_is_a_folder(tmp_path):
    proc = run_cli(tmp_path, tmp_path)
    assert proc.returncode == 2 and "is a folder" in proc.stderr and proc.stderr.count("\n") == 1


def test_bad_command_line_is_exit_2():
    proc = subprocess.run([sys.executable, "-m", "symdl", "derive", "--time-limit", "-1"],
                          capture_output=True, text=True, cwd=ROOT)
    assert proc.returncode == 2 and "positive" in proc.stderr and "Traceback" not in proc.stderr


def test_the_docs_count_the_malformed_specs_there_are():
    """README and docs/checking.md say how many malformed specs there are: the count of the folder."""
    import re

    count = len(list(CORPUS.glob("*.toml")))
    root = HERE.parent
    readme = re.search(r"holds (\d+) malformed specs", (root / "README.md").read_text(encoding="utf-8"))
    checking = re.search(r"\*\*(\d+) malformed specs\*\*", (root / "docs" / "checking.md").read_text(encoding="utf-8"))
    assert int(readme.group(1)) == count and int(checking.group(1)) == count
