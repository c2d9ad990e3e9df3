"""A kind owns its notation: its display objects live in symdl/kinds/<kind>/notation.py and print
themselves (``_symdl_latex``, the printer's first dispatch step); nothing is attached for them."""

import importlib
import inspect

import sympy as sp

from symdl.notation.printer import SymdlPrinter, tex

KINDS = ("softmax", "neuron", "conv", "training_log", "architecture")


def _own_classes(kind):
    module = importlib.import_module(f"symdl.kinds.{kind}.notation")
    return [c for _, c in inspect.getmembers(module, inspect.isclass) if c.__module__ == module.__name__]


def test_each_kind_object_prints_itself_and_nothing_is_attached_for_it():
    seen = 0
    for kind in KINDS:
        for cls in _own_classes(kind):
            if cls.__name__ == "SoftmaxClassName":      # text inside a formula's slot, not math of its own
                continue
            assert "_symdl_latex" in vars(cls) or any("_symdl_latex" in vars(b) for b in cls.__mro__[1:]), cls
            assert not hasattr(SymdlPrinter, "_print_" + cls.__name__), cls
            seen += 1
    assert seen >= 20


def test_kind_objects_print_as_written_by_hand():
    from symdl.kinds.conv.notation import ConvWindowSum, MinusInfinity, SlashOf, SumLines
    from symdl.kinds.neuron.notation import NeuronFormula, PartialSymbol, VectorSymbol
    from symdl.kinds.softmax.notation import SoftmaxClassName, SoftmaxFormula
    from symdl.kinds.training_log.notation import LogEpochSpan, LogIterationBound

    window = ConvWindowSum(channels=True, filters=False, bias=True, stride=(2, 1), dilation=(1, 2))
    assert tex(window) == (r"Y_{i,j} = b + \sum_{c}\sum_{u,v} K_{c,u,v}\, \tilde{X}_{c,\,"
                           r"2(i-1)+(u-1)+1,\, (j-1)+2(v-1)+1}")
    assert tex(SumLines([sp.Integer(3), sp.Integer(-2), sp.Symbol("x")])) == "3 - 2 + x"
    assert tex(SumLines([])) == "0"
    from symdl.kinds.architecture.notation import Dims
    assert tex(Dims(224, 224, 3)) == r"224 \times 224 \times 3" and tex(Dims()) == r"\text{none}"
    assert tex(SlashOf(sp.Integer(7), sp.Integer(2))) == r"\left(7\right) / 2"
    assert tex(MinusInfinity()) == r"-\infty"
    # a Symbol subclass inside a SymPy expression prints itself there too
    assert tex(2 * LogEpochSpan()) == r"2 \Delta e"
    assert tex(LogIterationBound("lower", 1000, 3, 334)) == r"I \ge \lceil 1000/3 \rceil = 334"
    assert tex(VectorSymbol("W_1")) == r"\mathbf{W}_1"
    assert tex(PartialSymbol("L", VectorSymbol("x"), "slash")) == r"\partial L/\partial \mathbf{x}"
    assert tex(NeuronFormula("times", sp.Integer(3), sp.Rational(1, 2))) == r"3 \cdot 0.5"
    assert tex(SoftmaxFormula("argmax_named", 4, SoftmaxClassName("cat_1 & dog"))) == \
        r"\hat{y} = \arg\max_k p_k = 4\ (\text{class cat\_1 \& dog})"
