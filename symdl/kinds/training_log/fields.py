"""The training-log kind's fields: the schema (every field and choice declared once), the set-up read from it
and the log's text parsed by the reader of its format.

Text-agnostic: it never fetches the log. The text (a file's, or the one a ``[question.generate]`` table
makes) is handed in by the caller: ``reading`` for the kind's answers, ``intended`` for a candidate log.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction

from symdl.input.bounded import NumberError, decimal_places, exact, is_decimal
from symdl.input.schema import Field, Schema

from .batches import DEFAULT_SHUFFLE, SHUFFLES
from .cells import LogError
from .csv import read_csv
from .keras_console import is_keras, read_keras
from .matlab import read_matlab
from .pytorch_console import is_pytorch, read_pytorch

FORMATS = ("auto", "matlab", "csv", "keras", "pytorch")
# the format's name on the sheet, and the framework it implies
FORMAT_NAMES = {"matlab": "MATLAB trainNetwork verbose output", "csv": "a CSV log, read through its column names",
                "keras": "Keras console output (model.fit with verbose = 1)",
                "pytorch": "PyTorch console output (the training loop's print lines)"}
FORMAT_FRAMEWORK = {"matlab": "matlab", "keras": "keras", "pytorch": "pytorch", "csv": None}
# framework -> (rounding of N/B into iterations per epoch, names of the parameters it uses)
FRAMEWORKS = {
    "matlab": ("floor", {"lr": "InitialLearnRate", "epochs": "MaxEpochs", "l2": "L2Regularization",
                         "patience": "ValidationPatience"}),
    "pytorch": ("ceil", {"lr": "the optimizer's lr", "epochs": "the number of epochs",
                         "l2": "weight_decay", "patience": "early-stopping patience"}),
    "keras": ("ceil", {"lr": "learning_rate", "epochs": "the epochs argument of model.fit", "l2": "the L2 kernel_regularizer",
                       "patience": "EarlyStopping(patience)"}),
}
# The ranges the docs state (docs/kinds/training_log.md): beyond them the independent route's counting
# (every set size of a mini-batch, every batch of an epoch) would outgrow the question.
MAX_BATCH = 10**6                # samples per mini-batch (training or validation)
MAX_STEPS = 10**7                # mini-batches per epoch, given or counted from the set size
MAX_DATASET = 10**10             # samples in the set
MAX_SPLIT_PLACES = 8             # decimals of validation_split

COLUMN_KEYS = ("epoch", "iteration", "elapsed", "train_loss", "val_loss", "train_metric",
               "val_metric", "lr")
REQUIRED_COLUMNS = ("epoch", "train_loss", "val_loss")
COLUMN_WORDS = {"epoch": "epoch", "iteration": "iteration", "elapsed": "elapsed time",
                "train_loss": "mini-batch (training) loss", "val_loss": "validation loss",
                "train_metric": "mini-batch metric", "val_metric": "validation metric",
                "lr": "learning rate"}

# framework has no choices here: its default depends on the format, and its error line
# ("unknown framework ...") is the one the kind has always given; setup() checks it.
SCHEMA = Schema(
    Field("log", "path", None),          # one of log and generate (source.log_text checks which)
    Field("generate", "table", None),
    Field("format", "text", "auto", choices=FORMATS),
    Field("framework", "text", None),
    Field("minibatch", "integer"),
    Field("drop_last", "bool", None),
    Field("shuffle", "text", None, choices=SHUFFLES),
    Field("columns", "table", None),
    Field("epoch_origin", "integer", 0),
    Field("step_origin", "integer", 0),
    Field("iterations_per_epoch", "integer", None),
    Field("significance", "number", "0.05"),
    Field("slow_rate", "number", "0.02"),
    Field("rise_tolerance", "number", "0.01"),
    Field("dataset_size", "integer", None),
    Field("validation_split", "number", None),
    Field("validation_batch", "integer", None),
    Field("printed_accuracy", "text", None),
    Field("test_set", "bool", None),       # true: the test-set figures the log prints are graded answers
)


def is_generated(question) -> bool:
    """Whether the log is made from the question's ``[question.generate]`` table (not read from a file)."""
    return question.has("generate")


