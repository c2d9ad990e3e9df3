"""Helpers shared by the kind tests: finite differences, the docs' example specs, and a question derived
through the kind contract as the pipeline derives it (solution_of, independent_of, derived)."""

import os
import re
import resource
import shutil
from pathlib import Path

import numpy as np

TESTS = Path(__file__).resolve().parent      # tests/: its data folders (specs, regressions, ...)
DOCS = TESTS.parent / "docs" / "kinds"


def central_difference(f, x, h=1e-6):
    """Central finite differences of a scalar function ``f`` of an array, entry by entry."""
    x = np.array(x, dtype=float)
    g = np.zeros_like(x)
    for idx in np.ndindex(x.shape):
        p, m = x.copy(), x.copy()
        p[idx] += h
        m[idx] -= h
        g[idx] = (f(p) - f(m)) / (2 * h)
    return g


def children_cpu() -> float:
    """CPU seconds (user + system) of this process's ended and waited-for child processes, their own
    children included: a subprocess's cost measured around ``subprocess.run``, whatever the machine's load."""
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


BROWSER_NAMES = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable", "chrome")
BROWSER_PATHS = ("/usr/bin/chromium", "/usr/lib/chromium/chromium", "/snap/bin/chromium",
                 "/opt/google/chrome/chrome", "/Applications/Chromium.app/Contents/MacOS/Chromium")


def find_browser():
    """The Chromium (or Chrome) the browser tests run: $SYMDL_CHROMIUM when set, else the first of
    BROWSER_NAMES on PATH, else of BROWSER_PATHS; None when there is none."""
    named = os.environ.get("SYMDL_CHROMIUM")
    if named:
        return shutil.which(named)
    found = (shutil.which(name) for name in BROWSER_NAMES)
    return next((b for b in found if b), None) or next((p for p in BROWSER_PATHS if os.access(p, os.X_OK)), None)


NO_BROWSER = ("no Chromium found (" + ", ".join(BROWSER_NAMES) + " on PATH, or " + ", ".join(BROWSER_PATHS[:3])
              + "): apt-get install chromium, or set SYMDL_CHROMIUM to the browser's path")


def documented_example(kind, folder: Path) -> Path:
    """The first ```toml block of ``docs/kinds/<kind>.md``, written to ``folder``."""
    doc = (DOCS / f"{kind}.md").read_text()
    path = folder / f"{kind}-example.toml"
    path.write_text(re.search(r"```toml\n(.*?)```", doc, re.S).group(1))
    return path


def one_question(tmp_path, kind, body, name="q"):
    """A one-question exam of ``kind`` whose question table ends with ``body`` (TOML lines)."""
    from symdl.input.spec import load_exam

    path = tmp_path / f"{name}.toml"
    path.write_text(f'[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "Q"\nkind = "{kind}"\n' + body)
    return load_exam(path).questions[0]


def solution_of(question):
    """``question``'s Solution through the kind contract, as the pipeline derives it (symdl.kinds.solve: the
    kind found by name, the fields checked by its schema, its solve, the Solution held to the contract)."""
    from symdl import kinds

    return kinds.solve(question)


def independent_of(question) -> dict:
    """``question``'s answers by its kind's independent route (the kind found by name, as verify calls it),
    over the fields as its schema checked them."""
    from symdl import kinds

    kind = kinds.get(question.kind)
    question.values = kind.schema.check(question)
    return kind.independent(question)


def derived(question):
    """``question`` derived as ``symdl derive`` derives it (solve.solve_question: the Solution through the
    contract, verified by the independent route and graded): the QuestionResult."""
    from symdl.solve import solve_question

    return solve_question(question)


def answer_values(question: dict) -> dict:
    """One question of answers.json (schema 2) as answer name -> value."""
    return {name: answer["value"] for name, answer in question["answers"].items()}


