"""Reading an exam spec (TOML) into Exam and Question objects, with errors that name their place."""

from __future__ import annotations

import copy
import math
import re
import sys
import tomllib
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path

from symdl.errors import LatexError, SpecError
from symdl.ops.conventions import DEFAULT_SUBGRADIENTS, DEFAULT_TIES, SUBGRADIENTS, TIES
from symdl.grading.policy import question_policy, read_policy, rubric_splits
from symdl.input.schema import normalize_choice
from symdl import kinds
from symdl.input import data_files, draws
from symdl.input.data_files import resolve
from symdl.input.latex import parse_expression, parse_matrix, parse_number
from symdl.input.require import parse

# Keys every question may carry, whatever its kind.
COMMON_FIELDS = {"id", "kind", "text", "points", "parts", "title", "grading", "rubric"}

_MISSING = object()

MAX_SPEC_BYTES = 5_000_000
MAX_DATA_BYTES = 50_000_000
MAX_ENTRY = 10 ** 6            # the magnitude of any entry of a rational matrix (Question.rational_matrix)

# Characters beyond ASCII that the answer key's LaTeX (T1 + TS1 + OMS encodings, utf8 input)
# can typeset: the code points declared in LaTeX's t1enc.dfu, ts1enc.dfu, omsenc.dfu, utf8.def.
# Any other character in a spec string would stop the PDF build, so it is refused up front.
TYPESETTABLE = (
    (0x00A0, 0x00B7), (0x00B9, 0x0125), (0x0128, 0x0137), (0x0139, 0x013E), (0x0141, 0x0148),
    (0x014A, 0x0165), (0x0168, 0x017E), (0x0192, 0x0192), (0x01C4, 0x01D4), (0x01E2, 0x01E3),
    (0x01E6, 0x01EB), (0x01F0, 0x01F0), (0x01F4, 0x01F5), (0x0218, 0x021B), (0x0232, 0x0233),
    (0x0237, 0x0237), (0x02C6, 0x02C7), (0x02D8, 0x02D9), (0x02DB, 0x02DD), (0x0E3F, 0x0E3F),
    (0x1E02, 0x1E03), (0x1E0D, 0x1E0D), (0x1E1E, 0x1E21), (0x1E25, 0x1E25), (0x1E30, 0x1E31),
    (0x1E37, 0x1E37), (0x1E43, 0x1E43), (0x1E45, 0x1E45), (0x1E47, 0x1E47), (0x1E5B, 0x1E5B),
    (0x1E63, 0x1E63), (0x1E6D, 0x1E6D), (0x1E8E, 0x1E91), (0x1E9E, 0x1E9E), (0x1EF2, 0x1EF3),
    (0x200C, 0x200C), (0x2010, 0x2016), (0x2018, 0x201A), (0x201C, 0x201E), (0x2020, 0x2022),
    (0x2026, 0x2026), (0x2030, 0x2031), (0x2039, 0x203B), (0x203D, 0x203D), (0x2044, 0x2044),
    (0x204E, 0x204E), (0x2052, 0x2052), (0x20A1, 0x20A1), (0x20A4, 0x20A4), (0x20A6, 0x20A6),
    (0x20A9, 0x20A9), (0x20AB, 0x20AC), (0x20B1, 0x20B1), (0x2103, 0x2103), (0x2116, 0x2117),
    (0x211E, 0x211E), (0x2120, 0x2120), (0x2122, 0x2122), (0x2126, 0x2127), (0x212E, 0x212E),
    (0x2190, 0x2193), (0x2329, 0x232A), (0x2422, 0x2423), (0x25E6, 0x25E6), (0x25EF, 0x25EF),
    (0x266A, 0x266A), (0x27E8, 0x27E9), (0x3008, 0x3009), (0xFB00, 0xFB06), (0xFEFF, 0xFEFF)
)


