"""Draws in a spec: values picked per variant from a decimal grid or a list, written back as the kind reads them.

A value of a question may be a table instead of a number:

    W = { random = "uniform", low = -0.5, high = 0.5, step = 0.1, shape = [2, 2] }
    filters = { random = "integer", low = 16, high = 128, step = 16 }
    activation = { choice = ["relu", "sigmoid"] }

A random draw never gives 0 unless it says ``zero = true`` (a zero weight makes a question easier:
a term drops out); with it, a drawn vector is still never all zero and a drawn matrix has no zero
row or column (one entry of such a line is redrawn among the nonzero values).

Every drawn number is ``low + k * step`` for an integer ``k``, computed with ``Fraction``s, so it
is an exact decimal. A uniform draw is written as LaTeX (a decimal, or a bmatrix for a shape);
an integer draw as a TOML integer (or a list of them); a choice as the item chosen.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import json
import math
import random
from dataclasses import dataclass
from fractions import Fraction

from symdl.input.bounded import NumberError, decimal_places, exact, is_decimal
from symdl.errors import SpecError

DRAW_KEYS = {"random", "choice"}
UNIFORM_KEYS = {"random", "low", "high", "step", "shape", "exclude", "zero"}
CHOICE_KEYS = {"choice"}
MAX_ENTRIES = 10_000         # entries of one drawn matrix
MAX_GRID = 10**15            # points of one grid
MAX_MAGNITUDE = 10**30       # |low|, |high|: a drawn number has at most 30 digits before the point
MAX_PLACES = 30              # and at most 30 after it
MAX_NESTING = 32             # lists and tables within a question's field (copied and walked per variant)


@dataclass(frozen=True)
class Draw:
    """One draw table of the spec: where it sits and how to pick its value."""

    question: str            # the question id
    path: tuple              # keys and list indices from the question table down to the draw
    kind: str                # "uniform", "integer" or "choice"
    low: Fraction = Fraction(0)
    step: Fraction = Fraction(1)
    count: int = 1           # grid points (or choices)
    shape: tuple = ()        # () for a scalar, (n,) a column, (r, c) a matrix
    exclude: frozenset = frozenset()   # the values left out (0 among them unless zero = true)
    items: tuple = ()        # a choice's items
    index: int = 0           # the question table's place in the spec (0-based)

    @property
    def field(self) -> str:
        """The field as errors name it: ``W``, ``values.W``, ``layer[2].filters``."""
        text = ""
        for key in self.path:
            text += f"[{key}]" if isinstance(key, int) else (f".{key}" if text else str(key))
        return text

    @property
    def entries(self) -> int:
        return math.prod(self.shape) if self.shape else 1

    def grid(self, k: int) -> Fraction:
        return self.low + k * self.step

    def pick(self, rng: random.Random):
        """The drawn value, as the spec would have written it."""
        if self.kind == "choice":
            return copy.deepcopy(self.items[rng.randrange(self.count)])
        left = self._left() if 2 * len(self.exclude) >= self.count else None
        values = [self._one(rng, left) for _ in range(self.entries)]
        if self.shape and 0 not in self.exclude and on_grid(Fraction(0), self.low, self.step, self.grid(self.count - 1)):
            self._no_zero_line(values, rng, left)
        if self.kind == "integer":
            ints = [int(v) for v in values]
            if not self.shape:
                return ints[0]
            if len(self.shape) == 1:
                return ints
            cols = self.shape[1]
            return [ints[i:i + cols] for i in range(0, len(ints), cols)]
        return latex_value(values, self.shape)

    def _one(self, rng, left=None) -> Fraction:
        if left is not None:
            # most of the grid excluded: pick among the values left (rejection would cost count/left tries)
            return left[rng.randrange(len(left))]
        while True:                      # at least half the grid is left: 2 tries expected
            value = self.grid(rng.randrange(self.count))
            if value not in self.exclude:
                return value

    def lines(self) -> list:
        """The index lists no drawn value may have all zero: the rows of a matrix with more than one
        column, its columns when it has more than one row, else the whole vector (or 1 x 1 matrix)."""
        rows, cols = (self.shape[0], 1) if len(self.shape) == 1 else self.shape
        found = [[r * cols + c for c in range(cols)] for r in range(rows)] if cols > 1 else []
        found += [[r * cols + c for r in range(rows)] for c in range(cols)] if rows > 1 else []
        return found or [list(range(rows * cols))]

    def _no_zero_line(self, values, rng, left):
        """Redraw one entry, among the nonzero values, of each line drawn all zero (in place)."""
        nonzero = [v for v in left if v != 0] if left is not None else None
        for line in self.lines():
            if all(values[i] == 0 for i in line):
                i = line[rng.randrange(len(line))]
                while values[i] == 0:
                    values[i] = (nonzero[rng.randrange(len(nonzero))] if nonzero is not None
                                 else self._one(rng))

    def _left(self) -> list:
        """The grid's values that are not excluded (only asked when exclude covers half of it or more)."""
        return [v for v in (self.grid(k) for k in range(self.count)) if v not in self.exclude]

    def distinct(self) -> int:
        """How many different values this draw can give (capped at MAX_GRID)."""
        per = self.count - (len(self.exclude) if self.kind != "choice" else 0)
        if per > 1 and self.entries * math.log10(per) > math.log10(MAX_GRID):
            return MAX_GRID                  # per ** entries would be a number of up to 150,000 digits
        if per <= 1:
            return max(per, 0)
        if not self.shape or not self._zero_drawable():
            return min(MAX_GRID, per ** self.entries)
        return min(MAX_GRID, self._without_zero_lines(per))

    def _zero_drawable(self) -> bool:
        if self.kind == "choice" or Fraction(0) in self.exclude:
            return False
        k = -self.low / self.step
        return k.denominator == 1 and 0 <= k < self.count

    def _without_zero_lines(self, per) -> int:
        """How many values of this shape have no line (``lines``) all zero, ``per`` values an entry, 0
        among them: inclusion-exclusion over the rows and columns forced to zero."""
        rows, cols = (self.shape[0], 1) if len(self.shape) == 1 else self.shape
        row_lines, col_lines = (rows if cols > 1 else 0), (cols if rows > 1 else 0)
        if not row_lines and not col_lines:
            return per ** (rows * cols) - 1
        return sum((-1) ** (i + j) * math.comb(row_lines, i) * math.comb(col_lines, j)
                   * per ** ((rows - i) * (cols - j))
                   for i in range(row_lines + 1) for j in range(col_lines + 1))


