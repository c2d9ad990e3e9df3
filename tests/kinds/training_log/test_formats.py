"""Console logs of Keras and PyTorch, recognised and read, against the runs' published settings."""

from __future__ import annotations

import math
import re

import numpy as np
import pytest

from symdl.solve import solve_question
from symdl.input.spec import load_exam
from support import TESTS

SPECS = TESTS / "specs"
LOGS = TESTS / "data" / "logs"


def solved(name):
    q = load_exam(SPECS / f"training_log_{name}.toml", data_dirs=(TESTS.parent,)).questions[0]
    result = solve_question(q)
    return q, result.solution, result


def test_keras_console_mnist_convnet_is_not_overfitting():
    """keras.io, "Simple MNIST convnet" (fchollet, examples/vision/mnist_convnet.py): 60,000 MNIST
    training images, validation_split=0.1 (54,000 trained on), batch_size=128, so 422 steps per epoch;
    the validation loss falls from 0.0780 to 0.0303 and stays below the training loss throughout."""
    _, sol, result = solved("keras_console")
    a = sol.answers
    assert result.verified
    assert any("Keras console output" in s for s in sol.assumptions)
    assert a["iterations_per_epoch"] == math.ceil(54000 / 128) == 422
    assert a["train_set_size.min"] <= 54000 <= a["train_set_size.max"]
    assert (a["train_set_size.min"], a["train_set_size.max"]) == (421 * 128 + 1, 422 * 128)
    rows = re.findall(r"- loss: ([\d.]+) - accuracy: [\d.]+ - val_loss: ([\d.]+)", (LOGS / "keras_mnist_convnet.txt").read_text())
    train, val = np.array(rows, float).T
    assert len(val) == 11 and (val < train).all()           # below the training loss in every epoch
    assert float(a["val_loss_change_total"]) == pytest.approx(0.0303 / 0.0780 - 1, rel=1e-12)
    assert float(a["val_loss_change_per_epoch"]) == pytest.approx((0.0303 / 0.0780) ** (1 / 10) - 1, rel=1e-12)
    assert a["overfitting"] is False and a["gap_growing"] is False
    assert a["learning"] is True
    assert a["gap.last"] < 0 and a["gap.first"] < a["gap.last"]      # below and approaching
    assert "regulariz" not in a["recommendation"].lower()
    assert a["skipped_lines"] == 1          # the interrupted epoch 12's progress line


def test_pytorch_step_lines_without_validation():
    """yunjey/pytorch-tutorial, logistic regression on MNIST: 60,000 training images, batch_size = 100,
    len(train_loader) = 600 steps; the published print lines (rTorch book), no validation loss."""
    _, sol, result = solved("pytorch_steps")
    a = sol.answers
    assert result.verified
    assert any("PyTorch console output" in s for s in sol.assumptions)
    assert a["iterations_per_epoch"] == 60000 // 100 == 600
    assert a["train_set_size.min"] <= 60000 <= a["train_set_size.max"] == 60000
    losses = [float(x) for x in re.findall(r"Loss: ([\d.]+)", (LOGS / "pytorch_mnist_logistic.txt").read_text())]
    m1, m5 = np.mean(losses[:6]), np.mean(losses[-6:])
    assert float(a["train_loss_mean.change_per_epoch"]) == pytest.approx((m5 / m1) ** (1 / 4) - 1, rel=1e-12)
    assert a["learning_train"] is True
    assert "overfitting" not in a                   # not decidable without a validation loss
    boxed = " ".join(str(p) for s in sol.sections for i in s.items if getattr(i, "boxed", False) for p in i.parts)
    assert "cannot be decided from this log: it has no validation loss" in boxed


def test_two_epoch_keras_log_answers_what_it_supports(tmp_path):
    """The first two epochs of the keras.io MNIST convnet run: too short for a trend, still a size and a change."""
    lines = (LOGS / "keras_mnist_convnet.txt").read_text().splitlines()[:4]
    (tmp_path / "two.txt").write_text("\n".join(lines) + "\n")
    spec = tmp_path / "exam.toml"
    spec.write_text('[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "S"\nkind = "training_log"\n'
                    'log = "two.txt"\nminibatch = 128\n')
    result = solve_question(load_exam(spec).questions[0])
    a = result.solution.answers
    assert result.verified
    assert a["iterations_per_epoch"] == 422
    assert float(a["train_loss_mean.change_per_epoch"]) == pytest.approx(0.1199 / 0.7840 - 1, rel=1e-12)
    assert float(a["val_loss_change_total"]) == pytest.approx(0.0559 / 0.0780 - 1, rel=1e-12)
    assert a["learning_train"] is True
    boxed = " ".join(str(p) for s in result.solution.sections for i in s.items if getattr(i, "boxed", False)
                     for p in i.parts)
    assert "it has 2 validation losses, and a trend needs at least 3" in boxed