@dataclass
class Question:
    """One ``[[question]]`` table of a spec: its common keys plus the kind's own fields."""

    id: str
    kind: str
    text: str
    fields: dict
    file: Path
    points: int | None = None
    parts: dict = field(default_factory=dict)          # part -> its text
    part_points: dict = field(default_factory=dict)    # part -> its points (None: not given)
    title: str | None = None
    data_dirs: tuple = ()       # folders besides the spec's own where data files may lie
    values: dict = field(default_factory=dict)   # the fields as the kind's schema checked them
    subgradients: str = DEFAULT_SUBGRADIENTS    # the exam's kink convention (relu'(0), |x|'(0))
    ties: str = DEFAULT_TIES                    # the exam's tie convention of max/min (symdl/ops/conventions.py)
    grading: object = None      # the answer policy (symdl.grading.Policy) with this question's overrides
    rubric: dict = field(default_factory=dict)  # part (None: no parts) -> {answer or criterion: points}

    # -- errors -------------------------------------------------------------------------
    def error(self, field_name, message) -> SpecError:
        """A SpecError naming this question's file, id and the field."""
        return SpecError(message, file=self.file, question=self.id, field=field_name)

    # -- parts and points ---------------------------------------------------------------
    def part_list(self) -> list:
        """Every part as (name, text, points); a question without parts is one part, named None."""
        if not self.parts:
            return [(None, self.text, self.points)]
        return [(name, text, self.part_points.get(name)) for name, text in self.parts.items()]

    def points_of(self, part):
        """The points of ``part`` (None: the question's own, when it has no parts)."""
        if part is None or not self.parts:
            return self.points
        return self.part_points.get(part)

    # -- accessors ----------------------------------------------------------------------
    def has(self, name) -> bool:
        return name in self.fields

    def get(self, name, types=None, default=_MISSING):
        """The raw value of field ``name``, type-checked against ``types`` when given."""
        if name not in self.fields:
            if default is _MISSING:
                raise self.error(name, "missing required field")
            return default
        value = self.fields[name]
        if types is not None:
            ok = isinstance(value, types) and not (isinstance(value, bool) and bool not in _as_tuple(types))
            if not ok:
                names = " or ".join(t.__name__ for t in _as_tuple(types))
                raise self.error(name, f"expected {names}, got {type(value).__name__}")
        return value

    def matrix(self, name, *, shape=None, source=None, default=_MISSING):
        """Field ``name`` (LaTeX, number or list) as an exact SymPy matrix."""
        container = self.fields if source is None else source
        if name not in container:
            if default is _MISSING:
                raise self.error(name, "missing required field")
            return default
        self._finite(name, container[name])
        try:
            return parse_matrix(container[name], shape=shape)
        except LatexError as exc:
            raise self.error(name, exc.message) from None

    def rational_matrix(self, name, value=_MISSING, *, max_entries=None):
        """Field ``name`` (or ``value``, an item of it that ``name`` names) as a matrix of exact rationals,
        not empty, each entry within +-10^6 (MAX_ENTRY), with ``max_entries`` at most that many."""
        m = self.matrix(name, source=None if value is _MISSING else {name: value}).as_mutable()
        if m.rows < 1 or m.cols < 1:
            raise self.error(name, "an empty matrix")
        if not all(v.is_Rational for v in m):
            raise self.error(name, "every entry must be a rational number (a decimal or a fraction)")
        if any(abs(v) > MAX_ENTRY for v in m):
            raise self.error(name, "an entry beyond +-10^6: too large for an exam")
        if max_entries is not None and len(m) > max_entries:
            raise self.error(name, f"at most {max_entries} entries")
        return m

    def number(self, name, default=_MISSING, source=None):
        """Field ``name`` as an exact SymPy number."""
        container = self.fields if source is None else source
        if name not in container:
            if default is _MISSING:
                raise self.error(name, "missing required field")
            return default
        self._finite(name, container[name])
        try:
            return parse_number(container[name])
        except LatexError as exc:
            raise self.error(name, exc.message) from None

    def _finite(self, name, value):
        """TOML allows nan and inf; no exam value is either."""
        if isinstance(value, float) and not math.isfinite(value):
            raise self.error(name, f"not a finite number: {value}")
        if isinstance(value, list):
            for item in value:
                self._finite(name, item)

    def expression(self, name):
        """Field ``name`` parsed as a LaTeX expression (see latex_parse.parse_expression)."""
        text = self.get(name, str)
        try:
            return parse_expression(text)
        except LatexError as exc:
            raise self.error(name, exc.message) from None

    def data_path(self, name) -> Path:
        """Field ``name`` as a path to a data file; it must exist and lie in an allowed folder.

        Allowed: the spec's folder and below it, and each of ``data_dirs`` (``--data-dir``),
        after following every symbolic link; a relative name is looked up in the spec's folder
        first, then in each data folder.
        """
        rel = self.get(name, str)
        if not rel.strip():
            raise self.error(name, "empty file name")
        if "\x00" in rel:
            raise self.error(name, "file name contains a NUL character")
        try:
            path = resolve(rel, self.file.parent, self.data_dirs)
            if path is None:
                raise self.error(name, f"{rel}: a data file must lie in the spec's folder or below it, "
                                       "or in a folder named with --data-dir")
            if path.is_dir():
                raise self.error(name, f"{rel} is a folder, not a data file")
            if not path.is_file():
                raise self.error(name, f"data file not found: {rel}")
            if path.stat().st_size > MAX_DATA_BYTES:
                raise self.error(name, f"data file larger than {MAX_DATA_BYTES // 1_000_000} MB: {rel}")
            with path.open("rb") as data:
                control = data_files.control_character(data.read(MAX_DATA_BYTES + 1))
            if control is not None:
                raise self.error(name, f"data file {rel}, {control} (only tab, newline and carriage return "
                                       "may be in a data file; a terminal's colour code or backspace?): remove it")
        except OSError as exc:
            raise self.error(name, f"cannot read data file {rel}: {exc.strerror or exc}") from None
        return path


