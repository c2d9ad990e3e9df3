#!/usr/bin/env python
"""symdl's benchmark: one script, one table, bench/results.json.

Parts (each can be picked with --parts):
  1  `python -m symdl derive --no-pdf` of the DI504 exam against the import floor
     `python -c "import sympy, numpy, latex2sympy2, jinja2"`, run alternately, medians of the
     children's CPU time (user + system; the wall time is kept too).
  2  the PDF build (symdl's latexmk call) against one `pdflatex` pass over the same .tex,
     and how many pdflatex passes latexmk makes, with its stated reason for any rerun.
  3  scaling: the graph kind on a chain of L dense layers relu(W_i h + b_i) of width w
     (random exact two-decimal weights written as bmatrix literals in a generated spec), time
     per derivation (solve + verify), against SymPy's own ``diff`` of the same function
     written out entry by entry (the naive baseline, run in a child process with a cap).
  4  the architecture kind on VGG-16 (MATLAB convention), solve + verify.
  5  `python -m symdl variants --export moodle,canvas` of the embedded DI504, which carries its draws
     (docs/variants.md), 100 variants (sheet, key, rubric and answers.json each, PDFs batched, the Moodle XML and
     Canvas zip of all of them), wall time and its phases, CPU time of the whole process tree
     and peak memory (one run: it takes a minute).
  6  `python -m symdl grade` of a synthetic DI504 class of 1,000 (bench/grade_class.py): CPU time
     of grading the rows, and of the whole `grade --no-pdf` command.

Run from the repository root: ``.venv/bin/python bench/run.py`` (``--quick`` for a short run).
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import math
import os
import platform
import random
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PY = sys.executable
FLOOR = "import sympy, numpy, latex2sympy2, jinja2"
def _latexmk_command():
    """symdl.render.pdf.build's latexmk command, less -quiet (so the passes can be counted)."""
    from symdl.render.pdf import _ONE_PASS

    return ["latexmk", "-norc", "-pdf", "-no-shell-escape", "-interaction=nonstopmode", "-halt-on-error",
            "-file-line-error", "-e", _ONE_PASS]


# ----------------------------------------------------------------------------- machine ---

def machine() -> dict:
    cpu = ""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = {}
    for name in ("sympy", "numpy", "jinja2", "antlr4"):
        try:
            module = __import__(name)
            versions[name] = getattr(module, "__version__", "?")
        except ImportError:
            versions[name] = None
    try:
        from importlib.metadata import version
        versions["latex2sympy2"] = version("latex2sympy2")
    except Exception:
        versions["latex2sympy2"] = None
    tex = ""
    if shutil.which("pdflatex"):
        out = subprocess.run(["pdflatex", "--version"], capture_output=True, text=True).stdout
        tex = out.splitlines()[0] if out else ""
    ground = None
    try:
        from sympy.external.gmpy import GROUND_TYPES
        ground = GROUND_TYPES
    except Exception:
        pass
    return {"nproc": os.cpu_count(), "cpu": cpu, "python": platform.python_version(),
            "platform": platform.platform(), "sympy_ground_types": ground, "tex": tex, **versions}


def _median(xs):
    return statistics.median(xs) if xs else None


def timed(argv, cwd=None, timeout=None) -> float:
    """Wall time of one command; raises when it fails."""
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv[:6]))} failed ({proc.returncode}): "
                           f"{(proc.stderr or proc.stdout).strip()[-400:]}")
    return elapsed


# ------------------------------------------------------------------- the DI504 exam ---

