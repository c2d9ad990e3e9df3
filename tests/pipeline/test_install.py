"""What a non-editable install gets: the wheel holds every file of the package, templates and data
included (``pip install .`` installs only the package data setup.cfg names; templates/sheet/ was
missing and every derive of such an install failed with exit 3 while the editable tests passed).

.ci/run goes further: it installs the wheel in fresh Python 3.11 and 3.13 environments and writes
every document from a folder outside the checkout (.ci/wheel-smoke).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = ROOT / "symdl"


def package_files() -> set:
    """Every file below symdl/ as the wheel names it (symdl/templates is a link to ../templates:
    followed), caches aside."""
    found = set()
    for folder, dirs, names in os.walk(PACKAGE, followlinks=True):
        dirs[:] = [d for d in dirs if d != "__pycache__"]
        for name in names:
            if not name.endswith((".pyc", ".pyo")):
                found.add((Path(folder) / name).relative_to(ROOT).as_posix())
    return found


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel built from a clean copy of the checkout (a build/ folder left by an earlier build
    would hand on files that setup.cfg no longer names)."""
    out = tmp_path_factory.mktemp("wheel")
    source = out / "source"
    shutil.copytree(ROOT, source, symlinks=True,
                    ignore=shutil.ignore_patterns(".venv", "build", "dist", "out", "*.egg-info", "__pycache__",
                                                  ".git", ".hypothesis", ".pytest_cache", "bench", "tests"))
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(source)],
                          capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    (path,) = out.glob("symdl-*.whl")
    return path


def test_the_wheel_holds_every_file_of_the_package(wheel):
    with zipfile.ZipFile(wheel) as archive:
        shipped = {name for name in archive.namelist() if not name.startswith("symdl-")}
    expected = package_files()
    templates = {f for f in expected if f.startswith("symdl/templates/")}
    data = {f for f in expected if f.startswith("symdl/data/")}
    partials = {f for f in expected if f.startswith("symdl/kinds/") and f.endswith(".tex.j2")}
    # the trees themselves, read off the disk: the templates of every document, and each kind's partials
    # in its own package (every built-in kind has answer.tex.j2; two set their exam-sheet tables)
    assert {"symdl/templates/sheet/items.tex.j2", "symdl/templates/answer-key.tex.j2",
            "symdl/templates/lms/question-text.html.j2"} <= templates
    from symdl.kinds import BUILTIN

    assert {f"symdl/kinds/{name}/answer.tex.j2" for name in BUILTIN} | {
        "symdl/kinds/architecture/sheet.tex.j2", "symdl/kinds/training_log/sheet.tex.j2"} <= partials
    assert {"symdl/data/di504/di504.toml", "symdl/data/di504/q5-training-log.txt",
            "symdl/data/answers.schema.json"} <= data
    # the files python -m symdl checks for before it starts (symdl/__main__.py) are in the tree
    from symdl.__main__ import _PACKAGE_DATA

    assert {f"symdl/{name}" for name in _PACKAGE_DATA} <= templates | data
    assert sorted(expected - shipped) == []
    assert sorted(shipped - expected) == []      # nothing stale (a file deleted from the tree)


def test_the_template_tree_matches_its_files_byte_for_byte(wheel):
    with zipfile.ZipFile(wheel) as archive:
        for name in sorted(f for f in package_files()
                           if f.startswith(("symdl/templates/", "symdl/data/")) or f.endswith(".j2")):
            assert archive.read(name) == (ROOT / name).read_bytes(), name


# ------------------------------------------------- python -m symdl next to a checkout ----

def copy_package(target: Path, *, links=True) -> Path:
    """A copy of the symdl package in ``target``/symdl (``links=False``: the templates link
    followed, as an installed copy holds them)."""
    shutil.copytree(PACKAGE, target / "symdl", symlinks=links,
                    ignore=shutil.ignore_patterns("__pycache__"))
    return target / "symdl"


def run_module(cwd: Path, installed: Path, *args):
    """``python -m symdl`` in ``cwd`` with ``installed`` on the path after it (as site-packages is)."""
    env = dict(os.environ, PYTHONPATH=str(installed))
    env.pop("SYMDL_DEBUG", None)
    return subprocess.run([sys.executable, "-m", "symdl", *args], cwd=cwd, env=env, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture()
def installed(tmp_path) -> Path:
    copy_package(tmp_path / "site", links=False)
    return tmp_path / "site"


def test_a_broken_checkout_next_to_the_install_says_so_in_one_line(tmp_path, installed):
    checkout = copy_package(tmp_path / "work", links=False)
    with (checkout / "cli.py").open("a") as f:
        f.write("\nx = (\n")
    proc = run_module(tmp_path / "work", installed, "--version")
    assert proc.returncode == 2 and proc.stdout == ""
    assert "Traceback" not in proc.stderr and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    line = proc.stderr.strip()
    assert line.startswith(f"symdl: error: the symdl package in {checkout.resolve()}, imported before the one in "
                           f"{(installed / 'symdl').resolve()} (run from another folder to use that one): "
                           "cannot be imported: SyntaxError")


def test_a_checkout_without_its_templates_says_so_in_one_line(tmp_path, installed):
    # symdl/ copied alone out of a checkout: its templates link (../templates) leads nowhere
    checkout = copy_package(tmp_path / "work", links=True)
    assert (checkout / "templates").is_symlink() and not (checkout / "templates").exists()
    proc = run_module(tmp_path / "work", installed, "derive", "--no-pdf", "--out", "out")
    assert proc.returncode == 2 and len(proc.stderr.strip().splitlines()) == 1, proc.stderr
    assert "incomplete, templates/answer-key.tex.j2 is missing" in proc.stderr
    assert not (tmp_path / "work" / "out").exists()


def test_a_working_checkout_next_to_the_install_is_named_and_runs(tmp_path, installed):
    from symdl import __version__

    checkout = copy_package(tmp_path / "work", links=False)
    proc = run_module(tmp_path / "work", installed, "--version")
    assert proc.returncode == 0 and proc.stdout.strip() == f"symdl {__version__}"
    assert proc.stderr.strip() == (f"symdl: note: running the symdl package in {checkout.resolve()}, imported before "
                                   f"the one in {(installed / 'symdl').resolve()} (run from another folder to use that one)")
    # alone (no other copy on the path) nothing is said
    proc = run_module(tmp_path / "work", tmp_path / "nothing", "--version")
    assert proc.returncode == 0 and proc.stderr == ""
