"""Which of the question's parts each piece of the graph answer belongs to, read from the parts' words."""

from __future__ import annotations

import re

# what each piece of the answer is, and the words of a part that asks for it (first match wins,
# the most specific first: "back-propagate ... the gradient" before "show ... each node output")
_ROLES = (
    ("update", r"\b(update|step of (sgd|gradient descent)|learning rate|momentum|adam)\b"),
    ("backward", r"back-?\s?prop|backward|gradient|derivative|\\partial|chain rule"),
    ("forward", r"forward|activation|node output|output of each|value|evaluate|calculate|compute"),
    ("graph", r"draw|graph|node|atomic"),
)
_ORDER = ("graph", "forward", "backward", "update")


def _text(part) -> str:
    return part if isinstance(part, str) else str(part.get("text", "")) if isinstance(part, dict) else str(part)


def part_of(question, role: str):
    """The part (its key) that asks for ``role`` ("graph", "forward", "backward", "update"), or None.

    Each part is given the first role its words name; a role no part names falls to the part
    in its position (a, b, c for graph, forward, backward) when that part names no role.
    """
    parts = getattr(question, "parts", None) or {}
    roles = {}
    for key, part in parts.items():
        words = _text(part).lower()
        found = next((name for name, pattern in _ROLES if re.search(pattern, words)), None)
        if found is not None and found not in roles.values():
            roles[key] = found
    for key, name in roles.items():
        if name == role:
            return key
    keys = list(parts)
    position = _ORDER.index(role)
    if position < len(keys) and keys[position] not in roles:
        return keys[position]
    return None