def di504_spec(work: Path) -> tuple[Path, str]:
    """The DI504 spec, or a copy reduced to the questions whose kind module exists."""
    from symdl.kinds import BUILTIN
    from symdl.input.spec import default_spec
    import importlib.util

    spec = default_spec()
    missing = sorted({k for k in BUILTIN if importlib.util.find_spec(f"symdl.kinds.{k}") is None})
    if not missing:
        return spec, "full DI504 exam (5 questions)"
    text = spec.read_text(encoding="utf-8")
    head, *blocks = text.split("[[question]]\n")
    kept = [b for b in blocks if not any(f'kind = "{k}"' in b for k in missing)]
    reduced = work / "di504-reduced.toml"
    reduced.write_text(head + "".join("[[question]]\n" + b for b in kept), encoding="utf-8")
    for data in spec.parent.iterdir():
        if data.suffix != ".toml":
            shutil.copyfile(data, work / data.name)
    return reduced, f"DI504 reduced to {len(kept)} of {len(blocks)} questions (kinds not landed: {', '.join(missing)})"


def cpu_timed(argv, cwd=None) -> tuple[float, float]:
    """(wall, CPU) seconds of one command; CPU is the child's user + system time (getrusage), which a
    loaded machine inflates far less than the wall time. PYTHONDONTWRITEBYTECODE is dropped from its
    environment, so the warm-up run leaves the .pyc files a user's install has (with it set, every
    run compiles symdl's ~130 modules again)."""
    import resource

    env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, stdin=subprocess.DEVNULL, env=env)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, argv[:6]))} failed ({proc.returncode}): "
                           f"{(proc.stderr or proc.stdout).strip()[-400:]}")
    return wall, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def part_derive(runs: int, work: Path) -> dict:
    """derive --no-pdf against the import floor, alternately; the ratio is of CPU times (medians)."""
    spec, label = di504_spec(work)
    floor, derive, helps = [], [], []
    derive_cmd = [PY, "-m", "symdl", "derive", str(spec), "--no-pdf", "--out", str(work / "out-derive")]
    cpu_timed(derive_cmd, cwd=ROOT)          # warm the file cache (and .pyc files) once
    cpu_timed([PY, "-c", FLOOR])
    for _ in range(runs):                    # alternate, so both see the same machine state
        floor.append(cpu_timed([PY, "-c", FLOOR]))
        derive.append(cpu_timed(derive_cmd, cwd=ROOT))
        helps.append(cpu_timed([PY, "-m", "symdl", "--help"], cwd=ROOT))
    walls = {name: [w for w, _ in xs] for name, xs in (("floor", floor), ("derive", derive), ("help", helps))}
    cpus = {name: [c for _, c in xs] for name, xs in (("floor", floor), ("derive", derive), ("help", helps))}
    result = {"spec": label, "runs": runs, "floor_s": walls["floor"], "derive_s": walls["derive"],
              "help_s": walls["help"], "floor_cpu_s": cpus["floor"], "derive_cpu_s": cpus["derive"],
              "floor_median_s": _median(walls["floor"]), "derive_median_s": _median(walls["derive"]),
              "help_median_s": _median(walls["help"]), "floor_cpu_median_s": _median(cpus["floor"]),
              "derive_cpu_median_s": _median(cpus["derive"]), "load_average": os.getloadavg()[0]}
    result["ratio"] = result["derive_cpu_median_s"] / result["floor_cpu_median_s"]
    result["wall_ratio"] = result["derive_median_s"] / result["floor_median_s"]
    result["target"] = "derive --no-pdf <= 2.0 x import floor (CPU time)"
    result["met"] = result["ratio"] <= 2.0
    return result


# ------------------------------------------------------------------------- the PDF ---

