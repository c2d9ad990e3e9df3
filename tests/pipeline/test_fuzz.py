"""Fuzzing: mutated valid specs must end in success or one clean SymdlError, never anything else.

Seeds are the five DI504 questions (each as a one-question spec) and a few small specs of
other shapes. Each case applies one to three seeded mutations (delete a key, change a
value's type, perturb a LaTeX string, duplicate a table, add an unknown key; or, at the byte
level, truncate, drop or repeat a line, flip a byte), then loads, derives, verifies and
renders the LaTeX and JSON in-process, with a per-question time limit. A case passes when
it either succeeds or raises a SymdlError whose message is one line; anything else (another
exception, a hang) fails, printing the case's seed and spec so it can be replayed.

``SYMDL_FUZZ_CASES`` (default 160) sets the number of structured cases; the byte-level and
LaTeX-field cases scale with it. Bugs known in modules this suite does not own are listed in
KNOWN with the reason; a case hitting only those is reported as xfail, not hidden.
"""

from __future__ import annotations

import copy
import faulthandler
import json
import math
import os
import random
import re
import shutil
import tomllib
import traceback
from pathlib import Path

import pytest
import sympy

from symdl.derive import time_limit
from symdl.solve import solve_exam
from symdl.errors import SymdlError, TimeLimitError
from symdl.render import answers_json, latex
from symdl.input.spec import Question, default_spec
from support import TESTS

HERE = TESTS
CASES = int(os.environ.get("SYMDL_FUZZ_CASES", "160"))
TIME_LIMIT = 5.0

# Known bugs in modules this suite does not own: (exception type, file, function) -> reason.
# (Empty: the bugs found here so far, complex/infinite graph values, TOML nan/inf reaching the
# parser, a parser loop on an unclosed matrix, 10^(10^10) evaluated beside a matrix, are fixed.)
KNOWN: dict = {}

EXTRA_SEEDS = {
    "graph_scalar": """
[exam]
id = "fuzz-graph"
title = "Fuzz graph"
[[question]]
id = "G"
kind = "graph"
function = 'f = \\sigma(w x + b) \\cdot \\tanh(x)'
upstream = '1'
[question.values]
w = '0.5'
x = '-1.5'
b = '\\frac{1}{4}'
""",
    "neuron_sigmoid": """
[exam]
id = "fuzz-neuron"
title = "Fuzz neuron"
[[question]]
id = "N"
kind = "neuron"
activation = "sigmoid"
W = '[2 \\quad -1 \\quad 0.5]^T'
x = '[0.1 \\quad 0.2 \\quad 0.3]^T'
b = '-0.3'
upstream = '0.5'
""",
    "softmax_label": """
[exam]
id = "fuzz-softmax"
title = "Fuzz softmax"
[[question]]
id = "S"
kind = "softmax"
regularization = "none"
W = '\\begin{bmatrix} 1 & -1 \\\\ 0.5 & 2 \\\\ 0 & 0.25 \\end{bmatrix}'
B = '\\begin{bmatrix} 0 \\\\ 0.1 \\\\ -0.2 \\end{bmatrix}'
[[question.case]]
id = "a"
x = '[1 \\quad 2]^T'
label = 2
""",
    "architecture_pytorch": """
[exam]
id = "fuzz-arch"
title = "Fuzz architecture"
[[question]]
id = "A"
kind = "architecture"
convention = "pytorch"
[[question.layer]]
name = "in"
type = "input"
size = [3, 32, 32]
[[question.layer]]
name = "c1"
type = "conv"
filters = 8
size = [5, 5]
padding = 2
stride = 2
[[question.layer]]
name = "p1"
type = "maxpool"
size = [2, 2]
stride = 2
[[question.layer]]
name = "flat"
type = "flatten"
[[question.layer]]
name = "fc"
type = "fc"
nodes = 10
""",
}

