"""The training-log kind: iterations per epoch, training-set size, trends and verdicts read from a log.

``fields`` declares the spec's fields (the schema) and reads the log with the reader of its
format (``matlab``, ``csv``; the cells are parsed exactly, into Fractions, by ``cells``);
``analysis`` finds the iterations per epoch and the epochs' means and gaps, ``stats`` the
least-squares lines and t statistics; ``explain``, ``trends`` and ``verdicts`` build the
Solution, ``figures`` the plots' data. The independent route (``check``) re-reads the log
with its own simpler reader and recomputes everything in floats with numpy.
"""

from __future__ import annotations

from symdl.kinds import Kind

from . import carry, painters, sheet
from symdl.solution import Text

from .analysis import Analysis, Epoch, interpolate, iterations_per_epoch
from .cells import PERCENT_KEYS, Log, LogError, Row
from .check import _t_crit_float, independent, slope_t
from .csv import read_csv
from .explain import solve
from .fields import COLUMN_KEYS, COLUMN_WORDS, FORMATS, FRAMEWORKS, REQUIRED_COLUMNS, SCHEMA, Setup
from .matlab import MATLAB_HEADERS, read_matlab
from .mistakes import mistakes
from .numbers import clock, fnum, pct, shown
from .reading import analyse, read_log, setup
from .stats import Fit, fit, t_critical
from .verdicts import verdicts

FIELDS = SCHEMA.names
TOLERANCE = 1e-6
checks_note = ("The log was re-read by a separate, simpler reader; every number was recomputed in floating "
               "point (np.polyfit for the slopes, a brute-force search over every iterations-per-epoch and "
               "training-set size, the t quantile by numerical integration) and every verdict re-decided.")

KIND = Kind(name="training_log", schema=SCHEMA, solve=solve, independent=independent,
            tolerance=TOLERANCE, abs_tolerance=0.0, checks_note=checks_note,
            sheet=sheet.given, mistakes=mistakes, carry=carry.carry, figures=painters.FIGURES)

__all__ = ["Analysis", "COLUMN_KEYS", "COLUMN_WORDS", "Epoch", "FIELDS", "FORMATS", "FRAMEWORKS", "Fit", "KIND",
           "Log", "LogError", "MATLAB_HEADERS", "PERCENT_KEYS", "REQUIRED_COLUMNS", "Row", "SCHEMA", "Setup",
           "TOLERANCE", "Text", "analyse", "checks_note", "clock", "fit", "fnum", "independent", "interpolate",
           "iterations_per_epoch", "pct", "read_csv", "read_log", "read_matlab", "setup",
           "shown", "slope_t", "solve", "t_critical", "verdicts", "_t_crit_float"]
