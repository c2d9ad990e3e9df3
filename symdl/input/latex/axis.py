"""An op's axis written as a subscript after its name: ``\\operatorname{softmax}_{0}(S)`` is
``torch.softmax(S, dim=0)``, each column on its own; ``_{1}`` or ``_{-1}`` each row (the plain op)."""

from __future__ import annotations

import re

from symdl.errors import LatexError
from symdl.ops.table import AXES

_SUBSCRIPT = re.compile(r"\s*_\s*(?:\{\s*([^{}]*?)\s*\}|(\d))")


def read_axis(s, j, name, canonical):
    """(the op, the index after the subscript) for a call of ``canonical`` whose name ends at ``s[j]``."""
    m = _SUBSCRIPT.match(s, j)
    if m is None:
        return canonical, j
    written = m.group(1) if m.group(1) is not None else m.group(2)
    axes = sorted(axis for (base, axis) in AXES if base == canonical)
    if not axes:
        raise LatexError(f"'{name}' takes no axis subscript")
    if written in ("1", "-1"):
        return canonical, m.end()
    if written.isdigit() and (canonical, int(written)) in AXES:
        return AXES[(canonical, int(written))], m.end()
    raise LatexError(f"'{name}_{{{written}}}': the axis is 0 (along the columns, PyTorch's dim=0) "
                     "or 1 (along the rows, dim=1 or -1, the same as no subscript)")
