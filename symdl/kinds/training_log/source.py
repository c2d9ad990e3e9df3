"""Where a training log's text comes from: the file ``log`` names, or the ``[question.generate]`` table.

Both routes of the kind (the derivation's readers and the independent re-reading in ``check``) take
the text from here, so a generated log is read exactly as a file would be. The table is checked
field by field (one error line naming ``generate.<field>``); the text is made in memory by
``generate.generate`` from the settings ``intended.as_asked`` chose (the seed redrawn until the log reads as
its behaviour) and never written to disk.
"""

from __future__ import annotations

from fractions import Fraction

from symdl.input.bounded import NumberError, exact

from .batches import DEFAULT_SHUFFLE
from .fields import FORMAT_FRAMEWORK, FRAMEWORKS, is_generated, values_of
from .generate import BEHAVIOURS, FORMATS, MAX_EPOCHS, MAX_LINES, MIN_EPOCHS, Settings, generate, line_count
from .intended import as_asked

GENERATE_KEYS = ("behaviour", "epochs", "iterations_per_epoch", "training_set_size", "validation_every",
                 "verbose_every", "learning_rate", "seconds_per_iteration", "seed")
MAX_ITERATIONS = 10**6           # mini-batches per epoch, and in all epochs together (epochs x iterations)
MAX_SAMPLES = 10**10             # training_set_size (as fields.MAX_DATASET)
MAX_SEED = 2**63 - 1
MIN_SIGNIFICANCE = Fraction(1, 100)


def log_text(question):
    """(text, name) of the question's log: the file read as UTF-8, or the log its settings generate."""
    values = values_of(question)
    if question.has("log") and question.has("generate"):
        raise question.error("generate", "give either log (a file) or a [question.generate] table (a log made "
                                         "from settings), not both")
    if is_generated(question):
        s = generated_settings(question)
        return generate(s), f"generated log (seed {s.seed})"
    if not question.has("log"):
        raise question.error("log", "missing required field (the log file, or a [question.generate] table "
                                    "that makes the log)")
    path = question.data_path("log")
    try:
        return path.read_text(encoding="utf-8-sig"), path.name
    except UnicodeDecodeError:
        raise question.error("log", f"{path.name}: not a UTF-8 text file") from None
    except OSError as exc:
        raise question.error("log", f"{path.name}: cannot read: {exc.strerror}") from None


def generated_settings(question) -> Settings:
    """The settings the question's log is made from: its table's, the seed redrawn if need be so that the
    log reads as its behaviour (intended.as_asked)."""
    return as_asked(question, settings(question, values_of(question)))


def settings(question, values) -> Settings:
    """The generator's settings from ``[question.generate]`` and the question's own fields, each checked."""
    table = values["generate"]
    for key in table:
        if key not in GENERATE_KEYS:
            raise question.error(f"generate.{key}", f"unknown field (known: {', '.join(GENERATE_KEYS)})")
    fmt = "matlab" if values.get("format", "auto") == "auto" else values["format"]
    if fmt not in FORMATS:
        raise question.error("format", f"a generated log is {', '.join(FORMATS)} (not {fmt})")
    behaviour = _behaviour(question, table)
    epochs = _integer(question, table, "epochs", MIN_EPOCHS, MAX_EPOCHS,
                      why=f" (the trends need {MIN_EPOCHS - 2} epochs with both losses)")
    framework = values.get("framework") or FORMAT_FRAMEWORK[fmt]
    rounding = FRAMEWORKS[framework][0] if framework in FRAMEWORKS else "floor"
    if values.get("drop_last") is not None:
        rounding = "floor" if values["drop_last"] else "ceil"
    iterations = _iterations(question, table, values, rounding)
    if epochs * iterations > MAX_ITERATIONS:
        raise question.error("generate.iterations_per_epoch", f"{epochs} epochs of {iterations} iterations are "
                                                              f"more than {MAX_ITERATIONS} iterations in all "
                                                              "(the log's checks count every one)")
    validation = _every(question, table, "validation_every", fmt, iterations)
    verbose = _every(question, table, "verbose_every", fmt, iterations)
    slow, rise = (float(_fraction(values.get(k, d), d)) for k, d in (("slow_rate", "0.02"), ("rise_tolerance", "0.01")))
    if behaviour == "learning well" and slow >= 0.5:
        raise question.error("slow_rate", "a 'learning well' log needs a slow_rate below 0.5")
    if _fraction(values.get("significance", "0.05"), "0.05") < MIN_SIGNIFICANCE:
        raise question.error("significance", "a generated log is made to be read at a significance of 0.01 or "
                                             "more (a t test over 5 epochs at a stricter level cannot tell its trends)")
    shuffle = values.get("shuffle") or DEFAULT_SHUFFLE.get(framework, "once")
    s = Settings(behaviour, fmt, epochs, iterations, validation, verbose,
                 _number(question, table, "learning_rate", "0.001"),
                 _number(question, table, "seconds_per_iteration", "0.5", top=3600),
                 _integer(question, table, "seed", 0, MAX_SEED, default=0),
                 same_batches=shuffle != "every-epoch", slow_rate=slow, rise_tolerance=rise)
    lines = line_count(s)
    if lines > MAX_LINES:
        fewer = {"matlab": "fewer epochs or a larger verbose_every or validation_every",
                 "pytorch": "fewer epochs or a larger verbose_every", "keras": "fewer epochs"}[fmt]
        raise question.error("generate", f"the log would have {lines} lines; the exam sheet prints a generated "
                                         f"log whole, at most {MAX_LINES} lines: {fewer}")
    return s


