"""The op table's spelling column, without numpy or SymPy: what a spec may call each op, and its arity.

``symdl.ops`` builds its rows with these (and checks the arities against its rules);
``symdl.latex_parse`` reads them, so the parser runs where only pure-Python packages are.
"""

# op -> (the names a spec may call it by, its number of arguments)
SPELLINGS = {
    "exp": (("exp",), 1), "log": (("ln", "log"), 1), "tanh": (("tanh",), 1),
    "sigmoid": (("sigma", "sigmoid", "sigm"), 1), "relu": (("relu", "ReLU", "RELU"), 1),
    "abs": (("abs",), 1), "max": (("max",), 2), "min": (("min",), 2),
    "sum": (("sum",), 1), "mean": (("mean",), 1), "transpose": ((), 1),
    "max_all": ((), 1), "min_all": ((), 1),
    "softmax": (("softmax", "Softmax"), 1), "log_softmax": (("logsoftmax", "LogSoftmax"), 1),
    "cross_entropy": (("CE", "crossentropy"), 2), "bce": (("BCE",), 2), "mse": (("MSE",), 2),
    "hinge": (("hinge",), 2),
    "sin": (("sin",), 1), "cos": (("cos",), 1), "tan": (("tan",), 1),
    "floor": (("floor",), 1), "ceil": (("ceil",), 1), "round": (("round",), 1),
    "clamp": (("clamp",), 3), "diag": (("diag",), 1), "causal": (("causal",), 1),
    "valid": (("valid",), 2), "mask": (("mask",), 2), "concat": (("concat",), 2),
}
# a spelling called with another number of arguments: \max(x) is the maximum over the entries of x
OVERLOADS = {("max", 1): "max_all", ("min", 1): "min_all"}
FUNCTION_NAMES = {spelling: op for op, (names, _) in SPELLINGS.items() for spelling in names}
FUNCTION_ARITY = {op: arity for op, (_, arity) in SPELLINGS.items()}
