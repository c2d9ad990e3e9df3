"""The question's log as the kind reads it: its text from ``source`` (the file, or the log its settings generate),
the set-up and the parse from ``fields``, the analysis from ``analysis``.

The top of the kind's reading layers (fields and analysis take a text they are given; intended generates and
reads a candidate text; source gives the question's text); explain, mistakes and carry read through here.
"""

from __future__ import annotations

from symdl.errors import SpecError

from . import fields
from .analysis import Analysis, analyse_log
from .cells import Log
from .source import log_text


def _text(question):
    """(text, name, error): the log's text and name, or (None, None, the SpecError) when its file cannot be read.

    A generated log's settings are checked first (their error is raised here); a file's error is reported only
    after the set-up's own fields (``setup`` detects the format as MATLAB's when the file cannot be read)."""
    try:
        text, name = log_text(question)
    except SpecError as exc:
        if fields.is_generated(question):
            raise
        return None, None, exc
    return text, name, None


def _read(question):
    """(set-up, parsed log) of the question's log, the text read once."""
    text, name, error = _text(question)
    st = fields.setup(question, text)
    if error is not None:
        raise error
    return st, fields.parse_log(question, st.fmt, text, name)


def setup(question) -> fields.Setup:
    """The set-up of the question's fields, the log's format recognised from its text when not given."""
    text, _, _ = _text(question)
    return fields.setup(question, text)


def read_log(question) -> Log:
    """The question's log, parsed exactly by the reader of its format (the set-up's fields not checked); a
    malformed log raises the one-line SpecError naming the file, the question and the field."""
    text, name, error = _text(question)
    if error is not None:
        raise error
    return fields.parse_log(question, fields.detect_format(question, text), text, name)


def analyse(question) -> Analysis:
    """The analysis of the question's log: iterations per epoch, the epochs' means and gaps, the validation
    points."""
    return analyse_log(question, *_read(question))
