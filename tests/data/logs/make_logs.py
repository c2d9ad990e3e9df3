"""Writes the synthetic training logs used by tests/test_training_log.py (run once; deterministic).

Each log is built from known settings (training-set size N, mini-batch B, epochs, curves), so
the tests can check the solver against the numbers the log was made from.
"""

from __future__ import annotations

import math
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent


def clock(seconds):
    s = int(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def logged_iterations(I, epochs, every):
    """MATLAB's verbose rows: iteration 1, every `every` iterations, and every epoch end."""
    total = I * epochs
    its = sorted({1, total} | set(range(every, total + 1, every)) | {e * I for e in range(1, epochs + 1)})
    return its


def overfit_matlab_pipes():
    """Classification run, MATLAB '|'-framed layout: validation loss turns up after epoch 5."""
    rnd = random.Random(5)
    N, B, epochs = 3000, 64, 12
    I = N // B                                   # 46, MATLAB drops the last partial batch
    out = ["Training on single GPU.", "Initializing input data normalization.",
           "|" + "=" * 118 + "|",
           "|  Epoch  |  Iteration  |  Time Elapsed  |  Mini-batch  |  Validation  |  Mini-batch  |  Validation  |  Base Learning  |",
           "|         |             |   (hh:mm:ss)   |   Accuracy   |   Accuracy   |     Loss     |     Loss     |      Rate       |",
           "|" + "=" * 118 + "|"]
    for it in logged_iterations(I, epochs, 20):
        epoch = (it - 1) // I + 1
        x = it / I
        train = 2.2 * math.exp(-0.35 * x) + 0.02 + rnd.uniform(-0.05, 0.05)
        cells = [f"{epoch:7d}", f"{it:11d}", f"{clock(3 + 1.5 * it):>14}",
                 f"{min(99.99, 100 * (1 - train / 2.5)):11.2f}%", "", f"{train:12.4f}", "", f"{0.01:15.4e}"]
        if it == 1 or it % I == 0:
            val = 0.9 + 1.3 * math.exp(-0.6 * x) + 0.045 * max(0.0, x - 5) ** 1.3
            cells[4] = f"{100 * (1 - val / 2.5):11.2f}%"
            cells[6] = f"{val:12.4f}"
        else:
            cells[4] = " " * 12
            cells[6] = " " * 12
        out.append("| " + " | ".join(cells) + " |")
        if it == 5 * I:
            out.append("")
            out.append("Page 2 of 3")
    out.append("|" + "=" * 118 + "|")
    out.append("Training finished: Max epochs completed.")
    (HERE / "overfit_matlab.txt").write_text("\n".join(out) + "\n")


def diverge_matlab():
    """Regression run, tab layout (as copied from a PDF): the loss grows, then becomes NaN."""
    rnd = random.Random(7)
    N, B, epochs = 490, 16, 8
    I = N // B                                   # 30
    head = ("Epoch\tIteration\tTime Elapsed (hh:mm:ss)\tMini-batch RMSE\tValidation RMSE\t"
            "Mini-batch Loss\tValidation Loss\tBase Learning Rate")
    out = [head]
    for it in logged_iterations(I, epochs, 10):
        epoch = (it - 1) // I + 1
        x = it / I
        loss = 40 * math.exp(0.45 * x) * (1 + rnd.uniform(-0.08, 0.08)) if x < 6.2 else math.nan
        val = 45 * math.exp(0.45 * x) if x < 6.2 else math.nan
        f = (lambda v: "NaN" if math.isnan(v) else f"{v:.4f}")
        g = (lambda v: "NaN" if math.isnan(v) else f"{math.sqrt(2 * v):.2f}")
        validation = it == 1 or it % I == 0
        out.append("\t".join([str(epoch), str(it), clock(2 + 0.8 * it), g(loss), g(val) if validation else "",
                              f(loss), f(val) if validation else "", "1.0000e-01"]))
    (HERE / "diverge_matlab.txt").write_text("\n".join(out) + "\n")


def lightning_csv():
    """PyTorch Lightning CSVLogger metrics.csv: last partial batch kept, steps counted from 0."""
    rnd = random.Random(11)
    N, B, epochs = 1000, 64, 10
    I = -(-N // B)                               # 16: ceil, the last batch has 40 samples
    out = ["epoch,step,train_loss,val_loss,lr-SGD"]
    for epoch in range(epochs):
        for batch in range(I):
            step = epoch * I + batch
            if (step + 1) % 5 == 0:
                x = (step + 1) / I
                loss = 1.5 * math.exp(-0.25 * x) + 0.1 + rnd.uniform(-0.04, 0.04)
                out.append(f"{epoch},{step},{loss:.5f},,0.05")
        x = epoch + 1
        val = 1.5 * math.exp(-0.25 * x) + 0.16
        out.append(f"{epoch},{epoch * I + I - 1},,{val:.5f},")
    (HERE / "lightning_metrics.csv").write_text("\n".join(out) + "\n")


def keras_csv():
    """Keras CSVLogger: one row per epoch (epochs from 0), no iteration column."""
    out = ["epoch,accuracy,loss,val_accuracy,val_loss"]
    for epoch in range(15):
        x = epoch + 1
        loss = 0.9 * math.exp(-0.08 * x) + 0.05 * math.sin(x)
        val = 0.95 * math.exp(-0.07 * x) + 0.08 + 0.03 * math.cos(1.3 * x)
        out.append(f"{epoch},{1 - loss / 2:.4f},{loss:.4f},{1 - val / 2:.4f},{val:.4f}")
    (HERE / "keras_log.csv").write_text("\n".join(out) + "\n")


def malformed():
    head = ("Epoch\tIteration\tTime Elapsed (hh:mm:ss)\tMini-batch RMSE\tValidation RMSE\t"
            "Mini-batch Loss\tValidation Loss\tBase Learning Rate")
    (HERE / "bad_no_rows.txt").write_text(head + "\n\nDI504 Foundations of Deep Learning\n")
    (HERE / "bad_missing_column.txt").write_text(
        "Epoch\tIteration\tTime Elapsed (hh:mm:ss)\tMini-batch RMSE\tMini-batch Loss\tBase Learning Rate\n"
        "1\t1\t00:00:41\t47.05\t1106.7023\t3.0000e-07\n")
    (HERE / "bad_non_numeric.txt").write_text(
        head + "\n1\t1\t00:00:41\t47.05\t49.57\t1106.7023\t1228.5365\t3.0000e-07\n"
               "1\t50\t00:06:34\t52.77\t\t13g2.1007\t\t3.0000e-07\n")
    (HERE / "bad_non_numeric.csv").write_text("epoch,loss,val_loss\n0,0.9,0.95\n1,abc,0.9\n2,0.7,0.85\n")


def pytorch_imagenet_meter():
    """pytorch/examples imagenet/main.py layout (ProgressMeter): ImageNet-1k, 1,281,167 images, batches of
    256, so 5005 steps per epoch (last batch kept); 4 epochs, a line every 1000 steps and every 100 test steps."""
    steps, test_steps, out = 5005, 196, ["=> creating model 'resnet18'"]
    for e in range(4):
        for i in range(0, steps, 1000):
            loss = 7.0 * 0.8 ** (e + i / steps)
            out.append(f"Epoch: [{e}][{i:>4}/{steps}]\tTime  0.400 ( 0.420)\tData  0.010 ( 0.020)\t"
                       f"Loss {loss:.4e} ({loss * 1.01:.4e})\tAcc@1  10.00 (  9.50)\tAcc@5  30.00 ( 29.00)")
        for i in range(0, test_steps, 100):
            val = 7.35 * 0.8 ** (e + 1) * (1 + 0.002 * i / 100)
            out.append(f"Test: [{i:>3}/{test_steps}]\tTime  0.100 ( 0.110)\tLoss {val * 0.99:.4e} ({val:.4e})\t"
                       f"Acc@1  12.00 ( 11.00)\tAcc@5  33.00 ( 32.00)")
        out.append(" * Acc@1 11.000 Acc@5 32.000")
    (HERE / "pytorch_imagenet_meter.txt").write_text("\n".join(out) + "\n")


if __name__ == "__main__":
    pytorch_imagenet_meter()
    overfit_matlab_pipes()
    diverge_matlab()
    lightning_csv()
    keras_csv()
    malformed()
