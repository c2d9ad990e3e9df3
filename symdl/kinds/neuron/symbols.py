"""The neuron kind's named symbols: z, y, alpha, tau, the bold vectors and the partial derivatives."""

from __future__ import annotations

import sympy as sp

from symdl.notation.display import Quantity
from symdl.kinds.neuron.notation import MathText, ProbOf, PartialSymbol, VectorSymbol

Z = sp.Symbol("z")
Y = sp.Symbol("y")
B = sp.Symbol("b")
ALPHA = sp.Symbol("alpha")
TAU = sp.Symbol("tau")
ETA = sp.Symbol("eta")
W_VEC = VectorSymbol("W")
X_VEC = VectorSymbol("x")
ZERO_VEC = VectorSymbol("0")
Z_MAX = Quantity("z", "max", integer=False)
Z_MIN = Quantity("z", "min", integer=False)
Z_SAT = Quantity("z", "sat", integer=False)
DL_DY = PartialSymbol("L", "y")
DY_DZ = PartialSymbol("y", "z")
DL_DZ = PartialSymbol("L", "z")
DL_DB = PartialSymbol("L", "b")
DL_DW = PartialSymbol("L", W_VEC)
DL_DX = PartialSymbol("L", X_VEC)
W_T = VectorSymbol("W^T")
A_OF = sp.Function("A")
SIGMA_OF = sp.Function("sigma")
X_0 = VectorSymbol("x_0")
X_STAR = VectorSymbol("x^*")
ACTIVE_FRACTION = MathText("active fraction")
DECAY = sp.Pow(1 - ETA * sp.Symbol("lambda"), sp.Symbol("t"), evaluate=False)    # (1 - eta lambda)^t
F_OF = sp.Function("F")
P_OUTSIDE_LOW = ProbOf(Z, ">", -Z_SAT)
P_OUTSIDE_HIGH = ProbOf(Z, ">", Z_SAT)
