"""The graph kind's fields: the function, the inputs' values and the upstream gradient."""

from __future__ import annotations

from symdl.input.schema import Field, Schema

# Each field's own reader (question.expression / question.matrix) names its errors, as before.
SCHEMA = Schema(
    Field("function", "any", default=None),     # LaTeX, read by symdl.input.latex
    Field("program", "any", default=None),      # or assignments "q = x + y", ..., the last one the output
    Field("upstream", "any", default=None),     # LaTeX matrix; 1 for a scalar output
    Field("values", "any", default=None),       # name -> LaTeX matrix, one per input symbol
    Field("expanded", "any", default=False),    # also draw the scalar-expanded graph (one node per entry)
    Field("update", "any", default=None),       # one optimizer step: { rule = "sgd", lr = 0.1 } (symdl.ops.updates)
)


def read_values(question):
    """The inputs' exact values (name -> SymPy matrix), each name checked."""
    raw = question.get("values", dict)
    values = {}
    for name in raw:
        if not isinstance(name, str) or not name.replace("_", "").isalnum():
            raise question.error(f"values.{name}", "input names are letters, digits and '_'")
        values[name] = question.matrix(name, source=raw)
    return values
