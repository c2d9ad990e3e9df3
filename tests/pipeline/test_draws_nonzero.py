"""Draws are non-degenerate by default: no drawn 0 (so no zero row or column) unless a draw says
``zero = true``, and even then no drawn vector all zero and no matrix with a zero row or column.

The variants' drawn values are read back from each variant's answers.json (``exam.drawn``) and
parsed here; the expectations are counts worked by hand (which grid values there are, which
2 x 3 patterns of {0, 1} have no zero line).
"""

from __future__ import annotations

import itertools
import json
import math
import random
import re
import subprocess
import sys
from collections import Counter
from fractions import Fraction

import pytest

from support import DOCS, validate_answers
from symdl.input import draws
from symdl.errors import SpecError
from symdl.input.latex import parse_matrix


def read(table):
    return draws._read(table, ("W",), "Q1", None)


def rows_of(value, shape):
    """A drawn value as a list of rows of Fractions (a column for shape [n], one entry for a scalar)."""
    if isinstance(value, str):
        matrix = parse_matrix(value) if "bmatrix" in value else None
        if matrix is None:
            return [[Fraction(value)]]
        return [[Fraction(str(e)) for e in matrix.row(i)] for i in range(matrix.rows)]
    if not shape:
        return [[Fraction(value)]]
    return [[Fraction(v)] for v in value] if len(shape) == 1 else [[Fraction(v) for v in r] for r in value]


def zero_lines(rows):
    """Rows (of more than one entry) and columns (of more than one entry) all zero; a vector or
    1 x 1 matrix all zero."""
    n, m = len(rows), len(rows[0])
    bad = [r for r in rows if m > 1 and all(v == 0 for v in r)]
    bad += [c for c in zip(*rows) if n > 1 and all(v == 0 for v in c)]
    if n == 1 and m == 1 and rows[0][0] == 0:
        bad.append(rows[0])
    return bad


# ------------------------------------------------------------------------------- draws.py ---

def test_a_draw_leaves_0_out_unless_it_says_zero_true():
    uniform = {"random": "uniform", "low": -0.2, "high": 0.2, "step": 0.1}
    assert read(uniform).distinct() == 4                       # -0.2, -0.1, 0.1, 0.2
    assert read(dict(uniform, zero=True)).distinct() == 5      # and 0
    assert read({"random": "integer", "low": 0, "high": 3}).distinct() == 3          # 1, 2, 3
    assert read({"random": "uniform", "low": 0.05, "high": 0.25, "step": 0.1}).distinct() == 3  # 0 off the grid
    rng = random.Random(5)
    drawn = Counter(read(uniform).pick(rng) for _ in range(2000))
    assert set(drawn) == {"-0.2", "-0.1", "0.1", "0.2"}
    matrix = read(dict(uniform, shape=[3, 4]))
    for _ in range(300):
        assert all(v != 0 for row in rows_of(matrix.pick(rng), (3, 4)) for v in row)


def test_with_zero_true_zeros_come_but_no_line_is_all_zero():
    """{0, 1} as a 2 x 3 matrix: of the 64 patterns, those with no zero row and no zero column are
    (patterns with no zero column: 3^3 = 27) minus (those with a zero row: 2 rows x 1 way each) = 25.
    Every drawn matrix is one of the 25, and all 25 come up."""
    good = {p for p in itertools.product((0, 1), repeat=6)
            if any(p[:3]) and any(p[3:]) and all(p[c] or p[3 + c] for c in range(3))}
    assert len(good) == 25
    draw = read({"random": "integer", "low": 0, "high": 1, "shape": [2, 3], "zero": True})
    rng = random.Random(11)
    seen = Counter(tuple(v for row in draw.pick(rng) for v in row) for _ in range(3000))
    assert set(seen) == good
    column = read({"random": "integer", "low": 0, "high": 1, "shape": [3], "zero": True})
    vectors = Counter(tuple(column.pick(rng)) for _ in range(2000))
    assert (0, 0, 0) not in vectors and len(vectors) == 7
    wide = read({"random": "integer", "low": 0, "high": 1, "shape": [2, 5000], "zero": True})
    rows = rows_of(wide.pick(rng), (2, 5000))                   # a redraw of the whole would never end
    assert zero_lines(rows) == [] and sum(v == 0 for r in rows for v in r) > 2000


