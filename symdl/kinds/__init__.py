"""The kind registry: each problem kind is one :class:`Kind`, registered once, looked up by name.

A kind provides its name, its field schema, ``solve(question) -> Solution`` (the symbolic
derivation), ``independent(question) -> dict`` (every numeric or yes/no answer recomputed by
another route, never from the Solution), its tolerances, one sentence on how it is checked,
and its template partial. The built-in kinds live in ``symdl.kinds.<name>`` and are imported
on first use; a kind in another installed package is found through the entry-point group
``symdl.kinds`` (``name = "package.module:KIND"``, docs/new-kind.md); in-process, :func:`register`.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from symdl.input.schema import Schema

GROUP = "symdl.kinds"        # the entry-point group of kinds in other packages
BUILTIN = ("graph", "neuron", "softmax", "architecture", "training_log", "conv", "init", "dropout", "numformat")

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
    # figures: {figure name: (TeX painter, SVG painter)} for every figure name a Solution of this kind may
    # hold, registered together so that the HTML draws every figure the PDF draws: the TeX painter is the
    # name of a macro of the kind's partial (called with the Figure), the SVG painter a function of the
    # figure's data returning one <svg> element (symdl/notation/svg.py has the pieces). A figure whose
    # name is not here is a contract error in every document.
    figures: dict = field(default_factory=dict)

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
    return sorted(set(BUILTIN) | set(_REGISTRY) | set(_installed()))


def get(name: str) -> Kind:
    """The kind called ``name`` (KeyError when there is none)."""
    if name not in _REGISTRY:
        if name in BUILTIN:
            module = importlib.import_module(f"{__name__}.{name}")
            register(module.KIND)
        elif name in _installed():
            register(_load(name, _installed()[name]))
        else:
            raise KeyError(name)
    return _REGISTRY[name]


def _installed() -> dict:
    """name -> entry point of every kind another installed package declares (group ``symdl.kinds``)."""
    from importlib.metadata import entry_points

    return {ep.name: ep for ep in entry_points(group=GROUP) if ep.name not in BUILTIN}


def _load(name, entry_point) -> Kind:
    from symdl.errors import ContractError

    kind = entry_point.load()
    if not isinstance(kind, Kind) or kind.name != name:
        raise ContractError(f"the entry point {entry_point.value!r} (group {GROUP}) must name a Kind called "
                            f"{name!r}, not {type(kind).__name__} {getattr(kind, 'name', '')!r}".rstrip())
    return kind


def check_solution(kind: Kind, solution) -> None:
    """The Solution ``kind.solve`` returned, held to the contract: every answer's value a number,
    yes/no, text or a vector/matrix/tuple of numbers, never a formula with free symbols (a
    ContractError naming the kind and the answer: the kind's bug, not the spec's)."""
    from symdl.errors import ContractError
    from symdl.solution import Solution

    if not isinstance(solution, Solution):
        raise ContractError(f"kind {kind.name!r}: solve() returned {type(solution).__name__}, not a Solution")
    for name, value in solution.answers.items():
        free = _free_symbols(value)
        if free:
            raise ContractError(f"kind {kind.name!r} returned answer {name!r} as a formula in "
                                f"{', '.join(sorted(map(str, free))[:3])}; an answer's value must be a number "
                                "(substitute every symbol, docs/new-kind.md)")


def _free_symbols(value) -> set:
    """The free symbols of a value (SymPy object, or a list/tuple of them), iteratively."""
    stack, free = [value], set()
    while stack:
        item = stack.pop()
        if isinstance(item, (list, tuple)):
            stack.extend(item)
        else:
            free |= set(getattr(item, "free_symbols", ()) or ())
    return free