def part_pdf(runs: int, work: Path) -> dict:
    from symdl.render import pdf as pdf_render

    if not pdf_render.tex_available():
        return {"skipped": "latexmk/pdflatex not found"}
    spec, label = di504_spec(work)
    out = work / "out-pdf"
    subprocess.run([PY, "-m", "symdl", "derive", str(spec), "--no-pdf", "--out", str(out)], cwd=ROOT,
                   check=True, capture_output=True)
    tex = next(out.glob("*/answer-key.tex"))
    env = dict(os.environ, openin_any="p", openout_any="p", shell_escape="f")

    def fresh(name):
        folder = work / name
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        shutil.copyfile(tex, folder / "answer-key.tex")
        return folder

    one_pass, build, passes, reasons = [], [], [], []
    for k in range(runs):
        folder = fresh(f"pdflatex-{k}")
        start = time.perf_counter()
        proc = subprocess.run(["pdflatex", "-interaction=nonstopmode", "-halt-on-error", "-no-shell-escape",
                               "answer-key.tex"], cwd=folder, env=env, capture_output=True, text=True,
                              stdin=subprocess.DEVNULL)
        one_pass.append(time.perf_counter() - start)
        if proc.returncode != 0:
            raise RuntimeError("pdflatex failed on the answer key")
        folder = fresh(f"symdl-build-{k}")
        start = time.perf_counter()
        pdf_render.build(folder / "answer-key.tex")
        build.append(time.perf_counter() - start)
        folder = fresh(f"latexmk-{k}")
        proc = subprocess.run(_latexmk_command() + ["answer-key.tex"], cwd=folder, env=env, capture_output=True,
                              text=True, stdin=subprocess.DEVNULL)
        log = proc.stdout + proc.stderr
        passes.append(len(re.findall(r"Run number \d+ of rule '(?:pdf)?latex'", log)) or
                      len(re.findall(r"Running 'pdflatex", log)))
        reasons = _rerun_reasons(log) or reasons
    result = {"spec": label, "runs": runs, "pdflatex_one_pass_s": one_pass, "symdl_build_s": build,
              "pdflatex_median_s": _median(one_pass), "build_median_s": _median(build),
              "latexmk_pdflatex_passes": passes, "rerun_reasons": reasons}
    result["ratio"] = result["build_median_s"] / result["pdflatex_median_s"]
    result["target"] = "at most two TeX passes"
    result["met"] = max(passes) <= 2
    return result


def _rerun_reasons(log: str) -> list:
    """latexmk's stated reasons for each pdflatex run (the lines after 'Rule ...')."""
    reasons = []
    lines = log.splitlines()
    for i, line in enumerate(lines):
        if re.match(r"\s*Rule '(?:pdf)?latex'", line) or "Latexmk: applying rule" in line:
            reasons.append(" ".join(x.strip() for x in lines[i:i + 3]))
    return reasons[:6]


# ---------------------------------------------------------------------- the chain ---

def _decimal(rng, scale):
    return f"{round(rng.gauss(0.0, scale), 2):+.2f}"


def _bmatrix(rows):
    return r"\begin{bmatrix} " + r" \\ ".join(" & ".join(r) for r in rows) + r" \end{bmatrix}"


def chain_data(L: int, w: int, seed: int = 0) -> dict:
    """The chain's numbers as decimal strings: x (w), W_i (w x w), b_i (w), upstream u (w)."""
    rng = random.Random(seed * 1000003 + L * 1009 + w)
    data = {"x": [[_decimal(rng, 1.0)] for _ in range(w)]}
    for i in range(1, L + 1):
        data[f"W_{i}"] = [[_decimal(rng, 1.0 / math.sqrt(w)) for _ in range(w)] for _ in range(w)]
        data[f"b_{i}"] = [[_decimal(rng, 0.1)] for _ in range(w)]
    data["u"] = [[_decimal(rng, 1.0)] for _ in range(w)]
    return data


def chain_function(L: int) -> str:
    f = "x"
    for i in range(1, L + 1):
        f = rf"\operatorname{{relu}}(W_{{{i}}} \cdot {f} + b_{{{i}}})"
    return f