LATEX_TOKENS = [r"\frac{", "}", "{", "^", "_", r"\max", "[", "]", "(", ")", r"\\", "&", "-", ".", "0",
                "9", r"10^{10^{10}}", r"\quad", "e^", "W", r"\sigma(", r"\begin{bmatrix}",
                r"\end{bmatrix}", "^T", r"\cdot", " ", "%", "$", "=", ",", r"\log(", "x", "1e5",
                r"\sqrt{", "/", "*", r"\left[", r"\right]", "999999999999", "-0", r"\infty", r"\input{x}",
                "^{400}", r"10^{300}"]


# ------------------------------------------------------------------------------ seeds ----

def di504_seeds() -> dict:
    """Each DI504 question as its own spec text (same folder as the data files)."""
    text = default_spec().read_text()
    data = tomllib.loads(text)
    return {f"di504_{q['id']}": dump({"exam": data["exam"], "question": [q]}) for q in data["question"]}


def seeds() -> dict:
    out = di504_seeds()
    out.update(EXTRA_SEEDS)
    return out


def dump(data: dict) -> str:
    """A minimal TOML writer: every value inline (tables as inline tables)."""
    return "".join(f"{_key(k)} = {_value(v)}\n" for k, v in data.items())


def _key(k):
    return k if k.replace("_", "").replace("-", "").isalnum() and k.isascii() and k else json.dumps(k)


def _value(v):
    if isinstance(v, bool):
        return "true" if v else "false"
    if isinstance(v, int):
        return str(v)
    if isinstance(v, float):
        return "nan" if math.isnan(v) else ("inf" if v > 0 else "-inf") if math.isinf(v) else repr(v)
    if isinstance(v, str):
        return json.dumps(v)
    if isinstance(v, list):
        return "[" + ", ".join(_value(x) for x in v) + "]"
    if isinstance(v, dict):
        return "{" + ", ".join(f"{_key(k)} = {_value(x)}" for k, x in v.items()) + "}"
    raise TypeError(type(v))


# -------------------------------------------------------------------------- mutations ----

def _paths(node, prefix=()):
    """Every (container, key) place in a nested dict/list."""
    if isinstance(node, dict):
        for k, v in node.items():
            yield node, k
            yield from _paths(v, prefix + (k,))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield node, i
            yield from _paths(v, prefix + (i,))


def perturb_latex(rng, s: str) -> str:
    choice = rng.randrange(6)
    i = rng.randrange(len(s) + 1)
    if choice == 0:
        return s[:i] + rng.choice(LATEX_TOKENS) + s[i:]
    if choice == 1 and s:
        j = min(len(s), i + rng.randrange(1, 6))
        return s[:i] + s[j:]
    if choice == 2 and s:
        j = min(len(s), i + rng.randrange(1, 10))
        return s[:j] + s[i:j] + s[j:]
    if choice == 3:
        return "".join(rng.choice("0123456789") if c.isdigit() and rng.random() < 0.3 else c for c in s)
    if choice == 4:
        return s[: rng.randrange(len(s) + 1)]
    return s.replace(rng.choice(["0", "1", ".", "-", "W", "x", "&", r"\\"]), rng.choice(LATEX_TOKENS), 1)


def other_type(rng, value):
    options = ["text", 0, -1, 10**18, 2.5, float("nan"), float("inf"), True, [], [1, 2], {"k": 1}, "", [[1], [2, 3]]]
    new = rng.choice(options)
    while type(new) is type(value) and new == value:
        new = rng.choice(options)
    return copy.deepcopy(new)


def mutate_structure(rng, data: dict) -> list:
    """Apply one structural mutation in place; return a description."""
    places = list(_paths(data))
    if not places:
        return "nothing left"
    container, key = rng.choice(places)
    value = container[key]
    op = rng.choice(["delete", "retype", "latex", "latex", "latex", "number", "duplicate", "unknown"])
    if op == "delete":
        del container[key]
    elif op == "retype":
        container[key] = other_type(rng, value)
    elif op == "latex" and isinstance(value, str):
        container[key] = perturb_latex(rng, value)
    elif op == "number" and isinstance(value, (int, float)) and not isinstance(value, bool):
        container[key] = rng.choice([0, -value, value * 10**rng.randrange(1, 30), value + 1, 2**63, -(2**63)])
    elif op == "duplicate" and isinstance(container, list):
        container.insert(key, copy.deepcopy(value))
    elif op == "unknown" and isinstance(value, dict):
        value[rng.choice(["extra", "Wt", "kind2", "size", "id"])] = other_type(rng, None)
    else:
        container[key] = other_type(rng, value)
        op = "retype"
    return f"{op} {key!r}"


