"""Dataset arithmetic as answers: a validation split, steps per epoch (the last batch kept or dropped),
the last batch's size, evaluation steps, and the smallest set an accuracy shown with few digits fits.

Exact integers and Fractions throughout; the spec gives the set size N (``dataset_size``), optionally
the fraction held out (``validation_split``, split as Keras does: the first floor(N (1 - v)) samples
train), the validation batch size (``validation_batch``, default the training one) and an accuracy as
printed (``printed_accuracy = "0.9780"``).
"""

from __future__ import annotations

from fractions import Fraction

import sympy

from symdl.input.bounded import exact

from symdl.notation.display import CeilOf, FloorOf
from symdl.notation.printer import substitute
from symdl.solution import Step, Text

from .numbers import sym


def smallest_set(printed: str):
    """(n, k): the smallest set size n with a count k whose share k/n rounds to ``printed`` at its
    number of decimals (half up: k/n in [v - h, v + h) with h half a unit of the last digit)."""
    text = printed.strip()
    scale = 100 if text.endswith("%") else 1            # '93.75%': a share printed in per cent
    text = text.rstrip("%").strip()
    decimals = len(text.split(".")[1]) if "." in text else 0
    value, half = Fraction(text) / scale, Fraction(1, 2 * 10 ** decimals) / scale
    lo, hi = value - half, value + half
    n = 1
    while True:
        k = -((-lo * n).__floor__())           # ceil(lo n)
        if k <= n and Fraction(k, n) < hi:
            return n, k
        n += 1


def dataset_section(sol, an, values):
    """The arithmetic the spec's dataset fields ask for; nothing when it gives no dataset_size."""
    total = values.get("dataset_size")
    if total is None:
        return
    st = an.setup
    B = st.batch
    sec = sol.section("Dataset arithmetic")
    N, Bs, v = sym("N"), sym("B"), sym("v")
    train = total
    split = values.get("validation_split")
    if split is not None:
        frac = exact(split)                     # checked by fields.setup: a decimal between 0 and 1
        train = (total * (1 - frac)).__floor__()
        formula = FloorOf(N * (1 - v))
        sec.add(Step("Training samples after holding out the validation split (the first ones train, as "
                     "Keras splits):", lhs=sym("N_{train}"), formula=formula,
                     substituted=substitute(formula, {N: sympy.Integer(total), v: sympy.Rational(frac)}),
                     result=sympy.Integer(train)))
        sol.answer("dataset.train_size", sympy.Integer(train), part="a", unit="samples",
                   label="training samples after the split", final=True)
        sol.answer("dataset.val_size", sympy.Integer(total - train), part="a", unit="samples",
                   label="validation samples", final=True)
        sec.add(Text("The validation set holds the other ", sympy.Integer(total - train), " samples."))
    keep, drop = -(-train // B), train // B
    vals = {N: sympy.Integer(train), Bs: sympy.Integer(B)}
    sec.add(Step("Steps per epoch with the last, smaller batch kept (PyTorch's default, Keras):",
                 lhs=sym("I_{keep}"), formula=CeilOf(N / Bs), substituted=substitute(CeilOf(N / Bs), vals),
                 result=sympy.Integer(keep)))
    sec.add(Step("Steps per epoch with it dropped (MATLAB, drop_last=True):", lhs=sym("I_{drop}"),
                 formula=FloorOf(N / Bs), substituted=substitute(FloorOf(N / Bs), vals), result=sympy.Integer(drop)))
    steps = drop if st.rounding == "floor" else keep
    last = train - (keep - 1) * B
    sol.answer("steps_per_epoch.keep_last", sympy.Integer(keep), part="a", unit="iterations",
               label="steps per epoch, last batch kept")
    sol.answer("steps_per_epoch.drop_last", sympy.Integer(drop), part="a", unit="iterations",
               label="steps per epoch, last batch dropped")
    sol.answer("last_batch_size", sympy.Integer(last), part="a", unit="samples",
               label="samples in the last batch of an epoch", final=True)
    sec.add(Text("The last batch holds ", sympy.Integer(last), " samples; ",
                 *(("with it dropped, ", sympy.Integer(train - drop * B), " samples are not seen in an epoch.")
                   if train % B else ("every batch is full.",))))
    if an.iterations is not None:
        sec.add(Text(f"The log's {an.iterations} iterations per epoch "
                     + ("agree with" if an.iterations == steps else "do not agree with")
                     + f" the {steps} that this set size gives with the framework's rule."))
    if split is not None:
        vb = values.get("validation_batch") or B
        ev = -(-(total - train) // vb)
        Nv, Bv = sym("N_{val}"), sym("B_{val}")
        sec.add(Step("Evaluation steps (every validation sample once, the last batch kept):", lhs=sym("I_{val}"),
                     formula=CeilOf(Nv / Bv), substituted=substitute(CeilOf(Nv / Bv), {
                         Nv: sympy.Integer(total - train), Bv: sympy.Integer(vb)}), result=sympy.Integer(ev)))
        sol.answer("eval_steps", sympy.Integer(ev), part="a", unit="iterations", label="evaluation steps",
                   final=True)
    printed = values.get("printed_accuracy")
    if printed:
        n, k = smallest_set(str(printed))
        sec.add(Text(f"An accuracy printed as {printed} is a share k/n that rounds to it; the smallest set it "
                     f"fits is n = {n} (k = {k}, ", sympy.Rational(k, n), " ", "rounds to it), so the set it "
                     f"was measured on holds at least {n} samples."))
        sol.answer("smallest_set_for_accuracy", sympy.Integer(n), part="a", unit="samples",
                   label=f"smallest set size an accuracy of {printed} fits", final=True)