def values_of(question) -> dict:
    """The question's fields as the schema checked them (checked here when the pipeline has not)."""
    if not question.values:
        question.values = SCHEMA.check(question)
    return question.values


@dataclass
class Setup:
    fmt: str
    framework: str
    batch: int
    rounding: str            # 'floor' (last partial batch dropped) or 'ceil' (kept)
    names: dict
    given_iterations: int | None
    alpha: Fraction
    slow_rate: Fraction
    rise_tolerance: Fraction
    shuffle: str = "once"     # once (the same batches every epoch), never, every-epoch


def detect_format(question, text) -> str:
    """The log's format: as the spec names it, or recognised from ``text`` (``format = "auto"``); ``text`` is
    None when the log's file cannot be read (the parse reports it, after the set-up's own fields)."""
    values = values_of(question)
    if is_generated(question):
        return "matlab" if values["format"] == "auto" else values["format"]
    if values["format"] != "auto":
        return values["format"]
    if text is None:
        return "matlab"
    first = next((line for line in text.splitlines() if line.strip()), "")
    if values.get("columns") is not None and "," in first:
        return "csv"
    if is_keras(text):
        return "keras"
    if is_pytorch(text):
        return "pytorch"
    return "matlab"


def setup(question, text) -> Setup:
    """The set-up of the question's fields, the format recognised from the log's ``text`` (None: unreadable)."""
    values = values_of(question)
    fmt = detect_format(question, text)
    framework = values.get("framework") or FORMAT_FRAMEWORK[fmt]
    if framework is None:
        raise question.error("framework", "missing required field (matlab, pytorch or keras)")
    if framework not in FRAMEWORKS:
        raise question.error("framework", f"unknown framework '{framework}' (known: {', '.join(FRAMEWORKS)})")
    batch = values["minibatch"]
    if not 1 <= batch <= MAX_BATCH:
        raise question.error("minibatch", f"must be a positive whole number, at most {MAX_BATCH}")
    rounding, names = FRAMEWORKS[framework]
    drop_last = values.get("drop_last")
    if drop_last is not None:
        rounding = "floor" if drop_last else "ceil"
    given = values.get("iterations_per_epoch")
    if given is not None and not 1 <= given <= MAX_STEPS:
        raise question.error("iterations_per_epoch", f"must be a positive whole number, at most {MAX_STEPS}")
    alpha = _fraction(question, "significance")
    if not 0 < alpha < Fraction(1, 2):
        raise question.error("significance", "must lie between 0 and 0.5")
    slow = _fraction(question, "slow_rate")
    rise = _fraction(question, "rise_tolerance")
    for key, value in (("slow_rate", slow), ("rise_tolerance", rise)):
        if not 0 < value < 1:
            raise question.error(key, "must lie between 0 and 1")
    shuffle = values.get("shuffle") or DEFAULT_SHUFFLE[framework]
    _check_dataset(question, values, batch)
    _check_read(question, fmt)
    return Setup(fmt, framework, batch, rounding, names, given, alpha, slow, rise, shuffle)