@pytest.mark.parametrize("table, words", [
    ({"random": "uniform", "low": 0, "high": 0, "step": 0.1}, "holds only 0"),
    ({"random": "uniform", "low": 0, "high": 0, "step": 0.1, "zero": True, "shape": [2]}, "all zero"),
    ({"random": "integer", "low": -1, "high": 1, "zero": "yes"}, "zero must be true or false"),
    ({"random": "integer", "low": 0, "high": 1, "exclude": [1]}, "exclude removes every value"),
])
def test_draws_that_can_only_give_0_are_refused(table, words):
    with pytest.raises(SpecError) as err:
        read(table)
    assert words in str(err.value) and "field 'W'" in str(err.value)


# --------------------------------------------------------------------- 30 variants each ---

def variants(tmp_path, *spec):
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "symdl", "variants", *spec, "--count", "30", "--seed", "4",
                           "--out", str(out), "--no-pdf"], capture_output=True, text=True, cwd=tmp_path, timeout=1200)
    assert proc.returncode == 0, proc.stderr
    docs = [json.loads(p.read_text()) for p in sorted(out.glob("*-variants/variant-*/answers.json"))]
    assert len(docs) == 30
    for doc in docs:
        validate_answers(doc)                       # exam.variant and exam.drawn are in the schema
        assert doc["exam"]["variant"].split()[0] in {f"{n:03d}" for n in range(1, 31)}
    return [d["exam"]["drawn"] for d in docs]


def test_30_di504_variants_draw_no_zero_weight(tmp_path):
    found = variants(tmp_path)
    shapes = {"Q1.values.W": (2, 2), "Q1.values.x": (2,), "Q2.W": (5,), "Q2.x": (5,), "Q2.b": (),
              "Q3.B": (4,), "Q4.layer[1].size[0]": (), "Q5.generate.seed": ()}
    for drawn in found:
        assert set(drawn) == set(shapes), sorted(drawn)
        for key, shape in shapes.items():
            rows = rows_of(drawn[key], shape)
            assert len(rows) * len(rows[0]) == math.prod(shape)
            assert all(v != 0 for r in rows for v in r), (key, drawn[key])
            assert zero_lines(rows) == []
    assert len({json.dumps(d, sort_keys=True) for d in found}) == 30


def test_30_variants_of_the_docs_example_keep_zero_only_where_allowed(tmp_path):
    text = (DOCS.parent / "variants.md").read_text()
    block = next(b for b in re.findall(r"```toml\n(.*?)```", text, re.S) if "zero = true" in b)
    (tmp_path / "quiz.toml").write_text(block)
    found = variants(tmp_path, str(tmp_path / "quiz.toml"))
    shapes = {"Q1.W": (3,), "Q1.x": (3,), "Q1.b": (), "Q2.W": (3, 2), "Q2.B": (3,)}
    zeros_in_b = 0
    for drawn in found:
        assert set(drawn) == set(shapes)
        for key, shape in shapes.items():
            rows = rows_of(drawn[key], shape)
            assert [len(r) for r in rows] == ([shape[1]] * shape[0] if len(shape) == 2
                                              else [1] * (shape[0] if shape else 1))
            assert zero_lines(rows) == [], (key, drawn[key])
            if key != "Q2.B":
                assert all(v != 0 for r in rows for v in r), (key, drawn[key])
            else:
                zeros_in_b += sum(r[0] == 0 for r in rows)
        # the neuron is dead as the question says: z = W^T x + b <= 0 for the drawn values (x > 0 here)
        w, x, b = (rows_of(drawn[k], shapes[k]) for k in ("Q1.W", "Q1.x", "Q1.b"))
        assert sum(a[0] * c[0] for a, c in zip(w, x)) + b[0][0] <= 0
    assert zeros_in_b > 0          # the allowance is real: 90 entries, each 0 with chance 1/11
