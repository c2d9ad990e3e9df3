"""The kind registry: each problem kind is one :class:`Kind`, registered once, looked up by name.

A kind provides its name, its field schema, ``solve(question) -> Solution`` (the symbolic
derivation), ``independent(question) -> dict`` (every numeric or yes/no answer recomputed by
another route, never from the Solution), its tolerances, one sentence on how it is checked,
and its template partial. The built-in kinds live in ``symdl.kinds.<name>`` and are imported
on first use; another kind is added with :func:`register`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from symdl.schema import Schema

BUILTIN = ("graph", "neuron", "softmax", "architecture", "training_log", "conv", "init", "dropout")

_REGISTRY: dict = {}


@dataclass(frozen=True)
class Kind:
    """One problem kind: everything the pipeline needs to know of it."""

    name: str
    schema: Schema
    solve: Callable
    independent: Callable
    tolerance: float = 1e-6          # relative
    abs_tolerance: object = 0.0      # an absolute floor for float-noise routes: a number, or {answer: floor, "*": rest}
    checks_note: str = ""            # how the independent route works, for the instructor
    template: Path | None = None     # LaTeX partial; default templates/kinds/<name>.tex.j2
    extra: dict = field(default_factory=dict)
    # mistakes(question, solution) -> {answer name: [solution.Mistake, ...]}: the common
    # mistakes, each derived by the kind's own engine with one thing done wrong; the pipeline
    # drops a mistake whose value equals the right answer. None: the kind declares none.
    mistakes: Callable | None = None
    # sheet(question) -> [items]: the question as the exam sheet shows it (given values, tables
    # with blank cells, data excerpts), read from question.values; never a derived number.
    sheet: Callable | None = None
    # carry(question, solution, given) -> {answer name: value}: error carried forward. ``given``
    # maps answer names to a student's values for them (whole values, shaped as the right ones);
    # returns every answer that depends on them, recomputed by the kind's own derivation from
    # those values (everything else as in the spec). None: nothing is carried forward.
    carry: Callable | None = None

    @property
    def fields(self) -> set:
        return self.schema.names


def register(kind: Kind) -> Kind:
    """Add ``kind`` to the registry (a name registered twice is an error)."""
    if not isinstance(kind, Kind):
        raise TypeError(f"register() takes a Kind, not {type(kind).__name__}")
    if kind.name in _REGISTRY and _REGISTRY[kind.name] is not kind:
        raise ValueError(f"kind {kind.name!r} is registered already")
    _REGISTRY[kind.name] = kind
    return kind


def unregister(name: str) -> None:
    """Remove a kind added with :func:`register` (built-in kinds stay)."""
    if name in BUILTIN:
        raise ValueError(f"kind {name!r} is built in")
    _REGISTRY.pop(name, None)


def registered(name: str):
    """The kind called ``name`` if it is registered already (no import), else None."""
    return _REGISTRY.get(name)


def names() -> list:
    """Every kind a spec may name, without importing any kind's code."""
    return sorted(set(BUILTIN) | set(_REGISTRY))


def get(name: str) -> Kind:
    """The kind called ``name`` (KeyError when there is none)."""
    if name not in _REGISTRY:
        if name not in BUILTIN:
            raise KeyError(name)
        module = importlib.import_module(f"{__name__}.{name}")
        register(getattr(module, "KIND", None) or _from_module(name, module))
    return _REGISTRY[name]


def _from_module(name, module) -> Kind:
    """A Kind for a kind module written before the contract (FIELDS, solve, independent)."""
    from symdl.schema import Field

    return Kind(name=name, schema=Schema(*(Field(f, "any", default=None) for f in sorted(module.FIELDS))),
                solve=module.solve, independent=module.independent,
                tolerance=getattr(module, "TOLERANCE", 1e-6),
                abs_tolerance=getattr(module, "ABS_TOLERANCE", 0.0),
                checks_note=getattr(module, "checks_note", ""))
