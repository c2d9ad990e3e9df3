"""The PyTorch console log reader: the two layouts tutorials print.

* ``Epoch [2/5], Step [100/600], Loss: 0.2873`` (epochs and steps counted from 1; the loss of that
  mini-batch), with optional ``Epoch [2/5], Validation Loss: 0.31`` lines;
* ``Epoch: [0][ 10/5005]  Time ... Loss 6.9073e+00 (6.9146e+00) ...`` (the ImageNet example's
  ProgressMeter: epoch and batch index counted from 0; the loss of that mini-batch, then its running
  mean), its ``Test: [ 10/196] ... Loss 1.2 (1.3)`` lines giving the validation loss as the running
  mean of the epoch's last test line.
"""

from __future__ import annotations

import re

from .cells import Log, LogError, _finish, _row

NUM = r"([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)"
STEP = re.compile(r"Epoch\s*\[\s*(\d+)\s*/\s*(\d+)\s*\]\s*,?\s*(?:Step|Batch|Iter(?:ation)?)\s*\[\s*(\d+)\s*/\s*(\d+)\s*\]"
                  r".*?\bLoss\s*[:=]\s*" + NUM, re.I)
STEP_VAL = re.compile(r"Epoch\s*\[\s*(\d+)\s*/\s*(\d+)\s*\].*?\b(?:val(?:idation)?[ _]loss)\s*[:=]\s*" + NUM, re.I)
METER = re.compile(r"Epoch:\s*\[\s*(\d+)\s*\]\s*\[\s*(\d+)\s*/\s*(\d+)\s*\].*?\bLoss\s+" + NUM + r"\s*\(\s*" + NUM + r"\s*\)")
TEST = re.compile(r"Test:\s*\[\s*(\d+)\s*/\s*(\d+)\s*\].*?\bLoss\s+" + NUM + r"\s*\(\s*" + NUM + r"\s*\)")


def is_pytorch(text):
    return bool(STEP.search(text) or METER.search(text))


def read_pytorch(text, name):
    lines = text.splitlines()
    meter = any(METER.search(line) for line in lines)
    rows, skipped, blank = [], [], 0
    steps, planned, epoch, pending = None, None, None, None
    columns = {"epoch": "Epoch", "iteration": "Step", "train_loss": "Loss", "val_loss": "validation loss"}

    def row(number, e, it, loss=None, val=None):
        raw = {"epoch": str(e), "iteration": str(it)}
        if loss is not None:
            raw["train_loss"] = loss
        if val is not None:
            raw["val_loss"] = val
        rows.append(_row(number, raw, columns))

    def set_steps(total, number):
        nonlocal steps
        if steps is not None and total != steps:
            raise LogError(f"line {number}: {total} steps per epoch, {steps} in the lines before")
        steps = total

    for number, line in enumerate(lines, start=1):
        if not line.strip():
            blank += 1
            continue
        if meter:
            m = METER.search(line)
            t = TEST.search(line)
            if m:
                if pending:
                    row(*pending)
                    pending = None
                epoch, i, total = int(m.group(1)) + 1, int(m.group(2)), int(m.group(3))
                set_steps(total, number)
                row(number, epoch, (epoch - 1) * total + i + 1, m.group(4))
            elif t and epoch is not None:
                pending = (number, epoch, epoch * steps, None, t.group(4))   # the running mean so far
            else:
                skipped.append((number, line.strip()))
            continue
        m, v = STEP.search(line), STEP_VAL.search(line)
        if m:
            epoch, planned = int(m.group(1)), int(m.group(2))
            i, total = int(m.group(3)), int(m.group(4))
            set_steps(total, number)
            row(number, epoch, (epoch - 1) * total + i, m.group(5))
        elif v and steps is not None:
            row(number, int(v.group(1)), int(v.group(1)) * steps, None, v.group(3))
        else:
            skipped.append((number, line.strip()))
    if pending:
        row(*pending)
    if not rows:
        raise LogError("no training lines ('Epoch [e/E], Step [i/I], Loss: x' or 'Epoch: [e][i/I] ... Loss') found")
    return _finish(Log(name, "pytorch", rows, skipped, blank, columns, "", steps=steps, planned_epochs=planned,
                       style="meter" if meter else "step"), need_val=False)