@dataclass
class Exam:
    """A whole exam: its header and its questions."""

    id: str
    title: str
    file: Path
    questions: list
    course: str = ""
    date: str = ""
    instructions: list = field(default_factory=list)
    session: str = ""                            # where, when and how long the exam is sat (under the date)
    subgradients: str = DEFAULT_SUBGRADIENTS    # the kink convention of the whole exam ([exam] subgradients)
    ties: str = DEFAULT_TIES                    # the tie convention of max/min of the whole exam ([exam] ties)
    require: list = field(default_factory=list)  # [exam] require: conditions on the answers (symdl.input.require)
    draws: list = field(default_factory=list)    # the spec's draws (symdl.input.draws.Draw), [] for a fixed exam
    drawn: dict = field(default_factory=dict)    # "<question>.<field>" -> value drawn for this variant
    variant: str | None = None                   # the variant's label printed on sheet and key ("001 3fa9c2d1")
    grading: object = None                       # the answer policy ([exam] grading; symdl.grading.Policy)
    variants_data: dict | None = None            # a spec with draws: its TOML as variants read it (read_spec)


def _as_tuple(types):
    return types if isinstance(types, tuple) else (types,)


def _subgradients(exam, path) -> str:
    """The exam's subgradient convention: one of SUBGRADIENTS, "pytorch" when not given."""
    value = exam.get("subgradients", DEFAULT_SUBGRADIENTS)
    if not isinstance(value, str) or normalize_choice(value) not in SUBGRADIENTS:
        raise SpecError(f"expected one of {', '.join(repr(k) for k in SUBGRADIENTS)}", file=path,
                        field="exam.subgradients")
    return normalize_choice(value)


def _ties(exam, path) -> str:
    """The exam's tie convention of max and min: one of TIES, "split" when not given."""
    value = exam.get("ties", DEFAULT_TIES)
    if not isinstance(value, str) or normalize_choice(value) not in TIES:
        raise SpecError(f"expected one of {', '.join(repr(k) for k in TIES)}", file=path, field="exam.ties")
    return normalize_choice(value)


def default_spec() -> Path:
    """The embedded DI504 midterm spec."""
    return Path(str(resources.files("symdl") / "data" / "di504" / "di504.toml"))