def test_one_epoch_pytorch_log(tmp_path):
    lines = (LOGS / "pytorch_mnist_logistic.txt").read_text().splitlines()[:6]
    (tmp_path / "one.txt").write_text("\n".join(lines) + "\n")
    spec = tmp_path / "exam.toml"
    spec.write_text('[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "S"\nkind = "training_log"\n'
                    'log = "one.txt"\nminibatch = 100\n')
    result = solve_question(load_exam(spec).questions[0])
    a = result.solution.answers
    assert result.verified
    assert float(a["train_loss.change_in_epoch"]) == pytest.approx(1.7723 / 2.2214 - 1, rel=1e-12)


def meter_log(epochs, steps, test_steps, every):
    """A log in the layout of pytorch/examples imagenet/main.py (ProgressMeter): 'Epoch: [e][i/I]' with
    the batch loss and its running mean, then 'Test: [i/N]' lines and the ' * Acc@1' summary."""
    out, k = ["=> creating model 'resnet18'"], 0
    for e in range(epochs):
        for i in range(0, steps, every):
            k += 1
            loss = 7.0 * 0.8 ** (e + i / steps)
            out.append(f"Epoch: [{e}][{i:>5}/{steps}]\tTime  0.400 ( 0.420)\tData  0.010 ( 0.020)\t"
                       f"Loss {loss:.4e} ({loss * 1.01:.4e})\tAcc@1  10.00 ( 9.50)\tAcc@5  30.00 ( 29.00)")
        for i in range(0, test_steps, every):
            val = 7.35 * 0.8 ** (e + 1)          # 5 % above the training curve: a shrinking gap
            out.append(f"Test: [{i:>3}/{test_steps}]\tTime  0.100 ( 0.110)\tLoss {val * 0.99:.4e} ({val:.4e})\t"
                       f"Acc@1  12.00 ( 11.00)\tAcc@5  33.00 ( 32.00)")
        out.append(" * Acc@1 11.000 Acc@5 32.000")
    return "\n".join(out) + "\n"


def test_pytorch_imagenet_meter_lines(tmp_path):
    """pytorch/examples imagenet/main.py prints 'Epoch: [e][i/len(train_loader)]'; ImageNet-1k's 1,281,167
    training images in batches of 256 give the well-known 5005 steps (DataLoader keeps the last batch)."""
    (tmp_path / "imagenet.txt").write_text(meter_log(4, 5005, 196, 1000))
    spec = tmp_path / "exam.toml"
    spec.write_text('[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "M"\nkind = "training_log"\n'
                    'log = "imagenet.txt"\nminibatch = 256\n')
    result = solve_question(load_exam(spec).questions[0])
    a = result.solution.answers
    assert result.verified, [c.name for c in result.failures]
    assert a["iterations_per_epoch"] == math.ceil(1281167 / 256) == 5005
    assert a["train_set_size.min"] <= 1281167 <= a["train_set_size.max"]
    assert (a["train_set_size.min"], a["train_set_size.max"]) == (5004 * 256 + 1, 5005 * 256)
    # the validation loss is the running mean of each epoch's last test line: 7.35 * 0.8^e
    assert float(a["val_loss_change_total"]) == pytest.approx(float(f"{7.35 * 0.8 ** 4:.4e}")
                                                              / float(f"{7.35 * 0.8:.4e}") - 1, rel=1e-12)
    assert a["learning"] is True and a["overfitting"] is False


@pytest.mark.parametrize("text, fmt, words", [
    ("x\n", "keras", "no epoch ends"),
    ("Epoch 1/2\n10/10 [====] - 1s - loss: 0.5\nEpoch 2/2\n12/12 [====] - 1s - loss: 0.4\n", "keras",
     "12 steps in epoch 2, 10 in the epochs before"),
    ("hello\n", "pytorch", "no training lines"),
    ("Epoch [1/2], Step [5/10], Loss: 0.5\nEpoch [2/2], Step [5/12], Loss: 0.4\n", "pytorch",
     "12 steps per epoch, 10 in the lines before"),
])
def test_console_logs_malformed_give_one_line(tmp_path, text, fmt, words):
    from symdl.errors import SpecError

    (tmp_path / "run.txt").write_text(text)
    spec = tmp_path / "exam.toml"
    spec.write_text(f'[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "L"\nkind = "training_log"\n'
                    f'log = "run.txt"\nformat = "{fmt}"\nminibatch = 32\n')
    with pytest.raises(SpecError) as info:
        solve_question(load_exam(spec).questions[0])
    message = str(info.value)
    assert "\n" not in message and "question L" in message and "field 'log'" in message and words in message
