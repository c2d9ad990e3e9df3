"""The spec loader and the Question accessors: what they accept, and the place every error names."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
import sympy

from symdl.errors import SpecError, SymdlError, one_line
from symdl.input.spec import MAX_SPEC_BYTES, TYPESETTABLE, Question, default_spec, load_exam

R = sympy.Rational

HEADER = '[exam]\nid = "t"\ntitle = "T"\n'


def write(tmp_path, text, name="exam.toml", mode="w"):
    path = tmp_path / name
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def question(**fields):
    return Question(id="Q9", kind="neuron", text="", fields=fields, file=Path("exam.toml"))


# ----------------------------------------------------------------------- loading ----

def test_di504_loads():
    exam = load_exam(default_spec())
    assert exam.id == "di504-midterm-2021"
    assert [(q.id, q.kind) for q in exam.questions] == [
        ("Q1", "graph"), ("Q2", "neuron"), ("Q3", "softmax"), ("Q4", "architecture"), ("Q5", "training_log")]
    assert [q.points for q in exam.questions] == [20, 20, 20, 25, 15]
    assert exam.questions[0].fields["values"]["W"].startswith(r"\begin{bmatrix}")
    assert "id" not in exam.questions[0].fields and "text" not in exam.questions[0].fields


def test_utf8_bom_is_accepted(tmp_path):
    path = write(tmp_path, ("\ufeff" + HEADER + '[[question]]\nid = "Q1"\nkind = "neuron"\n').encode("utf-8"))
    assert load_exam(path).title == "T"


def test_crlf_line_ends_are_accepted(tmp_path):
    path = write(tmp_path, (HEADER + '[[question]]\nid = "Q1"\nkind = "neuron"\n').replace("\n", "\r\n").encode())
    assert load_exam(path).questions[0].id == "Q1"


def test_latin_and_typographic_characters_are_accepted(tmp_path):
    text = "Übung für Çalışma — “quotes”, 5 € … naïve façade ½ × ÷ ← →"
    path = write(tmp_path, HEADER + f'[[question]]\nid = "Q1"\nkind = "neuron"\ntext = "{text}"\n')
    assert load_exam(path).questions[0].text == text


@pytest.mark.parametrize("char", ["∑", "α", "😀", "≤", "中"])
def test_untypesettable_characters_name_the_field(tmp_path, char):
    path = write(tmp_path, HEADER + f'[[question]]\nid = "Q1"\nkind = "neuron"\n[question.parts]\nb = "x {char} y"\n')
    with pytest.raises(SpecError) as info:
        load_exam(path)
    assert info.value.question == "Q1" and info.value.field == "parts.b"
    assert f"U+{ord(char):04X}" in str(info.value)


def test_typesettable_table_is_sorted_and_disjoint():
    assert all(lo <= hi for lo, hi in TYPESETTABLE)
    assert all(a[1] < b[0] for a, b in zip(TYPESETTABLE, TYPESETTABLE[1:]))


def test_too_large_spec_is_refused_before_reading(tmp_path):
    path = write(tmp_path, b"# " + b"x" * (MAX_SPEC_BYTES + 1))
    with pytest.raises(SpecError, match="larger than"):
        load_exam(path)


def test_deeply_nested_toml(tmp_path):
    path = write(tmp_path, HEADER + "x = " + "[" * 5000 + "]" * 5000 + "\n")
    with pytest.raises(SpecError):
        load_exam(path)


@pytest.mark.parametrize("title", ["two\nlines", "a\r\nb"])
def test_titles_are_one_line(tmp_path, title):
    import json

    path = write(tmp_path, '[exam]\nid = "t"\ntitle = ' + json.dumps(title) + '\n[[question]]\nid = "Q"\nkind = "neuron"\n')
    with pytest.raises(SpecError, match="one line"):
        load_exam(path)


def test_trailing_newline_in_title_is_fine(tmp_path):
    path = write(tmp_path, '[exam]\nid = "t"\ntitle = """A title\n"""\n[[question]]\nid = "Q"\nkind = "neuron"\n')
    assert load_exam(path).title.strip() == "A title"


@pytest.mark.parametrize("points, ok", [(0, True), (12.5, True), (-1, False), (10**7, False)])
def test_points_range(tmp_path, points, ok):
    path = write(tmp_path, HEADER + f'[[question]]\nid = "Q"\nkind = "neuron"\npoints = {points}\n')
    if ok:
        assert load_exam(path).questions[0].points == points
    else:
        with pytest.raises(SpecError) as info:
            load_exam(path)
        assert info.value.field == "points"


# --------------------------------------------------------------------- accessors ----

def test_get_types_and_defaults():
    q = question(n=3, flag=True, name="relu")
    assert q.get("n", int) == 3
    assert q.get("missing", int, None) is None
    with pytest.raises(SpecError, match="expected int, got bool"):
        q.get("flag", int)                       # a bool is not a number here
    assert q.get("flag", bool) is True
    with pytest.raises(SpecError, match="missing required field") as info:
        q.get("absent")
    assert str(info.value) == "exam.toml: question Q9: field 'absent': missing required field"


def test_matrix_and_number_are_exact():
    q = question(W=r"\begin{bmatrix} -0.1 & 0.5 \\ 1/3 & 2 \end{bmatrix}", b="-0.1", v=[0.25, 1], c=r"\frac{1}{3}")
    assert q.number("b") == R(-1, 10)
    assert q.number("c") == R(1, 3)
    assert q.matrix("v") == sympy.Matrix([R(1, 4), 1])
    with pytest.raises(SpecError) as info:
        q.matrix("W", shape=(3, 2))
    assert info.value.field == "W"


@pytest.mark.parametrize("value", [float("nan"), float("inf"), [1.0, float("-inf")], [[1.0], [float("nan")]]])
def test_non_finite_toml_floats_are_refused(value):
    q = question(v=value)
    with pytest.raises(SpecError, match="not a finite number"):
        q.matrix("v")
    if isinstance(value, float):
        with pytest.raises(SpecError, match="not a finite number"):
            q.number("v")


def test_rational_matrix_is_exact_mutable_and_bounded():
    # the shared reading of the dropout and conv kinds' matrices (issue 22): exact rationals, a copy
    # the kind may change, each refusal naming the field (or the item) with the kinds' messages
    q = question(x=r"\begin{bmatrix} 0.1 \\ \frac{1}{3} \end{bmatrix}", big=[1, 1000001], root=r"[\sqrt{2} \quad 1]", empty=[],
                 many=[1] * 65, nan=[1.0, float("nan")], word=r"[1 \quad x]")
    m = q.rational_matrix("x")
    assert m == sympy.Matrix([R(1, 10), R(1, 3)])
    m[0] = 5                                    # mutable, and not the parser's cached matrix
    assert q.rational_matrix("x")[0] == R(1, 10)
    assert q.rational_matrix("x", max_entries=2).shape == (2, 1)
    assert q.rational_matrix("k[2]", [[1000000, -1000000]]).shape == (1, 2)     # the bound is inclusive
    for name, words in [("big", "an entry beyond +-10^6: too large for an exam"),
                        ("root", "every entry must be a rational number (a decimal or a fraction)"),
                        ("empty", "an empty matrix"), ("nan", "not a finite number: nan"),
                        ("word", "is not a numeric matrix or vector"), ("gone", "missing required field")]:
        with pytest.raises(SpecError, match=re.escape(words)) as info:
            q.rational_matrix(name)
        assert info.value.field == name
    with pytest.raises(SpecError, match="at most 64 entries") as info:
        q.rational_matrix("many", max_entries=64)
    assert len(q.rational_matrix("many")) == 65
    with pytest.raises(SpecError, match="every entry must be a rational") as info:
        q.rational_matrix("kernel[3]", r"[\sqrt{3}]")
    assert info.value.field == "kernel[3]"


def test_number_and_matrix_from_other_source():
    q = question()
    source = {"W": "[1 \\quad 2]^T"}
    assert q.matrix("W", source=source).shape == (2, 1)
    assert q.number("k", default=7) == 7


def test_expression_errors_name_the_field():
    q = question(f=r"f(x) = \max[ x")
    with pytest.raises(SpecError) as info:
        q.expression("f")
    assert info.value.field == "f" and info.value.question == "Q9"


def test_data_path(tmp_path):
    (tmp_path / "log.txt").write_text("x")
    (tmp_path / "sub").mkdir()
    spec = tmp_path / "exam.toml"

    def q(value):
        return Question(id="Q", kind="training_log", text="", fields={"log": value}, file=spec)

    assert q("log.txt").data_path("log") == tmp_path / "log.txt"
    os.mkfifo(tmp_path / "fifo")                          # not a regular file: never opened
    with open(tmp_path / "huge.txt", "wb") as f:          # sparse: no disk space used
        f.truncate(60_000_000)
    for value, message in [("nope.txt", "not found"), ("sub", "is a folder"), ("", "empty file name"),
                           ("a\x00b", "NUL"), ("huge.txt", "larger than 50 MB"), ("fifo", "not found"),
                           ("/dev/zero", "must lie in the spec's folder")]:
        with pytest.raises(SpecError, match=message) as info:
            q(value).data_path("log")
        assert info.value.field == "log"


def test_schema_refuses_unknown_fields():
    from symdl.input.schema import Field, Schema

    q = question(W="1", Wt="2")
    with pytest.raises(SpecError) as info:
        Schema(Field("W", "latex"), Field("x", "latex", default=None)).check(q)
    assert info.value.field == "Wt" and "unknown field for kind 'neuron'" in str(info.value)


# ------------------------------------------------------------------------ errors ----

def test_error_text_is_one_line_and_names_the_place():
    err = SpecError("first line\nsecond line", file=Path("a b.toml"), question="Q1", field="W")
    assert str(err) == "a b.toml: question Q1: field 'W': first line"
    assert err.exit_status == 2 and isinstance(err, SymdlError)
    weird = SpecError("msg", file=Path("x\ny.toml"))
    assert "\n" not in str(weird)


def test_one_line_limits_length():
    assert one_line("a\n b\t c") == "a b c"
    assert len(one_line("x" * 1000, 50)) == 50


def test_printable_marks_what_cannot_be_typeset():
    from symdl.input.spec import printable

    assert printable("Übung — “ok” € → ✓ σ\n") == "Übung — “ok” € → [U+2713] [U+03C3]\n"


# ---------------------------------------------------------------- parts and points ----

def test_di504_parts_carry_the_seeds_points():
    # the DI504 midterm sheet (seeds/000_c899ea58c0d42005.txt): Q1 a5 b5 c10, Q2 a10 b10,
    # Q3 20, Q4 25, Q5 a5 b10
    exam = load_exam(default_spec())
    got = {q.id: [(name, points) for name, _, points in q.part_list()] for q in exam.questions}
    assert got == {"Q1": [("a", 5), ("b", 5), ("c", 10)], "Q2": [("a", 10), ("b", 10)],
                   "Q3": [(None, 20)], "Q4": [(None, 25)], "Q5": [("a", 5), ("b", 10)]}
    q1 = exam.questions[0]
    assert q1.parts["c"].startswith("Back-propagate")        # the text, as a plain string part gave it
    assert q1.points_of("c") == 10 and q1.points_of(None) == 20
    assert exam.questions[2].points_of(None) == 20


def test_parts_plain_strings_and_tables_mix_when_no_points(tmp_path):
    path = write(tmp_path, HEADER + '[[question]]\nid = "Q1"\nkind = "neuron"\npoints = 7\n'
                 '[question.parts]\na = "Say."\nb = { text = "Show." }\n')
    q = load_exam(path).questions[0]
    assert q.parts == {"a": "Say.", "b": "Show."} and q.part_points == {"a": None, "b": None}
    assert q.points == 7


def test_question_points_are_the_parts_sum_when_only_parts_have_them(tmp_path):
    path = write(tmp_path, HEADER + '[[question]]\nid = "Q1"\nkind = "neuron"\n'
                 '[question.parts]\na = { text = "Say.", points = 2.5 }\nb = { text = "Show.", points = 4 }\n')
    assert load_exam(path).questions[0].points == 6.5


@pytest.mark.parametrize("parts, field, words", [
    ('a = { text = "x", points = 3 }\nb = { text = "y", points = 3 }', "points", "add up to 6"),
    ('a = { text = "x", points = 20 }\nb = "y"', "parts.b.points", "no points"),
    ('a = { text = "x", points = true }', "parts.a.points", "expected a number"),
    ('a = { text = 3, points = 20 }', "parts.a.text", "expected a string"),
    ('a = [1, 2]', "parts", "expected a string"),
])
def test_part_points_errors_name_question_and_field(tmp_path, parts, field, words):
    path = write(tmp_path, HEADER + f'[[question]]\nid = "Q1"\nkind = "neuron"\npoints = 20\n[question.parts]\n{parts}\n')
    with pytest.raises(SpecError) as info:
        load_exam(path)
    assert info.value.question == "Q1" and info.value.field == field
    assert words in info.value.message


def test_load_exam_is_short():
    # issue 11: no function over 80 lines; load_exam was 97
    import inspect

    from symdl.input import spec

    for name, fn in inspect.getmembers(spec, inspect.isfunction):
        if fn.__module__ == spec.__name__:
            assert len(inspect.getsource(fn).splitlines()) <= 80, name
