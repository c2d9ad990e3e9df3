"""A generated log that reads as its behaviour: drawn again (deterministically) until the key's verdicts are
those of the behaviour asked for, with a margin on every threshold, or the settings refused.

The generator's curves make the verdicts likely, not certain: with 5 epochs at a significance of 0.01 a t
test over 3 degrees of freedom may miss a trend. So the log made from the given seed is read by the kind's
own route (``fields.setup`` and ``fields.parse_log`` on the candidate text, ``analysis.analyse_log``,
``trend_section``, ``verdicts``); when its verdicts are not the behaviour's, or would
flip with a threshold 15 % stricter or looser (the critical t values, ``slow_rate``, ``rise_tolerance``), the
log is made again from the seed ``redraw_seed(seed, k)``, k = 1, 2, ... up to MAX_REDRAWS. The settings
used (``Settings.redraw`` = k) are what every reader of the question gets, so the key, the sheet and the
independent check read the same text.
"""

from __future__ import annotations

import copy
import dataclasses
import hashlib
import itertools

from symdl.solution import Solution

from .analysis import analyse_log
from .fields import parse_log, setup
from .generate import Settings, generate
from .trends import trend_section
from .verdicts import verdicts

MAX_REDRAWS = 12            # draws tried (the seed given, then 11 more) before the settings are refused
MARGIN = (0.85, 1.0, 1.15)  # each threshold scaled by these: the verdicts must hold at all 27 combinations
MAX_SEED = 2**63 - 1
_CACHE_SIZE = 64

# the verdicts (learning, slow, overfitting, diverged) each behaviour must be read as; None: either
EXPECTED = {"learning well": dict(learning=True, slow=False, overfitting=False, diverged=False),
            "learning slowly": dict(learning=True, slow=True, overfitting=False, diverged=False),
            "underfitting": dict(learning=False, overfitting=False, diverged=False),
            "overfitting": dict(overfitting=True, diverged=False),
            "diverging": dict(diverged=True)}

_found = {}                 # (settings given, the fields read) -> the settings whose log reads as asked


def redraw_seed(seed: int, k: int) -> int:
    """The seed of the k-th redraw of a log whose seed is ``seed`` (k = 0: the seed itself)."""
    if k == 0:
        return seed
    digest = hashlib.sha256(f"symdl-log-redraw:{seed}:{k}".encode("ascii")).digest()
    return int.from_bytes(digest[:8], "big") % (MAX_SEED + 1)


def as_asked(question, given: Settings) -> Settings:
    """The settings (``given``, or a redraw of its seed) whose log the kind reads as ``given.behaviour``."""
    key = (given, repr(sorted((k, repr(v)) for k, v in question.fields.items() if k != "generate")))
    if key in _found:
        return _found[key]
    for k in range(MAX_REDRAWS):
        s = dataclasses.replace(given, seed=redraw_seed(given.seed, k), redraw=k)
        if reads_as(question, s.behaviour, generate(s), f"generated log (seed {s.seed})"):
            if len(_found) >= _CACHE_SIZE:
                _found.pop(next(iter(_found)))
            _found[key] = s
            return s
    raise question.error("generate.epochs", f"no log made from these settings reads clearly as "
                                            f"'{given.behaviour}' ({MAX_REDRAWS} seeds from {given.seed} tried): "
                                            f"with {given.epochs} epochs the trend tests cannot tell it at these "
                                            f"thresholds; give more epochs (or a larger significance, or "
                                            f"slow_rate and rise_tolerance nearer their defaults)")


def reads_as(question, behaviour, text, name) -> bool:
    """Whether the candidate log ``text`` (``name``), read with the question's fields, reads as ``behaviour``,
    with a margin on every threshold."""
    st = setup(question, text)
    an = analyse_log(question, st, parse_log(question, st.fmt, text, name))
    if an.short:
        return False
    trends = trend_section(Solution(question.id, question.kind), an)
    wanted = EXPECTED[behaviour]
    for t_scale, slow_scale, rise_scale in itertools.product(MARGIN, repeat=3):
        shifted = copy.copy(an)
        shifted.setup = dataclasses.replace(an.setup, slow_rate=an.setup.slow_rate * slow_scale,
                                            rise_tolerance=an.setup.rise_tolerance * rise_scale)
        v = verdicts(shifted, {**trends, "tcrit": float(trends["tcrit"]) * t_scale,
                               "tcrit_e": float(trends["tcrit_e"]) * t_scale})
        if any(v[key] != value for key, value in wanted.items()):
            return False
    return True