def mutate_bytes(rng, text: str) -> bytes:
    raw = text.encode()
    op = rng.randrange(4)
    lines = raw.split(b"\n")
    if op == 0:
        return raw[: rng.randrange(len(raw))]
    if op == 1:
        del lines[rng.randrange(len(lines))]
    elif op == 2:
        i = rng.randrange(len(lines))
        lines.insert(i, lines[i])
    else:
        i = rng.randrange(len(raw))
        return raw[:i] + bytes([rng.randrange(256)]) + raw[i + 1:]
    return b"\n".join(lines)


# ------------------------------------------------------------------------------ runner ----

POWER_OF_HUGE_POWER = ("latex_parse._skeleton: in '10^{10^{10}}^{400} \\begin{bmatrix} 1 \\end{bmatrix}' the "
                       "xreplace of the matrix placeholder makes SymPy evaluate (10^(10^10))^400 before "
                       "_check_size; only the time limit stops it")


def known_hang(text: str):
    """The reason a time-out on ``text`` is a known bug elsewhere, or None."""
    if re.search(r"10\^\{10\^\{10\}\}\s*\^", text) and "bmatrix" in text:
        return POWER_OF_HUGE_POWER
    return None


def run_case(path: Path):
    """Load, derive, verify and render; return None on success or SymdlError, else the exception."""
    try:
        report = solve_exam(path, time_limit_s=TIME_LIMIT)
        latex.render(report.exam, report.results)
        answers_json.render(report.exam, report.results)
    except TimeLimitError as exc:
        return exc
    except SymdlError as exc:
        message = str(exc)
        if "\n" in message or not message.strip():
            return AssertionError(f"SymdlError message not one line: {message!r}")
        return None
    except Exception as exc:  # noqa: BLE001 - the point of the test
        return exc
    return None


def signature(exc) -> tuple:
    frames = traceback.extract_tb(exc.__traceback__)
    last = frames[-1] if frames else None
    ours = [f for f in frames if "/symdl/" in f.filename]
    where = ours[-1] if ours else last
    return (type(exc).__name__, os.path.basename(where.filename) if where else "?", where.name if where else "?")


@pytest.fixture(scope="module")
def workdir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("fuzz")
    for data in default_spec().parent.iterdir():          # data files the DI504 spec names
        if data.suffix != ".toml":
            shutil.copy(data, folder / data.name)
    return folder