def chain_spec(L: int, w: int, seed: int = 0) -> str:
    """A one-question graph spec (TOML) for the chain of L relu layers of width w."""
    data = chain_data(L, w, seed)
    lines = ["[exam]", f'id = "chain-L{L}-w{w}"', f'title = "Benchmark: {L} dense relu layers of width {w}"', "",
             "[[question]]", 'id = "chain"', 'kind = "graph"',
             f"function = '{chain_function(L)}'", f"upstream = '{_bmatrix(data['u'])}'", "[question.values]"]
    lines += [f"{name} = '{_bmatrix(rows)}'" for name, rows in data.items() if name != "u"]
    return "\n".join(lines) + "\n"


def symdl_chain(L: int, w: int, work: Path, repeats: int = 1, seed: int = 0) -> dict:
    """Seconds per derivation (solve + verify, parse caches cleared) and the results.

    The process has parsed before (latex2sympy2's parser tables are warm, as in any exam past
    its first expression); part 1 measures the cold start.
    """
    from symdl.input import latex as latex_parse
    from symdl.input.latex import skeleton as latex_skeleton
    from symdl.solve import solve_question
    from symdl.input.spec import load_exam

    path = work / f"chain-L{L}-w{w}.toml"
    path.write_text(chain_spec(L, w, seed), encoding="utf-8")
    times, result = [], None
    for _ in range(repeats):
        question = load_exam(path).questions[0]
        latex_parse.clear_cache()               # parsed expressions and numbers ...
        latex_skeleton._SKELETONS.clear()          # ... and skeleton shapes: every run parses anew
        latex_parse._DECIMALS.clear()
        start = time.perf_counter()
        result = solve_question(question, time_limit_s=None)
        times.append(time.perf_counter() - start)
    return {"seconds": _median(times), "all_s": times, "verified": result.verified,
            "answers": len(result.checks), "grad_x": [float(v) for v in result.solution.answers["grad.x"]]}


def naive_gradient(L: int, w: int, seed: int = 0) -> dict:
    """SymPy's own diff: the chain written out entry by entry with every input a symbol, then
    d(u^T f)/d(every input entry), then the numbers substituted (exactly)."""
    import sympy

    data = chain_data(L, w, seed)
    start = time.perf_counter()
    values = {}

    def symbols(name, rows):
        out = []
        for i, row in enumerate(rows):
            out.append([])
            for j, text in enumerate(row):
                s = sympy.Symbol(f"{name}_{i}_{j}", real=True)
                values[s] = sympy.Rational(text)
                out[-1].append(s)
        return out

    h = [row[0] for row in symbols("x", data["x"])]
    for i in range(1, L + 1):
        W = symbols(f"W{i}", data[f"W_{i}"])
        b = [row[0] for row in symbols(f"b{i}", data[f"b_{i}"])]
        h = [sympy.Max(0, sum(W[r][c] * h[c] for c in range(w)) + b[r]) for r in range(w)]
    u = [sympy.Rational(row[0]) for row in data["u"]]
    loss = sum(u[r] * h[r] for r in range(w))
    grads = {s: loss.diff(s).xreplace(values) for s in values}
    grad_x = [float(grads[s]) for s in values if s.name.startswith("x_")]
    return {"seconds": time.perf_counter() - start, "grad_x": grad_x}