def decimal_text(value: Fraction) -> str:
    """An exact decimal Fraction as the shortest decimal string (-0.5, 3, 0.25)."""
    sign = "-" if value < 0 else ""
    value = abs(value)
    digits = 0
    while (value * 10**digits).denominator != 1:
        digits += 1
        if digits > 60:
            raise ValueError(f"{value} has no terminating decimal expansion")
    scaled = int(value * 10**digits)
    if digits == 0:
        return f"{sign}{scaled}"
    text = str(scaled).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


def latex_value(values, shape) -> str:
    """Exact decimals as the spec's LaTeX: ``-0.3``, a column bmatrix, or an r x c bmatrix."""
    texts = [decimal_text(v) for v in values]
    if not shape:
        return texts[0]
    cols = 1 if len(shape) == 1 else shape[1]
    rows = [" & ".join(texts[i:i + cols]) for i in range(0, len(texts), cols)]
    return r"\begin{bmatrix} " + r" \\ ".join(rows) + r" \end{bmatrix}"


# -- finding the draws ----------------------------------------------------------------------

def is_draw(value) -> bool:
    return isinstance(value, dict) and bool(DRAW_KEYS & value.keys())


def find(data: dict, file=None) -> list:
    """Every draw of the spec's questions, in document order (each checked; bad ones raise SpecError)."""
    found = []
    tables = data.get("question")
    if not isinstance(tables, list):
        return found
    for index, table in enumerate(tables, start=1):
        if not isinstance(table, dict):
            continue
        qid = table.get("id") if isinstance(table.get("id"), str) else f"#{index}"
        for key, value in table.items():
            if key in {"id", "kind"} and is_draw(value):
                raise SpecError("the question's id and kind cannot be drawn", file=file, question=qid, field=key)
            if _depth(value) > MAX_NESTING:
                raise SpecError(f"lists and tables nested more than {MAX_NESTING} deep", file=file, question=qid,
                                field=key)
            _walk(value, (key,), qid, file, found, index - 1)
    return found


