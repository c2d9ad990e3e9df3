"""The Keras console log reader: ``Epoch 3/10`` lines, each followed by its progress line
(``422/422 [=====] - 13s 29ms/step - loss: 0.0845 - accuracy: 0.9737 - val_loss: 0.0469 - ...``).

Only an epoch's last progress line (step n of n) is a row: it holds the epoch's average training
loss and, when validation data were given, the validation loss; an interrupted epoch's partial
line (``237/422 ... - ETA: 7s - loss: ...``) is a running average over part of the epoch and is
skipped and counted. The training loss is an epoch average, so a row has no iteration. A complete
progress line after an epoch's end and before the next ``Epoch`` header is ``model.evaluate()`` on the
test set: skipped here, read by ``test_set``.
"""

from __future__ import annotations

import re

from .cells import Log, LogError, _finish, _row

EPOCH_LINE = re.compile(r"^\s*Epoch\s+(\d+)\s*/\s*(\d+)\s*$")
PROGRESS_LINE = re.compile(r"^\s*(\d+)\s*/\s*(\d+)\b(.*)$")
METRIC = re.compile(r"(?<![\w.])([A-Za-z][\w@]*)\s*:\s*([-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?|nan|inf)")
KEYS = {"loss": "train_loss", "val_loss": "val_loss", "accuracy": "train_metric", "acc": "train_metric",
        "val_accuracy": "val_metric", "val_acc": "val_metric", "lr": "lr", "learning_rate": "lr"}


def is_keras(text):
    return bool(re.search(r"(?m)^\s*Epoch\s+\d+\s*/\s*\d+\s*$", text)) and "loss:" in text


def read_keras(text, name):
    rows, skipped, blank = [], [], 0
    epoch, steps, planned, columns, ended = None, None, None, {"epoch": "Epoch"}, False
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            blank += 1
            continue
        head = EPOCH_LINE.match(line)
        if head:
            epoch, planned = int(head.group(1)), int(head.group(2))
            ended = False
            continue
        bar = PROGRESS_LINE.match(line)
        if not bar or epoch is None or "loss:" not in line:
            skipped.append((number, line.strip()))
            continue
        step, total = int(bar.group(1)), int(bar.group(2))
        if step != total or "ETA" in line or ended:     # ended: model.evaluate() after fit (test_set)
            skipped.append((number, line.strip()))
            continue
        if steps is not None and total != steps:
            raise LogError(f"line {number}: {total} steps in epoch {epoch}, {steps} in the epochs before")
        steps = total
        raw = {"epoch": str(epoch)}
        for metric, value in METRIC.findall(bar.group(3)):
            key = KEYS.get(metric.lower())
            if key and key not in raw:
                raw[key] = value
                columns.setdefault(key, metric)
        if "train_loss" not in raw:
            skipped.append((number, line.strip()))
            continue
        rows.append(_row(number, raw, columns))
        ended = True
    if not rows:
        raise LogError("no epoch ends ('n/n ... - loss: ...' after 'Epoch e/E') found")
    log = _finish(Log(name, "keras", rows, skipped, blank, columns,
                      columns.get("train_metric", ""), steps=steps, planned_epochs=planned), need_val=False)
    return log