def _fraction(value, default):
    """A threshold field as a Fraction; one that is not a number reads as its default here (setup() names it)."""
    try:
        return exact(value)
    except NumberError:
        return Fraction(default)


def _behaviour(question, table):
    value = table.get("behaviour")
    if value is None:
        raise question.error("generate.behaviour", f"missing required field (one of: {', '.join(BEHAVIOURS)})")
    key = " ".join(str(value).replace("_", " ").replace("-", " ").lower().split()) if isinstance(value, str) else None
    if key not in BEHAVIOURS:
        raise question.error("generate.behaviour", f"unknown behaviour {value!r} (known: {', '.join(BEHAVIOURS)})")
    return key


def _integer(question, table, key, low, high, default=None, why=""):
    value = table.get(key, default)
    where = f"generate.{key}"
    if value is None:
        raise question.error(where, "missing required field")
    if isinstance(value, bool) or not isinstance(value, int):
        raise question.error(where, f"expected a whole number, got {type(value).__name__}")
    if value < low:
        raise question.error(where, f"must be at least {low}{why}")
    if value > high:
        raise question.error(where, f"must be at most {high}")
    return value


def _number(question, table, key, default, top=None):
    value = table.get(key, default)
    where = f"generate.{key}"
    try:
        number = exact(value)
    except NumberError as exc:
        raise question.error(where, f"'{value}' is not a number of a log ({exc})") from None
    if number <= 0:
        raise question.error(where, "must be above 0")
    if top is not None and number > top:
        raise question.error(where, f"must be at most {top}")
    if number.denominator > 10**12 or number > 10**6:
        raise question.error(where, f"'{value}' is not a plain decimal of a log")
    return number


def _iterations(question, table, values, rounding):
    """Mini-batches per epoch: given, or from the training-set size and the mini-batch by the framework's rule."""
    given, size = "iterations_per_epoch" in table, "training_set_size" in table
    if given == size:
        raise question.error("generate.iterations_per_epoch", "give iterations_per_epoch or training_set_size "
                                                              "(exactly one)")
    if given:
        return _integer(question, table, "iterations_per_epoch", 1, MAX_ITERATIONS)
    n = _integer(question, table, "training_set_size", 1, MAX_SAMPLES)
    batch = values.get("minibatch")
    if not isinstance(batch, int) or batch < 1:
        raise question.error("minibatch", "must be a positive whole number")
    iterations = n // batch if rounding == "floor" else -(-n // batch)
    if iterations < 1:
        raise question.error("generate.training_set_size", f"{n} samples make no full mini-batch of {batch}")
    return iterations


def _every(question, table, key, fmt, iterations):
    """validation_every / verbose_every: MATLAB's ValidationFrequency and VerboseFrequency (default 50, the
    validation at most one epoch apart); PyTorch prints a step line every verbose_every steps (default: 50, at
    most I); Keras prints one line per epoch and validates at its end, PyTorch validates at the end of each epoch."""
    where = f"generate.{key}"
    once_per_epoch = fmt == "keras" or (fmt == "pytorch" and key == "validation_every")
    if once_per_epoch:
        if key in table and table[key] != iterations:
            raise question.error(where, f"a {'Keras' if fmt == 'keras' else 'PyTorch'} log "
                                        f"{'validates' if key == 'validation_every' else 'prints one line'} once "
                                        f"per epoch: leave it out (or give {iterations}, the iterations per epoch)")
        return iterations
    value = _integer(question, table, key, 1, 10**9, default=min(50, iterations) if key == "validation_every"
                     or fmt == "pytorch" else 50)
    if (key == "validation_every" or fmt == "pytorch") and value > iterations:
        what = "every epoch needs a validation row" if key == "validation_every" else "every epoch needs a line"
        raise question.error(where, f"{value} is more than the {iterations} iterations of an epoch ({what})")
    return value