def _depth(value) -> int:
    """How deep lists and tables nest in ``value`` (without recursion: a spec may nest 500 deep)."""
    deepest, stack = 0, [(value, 0)]
    while stack:
        item, depth = stack.pop()
        deepest = max(deepest, depth)
        if depth <= MAX_NESTING:
            children = item.values() if isinstance(item, dict) else item if isinstance(item, list) else ()
            stack.extend((child, depth + 1) for child in children)
    return deepest


def _walk(value, path, qid, file, found, index):
    if is_draw(value):
        found.append(dataclasses.replace(_read(value, path, qid, file), index=index))
    elif isinstance(value, dict):
        for key, item in value.items():
            _walk(item, path + (key,), qid, file, found, index)
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _walk(item, path + (i,), qid, file, found, index)


def _read(table, path, qid, file) -> Draw:
    where = Draw(qid, path, "choice").field

    def error(message):
        return SpecError(message, file=file, question=qid, field=where)

    if "random" in table and "choice" in table:
        raise error("a draw is either random = ... or choice = [...], not both")
    if "choice" in table:
        unknown = sorted(set(table) - CHOICE_KEYS)
        if unknown:
            raise error(f"unknown key {unknown[0]!r} in a choice (a choice holds only choice = [...])")
        items = table["choice"]
        if not isinstance(items, list) or not items:
            raise error("choice must be a non-empty list of values")
        if any(is_draw(i) for i in items):
            raise error("a choice cannot hold another draw")
        return Draw(qid, path, "choice", count=len(items), items=tuple(items))
    kind = table["random"]
    if kind not in ("uniform", "integer"):
        raise error(f"random must be \"uniform\" or \"integer\", got {kind!r}")
    unknown = sorted(set(table) - UNIFORM_KEYS)
    if unknown:
        raise error(f"unknown key {unknown[0]!r} in a draw (known: {', '.join(sorted(UNIFORM_KEYS))})")
    for key in ("low", "high"):
        if key not in table:
            raise error(f"a random draw needs {key} = ...")
    if kind == "uniform" and "step" not in table:
        raise error("a uniform draw needs step = ... (the grid its values sit on, e.g. 0.1)")
    low, high = _exact(table["low"], error, "low"), _exact(table["high"], error, "high")
    step = _exact(table.get("step", 1), error, "step")
    if kind == "integer" and any(v.denominator != 1 for v in (low, high, step)):
        raise error("an integer draw needs integer low, high and step")
    if step <= 0:
        raise error(f"step must be positive, got {decimal_text(step)}")
    if high < low:
        raise error(f"empty range: low = {decimal_text(low)} is above high = {decimal_text(high)}")
    span = (high - low) / step
    if span.denominator != 1:
        raise error(f"step {decimal_text(step)} does not divide the range {decimal_text(low)} to "
                    f"{decimal_text(high)} (high - low must be a whole number of steps)")
    if span + 1 > MAX_GRID:
        raise error(f"the grid has more than {MAX_GRID} points; use a larger step")
    shape = _shape(table.get("shape"), error)
    exclude = frozenset(_exact(v, error, "exclude") for v in _as_list(table.get("exclude", []), error))
    for value in sorted(exclude):
        if not on_grid(value, low, step, high):
            raise error(f"exclude: {decimal_text(value)} is not a value of the grid {decimal_text(low)}, "
                        f"{decimal_text(low + step)}, ... {decimal_text(high)}, so it excludes nothing")
    zero = table.get("zero", False)
    if not isinstance(zero, bool):
        raise error("zero must be true or false (true lets the draw give 0)")
    if not zero and on_grid(Fraction(0), low, step, high):
        exclude |= {Fraction(0)}
    draw = Draw(qid, path, kind, low=low, step=step, count=int(span) + 1, shape=shape, exclude=exclude)
    if draw.distinct() < 1:
        raise error("the grid holds only 0, which a draw gives only with zero = true" if not zero and not
                    table.get("exclude") and span == 0 else "exclude removes every value of the grid")
    if shape and draw.distinct() == 1 and draw._left() == [0]:
        raise error("the draw can give only 0, so the drawn vector or matrix would be all zero")
    return draw