def validate_answers(doc: dict) -> None:
    """Raise jsonschema.ValidationError unless ``doc`` is answers.json of schema 2 (the
    package's symdl/data/answers.schema.json)."""
    import json

    import jsonschema

    from symdl.render.answers_json import schema_path

    schema = json.loads(schema_path().read_text(encoding="utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(doc)


def sheet_of(question):
    """The exam-sheet items of ``question`` (its kind's ``sheet`` hook over the checked fields)."""
    from symdl import kinds

    kind = kinds.get(question.kind)
    question.values = kind.schema.check(question)
    return kind.sheet(question)


def sheet_text(items) -> str:
    """The sheet items as one string: words as they are, math as the printer writes it, table cells joined."""
    from symdl.notation.printer import tex
    from symdl.solution import Math, Table, Text

    out = []
    for item in items:
        if isinstance(item, Math):
            out.append(str(tex(item.body)))
        elif isinstance(item, Text):
            out.append("".join(p if isinstance(p, str) else str(tex(p)) for p in item.parts))
        elif isinstance(item, Table):
            for row in [item.header, *item.rows]:
                out.append(" | ".join(" / ".join(c) if isinstance(c, list) else str(c) for c in row))
    return "\n".join(out)


def di504_question(qid):
    from symdl.input.spec import default_spec, load_exam

    return next(q for q in load_exam(default_spec()).questions if q.id == qid)


# -- lines wider than the text: TeX's "Overfull \hbox (N pt too wide)" in the logs of a build -----
OVERFULL = re.compile(r"^Overfull \\hbox \((\d+(?:\.\d+)?)pt too wide\) (.*)$", re.M)
FIT_DOCUMENTS = ("answer-key", "grading", "verification", "exam-sheet")


def overfull(logs: dict, limit: float = 1.0) -> list:
    """'document: N pt too wide (where)' for every line over ``limit`` points too wide in ``logs``
    (document name -> TeX log text, as tex_logs collects them) of the documents a reader gets."""
    return [f"{name}: {float(width):.1f} pt too wide ({where})" for name, log in sorted(logs.items())
            if name in FIT_DOCUMENTS for width, where in OVERFULL.findall(log) if float(width) > limit]


def tex_logs(monkeypatch) -> dict:
    """Every PDF build's TeX log from now on (render/pdf.py's read_log hook): document -> log."""
    from symdl.render import pdf

    logs = {}
    monkeypatch.setattr(pdf, "read_log", lambda tex, log: logs.__setitem__(tex.stem, log))
    return logs


def install_documented_kind(site: Path) -> Path:
    """docs/new-kind.md's package, laid out in ``site`` as pip installs it: the module from the page's
    ```python block and a dist-info holding the entry points its pyproject.toml block declares. Put
    ``site`` on the path (PYTHONPATH, or sys.path) and symdl finds the kind."""
    import tomllib

    doc = (TESTS.parent / "docs" / "new-kind.md").read_text()
    project = next(tomllib.loads(b) for b in re.findall(r"```toml\n(.*?)```", doc, re.S) if "[project]" in b)
    module, _ = next(iter(project["project"]["entry-points"]["symdl.kinds"].values())).split(":")
    package = site / module
    package.mkdir(parents=True)
    (package / "__init__.py").write_text(re.search(r"```python\n(.*?)```", doc, re.S).group(1))
    info = site / f"{module}-{project['project']['version']}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {project['project']['name']}\n"
                                   f"Version: {project['project']['version']}\n")
    lines = [f"{name} = {target}" for name, target in project["project"]["entry-points"]["symdl.kinds"].items()]
    (info / "entry_points.txt").write_text("[symdl.kinds]\n" + "\n".join(lines) + "\n")
    return site


def docs_exam_blocks() -> list:
    """(id, TOML text) of every exam example in docs/**/*.md and README.md (a package's pyproject.toml
    block, as docs/new-kind.md shows one, is not an exam)."""
    root = TESTS.parent
    out = []
    for doc in sorted((root / "docs").rglob("*.md")) + [root / "README.md"]:
        for i, block in enumerate(re.findall(r"```toml\n(.*?)```", doc.read_text(), re.S)):
            if "[project]" not in block:
                out.append((f"{doc.relative_to(root)}#{i + 1}", block))
    return out


def with_documented_kinds(block: str, tmp_path: Path, monkeypatch) -> None:
    """A docs example of docs/new-kind.md's own kind: its package installed (on sys.path) first."""
    if 'kind = "square"' in block:
        monkeypatch.syspath_prepend(str(install_documented_kind(tmp_path / "site")))


def shared_derive(tmp_path_factory, spec, data=(), docs_block=False, data_dirs=()):
    """``derive(spec)`` with every PDF, made once for the whole run and shared by the tests that only
    read what it wrote (the same exam's files read by several test files), even across pytest-xdist
    workers: the first caller derives under a lock, the others wait and read. ``spec`` is a path, or
    the text of a TOML spec written as ``example.toml`` beside copies of the ``data`` files (with
    ``docs_block``, a docs example: docs/new-kind.md's kind is installed first when it uses it);
    ``data_dirs`` as derive's.
    Returns .spec, .folder, .files (as Report.files), .verified and .logs (document -> TeX log).
    The tests must not change the folder."""
    import fcntl
    import hashlib
    import json
    from types import SimpleNamespace

    import pytest

    from symdl.derive import derive
    from symdl.render import pdf as pdf_render

    root = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):       # the workers' folders lie in one of the run's own
        root = root.parent
    text = spec if isinstance(spec, str) else f"{spec}\n{Path(spec).read_text()}"
    key = hashlib.sha256("\0".join([text, *map(str, data_dirs)] + [f"{p}\n{Path(p).read_text()}" for p in data])
                         .encode()).hexdigest()[:20]
    home = root / "shared-derive" / key
    home.parent.mkdir(parents=True, exist_ok=True)
    with open(home.parent / f"{key}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)            # released when the file closes, also on an error
        done = home / "built.json"
        if not done.exists():
            shutil.rmtree(home, ignore_errors=True)   # an earlier caller failed: derive again (and fail alike)
            home.mkdir()
            with pytest.MonkeyPatch.context() as patch:
                if isinstance(spec, str):
                    if docs_block:
                        with_documented_kinds(spec, home, patch)
                    for source in data:
                        shutil.copy(source, home / Path(source).name)
                    (home / "example.toml").write_text(spec)
                    spec = home / "example.toml"
                logs = tex_logs(patch)
                report = derive(spec, home / "out", pdf=pdf_render.tex_available(), time_limit_s=1800,
                                data_dirs=data_dirs)
            done.write_text(json.dumps({"spec": str(spec), "folder": str(report.folder), "files": report.files,
                                        "logs": logs, "verified": report.verified}))
    built = json.loads(done.read_text())
    return SimpleNamespace(spec=Path(built["spec"]), folder=Path(built["folder"]), files=built["files"],
                           logs=built["logs"], verified=built["verified"])
