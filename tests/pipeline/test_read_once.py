"""Every command reads the spec file once (issue 22: the written exam and the variants' view of it
come from one parse). Reads are counted at the file: every Path.read_bytes, Path.read_text and open
of the spec, appended to a log so that a forked worker's read would count too."""

from __future__ import annotations

import builtins
import os
import threading
from pathlib import Path

import pytest

from symdl.cli import main

NEURON = """
[[question]]
id = "N1"
kind = "neuron"
points = 10
activation = "relu"
W = '[-0.4 \\quad 0.2 \\quad -0.3]^T'
x = '[0.5 \\quad 0.5 \\quad 0.5]^T'
b = {b}
upstream = '-1'
[question.variants]
W = {{ random = "uniform", low = -0.5, high = 0.5, step = 0.1, shape = [3] }}
"""

# without draws: the written exam fixes every value; only variants draw (W, from [question.variants])
FIXED = '[exam]\nid = "fixed"\ntitle = "Fixed"\n' + NEURON.format(b="'-0.25'")
# with draws: b drawn in the exam itself, W drawn by [question.variants] (derive reads both views)
DRAWN = '[exam]\nid = "drawn"\ntitle = "Drawn"\n' + NEURON.format(
    b='{ random = "uniform", low = -0.5, high = 0.5, step = 0.1 }')


def count_reads(monkeypatch, spec: Path, log: Path):
    """Append one line to ``log`` whenever ``spec`` is opened or read, in this process or a fork."""
    target, real_open, inside = os.path.realpath(spec), builtins.open, threading.local()

    def counted(original):
        def wrapper(first, *args, **kwargs):
            if getattr(inside, "read", False):       # Path.read_bytes opens the file: one read, not two
                return original(first, *args, **kwargs)
            if isinstance(first, (str, os.PathLike)) and os.path.realpath(os.fspath(first)) == target:
                with real_open(log, "a") as f:
                    f.write("read\n")
            inside.read = True
            try:
                return original(first, *args, **kwargs)
            finally:
                inside.read = False
        return wrapper

    monkeypatch.setattr(builtins, "open", counted(real_open))
    for method in ("read_bytes", "read_text", "open"):
        monkeypatch.setattr(Path, method, counted(getattr(Path, method)))


COMMANDS = {
    "derive": ["derive", "SPEC", "--no-pdf", "--format", "html", "--out"],
    "check": ["check", "SPEC"],
    "sheet": ["sheet", "SPEC", "--no-pdf", "--out"],
    "variants": ["variants", "SPEC", "--count", "2", "--seed", "1", "--no-pdf", "--export", "moodle", "--out"],
    "export": ["export", "moodle", "SPEC", "--out"],
    "export --variants": ["export", "canvas", "SPEC", "--variants", "2", "--seed", "1", "--out"],
    "grade": ["grade", "SPEC", "--template"],
}


@pytest.mark.parametrize("which", ["fixed", "drawn"])
@pytest.mark.parametrize("command", list(COMMANDS))
def test_each_command_reads_the_spec_once(tmp_path, monkeypatch, capsys, which, command):
    spec = tmp_path / f"{which}.toml"
    spec.write_text(FIXED if which == "fixed" else DRAWN)
    log = tmp_path / "reads.log"
    count_reads(monkeypatch, spec, log)
    args = [str(spec) if a == "SPEC" else a for a in COMMANDS[command]]
    code = main(args + ([str(tmp_path / "out")] if args[-1] == "--out" else []))
    # a spec that draws values per student cannot be graded (exit 2): it was still read, once
    assert code == (2 if (command, which) == ("grade", "drawn") else 0), capsys.readouterr().err
    reads = log.read_text().count("read\n") if log.exists() else 0
    assert reads == 1, f"{command} read {which}.toml {reads} times"