def on_grid(value: Fraction, low: Fraction, step: Fraction, high: Fraction) -> bool:
    return low <= value <= high and (value - low) / step % 1 == 0


def _exact(value, error, key) -> Fraction:
    """A number of the draw: exact, a terminating decimal (a drawn value is written back as one), bounded."""
    try:
        number = exact(value.lstrip("+") if isinstance(value, str) else value)
    except NumberError as exc:
        raise error(f"{key} must be a number of an exam ({exc})") from None
    if not is_decimal(number):
        raise error(f"{key} must be a decimal ({value!r} has no terminating decimal expansion, so the values "
                    f"drawn could not be written as the exam writes numbers)")
    if abs(number) > MAX_MAGNITUDE or decimal_places(number) > MAX_PLACES:
        raise error(f"{key} must lie within +-10^30 with at most {MAX_PLACES} decimal places, got {value!r}")
    return number


def _as_list(value, error):
    if not isinstance(value, list):
        raise error("exclude must be a list of numbers")
    return value


def _shape(value, error) -> tuple:
    if value is None:
        return ()
    if (not isinstance(value, list) or len(value) not in (1, 2)
            or not all(isinstance(n, int) and not isinstance(n, bool) and n >= 1 for n in value)):
        raise error("shape must be [n] (a column) or [rows, columns] of positive integers")
    if math.prod(value) > MAX_ENTRIES:
        raise error(f"shape has more than {MAX_ENTRIES} entries")
    return tuple(value)


# -- applying them --------------------------------------------------------------------------

def apply(data: dict, draws: list, seed: int) -> tuple:
    """A copy of ``data`` with every draw replaced by a value picked with ``seed``.

    Returns (new data, {"<question>.<field>": value written}); the same seed gives the same values.
    """
    rng = random.Random(seed)
    new = copy.deepcopy(data)
    drawn = {}
    for draw in draws:
        value = draw.pick(rng)
        container = new["question"][draw.index]
        for key in draw.path[:-1]:
            container = container[key]
        container[draw.path[-1]] = value
        drawn[f"{draw.question}.{draw.field}"] = value
    return new, drawn


def distinct_variants(draws: list) -> int:
    """How many different variants the draws allow (capped at MAX_GRID)."""
    total = 1
    for draw in draws:
        total = min(MAX_GRID, total * draw.distinct())
    return total


def digest(exam_id: str, drawn: dict) -> str:
    """A short hash of the drawn values: printed on a variant's sheet and key to match them."""
    text = json.dumps({"exam": exam_id, "drawn": drawn}, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:8]


def attempt_seed(seed: int, variant: int, attempt: int) -> int:
    """The seed of one draw: from the run's seed, the variant's number and the attempt."""
    text = f"symdl-variant:{seed}:{variant}:{attempt}"
    return int.from_bytes(hashlib.sha256(text.encode("ascii")).digest()[:8], "big")