def load_exam(path, data_dirs=()) -> Exam:
    """Read and validate the spec at ``path`` (kind-specific fields are checked by solvers).

    A spec with draws (symdl.input.draws) is read with the values its first draw picks (seed 0,
    variant 1, attempt 0); ``exam.draws`` lists them (symdl.variants picks the others).
    """
    path = Path(path)
    raw = _read_spec_file(path)                  # the file read once: both views come from this parse
    data = spec_view(copy.deepcopy(raw), path, variants=False)
    found = draws.find(data, path)
    if not found:
        return build_exam(data, path, data_dirs)
    data, drawn = draws.apply(data, found, draws.attempt_seed(0, 1, 0))
    exam = build_exam(data, path, data_dirs)
    exam.draws, exam.drawn = found, drawn
    exam.variants_data = spec_view(raw, path, variants=True)
    return exam


def read_spec(path, variants: bool = False) -> dict:
    """The spec at ``path`` as TOML data (its size, encoding and syntax checked).

    A question's ``[question.variants]`` table holds what variants draw instead of the question's
    own values (symdl.input.draws tables, in the question's shape; a layer by its name:
    ``[question.variants.layer.conv1_1]``; ``unset = ["log"]``: fields variants leave out).
    ``variants=True`` puts them in place of the values (the ``variants`` command); otherwise the
    table is set aside and the exam is the one written.
    """
    path = Path(path)
    return spec_view(_read_spec_file(path), path, variants)


def spec_view(data: dict, path: Path, variants: bool) -> dict:
    """``data`` (the spec's TOML, changed in place) as the written exam or, ``variants``, as variants read it."""
    exam = data.get("exam")
    if isinstance(exam, dict) and "variants" in exam:
        _exam_variants(exam, exam.pop("variants"), path, variants)
    tables = data.get("question")
    for index, table in enumerate(tables if isinstance(tables, list) else (), start=1):
        if isinstance(table, dict) and "variants" in table:
            drawn = table.pop("variants")
            if variants:
                qid = table.get("id") if isinstance(table.get("id"), str) else f"#{index}"
                _overlay(table, drawn, path, qid, "variants")
    return data


def _exam_variants(exam: dict, table, path, variants: bool):
    """``[exam.variants]``: what only variants read (``require``: the conditions every variant meets)."""
    if not isinstance(table, dict) or set(table) - {"require"}:
        raise SpecError("a table with 'require', the conditions every variant meets", file=path,
                        field="exam.variants")
    if variants and "require" in table:
        exam["require"] = list(exam.get("require", [])) + list(table["require"]) \
            if isinstance(table["require"], list) else table["require"]


def _overlay(table: dict, drawn, path, qid, where):
    """Put the ``variants`` table's entries in place of the question's own (in place)."""
    if not isinstance(drawn, dict):
        raise SpecError("expected a table of the values variants draw", file=path, question=qid, field=where)
    unset = drawn.get("unset", []) if where == "variants" else []
    if not isinstance(unset, list) or not all(isinstance(k, str) and k in table for k in unset):
        raise SpecError("a list of the question's fields that variants leave out (e.g. unset = [\"log\"] beside "
                        "a generated log)", file=path, question=qid, field="variants.unset")
    for key in unset:
        del table[key]
    for key, value in drawn.items():
        if key == "unset" and where == "variants":
            continue
        field_name = f"{where}.{key}"
        current = table.get(key)
        if isinstance(current, list) and isinstance(value, dict) and not draws.is_draw(value) and key == "layer":
            by_name = {t.get("name"): t for t in current if isinstance(t, dict)}
            for name, layer in value.items():
                if name not in by_name:
                    raise SpecError(f"no layer named '{name}'", file=path, question=qid, field=f"{field_name}.{name}")
                _overlay(by_name[name], layer, path, qid, f"{field_name}.{name}")
        elif isinstance(current, dict) and isinstance(value, dict) and not draws.is_draw(value):
            _overlay(current, value, path, qid, field_name)
        else:
            table[key] = value