@pytest.fixture(autouse=True)
def watchdog():
    """A hang (in C code, out of reach of the time limit) kills the run with a traceback."""
    faulthandler.dump_traceback_later(max(240, CASES * 3), exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


def _campaign(workdir, cases, make):
    failures, known = [], []
    names = sorted(seeds())
    texts = seeds()
    for i in range(cases):
        name = names[i % len(names)]
        rng = random.Random(f"{name}:{i}")
        raw, description = make(rng, texts[name])
        path = workdir / f"case-{i}.toml"
        path.write_bytes(raw)
        exc = run_case(path)
        if isinstance(exc, TimeLimitError):
            # a clean exit-2 error by design, but only the known parser loop should need it
            text = raw.decode("utf-8", "replace")
            if known_hang(text):
                known.append((i, name, description, known_hang(text), str(exc), raw[:4000]))
            else:
                failures.append((i, name, description, ("TimeLimitError", "", ""), str(exc), raw[:4000]))
        elif exc is not None:
            sig = signature(exc)
            entry = (i, name, description, sig, f"{type(exc).__name__}: {exc}"[:200], raw[:4000])
            (known if sig in KNOWN else failures).append(entry)
        else:
            path.unlink()
    return failures, known


def _report(failures, known):
    if failures:
        lines = [f"case {i} ({name}; {desc}): {sig} {msg}\n--- spec ---\n{raw.decode('utf-8', 'replace')}"
                 for i, name, desc, sig, msg, raw in failures[:5]]
        pytest.fail(f"{len(failures)} case(s) escaped as non-SymdlError exceptions:\n" + "\n\n".join(lines))
    if known:
        reasons = sorted({KNOWN.get(sig, sig) for _i, _n, _d, sig, _m, _r in known})
        pytest.xfail(f"{len(known)} case(s) hit known bugs elsewhere: " + " | ".join(map(str, reasons)))


def test_structured_mutations(workdir):
    def make(rng, text):
        data = tomllib.loads(text)
        steps = [mutate_structure(rng, data) for _ in range(rng.randrange(1, 4))]
        return dump(data).encode(), "; ".join(steps)

    _report(*_campaign(workdir, CASES, make))


def test_byte_mutations(workdir):
    def make(rng, text):
        return mutate_bytes(rng, text), "bytes"

    _report(*_campaign(workdir, max(20, CASES // 4), make))


def test_unmutated_seeds_succeed(workdir):
    for name, text in seeds().items():
        path = workdir / f"seed-{name}.toml"
        path.write_text(text)
        report = solve_exam(path, time_limit_s=TIME_LIMIT)
        assert report.verified, name


# ------------------------------------------------ LaTeX fields through the accessors ----

LATEX_PIECES = LATEX_TOKENS + ["1", "2", "0.5", " ", r"\begin{bmatrix} 1 & 2 \\ 3 & 4 \end{bmatrix}"]


def test_latex_fields_parse_or_raise_spec_error():
    """Random LaTeX token strings through Question.matrix/number/expression (so latex_parse)."""
    rng = random.Random(504)
    failures, hangs = [], []
    # latex2sympy2's ANTLR parser loads and warms up on its first parse (about 1-3 s on a
    # loaded machine): pay that once here, not inside the first case's 2 s limit
    Question(id="F", kind="neuron", text="", fields={"v": r"\sqrt{2}^{3}"}, file=Path("fuzz.toml")).number("v")
    for i in range(max(100, CASES * 2)):
        text = "".join(rng.choice(LATEX_PIECES) for _ in range(rng.randrange(13)))
        accessor = rng.choice(["matrix", "number", "expression"])
        q = Question(id="F", kind="neuron", text="", fields={"v": text}, file=Path("fuzz.toml"))
        try:
            with time_limit(2.0, q):
                value = getattr(q, accessor)("v")
        except TimeLimitError:
            if known_hang(text):
                hangs.append((accessor, text, known_hang(text)))
            else:
                failures.append((accessor, text, "time limit"))
            continue
        except SymdlError as exc:
            if "\n" in str(exc) or "question F: field 'v'" not in str(exc):
                failures.append((accessor, text, f"bad message {str(exc)!r}"))
            continue
        except Exception as exc:  # noqa: BLE001
            failures.append((accessor, text, f"{type(exc).__name__}: {exc}"[:200]))
            continue
        if accessor == "matrix":
            ok = isinstance(value, sympy.MatrixBase) and all(v.is_number for v in value)
        elif accessor == "number":
            ok = value.is_number and value.is_real is not False
        else:
            ok = True
        if not ok:
            failures.append((accessor, text, f"accepted as {value!r}"))
    assert not failures, "\n".join(f"{a}({t!r}): {m}" for a, t, m in failures[:10])
    if hangs:
        reasons = " | ".join(sorted({reason for _a, _t, reason in hangs}))
        pytest.xfail(f"{len(hangs)} input(s) stopped by the time limit: {reasons}; "
                     f"first: {hangs[0][0]}({hangs[0][1]!r})")
