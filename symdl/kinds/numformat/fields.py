"""The numformat kind's fields: the schema and the reader that turns a question into a plain ``Problem``."""

from __future__ import annotations

from dataclasses import dataclass

import sympy

from symdl.errors import LatexError
from symdl.input.latex import parse_number
from symdl.input.schema import Field, Schema, normalize_choice

from .formats import DTYPES, SCHEMES, SPELLINGS

MAX_VALUES = 24
MAX_DECADES = 400          # no exam value is beyond 10^400 in size

SCHEMA = Schema(
    Field("format", "text", default="fp16", choices={normalize_choice(k): v for k, v in SPELLINGS.items()},
          what="number format", help="fp16 (IEEE half precision) or bf16 (bfloat16)"),
    Field("limits", "bool", default=False, help="ask for the largest finite value, the smallest normal and "
          "subnormal values and the machine epsilon"),
    Field("round", "list", default=None, help="values to round to the format"),
    Field("loss_scaling", "table", default=None, help="{ scale = ..., gradients = [...] }: loss scaling"),
    Field("quantize", "table", default=None, help="{ min, max, scheme, dtype, values }: int8 affine quantization"),
)
_SCALING_KEYS = {"scale", "gradients", "backoff"}
_QUANT_KEYS = {"min", "max", "scheme", "dtype", "values"}


@dataclass
class Problem:
    format: str
    limits: bool
    values: list | None            # to round
    scale: object = None           # loss scaling
    gradients: list | None = None
    backoff: object = None
    low: object = None             # quantization
    high: object = None
    scheme: str | None = None
    dtype: str | None = None
    qvalues: list | None = None


def _number(question, where, raw):
    if isinstance(raw, bool) or not isinstance(raw, (int, float, str)):
        raise question.error(where, f"expected a number, got {type(raw).__name__}")
    if isinstance(raw, float) and raw != raw or raw in (float("inf"), float("-inf")):
        raise question.error(where, f"not a finite number: {raw}")
    try:
        value = parse_number(raw if isinstance(raw, str) else repr(raw))
    except LatexError as exc:
        raise question.error(where, exc.message) from None
    if value != 0 and abs(sympy.log(abs(value), 10)) > MAX_DECADES:
        raise question.error(where, f"beyond 10^{MAX_DECADES} in size: no exam value is")
    return value


def _numbers(question, where, raw):
    if not isinstance(raw, list) or not raw:
        raise question.error(where, "expected a non-empty list of numbers")
    if len(raw) > MAX_VALUES:
        raise question.error(where, f"at most {MAX_VALUES} values")
    return [_number(question, f"{where}[{k}]", v) for k, v in enumerate(raw)]


def _table(question, name, keys, required):
    table = question.get(name)
    unknown = sorted(set(table) - keys)
    if unknown:
        raise question.error(f"{name}.{unknown[0]}", f"unknown key (known: {', '.join(sorted(keys))})")
    for key in required:
        if key not in table:
            raise question.error(f"{name}.{key}", "missing required key")
    return table


def _choice(question, where, raw, choices):
    if not isinstance(raw, str) or normalize_choice(raw) not in choices:
        raise question.error(where, f"expected one of {', '.join(choices)}")
    return normalize_choice(raw)


def read(question) -> Problem:
    values = SCHEMA.values_of(question)
    problem = Problem(values["format"], values["limits"],
                      _numbers(question, "round", values["round"]) if values.get("round") is not None else None)
    if values.get("loss_scaling") is not None:
        table = _table(question, "loss_scaling", _SCALING_KEYS, ("scale", "gradients"))
        problem.scale = _number(question, "loss_scaling.scale", table["scale"])
        if problem.scale <= 0:
            raise question.error("loss_scaling.scale", "the loss scale is positive")
        problem.gradients = _numbers(question, "loss_scaling.gradients", table["gradients"])
        problem.backoff = _number(question, "loss_scaling.backoff", table.get("backoff", "0.5"))
        if not 0 < problem.backoff < 1:
            raise question.error("loss_scaling.backoff", "the backoff factor lies strictly between 0 and 1")
    if values.get("quantize") is not None:
        table = _table(question, "quantize", _QUANT_KEYS, ("min", "max", "values"))
        problem.low = _number(question, "quantize.min", table["min"])
        problem.high = _number(question, "quantize.max", table["max"])
        if problem.low > problem.high:
            raise question.error("quantize.max", "the range's max is below its min")
        if min(problem.low, 0) == max(problem.high, 0):
            raise question.error("quantize.max", "the range is empty (min = max = 0): no scale")
        problem.scheme = _choice(question, "quantize.scheme", table.get("scheme", "asymmetric"), SCHEMES)
        problem.dtype = _choice(question, "quantize.dtype", table.get("dtype", "quint8"), tuple(DTYPES))
        problem.qvalues = _numbers(question, "quantize.values", table["values"])
    if not (problem.limits or problem.values or problem.gradients or problem.qvalues):
        raise question.error("round", "nothing asked: give limits = true, round, loss_scaling or quantize")
    return problem