def build_exam(data: dict, path, data_dirs=()) -> Exam:
    """The Exam of TOML ``data`` read from ``path`` (no draws left in it)."""
    path = Path(path)
    exam = _exam_header(data, path)
    for key in data:
        if key not in {"exam", "question"}:
            raise SpecError("unknown top-level table", file=path, field=key)
    subgradients, ties = _subgradients(exam, path), _ties(exam, path)
    policy = read_policy(exam.get("grading", {}), path)
    tables = data.get("question")
    if not isinstance(tables, list) or not tables:
        raise SpecError("no [[question]] tables", file=path, field="question")
    questions, seen = [], set()
    for index, table in enumerate(tables, start=1):
        question = _question(table, index, path, seen)
        question.data_dirs = tuple(Path(d) for d in data_dirs)
        question.subgradients, question.ties = subgradients, ties
        question.grading = question_policy(policy, table.get("grading"), path, question.id)
        question.rubric = rubric_splits(table, question, path)
        questions.append(question)
    return Exam(id=exam["id"], title=exam["title"], file=path, questions=questions,
                course=exam.get("course", ""), date=exam.get("date", ""), session=exam.get("session", ""),
                instructions=exam.get("instructions", []), subgradients=subgradients, ties=ties,
                require=_require(exam, path, seen), grading=policy)


def _read_spec_file(path: Path) -> dict:
    """The spec's TOML as a dict; every way of failing is a SpecError naming the file."""
    if path.is_dir():
        raise SpecError("is a folder, not a spec file", file=path)
    if not path.is_file():
        raise SpecError("spec file not found", file=path)
    try:
        if path.stat().st_size > MAX_SPEC_BYTES:
            raise SpecError(f"spec file larger than {MAX_SPEC_BYTES // 1_000_000} MB", file=path)
        raw = path.read_bytes()
        if b"\x00" in raw:
            raise SpecError("not a UTF-8 text file (contains NUL bytes)", file=path)
        return _read_toml(raw.decode("utf-8").removeprefix("\ufeff"), path)   # a BOM is harmless
    except UnicodeDecodeError:
        raise SpecError("not a UTF-8 text file", file=path) from None
    except tomllib.TOMLDecodeError as exc:
        raise SpecError(f"invalid TOML: {exc}", file=path) from None
    except OSError as exc:
        raise SpecError(f"cannot read: {exc.strerror or exc}", file=path) from None
    except RecursionError:
        raise SpecError("invalid TOML: nested too deeply", file=path) from None


def _exam_header(data: dict, path: Path) -> dict:
    """The checked ``[exam]`` table."""
    exam = data.get("exam")
    if not isinstance(exam, dict):
        raise SpecError("missing [exam] table", file=path, field="exam")
    for key in exam:
        if key not in {"id", "title", "course", "date", "session", "instructions", "subgradients", "ties", "require",
                       "grading"}:
            raise SpecError("unknown key in [exam]", file=path, field=f"exam.{key}")
    for key in ("id", "title"):
        if not isinstance(exam.get(key), str) or not exam[key].strip():
            raise SpecError("missing or empty (a string is required)", file=path, field=f"exam.{key}")
    if not _safe_name(exam["id"]):
        raise SpecError("use letters, digits, '-', '_' or '.' only", file=path, field="exam.id")
    for key in ("course", "date", "session"):
        if key in exam and not isinstance(exam[key], str):
            raise SpecError("expected a string", file=path, field=f"exam.{key}")
    for key in ("title", "course", "date", "session"):
        if key in exam and not _one_line(exam[key]):
            raise SpecError("must be one line of text", file=path, field=f"exam.{key}")
    _check_strings(exam, "exam", file=path)
    instructions = exam.get("instructions", [])
    if not isinstance(instructions, list) or not all(isinstance(s, str) for s in instructions):
        raise SpecError("expected a list of strings", file=path, field="exam.instructions")
    return exam


