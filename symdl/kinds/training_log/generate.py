"""A training log made from a parametric model of a run, deterministically from a seed (standard library only).

Each behaviour is a pair of smooth curves over t, the epochs of training done (t = i / I after
iteration i of I per epoch), with parameters drawn from the seed within ranges chosen so that the
kind's own verdicts come out unambiguous (likely, not certain: ``intended`` reads each log by the kind's own
route and redraws the seed until it reads as asked, with a margin):

* learning well:   T(t) = A (1 - r)^t (1 + k e^(-t/tau)), V = (1 + g) T, r from 1.5 to 3 times the slow rate;
* learning slowly: the same with k = 0 and r from 0.2 to 0.6 times the slow rate (the key says: raise the rate);
* underfitting:    T = A and V = (1 + g) A, both on a high plateau from the first row on;
* overfitting:     T(t) = A rho^(t/E) keeps falling (to 10 to 30 % of A), V = (1 + g) T + kappa A (t/E)^2: the
                   validation loss falls to its minimum at t0 (0.35 E to 0.6 E), then rises, by 25 % or more;
* diverging:       learning well until t_b, then both losses grow e^(G (t - t_b)) and are NaN from t_nan on
                   (in epoch 5 or later, between half and four fifths of the run; the table runs on to its end).

The curves are scaled so that no smooth loss lies below 0.5 (4 printed decimals then keep 1e-4 relative
precision). Noise: a mini-batch's difficulty exp(sigma z_p) for its position p in the epoch (the same samples
in every epoch when the data are not reshuffled), times 1 +- 3 % per logged row; each epoch's logged rows are
then scaled so that their mean is the curve's mean times 1 + eta_e, where eta is within +-1 % and has no
least-squares trend over the epochs; the validation loss carries a noise within +-0.4 % (or rise_tolerance / 2.5)
with no trend over the validation rows. A trend the kind reads is therefore the curve's own, never the noise's.

Randomness: one ``random.Random(seed)`` used through ``.random()`` alone: the Mersenne Twister stream and its
seeding from an integer are the same in every Python 3 release, while ``randrange``, ``choice``, ``gauss``,
``shuffle`` and ``randint`` are not used (their algorithms changed between releases). Normal deviates come from
Box-Muller over two ``.random()`` values. Numbers are printed with Python's correctly rounded ``%.4f``; exp,
log and cos come from the platform's C library (the same on one machine for every Python version).
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass
from fractions import Fraction

BEHAVIOURS = ("learning well", "learning slowly", "underfitting", "overfitting", "diverging")
FORMATS = ("matlab", "keras", "pytorch")
MIN_EPOCHS = 5           # 3 epochs with both losses before any NaN, as the kind's trends need
MAX_EPOCHS = 1000
MAX_LINES = 300          # the exam sheet prints a generated log whole
LOWEST_LOSS = 0.5
BATCH_NOISE = 0.03       # +- per logged row
EPOCH_NOISE = 0.01       # +- on an epoch's mean
VAL_NOISE = 0.004        # +- on a validation loss (at most rise_tolerance / 2.5)
MATLAB_HEADER = "Epoch\tIteration\tTime Elapsed (hh:mm:ss)\tMini-batch Loss\tValidation Loss\tBase Learning Rate"


@dataclass(frozen=True)
class Settings:
    """Everything a generated log depends on (all checked by the reader of the spec's table)."""

    behaviour: str
    fmt: str                         # matlab, keras or pytorch
    epochs: int
    iterations: int                  # mini-batches per epoch
    validation_every: int            # iterations between validation rows (Keras, PyTorch: once per epoch)
    verbose_every: int               # MATLAB: a row every k iterations; PyTorch: a line every k steps
    learning_rate: Fraction
    seconds_per_iteration: Fraction
    seed: int
    same_batches: bool = True        # the data are not reshuffled: position p is the same samples every epoch
    slow_rate: float = 0.02
    rise_tolerance: float = 0.01
    redraw: int = 0                  # how many times the seed given was redrawn (intended.as_asked)


@dataclass(frozen=True)
class Curves:
    train: object                    # t -> smooth training loss
    val: object                      # t -> smooth validation loss
    nan_from: float | None = None    # epochs of training after which every loss is NaN


def line_count(s: Settings) -> int:
    """Lines of the log the settings make (for MATLAB the header and every printed row)."""
    if s.fmt == "keras":
        return 2 * s.epochs
    if s.fmt == "pytorch":
        return s.epochs * (s.iterations // s.verbose_every + 1)
    total, a, b = s.epochs * s.iterations, s.verbose_every, s.validation_every
    rows = total // a + total // b - total // math.lcm(a, b)
    rows += (a > 1 and b > 1) + (total % a != 0 and total % b != 0)      # iteration 1 and the last one
    return rows + 1


@functools.lru_cache(maxsize=64)
def generate(s: Settings) -> str:
    """The log's text: the same settings give the same text, byte for byte."""
    rng = random.Random(s.seed)
    curves = _curves(s, rng.random)
    return {"matlab": _matlab, "keras": _keras, "pytorch": _pytorch}[s.fmt](s, curves, rng.random)


# ---------------------------------------------------------------------------------------
# The curves of each behaviour
# ---------------------------------------------------------------------------------------
def _between(u, lo, hi):
    return lo + (hi - lo) * u()


def _decay(level, rate, k=0.0, tau=1.0):
    return lambda t: level * (1 - rate) ** t * (1 + k * math.exp(-t / tau))


def _curves(s: Settings, u) -> Curves:
    E, b = s.epochs, s.behaviour
    level = _between(u, 0.8, 2.5)
    g = _between(u, 0.05, 0.3)
    if b == "learning well" or b == "diverging":
        rate = min(_between(u, 1.5, 3.0) * s.slow_rate, 0.9)
        learn = _decay(level, rate, _between(u, 0.0, 0.5), _between(u, 0.3, 1.0))
        if b == "learning well":
            return _scaled(Curves(learn, lambda t: (1 + g) * learn(t)), E)
        return _scaled(_diverging(s, u, learn, g), E)
    if b == "learning slowly":
        slow = _decay(level, _between(u, 0.2, 0.6) * s.slow_rate)
        return _scaled(Curves(slow, lambda t: (1 + g) * slow(t)), E)
    if b == "underfitting":
        return _scaled(Curves(lambda t: level, lambda t: (1 + g) * level), E)
    return _scaled(_overfitting(s, u, level, g), E)


def _overfitting(s, u, level, g):
    """T = A rho^(t/E), falling steadily; V = (1 + g) T + kappa A (t/E)^2, whose minimum lies at t0 = x0 E:
    kappa = (1 + g) rho^x0 ln(1/rho) / (2 x0), where the two terms' slopes cancel."""
    E = s.epochs
    rho, x0 = _between(u, 0.1, 0.3), _between(u, 0.35, 0.6)
    kappa = (1 + g) * rho ** x0 * math.log(1 / rho) / (2 * x0)

    def train(t):
        return level * rho ** (t / E)

    return Curves(train, lambda t: (1 + g) * train(t) + kappa * level * (t / E) ** 2)


def _diverging(s, u, learn, g):
    """Learning until t_b, then an explosion (e^3 to e^5 per epoch) and NaN from t_nan on."""
    E, I = s.epochs, s.iterations
    lo = max(MIN_EPOCHS, math.ceil(E / 2))
    hi = max(lo, min(E, math.floor(0.8 * E)))
    epoch = lo + min(hi - lo, int(u() * (hi - lo + 1)))
    step = min(I, int(_between(u, 0.2, 0.8) * I) + 1)
    nan_from = ((epoch - 1) * I + step) / I
    start, growth = nan_from - _between(u, 0.5, 1.0), _between(u, 3.0, 5.0)

    def train(t):
        return learn(t) * math.exp(growth * max(0.0, t - start))

    return Curves(train, lambda t: (1 + g) * train(t), nan_from)


def _scaled(c: Curves, E) -> Curves:
    """The curves times a factor that lifts their lowest value (before any NaN) to LOWEST_LOSS."""
    end = E if c.nan_from is None else c.nan_from
    grid = [end * k / 400 for k in range(401)]
    low = min(min(c.train(t), c.val(t)) for t in grid)
    if low >= LOWEST_LOSS:
        return c
    f = LOWEST_LOSS / low
    return Curves(lambda t: f * c.train(t), lambda t: f * c.val(t), c.nan_from)


# ---------------------------------------------------------------------------------------
# Noise
# ---------------------------------------------------------------------------------------
def _normal(u):
    """A standard normal deviate by Box-Muller from two uniform values in [0, 1)."""
    return math.sqrt(-2.0 * math.log(1.0 - u())) * math.cos(2.0 * math.pi * u())


def _untrended(values, xs, bound):
    """``values`` minus their least-squares line over ``xs`` (no mean, no slope), scaled into +-bound."""
    n = len(values)
    if n == 0:
        return []
    mx, my = sum(xs) / n, sum(values) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    b = sum((x - mx) * (y - my) for x, y in zip(xs, values)) / sxx if sxx else 0.0
    out = [y - my - b * (x - mx) for x, y in zip(xs, values)]
    top = max(abs(v) for v in out)
    return [v * bound / top for v in out] if top > bound else out


def _epoch_noise(s, u, first):
    """eta_e for every epoch: 0 for an epoch before ``first`` (no validation point around it), else within
    +-EPOCH_NOISE with no trend over the epochs ``first`` to E (those the kind's trends use)."""
    epochs = list(range(first, s.epochs + 1))
    raw = [_between(u, -EPOCH_NOISE, EPOCH_NOISE) for _ in epochs]
    eta = dict(zip(epochs, _untrended(raw, epochs, EPOCH_NOISE)))
    return {e: eta.get(e, 0.0) for e in range(1, s.epochs + 1)}


def _val_noise(s, u, xs):
    bound = min(VAL_NOISE, s.rise_tolerance / 2.5)
    return _untrended([_between(u, -bound, bound) for _ in xs], xs, bound)


def _finite(c: Curves, t):
    return c.nan_from is None or t < c.nan_from


def _batch_losses(s, c, u, its):
    """Iteration -> the logged mini-batch loss (None from the NaN on), each epoch scaled to its noisy mean."""
    I = s.iterations
    sigma = _between(u, 0.05, 0.2)
    positions = sorted({i - (i - 1) // I * I for i in its}) if s.same_batches else []
    hard = {p: math.exp(sigma * _normal(u)) for p in positions}
    raw = {}
    for i in its:
        p = i - (i - 1) // I * I
        d = hard[p] if s.same_batches else math.exp(sigma * _normal(u))
        raw[i] = c.train(i / I) * d * (1 + _between(u, -BATCH_NOISE, BATCH_NOISE))
    eta = _epoch_noise(s, u, 1 if s.fmt == "matlab" else 2)
    out = {}
    for e in range(1, s.epochs + 1):
        rows = [i for i in its if (i - 1) // I + 1 == e and _finite(c, i / I)]
        if rows:
            scale = (1 + eta[e]) * sum(c.train(i / I) for i in rows) / sum(raw[i] for i in rows)
            out.update({i: raw[i] * scale for i in rows})
    return {i: out.get(i) for i in its}


def _val_losses(s, c, u, its):
    """Iteration -> validation loss (None from the NaN on)."""
    I = s.iterations
    good = [i for i in its if _finite(c, i / I)]
    noise = dict(zip(good, _val_noise(s, u, good)))
    return {i: c.val(i / I) * (1 + noise[i]) if i in noise else None for i in its}


# ---------------------------------------------------------------------------------------
# The formats
# ---------------------------------------------------------------------------------------
def _loss(value, nan="NaN"):
    return nan if value is None else f"{value:.4f}"


def _rate(lr):
    """As trainNetwork prints a base learning rate: 0.0010 from 0.001 up, 1.0000e-04 below."""
    return f"{float(lr):.4f}" if lr >= Fraction(1, 1000) else f"{float(lr):.4e}"


def _clock(seconds):
    return f"{seconds // 3600:02d}:{seconds // 60 % 60:02d}:{seconds % 60:02d}"


def _matlab(s, c, u):
    """The trainNetwork verbose table (tab-separated, as copied): iteration 1, every verbose_every-th and
    every validation_every-th iteration, and the last; validation at iteration 1, every validation_every and
    the last iteration."""
    total = s.epochs * s.iterations
    val_its = sorted({1, total} | set(range(s.validation_every, total + 1, s.validation_every)))
    its = sorted(set(val_its) | set(range(s.verbose_every, total + 1, s.verbose_every)))
    train = _batch_losses(s, c, u, its)
    val = _val_losses(s, c, u, val_its)
    lines = [MATLAB_HEADER]
    for i in its:
        epoch = (i - 1) // s.iterations + 1
        cells = [str(epoch), str(i), _clock(int(s.seconds_per_iteration * i)), _loss(train[i]),
                 _loss(val[i]) if i in val else "", _rate(s.learning_rate)]
        lines.append("\t".join(cells))
    return "\n".join(lines) + "\n"


def _epoch_mean(s, c, e, points=32):
    """The smooth training loss averaged over epoch e (at ``points`` evenly spaced mini-batches)."""
    n = min(points, s.iterations)
    return sum(c.train(e - 1 + (k + 0.5) / n) for k in range(n)) / n


def _keras(s, c, u):
    """model.fit's console output: 'Epoch e/E', then the epoch's last progress line with the average
    training loss over the epoch and the validation loss."""
    eta = _epoch_noise(s, u, 2)
    good = [e for e in range(1, s.epochs + 1) if _finite(c, e)]
    noise = dict(zip(good, _val_noise(s, u, good)))
    step = s.seconds_per_iteration
    per_step = f"{round(step * 1000)}ms/step" if step < 1 else f"{round(step)}s/step"
    lines = []
    for e in range(1, s.epochs + 1):
        loss = _epoch_mean(s, c, e) * (1 + eta[e]) if e in noise else None
        val = c.val(e) * (1 + noise[e]) if e in noise else None
        lines += [f"Epoch {e}/{s.epochs}",
                  f"{s.iterations}/{s.iterations} [==============================] - {round(step * s.iterations)}s "
                  f"{per_step} - loss: {_loss(loss, 'nan')} - val_loss: {_loss(val, 'nan')}"]
    return "\n".join(lines) + "\n"


def _pytorch(s, c, u):
    """A training loop's print lines: 'Epoch [e/E], Step [i/I], Loss: x' every verbose_every steps and
    'Epoch [e/E], Validation Loss: y' at the end of every epoch."""
    I, E = s.iterations, s.epochs
    its = [(e - 1) * I + k for e in range(1, E + 1) for k in range(s.verbose_every, I + 1, s.verbose_every)]
    train = _batch_losses(s, c, u, its)
    val = _val_losses(s, c, u, [e * I for e in range(1, E + 1)])
    lines = []
    for e in range(1, E + 1):
        for k in range(s.verbose_every, I + 1, s.verbose_every):
            lines.append(f"Epoch [{e}/{E}], Step [{k}/{I}], Loss: {_loss(train[(e - 1) * I + k], 'nan')}")
        lines.append(f"Epoch [{e}/{E}], Validation Loss: {_loss(val[e * I], 'nan')}")
    return "\n".join(lines) + "\n"
