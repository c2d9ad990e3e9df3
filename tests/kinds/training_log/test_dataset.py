"""Dataset arithmetic against published set sizes: MNIST with Keras's validation split, ImageNet-1k."""

from __future__ import annotations

import math
from fractions import Fraction

import pytest

from symdl.solve import solve_question
from symdl.errors import SpecError
from symdl.kinds.training_log.dataset import smallest_set
from symdl.input.spec import load_exam
from support import TESTS

LOGS = TESTS / "data" / "logs"


def solve(tmp_path, log, fields):
    (tmp_path / log).write_text((LOGS / log).read_text())
    spec = tmp_path / "exam.toml"
    spec.write_text(f'[exam]\nid = "t"\ntitle = "t"\n[[question]]\nid = "D"\nkind = "training_log"\n'
                    f'log = "{log}"\n{fields}\n')
    return solve_question(load_exam(spec).questions[0])


def test_mnist_validation_split_as_keras_makes_it(tmp_path):
    """keras.io "Simple MNIST convnet": 60,000 training images, validation_split=0.1, batch_size=128; the
    log prints 422 steps per epoch. Keras trains on the first floor(60000 * 0.9) = 54,000 samples."""
    result = solve(tmp_path, "keras_mnist_convnet.txt",
                   'minibatch = 128\ndataset_size = 60000\nvalidation_split = 0.1\nprinted_accuracy = "0.9780"')
    a = result.solution.answers
    assert result.verified, [c.name for c in result.failures]
    assert (a["dataset.train_size"], a["dataset.val_size"]) == (54000, 6000)
    assert a["steps_per_epoch.keep_last"] == a["iterations_per_epoch"] == 422
    assert a["steps_per_epoch.drop_last"] == 54000 // 128 == 421
    assert a["last_batch_size"] == 54000 - 421 * 128 == 112
    assert a["eval_steps"] == math.ceil(6000 / 128) == 47
    # 0.9780 printed with 4 decimals: 89/91 = 0.97802..., and no smaller set gives a share that rounds to it
    assert a["smallest_set_for_accuracy"] == 91
    assert all(round(k / n, 4) != 0.978 for n in range(1, 91) for k in range(n + 1))
    assert round(89 / 91, 4) == 0.978
    # the 6,000 validation images hold it: 5868 / 6000 = 0.9780
    assert Fraction(5868, 6000) == Fraction("0.978")


def test_printed_percentage_checked_independently(tmp_path):
    result = solve(tmp_path, "keras_mnist_convnet.txt", 'minibatch = 128\ndataset_size = 60000\nprinted_accuracy = "93.75%"')
    assert result.verified and result.solution.answers["smallest_set_for_accuracy"] == 16


def test_imagenet_steps_and_last_batch(tmp_path):
    """ImageNet-1k (ILSVRC-2012) has 1,281,167 training images; with batches of 256 the pytorch/examples
    ImageNet script prints 5005 steps per epoch (the last batch kept: 143 images)."""
    result = solve(tmp_path, "pytorch_mnist_logistic.txt", 'minibatch = 256\ndataset_size = 1281167')
    a = result.solution.answers
    assert result.verified
    assert a["steps_per_epoch.keep_last"] == 5005
    assert a["steps_per_epoch.drop_last"] == 5004
    assert a["last_batch_size"] == 1281167 - 5004 * 256 == 143


@pytest.mark.parametrize("printed, n, k", [("0.5", 2, 1), ("0.33", 3, 1), ("0.9780", 91, 89), ("1", 1, 1),
                                           ("0.0", 1, 0), ("0.667", 3, 2),
                                           # MATLAB prints accuracies in per cent: 93.75% = 15/16
                                           ("93.75%", 16, 15), ("50%", 2, 1), ("33.3%", 3, 1)])
def test_smallest_set_for_a_printed_share(printed, n, k):
    assert smallest_set(printed) == (n, k)


@pytest.mark.parametrize("fields, field, words", [
    ('minibatch = 128\nvalidation_split = 0.1', "validation_split", "needs dataset_size"),
    ('minibatch = 128\ndataset_size = 60000\nvalidation_split = 1.5', "validation_split", "between 0 and 1"),
    ('minibatch = 128\ndataset_size = 0', "dataset_size", "positive"),
    ('minibatch = 128\ndataset_size = 60000\nprinted_accuracy = "97.8 percent"', "printed_accuracy", "as printed"),
    ('minibatch = 128\ndataset_size = 60000\nprinted_accuracy = "1.5"', "printed_accuracy", "as printed"),
    # round 3: fields no answer would read are refused, not ignored
    ('minibatch = 128\nprinted_accuracy = "0.9780"', "printed_accuracy", "needs dataset_size"),
    ('minibatch = 128\ndataset_size = 60000\nvalidation_batch = 100', "validation_batch", "needs validation_split"),
    ('minibatch = 128\nepoch_origin = 1', "epoch_origin", "only for a CSV log"),
    ('minibatch = 128\nstep_origin = 0', "step_origin", "only for a CSV log"),
    # round 3: a split as a fraction (exit 3 before), numbers bounded where read, the stated ranges
    ('minibatch = 128\ndataset_size = 60000\nvalidation_split = "1/6"', "validation_split", "not a decimal"),
    ('minibatch = 128\ndataset_size = 60000\nvalidation_split = "1e999999999"', "validation_split", "exponent"),
    ('minibatch = 128\nsignificance = "1e-999999999"', "significance", "exponent"),
    ('minibatch = 128\nslow_rate = "1e999999999"', "slow_rate", "exponent"),
    ('minibatch = 128\nrise_tolerance = "2"', "rise_tolerance", "between 0 and 1"),
    ('minibatch = 1000001', "minibatch", "at most 1000000"),
    ('minibatch = 128\niterations_per_epoch = 10000001', "iterations_per_epoch", "at most 10000000"),
    ('minibatch = 1\ndataset_size = 20000000', "dataset_size", "more than 10000000 mini-batches"),
    ('minibatch = 128\ndataset_size = 20000000000', "dataset_size", "at most 10000000000"),
])
def test_bad_dataset_fields(tmp_path, fields, field, words):
    import time

    start = time.process_time()
    with pytest.raises(SpecError) as info:
        solve(tmp_path, "keras_mnist_convnet.txt", fields)
    assert f"field '{field}'" in str(info.value) and "\n" not in str(info.value)
    assert words in str(info.value), str(info.value)
    assert time.process_time() - start < 1.0