def _question(table, index: int, path: Path, seen: set) -> Question:
    """One checked ``[[question]]`` table (``seen``: the ids read so far, updated)."""
    qid = table.get("id") if isinstance(table, dict) else None
    if not isinstance(qid, str) or not qid.strip():
        raise SpecError("missing 'id' (a string)", file=path, question=f"#{index}", field="id")
    if not _safe_name(qid):
        raise SpecError("use letters, digits, '-', '_' or '.' only", file=path, question=qid, field="id")
    if qid in seen:
        raise SpecError("duplicate question id", file=path, question=qid, field="id")
    seen.add(qid)
    kind = table.get("kind")
    if not isinstance(kind, str):
        raise SpecError("missing 'kind' (a string)", file=path, question=qid, field="kind")
    if kind not in kinds.BUILTIN and kind not in kinds.names():   # built-ins: no entry-point scan
        raise SpecError(f"unknown kind '{kind}' (known: {', '.join(kinds.names())})",
                        file=path, question=qid, field="kind")
    text = table.get("text", "")
    if not isinstance(text, str):
        raise SpecError("expected a string", file=path, question=qid, field="text")
    points = _points(table.get("points"), path, qid, "points")
    _check_strings(table, "", file=path, question=qid)
    _check_integers(table, "", file=path, question=qid)
    parts, part_points = _parts(table.get("parts", {}), path, qid)
    points = _check_part_points(points, part_points, path, qid)
    title = table.get("title")
    if title is not None and not isinstance(title, str):
        raise SpecError("expected a string", file=path, question=qid, field="title")
    if title is not None and not _one_line(title):
        raise SpecError("must be one line of text", file=path, question=qid, field="title")
    fields = {k: v for k, v in table.items() if k not in COMMON_FIELDS}
    return Question(id=qid, kind=kind, text=text, fields=fields, file=path, points=points,
                    parts=parts, part_points=part_points, title=title)


def _points(points, path, qid, field_name):
    """A number of points (int or float), or None when not given."""
    if points is not None and (not isinstance(points, (int, float)) or isinstance(points, bool)):
        raise SpecError("expected a number", file=path, question=qid, field=field_name)
    if points is not None and not (0 <= points < 1e6):
        raise SpecError("expected a number of points between 0 and 10^6", file=path, question=qid,
                        field=field_name)
    return points


def _parts(parts, path, qid) -> tuple:
    """``[question.parts]``: each part a string, or a table ``text = "...", points = 5``.
    Returns (part -> text, part -> points or None)."""
    if not isinstance(parts, dict):
        raise SpecError("expected a table of strings or of tables (text, points)", file=path,
                        question=qid, field="parts")
    texts, points = {}, {}
    for name, part in parts.items():
        where = f"parts.{name}"
        if isinstance(part, str):
            texts[name], points[name] = part, None
            continue
        if not isinstance(part, dict):
            raise SpecError("expected a string, or a table with text and points", file=path,
                            question=qid, field="parts")
        for key in part:
            if key not in ("text", "points", "rubric"):
                raise SpecError("unknown key in a part (known: text, points, rubric)", file=path, question=qid,
                                field=f"{where}.{key}")
        if not isinstance(part.get("text", ""), str):
            raise SpecError("expected a string", file=path, question=qid, field=f"{where}.text")
        texts[name] = part.get("text", "")
        points[name] = _points(part.get("points"), path, qid, f"{where}.points")
    return texts, points


def _check_part_points(points, part_points: dict, path, qid):
    """The question's points: as given, or the sum of its parts' when only those are given.
    Part points, when any part has them, are on every part and add up to the question's."""
    given = {k: v for k, v in part_points.items() if v is not None}
    if not given:
        return points
    missing = [k for k, v in part_points.items() if v is None]
    if missing:
        raise SpecError(f"part {missing[0]} has no points while part {next(iter(given))} has",
                        file=path, question=qid, field=f"parts.{missing[0]}.points")
    total = sum(given.values())
    if points is None:
        return total
    if abs(total - points) > 1e-9 * max(1, abs(points)):
        raise SpecError(f"the parts' points add up to {total:g}, the question has {points:g}",
                        file=path, question=qid, field="points")
    return points


