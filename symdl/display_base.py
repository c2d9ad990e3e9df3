"""The display objects the printer takes apart or escapes itself (it imports them): below both
symdl/display.py, which builds on the printer, and symdl/printer_display.py, which prints them."""


class GraphFormula:
    """A formula written from an op's display form (``template``: str.format fields {0}, {1}, ...)
    and its operands (node names as the printer wrote them, GraphFormula or GraphParen)."""

    def __init__(self, template, *parts):
        self.template, self.parts = template, tuple(parts)

    def __repr__(self):
        return f"GraphFormula({self.template!r}, {len(self.parts)} parts)"


class GraphParen:
    """An operand put in brackets that grow with it."""

    def __init__(self, part):
        self.part = part

    def __repr__(self):
        return f"GraphParen({self.part!r})"
