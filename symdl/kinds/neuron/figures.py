"""The neuron kind's figure: the activation and its derivative, as data for the template."""

from __future__ import annotations

from symdl.notation.display import num
from symdl.solution import Figure, Tex

from .derive import saturation_z

def figure(n, z, y, dydz):
    act = n.activation
    w = max(act.half_width, 1.3 * abs(float(z)))
    a = num(n.slope) if n.slope is not None else "0"
    data = {
        "xmin": num(-w), "xmax": num(w),
        # pgfplots expressions are symdl's own constants (no spec text): pass them as TeX
        "f": Tex(act.plot.replace("{a}", a)),
        "df": [{"from": num(-w if lo is None else lo), "to": num(w if hi is None else hi),
                "expr": Tex(expr.replace("{a}", a))} for lo, hi, expr in act.plot_derivative],
        "z": num(z), "y": num(y), "dydz": num(dydz),
        "zsat": num(saturation_z(act, n.threshold)) if n.threshold is not None else None,
        "name": act.title,
    }
    return Figure("activation", data, caption=f"The {act.title} (solid) and its derivative (dashed); "
                                              "the dots mark this sample.")

