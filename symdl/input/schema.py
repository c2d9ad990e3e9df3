"""A kind's field schema: every field declared once (type, choices, default), checked in one place."""

from __future__ import annotations

import re
from dataclasses import dataclass

_REQUIRED = object()

# What a field's ``type`` may be, and how a wrong value is named in the error line.
_TYPES = {
    "text": ((str,), "a string"),
    "latex": ((str,), "a LaTeX string"),
    "integer": ((int,), "an integer"),
    "number": ((int, float, str), "a number"),
    "bool": ((bool,), "true or false"),
    "list": ((list,), "a list"),
    "table": ((dict,), "a table"),
    "path": ((str,), "a file name"),
    "value": ((int, float, str, list), "a number, a LaTeX value or a list"),
    "any": ((object,), "a value"),
}


def normalize_choice(text: str) -> str:
    """A choice as written (' Leaky-ReLU ') in its canonical spelling ('leaky_relu')."""
    return re.sub(r"[\s\-]+", "_", text.strip().lower())


@dataclass(frozen=True)
class Field:
    """One field of a kind: its name, type, default (or required), and allowed choices.

    ``choices`` maps every accepted spelling (normalized with :func:`normalize_choice`) to
    its canonical value; a tuple of names accepts exactly those names. A choice carries its
    wording: ``what`` names it in the error line ("unknown activation 'softplus' (known:
    ...)"; default "value"), and ``many`` lets it take one choice or a list of them, each
    checked, canonical, duplicates dropped (the value is then a list).
    """

    name: str
    type: str = "text"
    default: object = _REQUIRED
    choices: object = None
    help: str = ""
    what: str = "value"
    many: bool = False

    def __post_init__(self):
        if self.type not in _TYPES:
            raise ValueError(f"field {self.name!r}: unknown type {self.type!r} (known: {', '.join(_TYPES)})")
        if self.choices is not None and not isinstance(self.choices, dict):
            object.__setattr__(self, "choices", {normalize_choice(c): c for c in self.choices})

    @property
    def required(self) -> bool:
        return self.default is _REQUIRED

    def check(self, question, value):
        """The field's value, type-checked and (for a choice) in its canonical spelling."""
        types, wanted = _TYPES[self.type]
        if isinstance(value, bool) and self.type != "bool" and self.type != "any":
            raise question.error(self.name, f"expected {wanted}, got a boolean")
        if not isinstance(value, types):
            raise question.error(self.name, f"expected {wanted}, got {type(value).__name__}")
        if self.type == "integer" or (self.type == "number" and not isinstance(value, str)):
            if isinstance(value, float) and value != value:
                raise question.error(self.name, "not a number (nan)")
        if self.choices is not None:
            return self._choose(question, value)
        return value

    @property
    def known(self) -> str:
        """The canonical choices, for the error line."""
        return ", ".join(sorted(dict.fromkeys(self.choices.values())))

    def _choose(self, question, value):
        items = value if self.many and isinstance(value, list) else [value]
        out = []
        for item in items:
            if not isinstance(item, str) or normalize_choice(item) not in self.choices:
                raise question.error(self.name, f"unknown {self.what} {item!r} (known: {self.known})")
            canon = self.choices[normalize_choice(item)]
            if canon not in out:
                out.append(canon)
        if not self.many:
            return out[0]
        if not out:
            raise question.error(self.name, f"name at least one {self.what}")
        return out


class Schema:
    """The fields of a kind, in the order they are documented."""

    def __init__(self, *fields: Field):
        names = [f.name for f in fields]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"fields declared twice: {', '.join(duplicates)}")
        self.fields = {f.name: f for f in fields}

    def __contains__(self, name) -> bool:
        return name in self.fields

    def __iter__(self):
        return iter(self.fields.values())

    @property
    def names(self) -> set:
        return set(self.fields)

    def values_of(self, question) -> dict:
        """The question's values as this schema checked them (the pipeline's, else checked now)."""
        values = getattr(question, "values", None)
        return values if values else self.check(question)

    def check(self, question) -> dict:
        """Every field of ``question`` checked: unknown ones refused, required ones present.

        Returns the values by name, defaults filled in and choices canonical; a field with no
        default that is absent is not in the result.
        """
        for key in question.fields:
            if key not in self.fields:
                raise question.error(key, f"unknown field for kind '{question.kind}'")
        values = {}
        for spec in self.fields.values():
            if spec.name in question.fields:
                values[spec.name] = spec.check(question, question.fields[spec.name])
            elif spec.required:
                raise question.error(spec.name, "missing required field")
            elif spec.default is not None:
                values[spec.name] = spec.default
        return values