def _require(exam, path, question_ids) -> list:
    """[exam] require: the conditions every variant's answers must meet, each parsed once here."""
    conditions = exam.get("require", [])
    if not isinstance(conditions, list) or not all(isinstance(c, str) for c in conditions):
        raise SpecError("expected a list of conditions (strings)", file=path, field="exam.require")
    return [parse(text, question_ids, file=path) for text in conditions]


# TOML integers are read with Python's int-to-string limit lifted up to this many digits
# (the limit, 4300, would stop the reader with a ValueError naming nothing); a read integer
# longer than MAX_INTEGER_DIGITS is then refused naming its field.
TOML_DIGITS = 100_000
MAX_INTEGER_DIGITS = 60


def _read_toml(text: str, path):
    """tomllib.loads, with long integers read so that their field can be named."""
    old = sys.get_int_max_str_digits()
    sys.set_int_max_str_digits(max(old, TOML_DIGITS) if old else 0)
    try:
        return tomllib.loads(text)
    except ValueError as exc:
        if isinstance(exc, tomllib.TOMLDecodeError):
            raise
        match = re.search(r"\d{%d,}" % TOML_DIGITS, text)
        line = text.count("\n", 0, match.start()) + 1 if match else None
        raise SpecError(f"{f'line {line}: ' if line else ''}a number with more than {TOML_DIGITS} digits",
                        file=path) from None
    finally:
        sys.set_int_max_str_digits(old)


def _check_integers(value, path, *, file, question=None):
    """Refuse, naming the field, a TOML integer longer than MAX_INTEGER_DIGITS digits."""
    if isinstance(value, int) and not isinstance(value, bool):
        if value.bit_length() > MAX_INTEGER_DIGITS * 3.33:      # about 60 digits; no str() of it
            raise SpecError(f"integer with more than {MAX_INTEGER_DIGITS} digits", file=file,
                            question=question, field=path)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_integers(item, f"{path}.{key}" if path else key, file=file, question=question)
    elif isinstance(value, list):
        for item in value:
            _check_integers(item, path, file=file, question=question)


def _typesettable(ch: str) -> bool:
    code = ord(ch)
    if code < 0x7F:
        return True                      # ASCII; control characters are dropped when printed
    return any(lo <= code <= hi for lo, hi in TYPESETTABLE)


def control_character(text: str) -> str | None:
    """The first control character of ``text`` other than tab and newline (a TOML escape such as
    ``\\u0001``, a DEL, a C1 code), or None. XML 1.0 cannot carry most of them (the Moodle and
    Canvas files would not parse) and no document can show them."""
    match = _CONTROL.search(text)
    return match.group(0) if match else None


_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffe\uffff]")


def printable(text: str) -> str:
    """``text`` with every character the answer key cannot typeset shown as ``[U+XXXX]``.

    For text that does not come from the spec itself (a data file's lines, say), where
    refusing is not an option: the renderer's escape() can pass such text through here.
    """
    return "".join(ch if _typesettable(ch) or ch in "\n\t" else f"[U+{ord(ch):04X}]" for ch in text)


def _check_strings(value, path, *, file, question=None):
    """Refuse, naming the field, any string with a character the answer key cannot print."""
    if isinstance(value, str):
        control = control_character(value)
        if control is not None:
            raise SpecError(f"control character U+{ord(control):04X} (a TOML escape such as \\u{ord(control):04x}?) "
                            "is not allowed in a text; remove it", file=file, question=question, field=path)
        for ch in value:
            if not _typesettable(ch):
                raise SpecError(f"character {ch!r} (U+{ord(ch):04X}) cannot be typeset in the answer key; "
                                "write it in words (or, in a math field, as LaTeX)",
                                file=file, question=question, field=path)
    elif isinstance(value, dict):
        for key, item in value.items():
            _check_strings(key, path, file=file, question=question)
            _check_strings(item, f"{path}.{key}" if path else key, file=file, question=question)
    elif isinstance(value, list):
        for index, item in enumerate(value):
            _check_strings(item, path, file=file, question=question)


def _one_line(text: str) -> bool:
    return "\n" not in text.strip() and "\r" not in text.strip()


def _safe_name(name: str) -> bool:
    return bool(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}", name))
