"""The kind registry: each problem kind is one :class:`Kind`, registered once, looked up by name.

A kind provides its name, its field schema, ``solve(question) -> Solution`` (the symbolic
derivation), ``independent(question) -> dict`` (every numeric or yes/no answer recomputed by
another route, never from the Solution), its tolerances, one sentence on how it is checked,
and its LaTeX partials (files of its own package: ``answer.tex.j2``, the sections of every document, and
``sheet.tex.j2``, its tables on the exam sheet). The built-in kinds live in ``symdl.kinds.<name>``, a package exposing
``KIND`` only, imported on first use; a kind in another installed package is found through the
entry-point group ``symdl.kinds`` (``name = "package.module:KIND"``, docs/new-kind.md); in-process,
:func:`register`. Every Kind is held to the contract as it registers (:func:`check_kind`), and every
Solution as it is derived (:func:`solve`, :func:`check_solution`).
"""

from __future__ import annotations

import importlib
import inspect
import math
import numbers
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from symdl.input.schema import Schema
from symdl.errors import ContractError
from symdl.solution import Solution

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
    # the kind's LaTeX partials, files of its own package (Path(__file__).with_name(...)): ``template`` lays out
    # its sections and figures in every document (None: its sections as every kind's, with no figure macros);
    # ``sheet_template`` holds macros named after its exam-sheet tables' roles (None: the sheet's plain tables)
    template: Path | None = None
    sheet_template: Path | None = None
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
    """Add ``kind`` to the registry, held to the contract first (:func:`check_kind`; a name registered
    twice is an error)."""
    if not isinstance(kind, Kind):
        raise TypeError(f"register() takes a Kind, not {type(kind).__name__}")
    check_kind(kind)
    if kind.name in _REGISTRY and _REGISTRY[kind.name] is not kind:
        raise ValueError(f"kind {kind.name!r} is registered already")
    _REGISTRY[kind.name] = kind
    return kind


NAME = re.compile(r"[a-z][a-z0-9_]*\Z")   # what a spec writes as ``kind`` (and names the default partial)
# each hook's arguments, in order, and whether a Kind must have it
HOOKS = {"solve": (("question",), True), "independent": (("question",), True),
         "mistakes": (("question", "solution"), False), "sheet": (("question",), False),
         "carry": (("question", "solution", "given"), False)}


def check_kind(kind: Kind) -> None:
    """``kind`` held to the contract as it registers (pluggy's ``_verify_hook``): a valid name, a Schema,
    each hook callable with its arguments, a positive relative tolerance, a non-negative absolute floor,
    a checks note in words and partials (template, sheet_template) that exist. A ContractError names the kind and the field."""

    def refuse(field_name, message):
        raise ContractError(f"kind {kind.name!r}: {field_name} {message}")

    if not isinstance(kind.name, str) or not NAME.match(kind.name):
        refuse("name", "must be lower-case letters, digits and underscores, starting with a letter")
    if not isinstance(kind.schema, Schema):
        refuse("schema", f"must be a symdl.input.schema.Schema, not {type(kind.schema).__name__}")
    for hook, (arguments, required) in HOOKS.items():
        function = getattr(kind, hook)
        if function is None and not required:
            continue
        if not callable(function):
            refuse(hook, f"must be a function of ({', '.join(arguments)}), not {type(function).__name__}")
        if not _takes(function, len(arguments)):
            refuse(hook, f"must take ({', '.join(arguments)}); it takes {_signature(function)}")
    if not _number(kind.tolerance) or kind.tolerance <= 0:
        refuse("tolerance", f"must be a positive number (relative), not {kind.tolerance!r}")
    floors = kind.abs_tolerance.items() if isinstance(kind.abs_tolerance, dict) else [("", kind.abs_tolerance)]
    for answer, floor in floors:
        if not isinstance(answer, str) or not _number(floor) or floor < 0:
            refuse("abs_tolerance", f"must be a number >= 0 or {{answer name: number >= 0}}, not "
                                    f"{kind.abs_tolerance!r}")
    if not isinstance(kind.checks_note, str):
        refuse("checks_note", f"must be text, not {type(kind.checks_note).__name__}")
    for name in ("template", "sheet_template"):
        path = getattr(kind, name)
        if path is not None and (not isinstance(path, (str, Path)) or not Path(path).is_file()):
            refuse(name, f"must be the path of an existing LaTeX partial, not {str(path)!r}")
    if not isinstance(kind.extra, dict):
        refuse("extra", f"must be a dict, not {type(kind.extra).__name__}")


def _number(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _takes(function, count) -> bool:
    """Whether ``function`` can be called with ``count`` positional arguments (True when Python cannot say)."""
    try:
        signature = inspect.signature(function)
    except (TypeError, ValueError):
        return True
    try:
        signature.bind(*range(count))
    except TypeError:
        return False
    return True


def _signature(function) -> str:
    try:
        return str(inspect.signature(function))
    except (TypeError, ValueError):
        return "(?)"


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

    kind = entry_point.load()
    if not isinstance(kind, Kind) or kind.name != name:
        raise ContractError(f"the entry point {entry_point.value!r} (group {GROUP}) must name a Kind called "
                            f"{name!r}, not {type(kind).__name__} {getattr(kind, 'name', '')!r}".rstrip())
    return kind


def solve(question):
    """``question``'s Solution as the pipeline derives it: its kind found by name (:func:`get`), the fields
    checked against the kind's schema (``question.values``), the kind's ``solve``, and the Solution held
    to the contract (:func:`check_solution`)."""
    kind = get(question.kind)
    question.values = kind.schema.check(question)
    solution = kind.solve(question)
    check_solution(kind, solution)
    return solution


def check_solution(kind: Kind, solution) -> None:
    """The Solution ``kind.solve`` returned, held to the contract: every answer's value a number,
    yes/no, text or a vector/matrix/tuple of numbers, never a formula with free symbols (a
    ContractError naming the kind and the answer: the kind's bug, not the spec's)."""

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