def _check_dataset(question, values, batch):
    """The dataset fields: sizes within the stated ranges, a split a decimal strictly between 0 and 1, an
    accuracy as a decimal; a field that no answer would read (its companion missing) is refused."""
    for key, top in (("dataset_size", MAX_DATASET), ("validation_batch", MAX_BATCH)):
        if values.get(key) is not None and not 1 <= values[key] <= top:
            raise question.error(key, f"must be a positive whole number, at most {top}")
    total = values.get("dataset_size")
    for key, needs, why in (("validation_split", "dataset_size", "the samples before the split"),
                            ("validation_batch", "validation_split", "the validation samples it counts steps of"),
                            ("printed_accuracy", "dataset_size", "the smallest set is part of the dataset "
                                                                 "arithmetic; without it no answer reads this")):
        if values.get(key) is not None and values.get(needs) is None:
            raise question.error(key, f"needs {needs} ({why})")
    if total is not None and -(-total // batch) > MAX_STEPS:
        raise question.error("dataset_size", f"{total} samples make more than {MAX_STEPS} mini-batches of {batch}")
    if values.get("validation_split") is not None:
        split = _fraction(question, "validation_split")
        if not is_decimal(split) or decimal_places(split) > MAX_SPLIT_PLACES:
            raise question.error("validation_split", f"'{values['validation_split']}' is not a decimal as Keras "
                                                     f"takes it (e.g. 0.1; at most {MAX_SPLIT_PLACES} decimals)")
        if not 0 < split < 1:
            raise question.error("validation_split", "must lie between 0 and 1")
        held = total - (total * (1 - split)).__floor__()
        if -(-held // (values.get("validation_batch") or batch)) > MAX_STEPS:
            raise question.error("validation_batch", f"{held} validation samples make more than {MAX_STEPS} "
                                                     "evaluation steps")
    printed = values.get("printed_accuracy")
    if printed is not None:
        text = str(printed).strip()
        share = r"(0?\.\d{1,8}|1(\.0{0,8})?|0)"
        percent = r"(\d{1,2}(\.\d{1,6})?|100(\.0{0,6})?)\s*%"
        if not (re.fullmatch(share, text) or re.fullmatch(percent, text)):
            raise question.error("printed_accuracy", f"'{printed}' is not an accuracy as printed (e.g. \"0.9780\" or \"93.75%\")")


def _check_read(question, fmt):
    """Fields only a CSV log reads: given for another format, they would be silently ignored."""
    if fmt != "csv":
        for key in ("epoch_origin", "step_origin"):
            if question.has(key):
                raise question.error(key, f"is read only for a CSV log (this log is {fmt}): leave it out")


def _fraction(question, name):
    value = values_of(question)[name]
    try:
        return exact(value)
    except NumberError as exc:
        raise question.error(name, f"'{value}' is not a number of an exam ({exc})") from None


def _mapping(question):
    """The CSV column mapping and the two origins, each checked (one error line naming the field)."""
    values = values_of(question)
    mapping = values.get("columns")
    if mapping is None:
        raise question.error("columns", "a CSV log needs a column mapping, e.g. "
                                        "columns = {epoch = \"epoch\", train_loss = \"loss\", "
                                        "val_loss = \"val_loss\"}")
    for key, value in mapping.items():
        if key not in COLUMN_KEYS:
            raise question.error("columns", f"unknown key '{key}' (known: {', '.join(COLUMN_KEYS)})")
        if not isinstance(value, str) or not value.strip():
            raise question.error("columns", f"columns.{key} must be a column name (a string)")
    for key in REQUIRED_COLUMNS:
        if key not in mapping:
            raise question.error("columns", f"missing columns.{key} ({COLUMN_WORDS[key]})")
    origins = []
    for key in ("epoch_origin", "step_origin"):
        value = values[key]
        if value not in (0, 1):
            raise question.error(key, "must be 0 (counts from 0) or 1 (counts from 1)")
        origins.append(value)
    return mapping, origins


def parse_log(question, fmt, text, name):
    """The log ``text`` (``name``: its file's, or the generated log's), parsed exactly by the reader of its format
    ``fmt``; a malformed log raises the one-line SpecError naming the field it came from."""
    try:
        if fmt == "matlab":
            if question.has("columns"):
                raise question.error("columns", "a column mapping is for CSV logs only (format = \"csv\")")
            return read_matlab(text, name)
        if fmt in ("keras", "pytorch"):
            if question.has("columns"):
                raise question.error("columns", "a column mapping is for CSV logs only (format = \"csv\")")
            return (read_keras if fmt == "keras" else read_pytorch)(text, name)
        mapping, origins = _mapping(question)
        return read_csv(text, name, mapping, *origins)
    except LogError as exc:
        raise question.error("log" if not is_generated(question) else "generate", f"{name}: {exc}") from None