def naive_in_child(L, w, cap, seed=0):
    """naive_gradient in a child process, stopped after ``cap`` seconds (None then)."""
    try:
        proc = subprocess.run([PY, str(Path(__file__).resolve()), "--naive", str(L), str(w), "--seed", str(seed)],
                              capture_output=True, text=True, timeout=cap, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return None
    if proc.returncode != 0:
        raise RuntimeError(f"naive baseline failed: {proc.stderr.strip()[-300:]}")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def part_scaling(Ls, ws, cap, work: Path, progress=print) -> dict:
    rows = []
    exceeded = set()        # (L, w) whose baseline passed the cap: bigger ones are not run
    for w in ws:
        for L in Ls:
            repeats = 3
            ours = symdl_chain(L, w, work, repeats)
            row = {"L": L, "w": w, "symdl_s": ours["seconds"], "verified": ours["verified"],
                   "answers": ours["answers"]}
            if any(L >= l2 and w >= w2 for l2, w2 in exceeded):
                row["naive_s"], row["naive_note"] = None, f"> {cap:g} s (implied by a smaller size)"
            else:
                naive = naive_in_child(L, w, cap)
                if naive is None:
                    exceeded.add((L, w))
                    row["naive_s"], row["naive_note"] = None, f"> {cap:g} s (stopped)"
                else:
                    row["naive_s"] = naive["seconds"]
                    row["naive_note"] = ""
                    row["naive_agrees"] = all(abs(a - b) <= 1e-9 * max(1.0, abs(a), abs(b))
                                              for a, b in zip(naive["grad_x"], ours["grad_x"]))
            row["speedup"] = (row["naive_s"] / row["symdl_s"]) if row["naive_s"] else None
            rows.append(row)
            progress(f"  L={L:>2} w={w:>2}: symdl {row['symdl_s']:.3f} s, naive "
                     f"{row['naive_s'] if row['naive_s'] is None else round(row['naive_s'], 3)} {row['naive_note']}")
    slopes = {}
    for w in ws:
        pts = [(r["L"], r["symdl_s"]) for r in rows if r["w"] == w and r["L"] >= 2]
        if len(pts) >= 2:
            xs = [math.log(p[0]) for p in pts]
            ys = [math.log(p[1]) for p in pts]
            mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
            slopes[w] = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    big = next((r for r in rows if r["L"] == max(Ls) and r["w"] == max(ws)), None)
    result = {"rows": rows, "loglog_slope_in_L": slopes, "cap_s": cap,
              "target": "linear in L; w=64, L=16 under 2 s; naive >= 20x slower there"}
    if big and max(Ls) == 16 and max(ws) == 64:
        naive = big["naive_s"] if big["naive_s"] is not None else cap
        result["met_time"] = big["symdl_s"] < 2.0
        result["met_speedup"] = naive / big["symdl_s"] >= 20
        # judged where the work dominates (w = 64, 0.1 s and up); smaller w are listed too
        result["met_linear"] = slopes.get(max(ws), 99) <= 1.15
    return result


# ------------------------------------------------------------------------- VGG-16 ---

def vgg16_spec() -> str:
    """VGG-16 (configuration D) in MATLAB convention: H x W x C, padding [t b ; l r]."""
    lines = ["[exam]", 'id = "bench-vgg16-matlab"', 'title = "Benchmark: VGG-16 (MATLAB convention)"', "",
             "[[question]]", 'id = "vgg16"', 'kind = "architecture"', 'convention = "matlab"']

    def layer(**fields):
        lines.append("[[question.layer]]")
        for key, value in fields.items():
            lines.append(f"{key} = {json.dumps(value) if not isinstance(value, str) or key != 'padding' else repr(value)}")

    layer(name="input", type="input", size=[224, 224, 3])
    channels = 3
    for block, (convs, filters) in enumerate([(2, 64), (2, 128), (3, 256), (3, 512), (3, 512)], start=1):
        for k in range(1, convs + 1):
            layer(name=f"conv{block}_{k}", type="conv", filters=filters, size=[3, 3, channels],
                  padding="[1 1 ; 1 1]", stride=[1, 1])
            layer(name=f"relu{block}_{k}", type="relu")
            channels = filters
        layer(name=f"pool{block}", type="maxpool", size=[2, 2], padding="[0 0 ; 0 0]", stride=[2, 2])
    for name, nodes in (("fc6", 4096), ("fc7", 4096), ("fc8", 1000)):
        layer(name=name, type="fc", nodes=nodes)
        if name != "fc8":
            layer(name=f"relu{name[2:]}", type="relu")
    layer(name="prob", type="softmax")
    layer(name="output", type="classification")
    return "\n".join(lines) + "\n"


def part_vgg(runs: int, work: Path) -> dict:
    import importlib.util

    if importlib.util.find_spec("symdl.kinds.architecture") is None:
        return {"skipped": "the architecture kind has not landed"}
    from symdl.solve import solve_question
    from symdl import kinds
    from symdl.input.spec import load_exam

    path = BENCH / "vgg16_matlab.toml"
    if not path.exists() or path.read_text() != vgg16_spec():
        path.write_text(vgg16_spec(), encoding="utf-8")
    module = kinds.get("architecture")
    total, solve_only = [], []
    result = None
    for _ in range(runs + 1):                        # the first run warms imports and caches
        question = load_exam(path).questions[0]
        start = time.perf_counter()
        result = solve_question(question, time_limit_s=None)
        total.append(time.perf_counter() - start)
        start = time.perf_counter()
        module.solve(question)
        solve_only.append(time.perf_counter() - start)
    total, solve_only = total[1:], solve_only[1:]
    params = {k: v for k, v in result.solution.answers.items() if "learnable" in k.lower() or "param" in k.lower()}
    out = {"spec": str(path.relative_to(ROOT)), "runs": runs, "solve_verify_s": total, "solve_s": solve_only,
           "solve_verify_median_s": _median(total), "solve_median_s": _median(solve_only),
           "verified": result.verified, "answers": len(result.checks),
           "total_learnables": next((str(v) for k, v in params.items() if "total" in k.lower()), None),
           "target": "under 0.2 s"}
    out["met"] = out["solve_verify_median_s"] < 0.2
    return out


# ---------------------------------------------------------------------------- main ---

def variants_spec(work: Path) -> Path:
    """The embedded DI504 spec: it carries its draws ([question.variants], docs/variants.md)."""
    from symdl.input.spec import default_spec

    return default_spec()


def part_variants(count: int, work: Path) -> dict:
    """One run of ``variants --count N --export moodle,canvas`` (sheets, keys, answers.json, both LMS
    files): wall, CPU (children included) and peak memory."""
    import resource

    spec = variants_spec(work)
    out = work / "variants-out"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.run([PY, "-m", "symdl", "variants", str(spec), "--count", str(count), "--seed", "0",
                           "--out", str(out), "--export", "moodle,canvas"], cwd=ROOT, capture_output=True, text=True,
                          stdin=subprocess.DEVNULL)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        raise RuntimeError(f"variants failed ({proc.returncode}): {proc.stderr.strip()[-400:]}")
    draws = sum(int(m) for m in re.findall(r"(\d+) draw\(s\)", proc.stderr))
    folder = next(out.iterdir())
    files = sum(1 for p in folder.rglob("*") if p.is_file())
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    phases = re.search(r"derive and export ([\d.]+) s, TeX ([\d.]+) s", proc.stderr)
    exports = {p.name: p.stat().st_size for p in folder.iterdir() if p.name in ("moodle.xml", "canvas-qti.zip")}
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else None
    return {"count": count, "wall_s": wall, "cpu_s": cpu, "cpu_over_2_cores_s": cpu / 2,
            "draws": draws, "files": files, "peak_rss_mb": after.ru_maxrss / 1024, "exports": exports,
            "derive_export_s": float(phases.group(1)) if phases else None,
            "tex_s": float(phases.group(2)) if phases else None,
            "load_average_after": load, "met": wall < 60}


def table(results: dict) -> str:
    out = []
    m = results["machine"]
    out.append(f"machine: {m['nproc']} x {m['cpu']}; Python {m['python']}, SymPy {m['sympy']} "
               f"(ground types {m['sympy_ground_types']}), numpy {m['numpy']}; {m['tex']}")
    p = results.get("derive")
    if p:
        out.append(f"\n(1) derive --no-pdf, {p['spec']}, median of {p['runs']}")
        if "floor_cpu_median_s" in p:
            out.append(f"    CPU: import floor {p['floor_cpu_median_s']:.3f} s | derive {p['derive_cpu_median_s']:.3f} s | "
                       f"ratio {p['ratio']:.2f}x (target <= 2.0x: {'met' if p['met'] else 'MISSED'}); "
                       f"load average {p['load_average']:.1f}")
        out.append(f"    wall: import floor {p['floor_median_s']:.3f} s | derive {p['derive_median_s']:.3f} s"
                   + (f" | ratio {p['wall_ratio']:.2f}x" if "wall_ratio" in p else
                      f" | ratio {p['ratio']:.2f}x (target <= 2.0x: {'met' if p['met'] else 'MISSED'})")
                   + f" | --help {p['help_median_s']:.3f} s")
    p = results.get("pdf")
    if p and "skipped" not in p:
        out.append(f"\n(2) PDF, median of {p['runs']}: one pdflatex pass {p['pdflatex_median_s']:.3f} s | "
                   f"symdl build (latexmk) {p['build_median_s']:.3f} s | ratio {p['ratio']:.2f}x | "
                   f"pdflatex passes by latexmk {p['latexmk_pdflatex_passes']} "
                   f"(target <= 2: {'met' if p['met'] else 'MISSED'})")
    elif p:
        out.append(f"\n(2) PDF: skipped ({p['skipped']})")
    p = results.get("scaling")
    if p:
        out.append(f"\n(3) graph kind, chain of L relu layers of width w: seconds per derivation (solve + verify)")
        out.append(f"    {'L':>3} {'w':>3} {'symdl s':>9} {'naive diff s':>14} {'speedup':>8}  verified")
        for r in p["rows"]:
            naive = f"{r['naive_s']:.3f}" if r["naive_s"] is not None else r["naive_note"].split(" (")[0]
            speed = f"{r['speedup']:.1f}x" if r["speedup"] else ""
            agree = "" if "naive_agrees" not in r else ("" if r["naive_agrees"] else " (naive grad.x DISAGREES)")
            out.append(f"    {r['L']:>3} {r['w']:>3} {r['symdl_s']:>9.3f} {naive:>14} {speed:>8}  "
                       f"{r['verified']}{agree}")
        out.append("    log-log slope of time in L (1 = linear), per w: " +
                   ", ".join(f"w={w}: {s:.2f}" for w, s in p["loglog_slope_in_L"].items()))
        if "met_time" in p:
            out.append(f"    targets: w=64,L=16 < 2 s {'met' if p['met_time'] else 'MISSED'}; naive >= 20x "
                       f"{'met' if p['met_speedup'] else 'MISSED'}; linear in L (slope at w=64 <= 1.15) "
                       f"{'met' if p['met_linear'] else 'MISSED'}")
    p = results.get("vgg16")
    if p and "skipped" not in p:
        out.append(f"\n(4) architecture kind, VGG-16 (MATLAB): solve + verify {p['solve_verify_median_s']:.3f} s, "
                   f"solve alone {p['solve_median_s']:.3f} s, median of {p['runs']}; {p['answers']} answers, "
                   f"verified {p['verified']} (target < 0.2 s: {'met' if p['met'] else 'MISSED'})")
    elif p:
        out.append(f"\n(4) VGG-16: skipped ({p['skipped']})")
    p = results.get("variants")
    if p:
        phases = (f" (derive, verify, documents and LMS parts {p['derive_export_s']:.1f} s, TeX {p['tex_s']:.1f} s)"
                  if p.get("tex_s") is not None else "")
        out.append(f"\n(5) variants of DI504 with draws, with the Moodle and Canvas export: {p['count']} variants "
                   f"({p['draws']} draws, {p['files']} files, {', '.join(p.get('exports', {}))}) "
                   f"in {p['wall_s']:.1f} s wall{phases}, {p['cpu_s']:.1f} s CPU (= {p['cpu_over_2_cores_s']:.1f} s on 2 idle "
                   f"cores), peak memory of one process {p['peak_rss_mb']:.0f} MB, load average after "
                   f"{p['load_average_after']:.1f} (target < 60 s: {'met' if p['met'] else 'MISSED'})")
    p = results.get("grade")
    if p:
        out.append(f"\n(6) grade, a synthetic DI504 class of {p['count']} ({p['items']} items each, {p['carried']} items "
                   f"carried forward): grading {p['grade_cpu_s']:.2f} s CPU (target <= 10 s: "
                   f"{'met' if p['met'] else 'MISSED'}); the whole command with every feedback page "
                   f"{p['command_cpu_s']:.2f} s CPU, {p['command_wall_s']:.2f} s wall")
    if results.get("linear"):
        from bench.linear import table_lines
        out += table_lines(results["linear"])
    return "\n".join(out) + "\n"


def part_grade(count: int, work: Path) -> dict:
    """Part 6 (bench/grade_class.py): ``grade`` of a synthetic DI504 class of ``count``."""
    spec = importlib.util.spec_from_file_location("symdl_grade_class", BENCH / "grade_class.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.bench(count, work, PY)


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--parts", default="1,2,3,4,5,6,7", help="which parts to run, e.g. 1,3")
    parser.add_argument("--students", type=int, default=1000, help="students in part 6")
    parser.add_argument("--variants", type=int, default=100, help="variants in part 5")
    parser.add_argument("--runs", type=int, default=5, help="runs per median (parts 1, 2, 4)")
    parser.add_argument("--cap", type=float, default=60.0, help="seconds before the naive baseline is stopped")
    parser.add_argument("--quick", action="store_true", help="small grid, 3 runs, 20 s cap")
    parser.add_argument("--out", default=str(BENCH / "results.json"))
    parser.add_argument("--naive", nargs=2, type=int, metavar=("L", "W"), help=argparse.SUPPRESS)
    parser.add_argument("--seed", type=int, default=0, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.naive:
        print(json.dumps(naive_gradient(*args.naive, seed=args.seed)))
        return 0
    sys.path.insert(0, str(ROOT))
    parts = {p.strip() for p in args.parts.split(",")}
    runs = 3 if args.quick else args.runs
    cap = 20.0 if args.quick else args.cap
    Ls = [1, 2, 4] if args.quick else [1, 2, 4, 8, 16]
    ws = [2, 8] if args.quick else [2, 8, 16, 32, 64]
    results = {"machine": machine(), "date": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())}
    with tempfile.TemporaryDirectory(prefix="symdl-bench-") as tmp:
        work = Path(tmp)
        if "1" in parts:
            print("(1) derive vs import floor ...", file=sys.stderr)
            results["derive"] = part_derive(runs, work)
        if "2" in parts:
            print("(2) PDF build ...", file=sys.stderr)
            results["pdf"] = part_pdf(runs, work)
        if "3" in parts:
            print("(3) scaling ...", file=sys.stderr)
            results["scaling"] = part_scaling(Ls, ws, cap, work, progress=lambda s: print(s, file=sys.stderr))
        if "4" in parts:
            print("(4) VGG-16 ...", file=sys.stderr)
            results["vgg16"] = part_vgg(runs, work)
        if "5" in parts:
            print(f"(5) {args.variants} variants ...", file=sys.stderr)
            results["variants"] = part_variants(args.variants, work)
        if "6" in parts:
            print(f"(6) grade {args.students} students ...", file=sys.stderr)
            results["grade"] = part_grade(args.students, work)
        if "7" in parts:
            print("(7) cost against node count ...", file=sys.stderr)
            from bench.linear import part_linear
            results["linear"] = part_linear(work, args.quick, progress=lambda s: print(s, file=sys.stderr))
    text = table(results)
    print(text)
    Path(args.out).write_text(json.dumps(results, indent=1, default=str) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
